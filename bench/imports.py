"""Import times in fresh interpreters: ``chatsdk`` against ``openai`` and ``anthropic``, and the
package generated from the OpenAI document.

Each sample is a new ``python -c`` process that times its own import statement with
``time.perf_counter`` (interpreter start-up, the same for everyone, is left out). Bytecode
caches are warm: one discarded run of every statement comes first.
"""

# ruff: noqa: RUF001 - the report is typeset: multiplication signs, en dashes

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.common import ROOT, Figure, Stat, verdict

_PROBE = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def _sample(stmt: str, path: Path | None) -> float:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(stmt=stmt)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{stmt!r} failed: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def measure(statements: dict[str, tuple[str, Path | None]], repeats: int) -> dict[str, Stat]:
    for stmt, path in statements.values():
        _sample(stmt, path)
    values: dict[str, list[float]] = {name: [] for name in statements}
    names = list(statements)
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            values[name].append(_sample(*statements[name]))
    return {name: Stat(tuple(v)) for name, v in values.items()}


def importtime_top(stmt: str, path: Path | None, top: int = 8) -> list[str]:
    """The modules with the most own import time (``python -X importtime``)."""
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", stmt],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _cumulative, name = line.split("|", 2)
        rows.append((int(own.split(":", 1)[1]), name.strip()))
    rows.sort(reverse=True)
    total = sum(us for us, _ in rows)
    lines = [f"`python -X importtime -c {stmt!r}`: {total / 1e6:.2f} s in all; most own time:", ""]
    lines += ["| own time | module |", "| ---: | --- |"]
    lines += [f"| {us / 1e3:.0f} ms | `{name.strip()}` |" for us, name in rows[:top]]
    return lines


def chatsdk_figure(repeats: int) -> Figure:
    stats = measure(
        {
            "import chatsdk": ("import chatsdk", None),
            "chatsdk.Client": ("import chatsdk; chatsdk.Client", None),
            "chatsdk models": (
                "import chatsdk.chat_completions, chatsdk.messages, chatsdk.sessions",
                None,
            ),
            "import openai": ("import openai", None),
            "import anthropic": ("import anthropic", None),
        },
        repeats,
    )
    ours, client = stats["import chatsdk"], stats["chatsdk.Client"]
    oa, an = stats["import openai"], stats["import anthropic"]
    figure = Figure(
        key="import",
        title="`import chatsdk`",
        target="≤ 0.1 s",
        ours=f"{ours.short('s')} (with the client loaded: {client.short('s')})",
        peer=f"`import openai` {oa.short('s')}; `import anthropic` {an.short('s')}",
        ratio=f"{oa.median / ours.median:.0f}× / {an.median / ours.median:.0f}× faster; "
        f"with the client: {oa.median / client.median:.1f}× / {an.median / client.median:.1f}×",
        verdict=verdict(ours.median <= 0.1),
    )
    figure.details = [
        "Seconds inside a fresh interpreter, median (min–max) over repeats:",
        "",
        "| statement | time |",
        "| --- | --- |",
        f"| `import chatsdk` (the clients load on first use, PEP 562) | {ours.show('s')} |",
        "| `import chatsdk; chatsdk.Client` (httpx2, pydantic, every model: what `import openai`"
        f" loads too) | {client.show('s')} |",
        "| `import chatsdk.chat_completions, chatsdk.messages, chatsdk.sessions` |"
        f" {stats['chatsdk models'].show('s')} |",
        f"| `import openai` | {oa.show('s')} |",
        f"| `import anthropic` | {an.show('s')} |",
        "",
        *importtime_top("import chatsdk; chatsdk.Client", None),
    ]
    figure.commands = ["make bench BENCH_ARGS='--only import'"]
    return figure


def vendor_figure(repeats: int, package_root: Path) -> Figure:
    stats = measure(
        {
            "import": ("import openai_spec", package_root),
            "models": ("import openai_spec.models", package_root),
            "client": ("import openai_spec; openai_spec.Client", package_root),
        },
        repeats,
    )
    bare, models, client = stats["import"], stats["models"], stats["client"]
    figure = Figure(
        key="import-vendor",
        title="import the package generated from the OpenAI spec",
        target="≤ 0.3 s",
        ours=f"`import openai_spec` {bare.short('s')}; `.models` {models.short('s')}; "
        f"`.Client` {client.short('s')}",
        peer="—",
        ratio=f"models {models.median / 0.3:.1f}× the target",
        verdict=verdict(models.median <= 0.3),
    )
    figure.details = [
        f"The package `sdkforge generate --spec … --package openai_spec` wrote to"
        f" `{package_root.relative_to(ROOT)}` (the generation figure's output), imported from"
        " there. The verdict is on `openai_spec.models`: the bare package import defers"
        " everything, so it says nothing about what using the package costs.",
        "",
        "| statement | time |",
        "| --- | --- |",
        f"| `import openai_spec` | {bare.show('s')} |",
        f"| `import openai_spec.models` (every schema of the document) | {models.show('s')} |",
        f"| `import openai_spec; openai_spec.Client` (models, operations, client) |"
        f" {client.show('s')} |",
    ]
    figure.commands = ["make bench BENCH_ARGS='--only import-vendor'"]
    if models.median > 0.3:
        figure.bounds = [
            *_class_construction(package_root),
            "",
            *importtime_top("import openai_spec.models", package_root),
        ]
    return figure


