"""A tagged union's constructors build the right variant; an unknown tag is kept, not rejected."""

import pydantic

from chatsdk.api import Circle, Shape, Square, Thing, ThingRequest, UnknownShape

circle = Shape.circle(radius=2.5)
assert type(circle) is Circle
assert circle.to_dict() == {"kind": "circle", "radius": 2.5}
square = Shape.unit_square()
assert type(square) is Square
assert square.to_dict() == {"kind": "square", "side": 1}
assert ThingRequest(name="lamp", shape=square).to_dict() == {
    "name": "lamp",
    "shape": {"kind": "square", "side": 1},
}

adapter = pydantic.TypeAdapter(Shape)
assert type(adapter.validate_python({"kind": "square", "side": 3})) is Square
try:
    adapter.validate_python({"kind": "circle"})
except pydantic.ValidationError as exc:
    assert "radius" in str(exc)
else:
    raise AssertionError("a known tag with a bad body must fail")

blob = {"kind": "blob", "wobble": 0.5}
thing = Thing.from_dict({"id": "t_1", "name": "lamp", "shape": blob})
assert isinstance(thing.shape, UnknownShape)
assert isinstance(thing.shape, Shape)
assert thing.shape.raw_tag == "blob" and thing.shape.kind != "blob"
assert thing.to_dict()["shape"] == blob
