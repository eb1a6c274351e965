"""Defaults fill unset fields without being sent (unless x-sdk-send-default), and bounds,
lengths and patterns are enforced when a request is built."""

import pydantic

from chatsdk.api import ThingRequest

request = ThingRequest(name="lamp")
assert (request.temperature, request.count, request.max_tokens) == (1, 1, 4096)
assert request.to_dict() == {"name": "lamp", "max_tokens": 4096}
assert ThingRequest(name="lamp", max_tokens=10, temperature=2).to_dict() == {
    "name": "lamp",
    "max_tokens": 10,
    "temperature": 2,
}
for bad in (
    {"name": "lamp", "temperature": 2.5},
    {"name": "lamp", "temperature": -0.1},
    {"name": "lamp", "count": 0},
    {"name": "lamp", "max_tokens": 0},
    {"name": "lamp", "labels": ["a", "b", "c"]},
    {"name": ""},
    {"name": "Lamp"},
    {"name": "x" * 41},
):
    try:
        ThingRequest.from_dict(bad)
    except pydantic.ValidationError:
        pass
    else:
        raise AssertionError(f"{bad} must be rejected")