_PROFILE_IMPORT = """
import cProfile, json, pstats
profiler = cProfile.Profile()
profiler.enable()
import openai_spec.models
profiler.disable()
stats = pstats.Stats(profiler).stats
def find(file_end, name):
    hits = [v for (f, _, n), v in stats.items() if f.endswith(file_end) and n == name]
    return (sum(v[1] for v in hits), max((v[3] for v in hits), default=0.0))
total = max(v[3] for v in stats.values())
print(json.dumps({
    "total": total,
    "metaclass": find("_model_construction.py", "__new__"),
    "fields": find("_fields.py", "collect_model_fields"),
    "hints": find("_typing_extra.py", "get_model_type_hints"),
    "compile": find("~", "<built-in method builtins.compile>"),
}))
"""


def _class_construction(path: Path) -> list[str]:
    """Where the import's time goes, from a cProfile of it in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(path))
    done = subprocess.run(
        [sys.executable, "-c", _PROFILE_IMPORT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return [f"(the profile did not run: {done.stderr[-500:]})"]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    total = data["total"]
    classes, metaclass = data["metaclass"]
    _, fields = data["fields"]
    _, hints = data["hints"]
    compiles, compiling = data["compile"]

    def share(seconds: float) -> str:
        return f"{100 * seconds / total:.0f} %"

    return [
        f"cProfile of `import openai_spec.models` ({total:.2f} s under the profiler):"
        f" pydantic's `ModelMetaclass.__new__` runs {classes} times and takes {share(metaclass)}"
        f" ({1e3 * metaclass / max(classes, 1):.2f} ms a class); inside it, collecting the fields"
        f" takes {share(fields)}, of which evaluating the string annotations"
        f" (`from __future__ import annotations`) {share(hints)}, with {compiles} calls of"
        f" `compile` alone {share(compiling)}. The import is bounded by building ~{classes}"
        " pydantic classes at import time, whatever the package does around them.",
        "",
        "What would move it: annotations the interpreter evaluates itself (no"
        " `from __future__ import annotations` in the generated models, forward references"
        " quoted) saves the evaluation share; below that, only building fewer classes at import"
        " does: models split into modules loaded on first use (PEP 562), as `chatsdk` defers"
        " its client, and operations that name their classes lazily.",
    ]


SCALE_PACKAGE = "openai_scale"
SCALE_OUT = ROOT / "bench" / ".work" / "vendor-scale"


def generate_scale_package() -> Path:
    """The OpenAI document's package, generated now by the current generator (not reused)."""
    from bench.generation import spec_file

    out = SCALE_OUT / SCALE_PACKAGE
    if out.exists():
        import shutil

        shutil.rmtree(out)
    done = subprocess.run(
        [
            Path(sys.executable).parent / "sdkforge",
            "generate",
            "--spec",
            spec_file(),
            "--out",
            out,
            "--package",
            SCALE_PACKAGE,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sdkforge generate --spec failed: {done.stderr[-3000:]}")
    return out


def _largest_modules(root: Path, top: int = 3) -> list[tuple[int, str]]:
    sizes = [
        (p.read_text(encoding="utf-8").count("\n"), p.relative_to(root).as_posix())
        for p in (root / SCALE_PACKAGE).rglob("*.py*")
        if p.suffix in (".py", ".pyi")
    ]
    return sorted(sizes, reverse=True)[:top]


def vendor_scale_figure(repeats: int) -> Figure:
    """``Client(...).chat.completions`` from a fresh interpreter, ours against the openai SDK."""
    root = generate_scale_package()
    pkg = SCALE_PACKAGE
    stats = measure(
        {
            "ours": (f"import {pkg}; {pkg}.Client(api_key='x').chat.completions", root),
            "openai": ("import openai; openai.OpenAI(api_key='x').chat.completions", None),
            "models": (f"import {pkg}.models", root),
            "one model": (f"import {pkg}.models; {pkg}.models.CreateChatCompletionResponse", root),
            "every model": (
                f"import {pkg}.models as m; [getattr(m, n) for n in m.__all__]",
                root,
            ),
        },
        repeats,
    )
    ours, oa = stats["ours"], stats["openai"]
    models, every = stats["models"], stats["every model"]
    largest = _largest_modules(root)
    figure = Figure(
        key="vendor-scale",
        title="the OpenAI document's package: `Client(...).chat.completions` and its models",
        target="≤ the openai SDK; `import .models` ≤ 0.3 s; no module over 4,000 lines",
        ours=f"{ours.short('s')}; `.models` {models.short('s')}; every model {every.short('s')}",
        peer=f"openai {oa.short('s')}",
        ratio=f"{ours.median / oa.median:.2f}× the openai SDK's time",
        verdict=verdict(
            ours.median <= oa.median and models.median <= 0.3 and largest[0][0] <= 4000
        ),
    )
    figure.details = [
        f"`sdkforge generate --spec … --package {pkg}` into `{root.relative_to(ROOT)}`, by the"
        " generator of this run; seconds inside a fresh interpreter, median (min–max):",
        "",
        "| statement | time |",
        "| --- | --- |",
        f"| `import {pkg}; {pkg}.Client(api_key='x').chat.completions` | {ours.show('s')} |",
        f"| `import openai; openai.OpenAI(api_key='x').chat.completions` | {oa.show('s')} |",
        f"| `import {pkg}.models` (every name, each loaded on first use) | {models.show('s')} |",
        f"| `{pkg}.models.CreateChatCompletionResponse` (one model and what it refers to) |"
        f" {stats['one model'].show('s')} |",
        f"| every model of `{pkg}.models.__all__` loaded | {every.show('s')} |",
        "",
        "Largest generated modules: "
        + ", ".join(f"`{path}` {lines:,} lines" for lines, path in largest),
        "",
        *importtime_top(f"import {pkg}; {pkg}.Client(api_key='x').chat.completions", root),
    ]
    figure.commands = ["make bench BENCH_ARGS='--only vendor-scale'"]
    return figure
