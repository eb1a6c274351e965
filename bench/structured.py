"""Streaming structured output, per chunk: the partial answer read after every chunk, and the
validated final, ours against openai's ``client.chat.completions.stream(response_format=…)``.

Both sides run their whole client (request built, response opened) over an in-memory
transport that answers with the same SSE chunks, one per event: a chat completion stream
whose content is the JSON of a pydantic model, cut into 6-character deltas (about a token
and a half each). Ours iterates ``parsed_stream`` (the partial value, parsed from the
partial JSON after each chunk that changes it) and calls ``get_final_parsed()``; openai's
``ChatCompletionStream`` parses the partial content with ``jiter`` on every content chunk
(its ``content.delta`` events carry ``parsed``) and ``get_final_completion()`` validates it.

Both re-parse the whole partial answer on each chunk, so the time per chunk grows with the
answer's length; the figure is taken at two lengths (about 1 KB and 16 KB of JSON) to show
it. The answers are made up, shaped like the recorded one in
``tests/fixtures/real/openai/chat_completion_streams/test_parse_pydantic_model.sse``.
"""

# ruff: noqa: RUF001 - the report is typeset: multiplication signs, en dashes

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bench.common import Figure, interleaved, paired, per_item, verdict

_SAMPLE = 0.1
_DELTA = 6
_SIZES = (1_000, 16_000)


def _answer(size: int) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    total = 0.0
    while len(json.dumps({"items": items, "total": total})) < size:
        n = len(items)
        items.append({"product_name": f"Item number {n}", "price": 1.25 + n, "quantity": n % 7})
        total += (1.25 + n) * (n % 7)
    return {"items": items, "total": round(total, 2)}


def _chunks(answer: dict[str, Any]) -> list[bytes]:
    text = json.dumps(answer)
    head = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1727346168,
        "model": "gpt-4o-2024-08-06",
        "system_fingerprint": "fp_5050236cbd",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        body = {**head, "choices": [choice], **extra}
        return b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\n\n"

    out = [chunk({"role": "assistant", "content": "", "refusal": None})]
    out += [chunk({"content": text[i : i + _DELTA]}) for i in range(0, len(text), _DELTA)]
    out.append(chunk({}, "stop"))
    usage = {"prompt_tokens": 40, "completion_tokens": len(text) // 4, "total_tokens": 0}
    out.append(b"data: " + json.dumps({**head, "choices": [], "usage": usage}).encode() + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return out


def _models() -> Any:
    from pydantic import BaseModel

    class Item(BaseModel):
        product_name: str
        price: float
        quantity: int

    class Receipt(BaseModel):
        items: list[Item]
        total: float

    return Receipt


def _pair(chunks: list[bytes], receipt: Any) -> tuple[Callable[[], int], Callable[[], int]]:
    """(ours, openai's) runs of one whole structured stream; each returns the chunk count."""
    import httpx2
    import openai

    import chatsdk

    events = len(chunks) - 1  # [DONE] is not a chunk

    def answer(request: httpx2.Request) -> httpx2.Response:
        del request
        headers = {"content-type": "text/event-stream"}
        return httpx2.Response(200, content=iter(chunks), headers=headers)

    transport = httpx2.MockTransport(answer)
    ours_client = chatsdk.Client(
        api_key="bench",
        base_url="http://bench.test",
        http_client=httpx2.Client(transport=transport),
    )
    theirs_client = openai.OpenAI(
        api_key="bench",
        base_url="http://bench.test/v1",
        http_client=httpx2.Client(transport=transport),
    )
    messages: Any = [{"role": "user", "content": "Read the receipt"}]
    expected = receipt.model_validate_json(b"".join(_content(chunks)))

    def ours() -> int:
        with ours_client.chat.completions.stream(
            model="gpt-4o", messages=messages, response_format=receipt
        ) as stream:
            for _ in stream.parsed_stream:
                pass
            final = stream.get_final_parsed()
        assert final.parsed == expected
        return events

    def theirs() -> int:
        with theirs_client.chat.completions.stream(
            model="gpt-4o", messages=messages, response_format=receipt
        ) as stream:
            for event in stream:
                if event.type == "content.delta":
                    event.parsed  # noqa: B018 - what a caller of the partial answer reads
            final = stream.get_final_completion()
        assert final.choices[0].message.parsed == expected
        return events

    return ours, theirs


def _content(chunks: list[bytes]) -> list[bytes]:
    out = []
    for chunk in chunks:
        body = chunk.removeprefix(b"data: ").strip()
        if body.startswith(b"{"):
            for choice in json.loads(body)["choices"]:
                out.append((choice["delta"].get("content") or "").encode())
    return out


def run(repeats: int) -> Figure:
    receipt = _models()
    candidates: dict[str, Callable[[], float]] = {}
    counts: dict[int, int] = {}
    for size in _SIZES:
        chunks = _chunks(_answer(size))
        counts[size] = len(chunks) - 1
        ours, theirs = _pair(chunks, receipt)
        candidates[f"ours-{size}"] = per_item(ours, _SAMPLE)
        candidates[f"openai-{size}"] = per_item(theirs, _SAMPLE)
    stats = interleaved(candidates, 2 * repeats)
    ratios = {size: paired(stats[f"ours-{size}"], stats[f"openai-{size}"]) for size in _SIZES}
    passed = all(r >= 1 for r in ratios.values())
    small, large = _SIZES
    figure = Figure(
        key="structured-stream",
        title="streaming structured output, per chunk, partial answer read after each",
        target="faster than openai's `ChatCompletionStream` with `response_format`, at 1 KB"
        " and at 16 KB of JSON",
        ours=f"{stats[f'ours-{small}'].short('us')} (1 KB), "
        f"{stats[f'ours-{large}'].short('us')} (16 KB)",
        peer=f"openai {stats[f'openai-{small}'].short('us')} (1 KB), "
        f"{stats[f'openai-{large}'].short('us')} (16 KB)",
        ratio=f"{ratios[small]:.2f}× faster (1 KB), {ratios[large]:.2f}× faster (16 KB)",
        verdict=verdict(passed),
    )
    figure.details = [
        "A chat completion stream whose content is a model's JSON in 6-character deltas,"
        " through each SDK's whole client over an in-memory transport; per chunk:",
        "",
        "| answer | chunks | ours: `parsed_stream` + `get_final_parsed()` |"
        " openai: `ChatCompletionStream` events + `get_final_completion()` | ours faster |",
        "| --- | ---: | --- | --- | ---: |",
        *(
            f"| {size // 1000} KB of JSON | {counts[size]} | {stats[f'ours-{size}'].show('us')}"
            f" | {stats[f'openai-{size}'].show('us')} | {ratios[size]:.2f}× |"
            for size in _SIZES
        ),
        "",
        "Both sides parse the whole partial answer again on each chunk (ours with pydantic-core's"
        " partial JSON, openai with jiter), so the time per chunk grows with the answer.",
    ]
    figure.commands = ["make bench BENCH_ARGS='--only structured-stream'"]
    return figure
