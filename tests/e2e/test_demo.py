"""`make demo` runs examples/demo.py against a server started for it; so does this test."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

DEMO = [sys.executable, "examples/demo.py"]


def test_the_demo_runs_against_the_reference_server_and_tells_the_story() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--", *DEMO],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    transcript = done.stdout
    headings = ("Chat completions", "Messages", "Sessions", "Errors and retries", "Structured")
    for heading in (*headings, "Async"):
        assert f"== {heading}" in transcript
    assert "the assembled completion equals the plain one: True" in transcript
    assert "get_weather({'location': 'New York, NY', 'units': 'c'})" in transcript
    assert "turn 3" in transcript and "compacted" in transcript
    assert (
        "InvalidRequestError 422" in transcript and "StreamError (overloaded_error)" in transcript
    )
    # README's structured-output examples ran (all four), with a re-ask, a tool loop and a
    # structured stream whose last partial value is the final one
    assert all(f"README {n} |" in transcript for n in (1, 2, 3, 4))
    assert "README 4 | {'city': 'city', 'temp_c': 0, 'note': None}" in transcript
    assert "attempt 1 was invalid at /city: Input should be a valid string" in transcript
    assert "Weather(city='city', temp_c=0.0, note=None) after 2 attempts" in transcript
    for turn, calls in enumerate(("get_weather, get_time", "get_weather", "the final answer")):
        assert f"turn {turn} | {calls}" in transcript
    assert "Traceback" not in done.stderr
