"""Parse a ChatCompletionResponse from bytes: ours, the openai SDK's own path, bare pydantic.

The bodies are the 14 recorded ``chat_completion_responses`` fixtures. The openai SDK turns a
non-streamed answer into a model in ``APIResponse.parse()``: ``response.json()`` (the standard
library's ``json.loads``), then ``construct_type`` (its own validation-free builder, since the
client does not ask for strict validation) — exactly what is timed for it here, on an
``httpx2.Response`` holding the same bytes. The bare pydantic peer is the plain
``pydantic.BaseModel`` classes datamodel-code-generator writes for the same schema
(``schemas/chat_completions.yaml``), with ``model_validate_json``.
"""

# ruff: noqa: RUF001 - the report is typeset: multiplication signs, en dashes

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    FIXTURES,
    WORK,
    Figure,
    cli,
    interleaved,
    paired,
    per_item,
    profile_table,
    verdict,
)


def plain_models() -> Any:
    """The plain pydantic models of schemas/chat_completions.yaml, made by datamodel-codegen."""
    from bench.common import ROOT, timed_command

    out = WORK / "plain" / "plain_chat.py"
    out.parent.mkdir(parents=True, exist_ok=True)
    _, done = timed_command(
        [
            cli("datamodel-codegen"),
            "--input",
            ROOT / "schemas" / "chat_completions.yaml",
            "--input-file-type",
            "openapi",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--output",
            out,
        ]
    )
    if done.returncode != 0:
        raise RuntimeError(f"datamodel-codegen failed: {done.stderr[-2000:]}")
    spec = importlib.util.spec_from_file_location("bench_plain_chat", out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(repeats: int) -> list[Figure]:
    import httpx2
    import openai
    from openai._models import FinalRequestOptions
    from openai._response import APIResponse
    from openai.types.chat import ChatCompletion

    from chatsdk.chat_completions import ChatCompletionResponse

    paths = sorted((FIXTURES / "openai" / "chat_completion_responses").glob("*.json"))
    bodies = [p.read_bytes() for p in paths]
    plain = plain_models().ChatCompletionResponse
    client = openai.OpenAI(api_key="bench", base_url="http://127.0.0.1:9/v1")
    options = FinalRequestOptions.construct(method="post", url="/chat/completions")
    raws = [
        httpx2.Response(200, headers={"content-type": "application/json"}, content=b)
        for b in bodies
    ]
    for body in bodies:  # every candidate takes every body
        ChatCompletionResponse.from_json(body)
        plain.model_validate_json(body)

    def ours() -> int:
        for body in bodies:
            ChatCompletionResponse.from_json(body)
        return len(bodies)

    def openai_sdk() -> int:
        for raw in raws:
            APIResponse(
                raw=raw,
                cast_to=ChatCompletion,
                client=client,
                stream=False,
                stream_cls=None,
                options=options,
            ).parse()
        return len(raws)

    def openai_model_validate_json() -> int:
        for body in bodies:
            ChatCompletion.model_validate_json(body)
        return len(bodies)

    def bare() -> int:
        for body in bodies:
            plain.model_validate_json(body)
        return len(bodies)

    stats = interleaved(
        {
            "ours": per_item(ours, 0.1),
            "openai": per_item(openai_sdk, 0.1),
            "bare": per_item(bare, 0.1),
            "openai-validate": per_item(openai_model_validate_json, 0.1),
        },
        2 * repeats,
    )
    o, p, b = stats["ours"], stats["openai"], stats["bare"]
    faster = paired(o, p)
    vs_bare = 1 / paired(o, b)
    ok = faster >= 10 and vs_bare <= 1.5
    figure = Figure(
        key="parse",
        title="parse a ChatCompletionResponse from bytes",
        target="≥ 10× faster than the openai SDK, ≤ 1.5× bare pydantic",
        ours=o.short("us"),
        peer=f"openai SDK {p.short('us')}; bare pydantic {b.short('us')}",
        ratio=f"{faster:.1f}× faster than the openai SDK; {vs_bare:.2f}× bare pydantic",
        verdict=verdict(ok),
    )
    figure.details = [
        f"Per body, over the {len(bodies)} recorded bodies in "
        "`tests/fixtures/real/openai/chat_completion_responses/` "
        f"({min(map(len, bodies))}–{max(map(len, bodies))} bytes):",
        "",
        "| what | time per body (median, min–max over repeats) |",
        "| --- | --- |",
        f"| ours: `ChatCompletionResponse.from_json(body)` | {o.show('us')} |",
        "| openai SDK: `APIResponse(raw=httpx2.Response(…), cast_to=ChatCompletion, …).parse()`"
        f" (`response.json()` + `construct_type`) | {p.show('us')} |",
        "| bare pydantic: `ChatCompletionResponse.model_validate_json(body)` on the plain"
        f" models datamodel-codegen writes for `schemas/chat_completions.yaml` | {b.show('us')} |",
        "| for reference: openai's `ChatCompletion.model_validate_json(body)` (validating,"
        f" which the SDK does not do) | {stats['openai-validate'].show('us')} |",
    ]
    figure.commands = ["make bench BENCH_ARGS='--only parse'"]
    if not ok:
        figure.bounds = [
            "cProfile of ours (top own time):",
            "",
            *profile_table(ours, strip=[str(Path(sys.prefix)) + "/"]),
        ]
    return [figure]
