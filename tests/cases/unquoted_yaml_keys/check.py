"""Unquoted YAML keys mean the text written: `200:` is the status "200", `on:` and `no:` are
property names (not the booleans YAML 1.1 reads them as), and an unquoted date is its text."""

from chatsdk.api import Thing

wire = {"id": "t_1", "name": "lamp", "on": True, "no": "N-1", "created": "2024-01-01"}
thing = Thing.from_dict(wire)
assert thing.on is True
assert thing.no == "N-1"
assert thing.created == "2024-01-01"
assert thing.to_dict() == wire
assert set(Thing.model_json_schema(by_alias=True)["properties"]) >= {"on", "no", "created"}
