"""A union tag that is Python code is a tag: importing runs nothing, and the variant it names
is chosen by it and round-trips."""

import pathlib

import pydantic

from chatsdk.api import Shape, Square

assert not pathlib.Path("/tmp/sdkforge-canary").exists()
wire = {"kind": 'sq", **{__import__("os").system("touch /tmp/sdkforge-canary"): 1}, "x', "side": 3}
shape = pydantic.TypeAdapter(Shape).validate_python(wire)
assert type(shape) is Square
assert shape.to_dict() == wire
