"""Whole-process start-up: the console to its first prompt and `assess` on one document.

Run: .venv/bin/python benchmarks/bench_startup.py [rounds] [--against OTHER_CHECKOUT]
With --against, the same commands also run from another checkout (e.g. `git archive` of an
older commit unpacked in /tmp), interleaved with these, for a before/after comparison.
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


def _run(root: Path, *args: str, stdin: str = "") -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], input=stdin, capture_output=True, text=True, check=True,
        cwd=root, env=_env(),
    )  # fmt: skip
    return (time.perf_counter() - t) * 1000


def _console(root: Path) -> float:
    """Milliseconds from spawn to the console's first '> ' prompt, on a pseudo-terminal."""
    master, slave = pty.openpty()
    t = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], stdin=slave, stdout=slave, stderr=slave,
        cwd=root, env=_env(), close_fds=True,
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


def _variants(root: Path, tag: str) -> dict[str, Callable[[], float]]:
    bot = ("-m", "bot", "assess")
    return {
        f"console to first prompt{tag}": lambda: _console(root),
        f"python -m bot assess (one document){tag}": lambda: _run(root, *bot, stdin=DOCUMENT),
        f"python -m bot assess --schema{tag}": lambda: _run(root, *bot, "--schema"),
    }


def main() -> None:
    args = sys.argv[1:]
    against = None
    if "--against" in args:
        at = args.index("--against")
        against = Path(args[at + 1]).resolve()
        del args[at : at + 2]
    rounds = int(args[0]) if args else 9
    variants: dict[str, Callable[[], float]] = {
        'python -c "import telegram.ext"': lambda: _run(ROOT, "-c", "import telegram.ext"),
        **_variants(ROOT, ""),
    }
    if against is not None:
        variants.update(_variants(against, f" [{against.name}]"))
    names = list(variants)
    for name in names:  # warm-up: page cache, .pyc files
        variants[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            samples[name].append(variants[name]())
    base = statistics.median(samples[names[0]])
    for name in names:
        median = statistics.median(samples[name])
        print(
            f"{name:50s} median {median:7.1f} ms  min {min(samples[name]):7.1f} ms  "
            f"{median / base:4.2f}× import telegram.ext  ({rounds} rounds)"
        )


if __name__ == "__main__":
    main()
