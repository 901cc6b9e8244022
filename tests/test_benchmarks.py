"""Every benchmark still runs to its figures, on its smallest settings.

Nothing here is timed: the figures are the benchmarks' own business. Two benchmarks had stopped
measuring what they say when the dialogs changed (one stopped at its first tap, the other's walks
met a question they did not expect); this catches that the day it happens.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.bot.harness import ROOT

# (script, its smallest arguments, text that must be in its output)
RUNS = [
    ("bench_bedside.py", [], "Quick entry, the example"),
    ("bench_engine.py", [], "question events only"),
    ("bench_handoff.py", ["--rounds", "1"], "AsyncStore"),
    ("bench_turn.py", ["--rounds", "1"], "this at  10000 stored"),
    ("bench_startup.py", ["1"], "console to first prompt"),
    ("bench_assess.py", ["--runs", "1"], "one assessment with advice"),
    ("bench_capacity.py", ["--chats", "5", "--rounds", "1"], "CPU per update"),
    (
        "bench_telegram.py",
        ["--sizes", "100", "--rounds", "1", "--chats", "2", "--no-loopback"],
        "question updates at 100 stored",
    ),
]


@pytest.mark.parametrize(("script", "args", "figure"), RUNS, ids=[r[0] for r in RUNS])
def test_the_benchmark_runs_and_prints_its_figures(
    script: str, args: list[str], figure: str
) -> None:
    """The benchmark exits 0 and prints its figures; every walk drew the replies it expected."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert figure in done.stdout
    assert "unexpected replies" not in done.stderr
    assert "sent other replies" not in done.stdout
