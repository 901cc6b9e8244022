"""Capacity over loopback HTTP: the real bot process (`python -m bot`) against the fake Bot API,
many doctors at once. Prints the bot's CPU per update and reply latency (median, p99).

Every doctor walks a CRS review (a command, typed answers and button taps); at each step all of
them act at once (a burst, the harshest case; `--spread S` spreads them evenly over S seconds
instead), and the latency of each is the time from the update being offered to
the first reply the bot sends that chat. CPU is the bot process's user+system time over the timed
phase, divided by the updates handled. The fake server runs in this process, so its CPU is not
counted; it keeps connections alive, as Telegram does.

Run: .venv/bin/python benchmarks/bench_capacity.py [--chats 200] [--rounds 2] [--root TREE]
`--root` runs another source tree's bot (e.g. an export of an older commit) for a before/after.
Targets (issue 11): <= 5 ms CPU per update and p99 < 1 s at 200 chats. The machine is shared:
figures are noisy; compare runs made back to back.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bot.fake_telegram import FakeTelegram  # noqa: E402
from tests.bot.harness import SALT, TOKEN, BotProcess  # noqa: E402

# (kind, value): a typed text, or a tap on the button whose label starts with value.
WALK = [
    ("text", "/crs"),
    ("text", "38.9"),
    ("tap", "None yet"),
    ("tap", "Fluids only"),
    ("tap", "No / not sure"),
    ("tap", "Room air"),
    ("text", "70"),
]
FIRST_CHAT = 10_000


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sent(fake: FakeTelegram, chat_id: int) -> list[Any]:
    """The bot's sendMessage calls to a chat (indexed by the fake: no scan of every call)."""
    return fake.messages_by_chat.get(chat_id, [])


def last_message(fake: FakeTelegram, chat_id: int) -> dict[str, Any]:
    """The last message the bot sent a chat."""
    return dict(sent(fake, chat_id)[-1].params["_message"])


def button_data(message: dict[str, Any], label: str) -> str:
    """The callback data of the button whose label starts with `label`."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"].startswith(label):
                return str(button["callback_data"])
    raise LookupError(f"no button {label!r} in {message.get('text', '')[:60]!r}")


def burst(
    fake: FakeTelegram, chats: list[int], kind: str, value: str, spread: float = 0.0
) -> list[float]:
    """Every chat acts, at once or spread evenly over `spread` seconds; wait for each first
    reply; return latencies in seconds."""
    before = {c: len(sent(fake, c)) for c in chats}
    offered: dict[int, float] = {}
    begin = time.monotonic()
    for index, chat in enumerate(chats):
        if spread:
            time.sleep(max(0.0, begin + spread * index / len(chats) - time.monotonic()))
        if kind == "text":
            fake.send_text(chat, value)
        else:
            message = last_message(fake, chat)
            fake.tap(chat, message, button_data(message, value))
        offered[chat] = time.monotonic()
    latencies: dict[int, float] = {}
    deadline = time.monotonic() + 120
    while len(latencies) < len(chats):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(chats) - len(latencies)} chats got no reply to {value!r}")
        for chat in chats:
            if chat in latencies:
                continue
            calls = sent(fake, chat)
            if len(calls) > before[chat]:
                latencies[chat] = calls[before[chat]].at - offered[chat]
        time.sleep(0.005)
    # Let the rest of each turn (a result's second message, ticks, answers) finish: the next
    # step starts only when the bot has been quiet for a moment.
    total = -1
    while total != len(fake.calls):
        total = len(fake.calls)
        time.sleep(0.25)
    return list(latencies.values())


def run(
    chats: int, rounds: int, root: Path, profile: Path | None = None, spread: float = 0.0
) -> dict[str, float]:
    """Warm up, then time `rounds` walks of every chat; return the figures."""
    fake = FakeTelegram(TOKEN, keep_alive=True).start()
    with tempfile.TemporaryDirectory() as folder:
        bot = BotProcess(fake, Path(folder) / "bot.sqlite3", AUDIT_SALT=SALT)
        bot.env["PYTHONPATH"] = str(root)
        bot.env["PYTHONDONTWRITEBYTECODE"] = "1"
        bot.env["SEND_BACKOFF_SECONDS"] = "1"
        bot.env["TELEGRAM_TIMEOUT_SECONDS"] = "10"
        bot.start(cwd=root, python=("-m", "cProfile", "-o", str(profile)) if profile else ())
        assert bot.process is not None
        try:
            # Every walk by chats new to the bot: a chat that has had a result is offered its
            # patient context first ("Same patient?"), a question this walk does not answer.
            numbers = itertools.count(FIRST_CHAT)
            warm = [next(numbers) for _ in range(5)]
            # Warm-up: one walk by a few chats (imports, caches, connections).
            for kind, value in WALK:
                burst(fake, warm, kind, value)
            latencies: list[float] = []
            updates = 0
            start_cpu = cpu_seconds(bot.process.pid)
            own_cpu = time.process_time()
            start = time.monotonic()
            for _ in range(rounds):
                ids = [next(numbers) for _ in range(chats)]
                for kind, value in WALK:
                    latencies += burst(fake, ids, kind, value, spread)
                    updates += len(ids)
            wall = time.monotonic() - start
            cpu = cpu_seconds(bot.process.pid) - start_cpu
            own_cpu = time.process_time() - own_cpu
        finally:
            bot.stop()
            fake.stop()
    ordered = sorted(latencies)
    return {
        "updates": updates,
        "cpu_ms_per_update": 1000 * cpu / updates,
        "median_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "max_ms": 1000 * ordered[-1],
        "wall_s": wall,
        "fake_cpu_s": own_cpu,
        "bot_cpu_s": cpu,
    }


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--root", type=Path, default=ROOT, help="source tree of the bot to run")
    parser.add_argument("--profile", type=Path, help="write the bot's cProfile stats here")
    parser.add_argument(
        "--spread", type=float, default=0.0, help="seconds over which each step's updates arrive"
    )
    args = parser.parse_args()
    figures = run(args.chats, args.rounds, args.root.resolve(), args.profile, args.spread)
    arrival = f"spread over {args.spread:g} s" if args.spread else "all at once"
    print(
        f"bot from {args.root}: {args.chats} concurrent chats acting {arrival} at each step, "
        f"{figures['updates']} updates"
    )
    print(f"  CPU per update : {figures['cpu_ms_per_update']:.2f} ms   (target <= 5 ms)")
    print(
        f"  reply latency  : median {figures['median_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms,"
        f" max {figures['max_ms']:.0f} ms   (target p99 < 1000 ms)"
    )
    print(
        f"  wall time      : {figures['wall_s']:.1f} s (CPU: bot {figures['bot_cpu_s']:.1f} s, "
        f"fake Bot API and driver {figures['fake_cpu_s']:.1f} s, on a shared 2-core machine)"
    )


if __name__ == "__main__":
    main()
