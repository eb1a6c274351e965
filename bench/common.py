"""What every figure shares: paths, statistics, interleaved timing, the machine, versions."""

# ruff: noqa: RUF001, RUF002 - the report is typeset: multiplication signs, en dashes

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"  # scratch space, gitignored
CLI_VENV = WORK / "cli-venv"  # the peer generator CLIs (bench/requirements-cli.txt)
BIN = Path(sys.executable).parent  # the project's venv
FIXTURES = ROOT / "tests" / "fixtures" / "real"


@dataclass(frozen=True)
class Stat:
    """One measured quantity over repeats: the median and the spread (min–max)."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def show(self, unit: str) -> str:
        scale, shown = _scale(unit)
        m, lo, hi = (v * scale for v in (self.median, self.low, self.high))
        return f"{_num(m)} {shown} ({_num(lo)}–{_num(hi)}, n={len(self.values)})"

    def short(self, unit: str) -> str:
        scale, shown = _scale(unit)
        return f"{_num(self.median * scale)} {shown}"


def _scale(unit: str) -> tuple[float, str]:
    return {"s": (1.0, "s"), "ms": (1e3, "ms"), "us": (1e6, "µs"), "MB": (1.0, "MB")}[unit]


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


@dataclass
class Figure:
    """One row of the results table and the details behind it."""

    key: str
    title: str
    target: str
    ours: str  # the headline number of ours, formatted
    peer: str  # the headline number of the peer the target names, formatted ("—" if none)
    ratio: str  # the measured ratio, in the target's terms
    verdict: str  # "pass" | "miss" | "not run"
    details: list[str] = field(default_factory=list)  # markdown lines: raw numbers, notes
    commands: list[str] = field(default_factory=list)  # how to reproduce
    bounds: list[str] = field(default_factory=list)  # for a miss: the profile summary


def paired(ours: Stat, peer: Stat) -> float:
    """How many times ``ours`` is faster than ``peer``: the median over rounds of the two
    samples taken side by side in each round, so a slow spell of the machine weighs on both."""
    return statistics.median(p / o for o, p in zip(ours.values, peer.values, strict=True))


def times(ratio: float) -> str:
    """A ratio as the table shows it: two decimals below 10, where a target's edge may be."""
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.1f}×"


def verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


def interleaved(
    candidates: dict[str, Callable[[], float]], repeats: int, warmup: int = 1
) -> dict[str, Stat]:
    """Call each candidate once per round, the order rotating from round to round.

    A candidate measures itself and returns its figure (seconds per item, say), so setup stays
    outside the timing. Interleaving spreads a noisy neighbour over every candidate alike.
    """
    names = list(candidates)
    for _ in range(warmup):
        for name in names:
            candidates[name]()
    values: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            values[name].append(candidates[name]())
    return {name: Stat(tuple(v)) for name, v in values.items()}


def per_item(run: Callable[[], int], min_seconds: float = 0.25) -> Callable[[], float]:
    """A candidate for :func:`interleaved`: seconds per item of ``run`` (which returns how many
    items it handled), looping it until at least ``min_seconds`` have passed."""

    def measure() -> float:
        items = 0
        start = time.perf_counter()
        while True:
            items += run()
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                return elapsed / items

    return measure


def timed_command(
    argv: Sequence[str | Path], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one run of a command, and its result (output captured)."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, done


def shell_line(argv: Sequence[str | Path]) -> str:
    """A command as one would type it from the repository root."""
    out = []
    for arg in map(str, argv):
        if arg.startswith(str(ROOT) + "/"):
            arg = arg[len(str(ROOT)) + 1 :]
        out.append(arg if arg and all(c.isalnum() or c in "-_./=:,@+" for c in arg) else repr(arg))
    return " ".join(out)


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        ("CPU", cpu),
        ("cores available", str(cores)),
        ("memory", memory or "?"),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("load average at start (1, 5, 15 min)", load),
    ]


def version(distribution: str, python: Path | None = None) -> str:
    """The installed version of ``distribution`` (in another venv when ``python`` is given)."""
    if python is None:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return "not installed"
    done = subprocess.run(
        [
            str(python),
            "-c",
            f"from importlib.metadata import version; print(version({distribution!r}))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "not installed"


def git_describe() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "generator", "templates")
    return f"{commit}{' (generator/ or templates/ modified in the work tree)' if dirty else ''}"


def cli(name: str) -> Path:
    return CLI_VENV / "bin" / name


def profile_table(
    run: Callable[[], object], seconds: float = 1.0, top: int = 10, strip: Sequence[str] = ()
) -> list[str]:
    """cProfile ``run`` (repeated for about ``seconds``): the functions with the most own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    while True:  # at least once
        run()
        if time.perf_counter() - start >= seconds:
            break
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    lines = ["| own time | calls | function |", "| ---: | ---: | --- |"]
    for (file, line, func), (_cc, calls, tottime, _ct, _callers) in rows:
        where = file
        for prefix in (*strip, str(ROOT) + "/", "/"):
            if where.startswith(prefix):
                where = where[len(prefix) :]
        if "site-packages/" in where:
            where = where.split("site-packages/", 1)[1]
        name = f"`{where}:{line} {func}`" if line else f"`{func}`"
        lines.append(f"| {100 * tottime / total:.0f} % | {calls} | {name} |")
    return lines
