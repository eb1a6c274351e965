"""The Responses API stream of the package generated from OpenAI's document, per event.

The package is generated once per run into ``bench/.work/vendor-stream/`` by the current
generator, with the shipped overlays (``--overlay openai-responses --overlay
openai-chat-completions``): they are what gives its ``responses.stream(...)`` accumulation.
Both sides get the same bytes, the recorded Responses API streams of
``tests/fixtures/real/openai/response_streams/``, one transport chunk per SSE event, in an
``httpx.Response`` (ours) or an ``httpx2.Response`` (openai) over those chunks: the figure is
the stream machinery alone.

Ours is what ``client.responses.stream(...)`` runs once the response is open: ``iter_items``
under the generated ``ResponsesStream``, read to the end, then ``get_final_response()``. The
peer is openai's hand-written ``ResponseStream`` (what its ``client.responses.stream()``
returns: ``openai.Stream`` plus ``ResponseStreamState`` accumulation and its events), read to
the end, then ``get_final_response()``; the bare ``openai.Stream`` is shown beside it.
"""

# ruff: noqa: RUF001 - the report is typeset: multiplication signs, en dashes

from __future__ import annotations

import importlib
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import FIXTURES, ROOT, Figure, interleaved, paired, per_item, times, verdict
from bench.streaming import sse_events

PACKAGE = "openai_stream"
OUT = ROOT / "bench" / ".work" / "vendor-stream"
OVERLAYS = ("openai-responses", "openai-chat-completions")
_SAMPLE = 0.1


def generate_package() -> Path:
    """The OpenAI document's package with the shipped overlays, generated now."""
    from bench.generation import spec_file

    out = OUT / PACKAGE
    if out.exists():
        shutil.rmtree(out)
    done = subprocess.run(
        [
            Path(sys.executable).parent / "sdkforge",
            *("generate", "--spec", spec_file(), "--out", out, "--package", PACKAGE),
            *(arg for name in OVERLAYS for arg in ("--overlay", name)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sdkforge generate --spec failed: {done.stderr[-3000:]}")
    return out


def run(repeats: int) -> Figure:
    import httpx
    import httpx2
    import openai
    from openai import omit
    from openai.lib.streaming.responses import ResponseStream
    from openai.types.responses import ResponseStreamEvent

    out = generate_package()
    # Two events of the recordings miss a field the document requires; the package keeps
    # them (lenient responses) and logs a warning each time, which is not what is timed here.
    logging.getLogger(PACKAGE).setLevel(logging.ERROR)
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    resource: Any = importlib.import_module(f"{PACKAGE}.resources.responses._responses")
    streaming: Any = importlib.import_module(f"{PACKAGE}._streaming")
    spec = resource.CREATE_RESPONSE.stream
    paths = sorted((FIXTURES / "openai" / "response_streams").glob("*.sse"))
    bodies = [sse_events(p.read_bytes()) for p in paths]
    events = sum(1 for chunks in bodies for c in chunks if b"data:" in c)
    client = openai.OpenAI(api_key="bench", base_url="http://127.0.0.1:9/v1")

    def ours() -> list[str]:
        texts = []
        for chunks in bodies:
            response = httpx.Response(200, content=iter(chunks))
            raw = streaming.Stream(response, streaming.iter_items(response, spec, strict=False))
            stream = resource.ResponsesStream(raw, spec.accumulator(strict=False))
            for _ in stream:
                pass
            final = stream.get_final_response()
            texts.append(
                "".join(
                    part.text
                    for item in final.output
                    if item.type == "message"
                    for part in item.content
                    if part.type == "output_text"
                )
            )
        return texts

    def peer_raw() -> None:
        for chunks in bodies:
            response = httpx2.Response(200, content=iter(chunks))
            for _ in openai.Stream(cast_to=ResponseStreamEvent, response=response, client=client):  # type: ignore[arg-type]
                pass

    def peer() -> list[str]:
        texts = []
        for chunks in bodies:
            response = httpx2.Response(200, content=iter(chunks))
            raw: Any = openai.Stream(
                cast_to=ResponseStreamEvent,  # type: ignore[arg-type]
                response=response,
                client=client,
            )
            stream = ResponseStream(
                raw_stream=raw, text_format=omit, input_tools=omit, starting_after=None
            )
            for _ in stream:
                pass
            texts.append(stream.get_final_response().output_text)
        return texts

    same = ours() == peer()  # both read the same answers out of the same bytes

    def counted(fn: Any) -> Any:
        def timed() -> int:
            fn()
            return events

        return timed

    stats = interleaved(
        {
            "ours": per_item(counted(ours), _SAMPLE),
            "ResponseStream": per_item(counted(peer), _SAMPLE),
            "openai.Stream": per_item(counted(peer_raw), _SAMPLE),
        },
        2 * repeats,
    )
    o, acc, raw_stat = stats["ours"], stats["ResponseStream"], stats["openai.Stream"]
    faster = paired(o, acc)
    figure = Figure(
        key="responses-stream",
        title="vendor package: decode + parse + accumulate, per Responses API event",
        target="≥ 1× openai's `ResponseStream` (generated rules against a hand-written accumulator)",
        ours=o.short("us"),
        peer=f"`ResponseStream` {acc.short('us')}; bare `openai.Stream` {raw_stat.short('us')}",
        ratio=f"{times(faster)} faster than `ResponseStream`; "
        f"{paired(o, raw_stat):.1f}× faster than bare `openai.Stream`, which does not accumulate",
        verdict=verdict(faster >= 1 and same),
    )
    figure.details = [
        f"The {len(bodies)} recorded Responses API streams in"
        f" `tests/fixtures/real/openai/response_streams/` ({events} events), one transport chunk"
        " per event, through the package `sdkforge generate --spec` writes from OpenAI's"
        f" document with `--overlay {' --overlay '.join(OVERLAYS)}`. Both sides read the same"
        f" output text out of every stream: {'yes' if same else 'NO'}.",
        "",
        "| what | time per event (median, min–max over repeats) |",
        "| --- | --- |",
        "| ours: generated `ResponsesStream` (decode, parse, accumulate by the overlay's rules)"
        f" + `get_final_response()` | {o.show('us')} |",
        "| openai `ResponseStream` (decode, parse, `ResponseStreamState`, events)"
        f" + `get_final_response()` | {acc.show('us')} |",
        f"| `openai.Stream[ResponseStreamEvent]` (decode, parse) | {raw_stat.show('us')} |",
    ]
    figure.commands = ["make bench BENCH_ARGS='--only responses-stream'"]
    return figure
