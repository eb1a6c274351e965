"""Text that would close a docstring, a NUL, a trailing backslash and line separators in
titles, descriptions, summaries and paths stay text: every module imports, runs nothing, and
the docstrings show the text."""

import pathlib

import chatsdk
import chatsdk._operations as operations
from chatsdk import api

assert not pathlib.Path("/tmp/sdkforge-canary").exists()
assert '"""' in (api.__doc__ or "")
assert "\0" in (api.__doc__ or "")
assert api.Thing.__doc__ and "Second line" in api.Thing.__doc__
spec = operations.API_THINGS_CREATE if hasattr(operations, "API_THINGS_CREATE") else None
paths = [getattr(operations, n).path for n in operations.__all__ if n != "ACCUMULATE"]
assert paths == ['/v1/things"""'], paths
assert chatsdk.Client
