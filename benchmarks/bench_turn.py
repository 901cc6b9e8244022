"""One durable question update through the chat service, at 100 and 10,000 stored sessions.

A turn is: the session read (from the store's write-through cache after its first read), the
engine, the replies rendered, and one synchronous=FULL commit of the session with its replies
(the outbox) -- all in one call on the store's thread. No transport: replies count as delivered.
Printed beside a raw pwrite+fsync of one page on the same disk, the floor of any durable write.

Run: .venv/bin/python benchmarks/bench_turn.py [--root TREE]  (TREE: another source tree,
e.g. an export of an older commit, for a before/after; its ChatService must take the same
arguments)
Target (issue 12): median <= 0.35 ms per question update at 10,000 sessions (<= 3x raw fsync).
Figures are noisy on a shared machine.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = Path(sys.argv[sys.argv.index("--root") + 1]) if "--root" in sys.argv else ROOT
sys.path.insert(0, str(TREE.resolve()))

from bot.bootstrap import bootstrap  # noqa: E402
from bot.service import ChatService  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import AsyncStore, Store  # noqa: E402
from dialogs.messages import Event  # noqa: E402

# Questions answered by typing, cycling: the first answers a CRS temperature, "back" undoes it.
ANSWERS = ["38.9", "back"]
TIMED_CHATS = 200
UPDATES_PER_CHAT = 10


def raw_fsync_ms(folder: Path, samples: int = 300) -> float:
    """Median milliseconds of one 4 KiB pwrite + fsync."""
    fd = os.open(folder / "raw", os.O_CREAT | os.O_WRONLY, 0o600)
    times = []
    try:
        for _ in range(samples):
            start = time.perf_counter()
            os.pwrite(fd, b"x" * 4096, 0)
            os.fsync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
    return 1000 * statistics.median(times)


async def measure(folder: Path, stored: int) -> list[float]:
    """Per-update milliseconds of question updates by chats whose sessions are stored."""
    engine = bootstrap(Settings(guideline_dir=None)).engine
    store = Store(folder / f"turn-{stored}.sqlite3")
    session, _ = engine.start("crs")
    store.bulk_sessions([(chat, session) for chat in range(stored)], time.time())
    service = ChatService(engine=engine, store=AsyncStore(store), salt="", expiry_seconds=1e9)
    chats = list(range(0, stored, max(1, stored // TIMED_CHATS)))[:TIMED_CHATS]
    update_id = 1
    for chat in chats:  # warm-up: first reads come from disk, then from the cache
        await service.handle(chat, chat, update_id, Event.command("help"))
        update_id += 1
    times: list[float] = []
    for round_ in range(UPDATES_PER_CHAT):
        for chat in chats:
            event = Event.text(ANSWERS[round_ % len(ANSWERS)])
            start = time.perf_counter()
            await service.handle(chat, chat, update_id, event)
            times.append(1000 * (time.perf_counter() - start))
            update_id += 1
    service.store.close()
    return times


def main() -> None:
    """Measure and print."""
    with tempfile.TemporaryDirectory(dir=ROOT) as name:
        folder = Path(name)
        fsync = raw_fsync_ms(folder)
        print(f"bot from {TREE}")
        print(f"raw pwrite+fsync of 4 KiB: median {fsync:.3f} ms")
        for stored in (100, 10_000):
            times = sorted(asyncio.run(measure(folder, stored)))
            median = statistics.median(times)
            p99 = times[int(0.99 * len(times))]
            print(
                f"question update at {stored:>6} stored sessions: median {median:.3f} ms "
                f"({median / fsync:.1f}x raw fsync), p99 {p99:.3f} ms, n={len(times)}"
            )


if __name__ == "__main__":
    main()
