"""Schemas named like the module's imports, keywords or builtins become classes with a
trailing underscore; the module's own Field, Any and Literal keep working."""

from chatsdk import api

for name in ["Field_", "Any_", "Literal_", "SDKModel_", "None_", "Class", "Exception_"]:
    assert isinstance(getattr(api, name), type), name
thing = api.Thing.from_dict({"id": "t", "name": "n", "p_0": {"v": "a"}, "p_4": {"v": "b"}})
assert isinstance(thing.p_0, api.Field_) and isinstance(thing.p_4, api.None_)
assert thing.to_dict()["p_0"] == {"v": "a"}
