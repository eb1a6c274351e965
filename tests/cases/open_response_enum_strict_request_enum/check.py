"""An enum the server sends is open (unknown values kept); one only sent is closed; a request
field of an open enum still only takes known values."""

import enum

import pydantic

from chatsdk.api import Colour, Size, Status, Thing, ThingRequest

thing = Thing.from_dict({"id": "t_1", "name": "lamp", "status": "archived", "size": "huge"})
assert thing.status == "archived" and not thing.status.is_known
assert thing.size == "huge" and not thing.size.is_known
assert thing.to_dict() == {"id": "t_1", "name": "lamp", "status": "archived", "size": "huge"}
assert Status("ready") is Status.READY and Status.READY.is_known

assert not hasattr(Colour, "is_known") and issubclass(Colour, enum.Enum)
for bad in ({"name": "lamp", "colour": "blue"}, {"name": "lamp", "size": "huge"}):
    try:
        ThingRequest.from_dict(bad)
    except pydantic.ValidationError:
        pass
    else:
        raise AssertionError(f"a request must reject {bad}")
request = ThingRequest(name="lamp", colour=Colour.RED, size=Size.LARGE)
assert request.to_dict() == {"name": "lamp", "colour": "red", "size": "large"}
