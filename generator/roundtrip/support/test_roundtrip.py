"""Round-trip tests: for every component schema, the generated model and the schema agree.

One test function per kind of check; each case's id names the schema and the case.

* examples: each schema example parses, writes back as the same JSON, and what is written
  validates against the schema (JSON Schema 2020-12, ``$ref``s resolved);
* generated instances: the same for instances Hypothesis draws from the schema
  (``CHATSDK_HYPOTHESIS_PROFILE=deep`` for more of them, random and larger);
* rejection: an example changed so that the schema rejects it is rejected by the model
  too, except where the model is lenient on purpose on the response side, which the case
  says (and the model then keeps exactly what it was given);
* acceptance: an example changed in a way the schema still accepts (an integer written
  as ``5.0``) is accepted and written back as the same JSON;
* forward compatibility: an unknown field, enum value or union variant in a response-side
  example parses, shows up as unknown, and round-trips;
* streams: an example event stream of an operation, decoded and accumulated by the client,
  adds up to a valid non-streamed response (the same-named response example, when there is one).

Known disagreements are listed, with their reasons, in ``known_limitations.py``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pydantic
import pytest
import roundtrip_support as rt
from hypothesis import given
from hypothesis import strategies as st
from known_limitations import marks, stale
from roundtrip_cases import ACCEPTANCES, FORWARD_COMPATIBILITY, REJECTIONS, SCHEMAS, STREAMS

from chatsdk._models import OpenEnum
from chatsdk._streaming import iter_items

EXAMPLES = [rt.Example(key, i) for key, schema in SCHEMAS.items() for i in range(schema.examples)]
GENERATED = [rt.Generated(key) for key in SCHEMAS]
CHECKS: dict[str, list[Any]] = {
    "examples": EXAMPLES,
    "generated": GENERATED,
    "rejection": REJECTIONS,
    "acceptance": ACCEPTANCES,
    "forward-compatibility": FORWARD_COMPATIBILITY,
    "streams": STREAMS,
}


def params(check: str) -> list[Any]:
    return [pytest.param(case, id=case.id, marks=marks(check, case.id)) for case in CHECKS[check]]


@pytest.mark.parametrize("case", params("examples"))
def test_example_round_trips(case: rt.Example) -> None:
    rt.assert_round_trip(case.schema, SCHEMAS[case.schema], rt.examples(case.schema)[case.index])


@pytest.mark.parametrize("case", params("generated"))
@rt.PROFILE.settings
@given(data=st.data())
def test_generated_instance_round_trips(case: rt.Generated, data: st.DataObject) -> None:
    instance = data.draw(rt.INSTANCES.of(case.schema), label="instance")
    rt.assert_valid(case.schema, instance, "the drawn instance")
    rt.assert_round_trip(case.schema, SCHEMAS[case.schema], instance)
    rt.DRAWN[case.schema] += 1


@pytest.mark.parametrize("case", params("rejection"))
def test_model_rejects_what_the_schema_rejects(case: rt.Mutation) -> None:
    schema = SCHEMAS[case.schema]
    instance = case.instance()
    assert rt.errors(case.schema, instance), f"the schema accepts it: {case.description}"
    if case.expect == "reject":
        with pytest.raises(pydantic.ValidationError):
            rt.parse(schema, instance)
        return
    # Lenient on purpose, on the response side only (case.reason): the model takes the
    # instance and keeps exactly what it was given.
    assert case.expect == "lenient" and case.reason and schema.lenient
    rt.assert_same_json(rt.dump(schema, rt.parse(schema, instance)), rt.written(schema, instance))


@pytest.mark.parametrize("case", params("acceptance"))
def test_model_accepts_what_the_schema_accepts(case: rt.Mutation) -> None:
    instance = case.instance()
    rt.assert_valid(case.schema, instance, case.description)
    rt.assert_round_trip(case.schema, SCHEMAS[case.schema], instance)


@pytest.mark.parametrize("case", params("forward-compatibility"))
def test_response_side_keeps_what_it_does_not_know(case: rt.Injection) -> None:
    schema = SCHEMAS[case.schema]
    instance = case.instance()
    parsed = rt.parse(schema, instance)
    if case.unknown == "field":
        parent, name = case.where.rsplit("/", 1)
        holder = rt.at(parsed, parent)
        assert isinstance(holder, pydantic.BaseModel)
        assert name in (holder.model_extra or {}), f"{name!r} is not kept as an unknown field"
        rt.assert_same_json(holder.model_extra[name], rt.at(instance, case.where))  # type: ignore[index]
    elif case.unknown == "value":
        value = rt.at(parsed, case.where)
        assert isinstance(value, case.expect_type) and isinstance(value, OpenEnum)
        assert not value.is_known and value == rt.at(instance, case.where)
    else:
        value = rt.at(parsed, case.where)
        assert type(value) is case.expect_type, f"parsed as {type(value).__name__}"
    rt.assert_same_json(rt.dump(schema, parsed), instance)


@pytest.mark.parametrize("case", params("streams"))
def test_stream_adds_up_to_the_response(case: rt.StreamCase) -> None:
    spec = case.operation.stream
    response = httpx2.Response(200, content=case.body.encode())
    accumulator = spec.accumulator()
    for event in iter_items(response, spec):
        accumulator.add(event)
    final = accumulator.final()
    assert isinstance(final, SCHEMAS[case.final].target)
    written = json.loads(final.to_json())
    rt.assert_valid(case.final, written, "the accumulated response")
    if case.final_json is not None:
        rt.assert_same_json(written, case.final_json)


def test_every_known_limitation_names_a_case() -> None:
    ids = [f"{check}/{case.id}" for check, cases in CHECKS.items() for case in cases]
    modules = {key.split(".", 1)[0] for key in SCHEMAS}
    assert not stale(ids, modules), f"known limitations that match no case: {stale(ids, modules)}"
