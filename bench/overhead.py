"""Client overhead per request against the local reference server: ours against the openai SDK.

``sdkforge serve --port 0`` runs in its own process on 127.0.0.1; both clients, blocking,
with keep-alive connections and no retries, send the same chat completion request to the
same route (``POST /v1/chat/completions``) and parse the answer into their response model.
Plain ``httpx`` and ``httpx2`` posts of the same bytes (read, not parsed) show what the
transport and the server cost, so what each SDK adds is the difference.
"""

# ruff: noqa: RUF001 - the report is typeset: multiplication signs, en dashes

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

from bench.common import BIN, ROOT, Figure, interleaved, paired, verdict

REQUESTS = 200  # per sample
MESSAGES = [{"role": "user", "content": "Say hello in one word."}]
MODEL = "gpt-4o-mini"


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [str(BIN / "sdkforge"), "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if "listening on" in line:
            return server, line.rsplit(" ", 1)[1].strip()
        if not line and server.poll() is not None:
            break
    server.kill()
    raise RuntimeError("the reference server did not start")


def _per_request(call: Callable[[], object]) -> Callable[[], float]:
    def measure() -> float:
        start = time.perf_counter()
        for _ in range(REQUESTS):
            call()
        return (time.perf_counter() - start) / REQUESTS

    return measure


def run(repeats: int) -> Figure:
    import httpx
    import httpx2
    import openai

    import chatsdk

    server, url = start_server()
    try:
        ours = chatsdk.Client(base_url=url, api_key="bench", max_retries=0)
        theirs = openai.OpenAI(base_url=f"{url}/v1", api_key="bench", max_retries=0)
        body = json.dumps({"model": MODEL, "messages": MESSAGES}).encode()
        headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
        raw = httpx.Client()
        raw2 = httpx2.Client()
        endpoint = f"{url}/v1/chat/completions"

        def ours_call() -> Any:
            return ours.chat.completions.create(model=MODEL, messages=MESSAGES)

        def openai_call() -> Any:
            return theirs.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]

        def raw_call() -> bytes:
            return raw.post(endpoint, content=body, headers=headers).content

        def raw2_call() -> bytes:
            return raw2.post(endpoint, content=body, headers=headers).content

        first_ours, first_openai = ours_call(), openai_call()
        assert first_ours.choices and first_openai.choices  # both parsed the same answer
        stats = interleaved(
            {
                "ours": _per_request(ours_call),
                "openai": _per_request(openai_call),
                "httpx": _per_request(raw_call),
                "httpx2": _per_request(raw2_call),
            },
            repeats,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    o, p, h, h2 = stats["ours"], stats["openai"], stats["httpx"], stats["httpx2"]
    ratio = 1 / paired(o, p)  # ours' time as a share of openai's, round by round
    added_ours = o.median - h.median
    added_openai = p.median - h2.median
    figure = Figure(
        key="overhead",
        title="client overhead per request against the local reference server",
        target="≤ 1× the openai SDK",
        ours=o.short("ms"),
        peer=f"openai SDK {p.short('ms')}",
        ratio=f"{ratio:.2f}× the openai SDK's time per request; SDK's own share:"
        f" {added_ours * 1e3:.2f} ms vs {added_openai * 1e3:.2f} ms",
        verdict=verdict(ratio <= 1.0),
    )
    figure.details = [
        f"Per request, {REQUESTS} sequential requests per sample, blocking clients, one"
        " keep-alive connection each, server in its own process:",
        "",
        "| client | time per request |",
        "| --- | --- |",
        f"| ours: `chatsdk.Client(...).chat.completions.create(model=…, messages=…)` | {o.show('ms')} |",
        f"| openai: `OpenAI(base_url=…/v1).chat.completions.create(model=…, messages=…)` | {p.show('ms')} |",
        f"| plain `httpx.Client().post(…)` of the same body (no SDK) | {h.show('ms')} |",
        f"| plain `httpx2.Client().post(…)` of the same body (no SDK) | {h2.show('ms')} |",
        "",
        f"What the SDK adds over its HTTP library: ours {added_ours * 1e6:.0f} µs,"
        f" openai {added_openai * 1e6:.0f} µs"
        f" ({added_openai / added_ours:.1f}× ours)."
        if added_ours > 0
        else "",
    ]
    figure.commands = ["make bench BENCH_ARGS='--only overhead'"]
    return figure
