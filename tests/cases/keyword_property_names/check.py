"""Properties named like Python keywords or pydantic attributes get a trailing underscore and
keep their wire name through parsing and serialising."""

import pydantic

from chatsdk.api import Thing, ThingRequest

wire = {"id": "t_1", "from": "ada", "model_config": {"depth": 2}, "json": "{}", "type": "lamp"}
thing = Thing.from_dict(wire)
assert thing.from_ == "ada"
assert thing.model_config_ == {"depth": 2}
assert thing.json_ == "{}"
assert thing.type == "lamp"
assert thing.to_dict() == wire
assert Thing.from_json(thing.to_json()).to_dict() == wire
# pydantic's own attributes still work next to the aliased fields
assert Thing.model_config["extra"] == "allow"
assert '"from":"ada"' in thing.model_dump_json(by_alias=True)

request = ThingRequest(from_="ada", class_="lamp", schema_="v1")
assert request.to_dict() == {"from": "ada", "class": "lamp", "schema": "v1"}
assert ThingRequest.from_dict({"from": "ada"}).from_ == "ada"
assert "from" in ThingRequest.model_json_schema(by_alias=True)["properties"]
try:
    ThingRequest.from_dict({"from": "ada", "form": "typo"})
except pydantic.ValidationError:
    pass
else:
    raise AssertionError("a request model must reject an unknown field")
