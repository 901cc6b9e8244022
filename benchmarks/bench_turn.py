"""One durable question update through the chat service, at 100 and 10,000 stored sessions.

A turn is: the session read (from the store's write-through cache after its first read), the
engine, the replies rendered, and one synchronous=FULL commit of the session with its replies
(the outbox) -- all in one call on the store's thread. No transport: replies count as delivered.

The floor of any durable write is a raw pwrite+fsync of one 4 KiB page on the same disk. The disk
is shared and its fsync time moves by 10x within minutes, so one raw pwrite+fsync is timed right
after every timed update, and the ratio compares the two medians of the same moments.

The process keeps its threads on one CPU, as the bot does at start-up (bot/cpu.py). Each build
and size runs in its own fresh process; with `--against OLD_TREE` (an export of an
older commit, e.g. `git archive OLD | tar -x -C /tmp/old`) the old build runs interleaved with
this one, in an order rotated every round, for a before/after in one run.

Run: .venv/bin/python benchmarks/bench_turn.py [--rounds N] [--against OLD_TREE] [--root TREE]
Target (issue 12): median <= 0.35 ms per question update at 10,000 sessions (<= 3x raw fsync).
Figures are noisy on a shared machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = Path(sys.argv[sys.argv.index("--root") + 1]) if "--root" in sys.argv else ROOT
SIZES = (100, 10_000)
# Questions answered by typing, cycling: the first answers a CRS temperature, "back" undoes it.
ANSWERS = ["38.9", "back"]
TIMED_CHATS = 200
UPDATES_PER_CHAT = 10


def raw_fsync(fd: int) -> float:
    """Seconds of one 4 KiB pwrite + fsync."""
    start = time.perf_counter()
    os.pwrite(fd, b"x" * 4096, 0)
    os.fsync(fd)
    return time.perf_counter() - start


async def measure(folder: Path, stored: int) -> tuple[list[float], list[float]]:
    """Milliseconds per question update by chats whose sessions are stored, and of a raw
    pwrite+fsync timed right after each."""
    sys.path.insert(0, str(TREE.resolve()))
    from bot.bootstrap import bootstrap  # noqa: PLC0415 - from the tree under test
    from bot.service import ChatService  # noqa: PLC0415
    from bot.settings import Settings  # noqa: PLC0415
    from bot.store import AsyncStore, Store  # noqa: PLC0415
    from dialogs.chat.messages import Event  # noqa: PLC0415

    engine = bootstrap(Settings(guideline_dir=None)).engine
    store = Store(folder / f"turn-{stored}.sqlite3")
    session, _ = engine.start("crs")
    store.db.execute("PRAGMA synchronous=OFF")  # the set-up only (older builds: one per row)
    store.bulk_sessions([(chat, session) for chat in range(stored)], time.time())
    store.db.execute("PRAGMA synchronous=FULL")
    service = ChatService(engine=engine, store=AsyncStore(store), salt="", expiry_seconds=1e9)
    chats = list(range(0, stored, max(1, stored // TIMED_CHATS)))[:TIMED_CHATS]
    update_id = 1
    for chat in chats:  # warm-up: first reads come from disk, then from the cache
        await service.handle(chat, chat, update_id, Event.command("help"))
        update_id += 1
    times: list[float] = []
    floor: list[float] = []
    fd = os.open(folder / "raw", os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for round_ in range(UPDATES_PER_CHAT):
            for chat in chats:
                event = Event.text(ANSWERS[round_ % len(ANSWERS)])
                start = time.perf_counter()
                await service.handle(chat, chat, update_id, event)
                times.append(1000 * (time.perf_counter() - start))
                floor.append(1000 * raw_fsync(fd))
                update_id += 1
    finally:
        os.close(fd)
    service.store.close()
    return times, floor


def child(stored: int) -> None:
    """Measure one build at one size and print the figures as JSON (one process per run)."""
    sys.path.insert(0, str(TREE.resolve()))
    # The bot keeps its threads on one CPU at start-up; a build from before that runs as it did
    # (asked of the tree itself: the editable install would find this tree's module for it).
    if (TREE / "bot" / "cpu.py").exists():
        from bot.cpu import pin_to_one_cpu  # noqa: PLC0415 - from the tree under test

        pin_to_one_cpu()
    with tempfile.TemporaryDirectory(dir=ROOT) as name:
        times, floor = asyncio.run(measure(Path(name), stored))
    print(json.dumps({"times": times, "floor": floor}))


def run(tree: Path, stored: int) -> dict[str, list[float]]:
    """One fresh process measuring `tree` at `stored` sessions."""
    script = Path(__file__).resolve()
    command = [sys.executable, str(script), "--root", str(tree), "--child", str(stored)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, list[float]] = json.loads(out.splitlines()[-1])
    return result


def main() -> None:
    """Measure every build and size in rotated rounds and print medians and ratios."""
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 2
    builds = {"this": TREE}
    if "--against" in sys.argv:
        builds = {"before": Path(sys.argv[sys.argv.index("--against") + 1]), **builds}
    runs = [(label, stored) for stored in SIZES for label in builds]
    figures: dict[tuple[str, int], dict[str, list[float]]] = {}
    for round_ in range(rounds):
        shift = round_ % len(runs)
        for label, stored in runs[shift:] + runs[:shift]:
            result = run(builds[label], stored)
            kept = figures.setdefault((label, stored), {"times": [], "floor": []})
            kept["times"] += result["times"]
            kept["floor"] += result["floor"]
    print(f"{rounds} rounds, each build and size in its own process, order rotated")
    for label, tree in builds.items():
        print(f"  {label}: {tree}")
    print("question update (ms)              median     p99   raw fsync  ratio   n")
    for (label, stored), kept in sorted(figures.items(), key=lambda x: (x[0][1], x[0][0])):
        times, floor = sorted(kept["times"]), kept["floor"]
        median, fsync = statistics.median(times), statistics.median(floor)
        p99 = times[int(0.99 * len(times))]
        print(
            f"  {label:>6} at {stored:>6} stored        {median:6.3f}  {p99:6.3f}   "
            f"{fsync:6.3f}     {median / fsync:4.1f}x  {len(times)}"
        )
    print("target at 10,000 stored: median <= 0.35 ms and <= 3x the raw fsync beside it")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(int(sys.argv[sys.argv.index("--child") + 1]))
    else:
        main()
