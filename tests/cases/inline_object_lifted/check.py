"""Inline objects become classes named after where they sit, and parse into them."""

from chatsdk.api import Thing, ThingParts, ThingSize

wire = {
    "id": "t_1",
    "name": "lamp",
    "size": {"width": 120, "height": 300},
    "parts": [{"label": "shade"}, {"label": "bulb", "colour": "white"}],
}
thing = Thing.from_dict(wire)
assert isinstance(thing.size, ThingSize) and thing.size.width == 120
assert thing.parts is not None and all(isinstance(p, ThingParts) for p in thing.parts)
assert [p.label for p in thing.parts] == ["shade", "bulb"]
assert thing.to_dict() == wire
