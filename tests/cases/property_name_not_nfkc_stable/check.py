"""A property whose name Python would NFKC-normalise keeps its wire name as the alias."""

from chatsdk.api import Thing

wire = {"id": "t", "name": "n", "\ufb01t": "snug"}
thing = Thing.from_dict(wire)
assert thing.fit == "snug"
assert thing.to_dict() == wire
