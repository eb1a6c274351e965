"""Fidelity on real traffic: our models against datamodel-codegen's, from the same schemas.

Not a timing: a count. Every recorded body and stream event under ``tests/fixtures/real/``
(chat completion responses and chunks, messages responses and stream events) is given to the
model of its schema in two SDKs made from ``schemas/``: chatsdk (``from_json`` / a
``TypeAdapter`` for the event union) and the plain pydantic v2 models datamodel-codegen writes
for the same document (``model_validate_json``, its defaults as its documentation shows). A
body *parses* when no exception is raised; it *round-trips* when the model gives back the
same JSON (chatsdk: ``to_dict()``; datamodel-codegen: ``model_dump(mode="json", by_alias=True,
exclude_unset=True)``, the closest it offers).

Then the same bodies with one thing a server may add tomorrow, as APIs do between releases: a
field the schema does not name (at the top), a value its enum does not list (``finish_reason``,
``stop_reason``), a content-block or event ``type`` it does not list. Forward compatibility on
the response side is what separates the two designs.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

from bench.common import FIXTURES, ROOT, WORK, Figure, cli, timed_command, verdict

# (fixture folder, file pattern, schema file, class name)
_KINDS = (
    ("openai/chat_completion_responses", "*.json", "chat_completions", "ChatCompletionResponse"),
    ("openai/chat_completion_streams", "*.sse", "chat_completions", "ChatCompletionChunk"),
    ("anthropic/message_responses", "*.json", "messages", "ChatResponse"),
    ("anthropic/message_streams", "*.sse", "messages", "MessageStreamEvent"),
)


def plain_module(document: str) -> Any:
    """The models datamodel-codegen writes for ``schemas/<document>.yaml``, imported."""
    out = WORK / "plain" / f"plain_{document}.py"
    out.parent.mkdir(parents=True, exist_ok=True)
    _, done = timed_command(
        [
            cli("datamodel-codegen"),
            *("--input", ROOT / "schemas" / f"{document}.yaml"),
            *("--input-file-type", "openapi"),
            *("--output-model-type", "pydantic_v2.BaseModel"),
            *("--output", out),
        ]
    )
    if done.returncode != 0:
        raise RuntimeError(f"datamodel-codegen failed on {document}: {done.stderr[-2000:]}")
    spec = importlib.util.spec_from_file_location(f"bench_plain_{document}", out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def bodies(folder: str, pattern: str) -> Iterator[str]:
    """Each JSON body of the folder: whole files, or every ``data:`` line of a stream."""
    for path in sorted((FIXTURES / folder).rglob(pattern)):
        text = path.read_text(encoding="utf-8")
        if pattern == "*.json":
            yield text
            continue
        for line in text.splitlines():
            if line.startswith("data:") and line[5:].strip() != "[DONE]":
                yield line[5:].strip()


_FUTURE = {"nested": [1, "two", None]}


def _new_field(body: dict[str, Any]) -> bool:
    body["x_future_field"] = _FUTURE
    return True


def _new_enum_value(body: dict[str, Any]) -> bool:
    changed = False
    if isinstance(body.get("stop_reason"), str):
        body["stop_reason"] = "x_future_reason"
        changed = True
    for choice in body.get("choices") or []:
        if isinstance(choice, dict) and isinstance(choice.get("finish_reason"), str):
            choice["finish_reason"] = "x_future_reason"
            changed = True
    delta = body.get("delta")
    if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
        delta["stop_reason"] = "x_future_reason"
        changed = True
    return changed


def _new_variant(body: dict[str, Any]) -> bool:
    if isinstance(body.get("content"), list):  # a messages answer: a new kind of content block
        body["content"].append({"type": "x_future_block", "payload": _FUTURE})
        return True
    if body.get("type") in {"ping", "message_stop"}:  # an event: a new kind of stream event
        body["type"] = "x_future_event"
        return True
    return False


_CHANGES = (
    ("a new field", _new_field),
    ("a new enum value", _new_enum_value),
    ("a new content block or event type", _new_variant),
)


def changed(raws: list[str], change: Callable[[dict[str, Any]], bool]) -> list[str]:
    out = []
    for raw in raws:
        body = json.loads(raw)
        if isinstance(body, dict) and change(body):
            out.append(json.dumps(body))
    return out


def _ours_json(value: Any) -> Any:
    return value.to_dict()


def _plain_json(value: Any) -> Any:
    return value.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _tally(
    parse: Callable[[str], Any], dump: Callable[[Any], Any], raws: list[str]
) -> tuple[int, int, str]:
    parsed = same = 0
    first_error = ""
    for raw in raws:
        try:
            value = parse(raw)
        except Exception as exc:  # any refusal counts: that answer is lost to the caller
            first_error = first_error or f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
            continue
        parsed += 1
        same += dump(value) == json.loads(raw)
    return parsed, same, first_error


def run() -> Figure:
    from pydantic import TypeAdapter

    from chatsdk import chat_completions, messages

    ours_modules = {"chat_completions": chat_completions, "messages": messages}
    plain = {doc: plain_module(doc) for doc in ours_modules}
    rows = []
    future_rows = []
    totals = {"n": 0, "ours": [0, 0], "plain": [0, 0]}
    notes = []
    for folder, pattern, document, name in _KINDS:
        raws = list(bodies(folder, pattern))
        ours_type = TypeAdapter(getattr(ours_modules[document], name))
        peer_class = getattr(plain[document], name)

        def both(raws: list[str]) -> tuple[tuple[int, int, str], tuple[int, int, str]]:
            ours = _tally(ours_type.validate_json, _ours_json, raws)  # noqa: B023
            peer = _tally(peer_class.model_validate_json, _plain_json, raws)  # noqa: B023
            return ours, peer

        ours, peer = both(raws)
        totals["n"] += len(raws)
        for key, (ok, same, _) in (("ours", ours), ("plain", peer)):
            totals[key][0] += ok
            totals[key][1] += same
        rows.append(
            f"| `{folder}/` → `{name}` | {len(raws)} | {ours[0]} / {ours[1]} | {peer[0]} / {peer[1]} |"
        )
        for what, change in _CHANGES:
            future = changed(raws, change)
            if not future:
                continue
            f_ours, f_peer = both(future)
            future_rows.append(
                f"| `{name}` + {what} | {len(future)} | {f_ours[0]} / {f_ours[1]}"
                f" | {f_peer[0]} / {f_peer[1]} |"
            )
            totals.setdefault("future", [0, 0, 0, 0, 0])
            for i, v in enumerate((len(future), f_ours[0], f_ours[1], f_peer[0], f_peer[1])):
                totals["future"][i] += v
            if f_peer[2]:
                notes.append(
                    f"- datamodel-codegen, `{name}` + {what}, first refusal: `{f_peer[2]}`"
                )
        if peer[2]:
            notes.append(f"- datamodel-codegen, `{name}`, first refusal: `{peer[2]}`")
        if ours[2]:
            notes.append(f"- chatsdk, `{name}`, first refusal: `{ours[2]}`")
    n = totals["n"]
    (o_ok, o_same), (p_ok, p_same) = totals["ours"], totals["plain"]
    fn, f_ok, f_same, fp_ok, fp_same = totals.get("future", [0, 0, 0, 0, 0])
    figure = Figure(
        key="fidelity",
        title="real bodies and events the models take, and give back exactly",
        target="every recorded body, and every changed one, parses and round-trips",
        ours=f"{o_ok}/{n} parse, {o_same}/{n} round-trip; changed: {f_ok}/{fn}, {f_same}/{fn}",
        peer=f"datamodel-codegen {p_ok}/{n}, {p_same}/{n}; changed: {fp_ok}/{fn}, {fp_same}/{fn}",
        ratio=f"changed bodies: {f_ok - fp_ok} more parse, {f_same - fp_same} more round-trip",
        verdict=verdict(o_ok == n and o_same == n and f_ok == fn and f_same == fn),
    )
    figure.details = [
        "Each recorded body under `tests/fixtures/real/` given to the model of its schema; "
        "“parse / round-trip” counts per SDK (see the module docstring of bench/fidelity.py):",
        "",
        "| bodies | count | chatsdk | datamodel-codegen |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
        "The same bodies, each with one addition a server may make (bodies where it applies):",
        "",
        "| bodies | count | chatsdk | datamodel-codegen |",
        "| --- | --- | --- | --- |",
        *future_rows,
        "",
        *notes,
    ]
    figure.commands = ["make bench BENCH_ARGS='--only fidelity'"]
    return figure
