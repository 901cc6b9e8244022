"""Whole-process start-up: the console to its first prompt and `assess` on one document.

Run: .venv/bin/python benchmarks/bench_startup.py [rounds]
Each figure is a fresh interpreter, wall clock from spawn to the first prompt (console) or to
exit (assess, --help); variants are interleaved in rotated order so machine noise hits all alike.
The yardstick is `python -c "import telegram.ext"`; target (issue 12.3): console ≤ 2× it.
"""

from __future__ import annotations

import json
import os
import pty
import select
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = json.dumps(
    {
        "patient": {"weight": {"value": 70}},
        "crs": {"max_temperature": {"value": 39.2}, "hypotension": "fluids"},
        "icans": {"ice_score": 7, "consciousness": "alert"},
    }
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_TOKEN", "GUIDELINE_DIR")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run(*args: str, stdin: str = "") -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], input=stdin, capture_output=True, text=True, check=True,
        cwd=ROOT, env=_env(),
    )  # fmt: skip
    return (time.perf_counter() - t) * 1000


def _console() -> float:
    """Milliseconds from spawn to the console's first '> ' prompt, on a pseudo-terminal."""
    master, slave = pty.openpty()
    t = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], stdin=slave, stdout=slave, stderr=slave,
        cwd=ROOT, env=_env(), close_fds=True,
    )  # fmt: skip
    os.close(slave)
    screen = b""
    while b"> " not in screen:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            raise RuntimeError("console gave no prompt in 30 s")
        screen += os.read(master, 4096)
    elapsed = (time.perf_counter() - t) * 1000
    process.kill()
    process.wait()
    os.close(master)
    return elapsed


VARIANTS: dict[str, Callable[[], float]] = {
    'python -c "import telegram.ext"': lambda: _run("-c", "import telegram.ext"),
    "console to first prompt": _console,
    "python -m bot assess (one document)": lambda: _run("-m", "bot", "assess", stdin=DOCUMENT),
    "python -m bot assess --schema": lambda: _run("-m", "bot", "assess", "--schema"),
}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    names = list(VARIANTS)
    for name in names:  # warm-up: page cache, .pyc files
        VARIANTS[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            samples[name].append(VARIANTS[name]())
    base = statistics.median(samples[names[0]])
    for name in names:
        median = statistics.median(samples[name])
        print(
            f"{name:40s} median {median:7.1f} ms  min {min(samples[name]):7.1f} ms  "
            f"{median / base:4.2f}× import telegram.ext  ({rounds} rounds)"
        )


if __name__ == "__main__":
    main()
