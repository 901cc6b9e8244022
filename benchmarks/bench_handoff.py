"""The hand-off an answer pays twice: from the event loop to the store's thread and back.

Why the bot keeps its threads on one CPU (bot/cpu.py, PIN_CPU): a round trip between two threads
costs a wake-up each way, and a wake-up on another CPU costs more than one on the same CPU,
much more so in a virtual machine. Timed, each in a fresh process, with the process on every
CPU it may use and pinned to one:

  threads      a bare round trip between two threads (SimpleQueue there, SimpleQueue back)
  AsyncStore   `await AsyncStore.run(int)`: the event loop to the store's thread and back
  to_thread    `await asyncio.to_thread(int)`: the executor PTB bots usually use, for reference

Run: .venv/bin/python benchmarks/bench_handoff.py [--rounds N]
"""

from __future__ import annotations

import asyncio
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 3000


def threads() -> list[float]:
    """Microseconds per bare round trip between two threads."""
    there: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    back: queue.SimpleQueue[int] = queue.SimpleQueue()

    def echo() -> None:
        while (item := there.get()) is not None:
            back.put(item)

    worker = threading.Thread(target=echo)
    worker.start()
    times = []
    for i in range(SAMPLES):
        start = time.perf_counter()
        there.put(i)
        back.get()
        times.append(1e6 * (time.perf_counter() - start))
    there.put(None)
    worker.join()
    return times


async def loop_round_trips() -> dict[str, list[float]]:
    """Microseconds per round trip from the event loop to the store's thread, and to_thread."""
    sys.path.insert(0, str(ROOT))
    from bot.store import AsyncStore, Store  # noqa: PLC0415 - after the path is set

    with tempfile.TemporaryDirectory() as folder:
        store = AsyncStore(Store(Path(folder) / "handoff.sqlite3"))
        figures: dict[str, list[float]] = {"AsyncStore": [], "to_thread": []}
        try:
            for _ in range(SAMPLES):
                start = time.perf_counter()
                await store.run(int)
                figures["AsyncStore"].append(1e6 * (time.perf_counter() - start))
                start = time.perf_counter()
                await asyncio.to_thread(int)
                figures["to_thread"].append(1e6 * (time.perf_counter() - start))
        finally:
            store.close()
    return figures


def child(pinned: bool) -> None:
    """Measure in this process (pinned or not) and print JSON."""
    sys.path.insert(0, str(ROOT))
    from bot.cpu import pin_to_one_cpu  # noqa: PLC0415 - after the path is set

    if pinned and pin_to_one_cpu() is None:
        print(json.dumps(None))  # one CPU only: nothing to compare
        return
    figures = {"threads": threads(), **asyncio.run(loop_round_trips())}
    print(json.dumps(figures))


def main() -> None:
    """Alternate pinned and unpinned processes; print medians and the ratio."""
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    kept: dict[bool, dict[str, list[float]]] = {False: {}, True: {}}
    for round_ in range(rounds):
        for pinned in (False, True) if round_ % 2 == 0 else (True, False):
            command = [sys.executable, __file__, "--child", "pinned" if pinned else "free"]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures = json.loads(out)
            if figures is None:
                print("one CPU allowed: nothing to compare")
                return
            for name, times in figures.items():
                kept[pinned].setdefault(name, []).extend(times)
    print(f"{rounds} rounds, {SAMPLES} round trips each, a fresh process per measurement")
    print("round trip (µs, median)   every CPU   one CPU   ratio")
    for name, times in kept[False].items():
        free, one = statistics.median(times), statistics.median(kept[True][name])
        print(f"  {name:<22} {free:9.1f} {one:9.1f} {free / one:6.1f}x")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1] == "pinned")
    else:
        main()
