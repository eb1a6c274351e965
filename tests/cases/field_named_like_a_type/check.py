"""A field named like a type its class annotates with gets a trailing underscore; the
annotations after it still mean the type."""

from chatsdk.api import Thing

wire = {"id": "t", "name": "n", "int": 3, "count": 4}
thing = Thing.from_dict(wire)
assert thing.int_ == 3 and thing.count == 4
assert thing.to_dict() == wire
