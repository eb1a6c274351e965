"""Peak memory while streaming a 100 MB SSE body through the accumulating chat stream.

The body is made on the fly (never held whole): chat chunks shaped like the recorded ones,
each carrying one text fragment taken in turn from the fragments of the recorded streams,
cut into 16 KiB transport reads at arbitrary byte positions. It goes through
``ChatCompletionsStream`` (decode, parse, accumulate) over an ``httpx2.Response`` whose body is
that generator, then ``get_final_completion()``.

Run in a child process (``python -m bench.memory MB``) so the figure is that process's own:
after imports and a warm-up stream, the kernel's peak-RSS mark is reset
(``/proc/self/clear_refs``), and the growth is the peak RSS during the stream (``VmHWM``)
minus the RSS before it. The target allows the accumulated text plus 20 MB.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import FIXTURES, ROOT, Figure, verdict

READ = 16 * 1024
MB = 1024 * 1024


def fragments() -> list[str]:
    """Every non-empty text fragment of the recorded chat streams, in order."""
    found: list[str] = []
    for path in sorted((FIXTURES / "openai" / "chat_completion_streams").glob("*.sse")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("data: {"):
                continue
            for choice in json.loads(line[6:]).get("choices", []):
                text = (choice.get("delta") or {}).get("content")
                if text:
                    found.append(text)
    return found


def body(total_bytes: int) -> Iterator[bytes]:
    """About ``total_bytes`` of ``data:`` chunks ending with ``[DONE]``, in 16 KiB reads."""
    head = (
        b'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1727346142,'
        b'"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_bench","choices":[{"index":0,'
    )
    pieces = [
        head + b'"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,'
        b'"finish_reason":null}]}\n\n'
    ]
    texts = [json.dumps(t).encode() for t in fragments()]
    buffer = bytearray(pieces[0])
    sent = 0
    i = 0
    while sent + len(buffer) < total_bytes:
        buffer += head + b'"delta":{"content":' + texts[i % len(texts)]
        buffer += b'},"logprobs":null,"finish_reason":null}]}\n\n'
        i += 1
        while len(buffer) >= READ:
            yield bytes(buffer[:READ])
            sent += READ
            del buffer[:READ]
    buffer += head + b'"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    while buffer:
        yield bytes(buffer[:READ])
        del buffer[:READ]


def _status(field: str) -> int:
    """A ``/proc/self/status`` memory field, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _stream(total_bytes: int) -> tuple[int, int, int]:
    """Stream a body of about ``total_bytes``: (chunks, bytes, accumulated text bytes)."""
    import httpx2

    from chatsdk import _operations
    from chatsdk._client import ChatCompletionsStream
    from chatsdk._streaming import Stream, iter_items

    spec = _operations.CREATE_CHAT_COMPLETION.stream
    assert spec is not None
    counted = [0]

    def reads() -> Iterator[bytes]:
        for chunk in body(total_bytes):
            counted[0] += len(chunk)
            yield chunk

    response = httpx2.Response(200, content=reads())
    stream = ChatCompletionsStream(Stream(response, iter_items(response, spec)), spec.accumulator())
    chunks = sum(1 for _ in stream)
    final = stream.get_final_completion()
    text = final.choices[0].message.content
    assert isinstance(text, str)
    return chunks, counted[0], len(text.encode())


def child(megabytes: int) -> None:
    _stream(MB)  # imports, caches, first-use costs
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        reset = True
    except OSError:
        reset = False
    before = _status("VmRSS")
    start = time.perf_counter()
    chunks, sent, text = _stream(megabytes * MB)
    seconds = time.perf_counter() - start
    peak = _status("VmHWM")
    print(
        json.dumps(
            {
                "rss_before": before,
                "peak": peak,
                "peak_was_reset": reset,
                "chunks": chunks,
                "body_bytes": sent,
                "text_bytes": text,
                "seconds": seconds,
            }
        )
    )


def run(megabytes: int = 100) -> Figure:
    argv = [sys.executable, "-m", "bench.memory", str(megabytes)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed: {done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    growth = data["peak"] - data["rss_before"]
    allowed = data["text_bytes"] + 20 * MB
    figure = Figure(
        key="memory",
        title=f"peak memory streaming a {megabytes} MB SSE body",
        target="growth ≤ accumulated text + 20 MB",
        ours=f"{growth / MB:.1f} MB growth",
        peer="—",
        ratio=f"{growth / MB:.1f} MB of {allowed / MB:.1f} MB allowed"
        f" (text {data['text_bytes'] / MB:.1f} MB + 20 MB)",
        verdict=verdict(growth <= allowed),
    )
    figure.details = [
        f"{data['body_bytes'] / MB:.1f} MB in {data['chunks']} chunks"
        f" ({data['body_bytes'] / data['chunks']:.0f} bytes each) through `ChatCompletionsStream`"
        f" in {data['seconds']:.1f} s ({1e6 * data['seconds'] / data['chunks']:.1f} µs per chunk);"
        f" accumulated text {data['text_bytes'] / MB:.1f} MB;"
        f" RSS before {data['rss_before'] / MB:.1f} MB, peak during {data['peak'] / MB:.1f} MB"
        + ("" if data["peak_was_reset"] else " (the peak mark could not be reset: an upper bound)")
        + ".",
    ]
    figure.commands = [f"python -m bench.memory {megabytes}   # from the repository root"]
    return figure


if __name__ == "__main__":
    child(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
