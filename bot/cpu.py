"""Keep the bot's threads on one CPU.

Every update is handed from the event loop to the store's thread and back. Python runs one
thread at a time (the GIL), so a second CPU adds nothing to the bot's speed, but a hand-off
between two CPUs costs a cross-CPU wake-up: on this project's 2-CPU virtual machine the
loop-to-store round trip measured 77 µs free and 25 µs on one CPU (benchmarks/bench_handoff.py).
The fsync the store waits for needs the disk, not a CPU, so nothing new waits for the one CPU.
"""

from __future__ import annotations

import os

__all__ = ["pin_to_one_cpu"]


def pin_to_one_cpu() -> int | None:
    """Run this thread, and every thread it starts from now on, on one allowed CPU.

    Returns the CPU, or None where there is nothing to choose (one CPU allowed, or an operating
    system without CPU affinity). Call it before any thread starts: on Linux it sets the calling
    thread, and new threads inherit it.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:  # one CPU: nothing to choose
        return None
    # Spread by process id, so that several bots on one host do not share one CPU.
    cpu = allowed[os.getpid() % len(allowed)]
    os.sched_setaffinity(0, {cpu})
    return cpu
