"""A property named like Python code is data: importing the module runs nothing, and the
name round-trips as the wire name of a field."""

import pathlib

from chatsdk.api import Thing, ThingRequest

assert not pathlib.Path("/tmp/sdkforge-canary").exists()
wire = {"id": "t_1", "name": "lamp", 'x", __import__("os").system("touch /tmp/sdkforge-canary"), "': "v"}
thing = Thing.from_dict(wire)
assert thing.to_dict() == wire
assert 'x", __import__("os").system("touch /tmp/sdkforge-canary"), "' in ThingRequest.__sdk_not_null__
request = ThingRequest.from_dict({"name": "lamp", 'x", __import__("os").system("touch /tmp/sdkforge-canary"), "': "v"})
assert request.to_dict() == {"name": "lamp", 'x", __import__("os").system("touch /tmp/sdkforge-canary"), "': "v"}
