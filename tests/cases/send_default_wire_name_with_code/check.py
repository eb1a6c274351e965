"""A default sent under a wire name that is Python code is sent under that name, and
importing the module runs nothing."""

import pathlib

from chatsdk.api import ThingRequest

assert not pathlib.Path("/tmp/sdkforge-canary").exists()
assert ThingRequest(name="lamp").to_dict() == {"name": "lamp", 'x", __import__("os").system("touch /tmp/sdkforge-canary"), "': "on"}
