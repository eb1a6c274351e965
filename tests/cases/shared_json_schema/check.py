"""A type from a shared JSON Schema file lives in chatsdk.shared and is used by the API module."""

from chatsdk import api, shared

assert api.Name is shared.Name
thing = api.Thing.from_dict({"id": "t_1", "name": {"text": "Lampe", "lang": "de"}})
assert isinstance(thing.name, shared.Name) and thing.name.lang == "de"
plain = shared.Name(text="lamp")
assert plain.lang == "en" and plain.to_dict() == {"text": "lamp"}
