"""Benchmark the Telegram path: per-update cost through Application.process_update with SQLite
write-through, compared in the same run with the common ConversationHandler + PicklePersistence
build flushed every update; cost with 100 vs 10,000 stored sessions; loopback HTTP latency.

Run: .venv/bin/python benchmarks/bench_telegram.py
Targets (issue 4): p99 < 5 ms per update; flat within 1.2x from 100 to 10,000 sessions.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest, RequestData

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bootstrap import bootstrap  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import Store  # noqa: E402
from dialogs.assessment import assess  # noqa: E402
from dialogs.flows.answers import findings_of  # noqa: E402
from dialogs.guideline import default_guideline  # noqa: E402

TOKEN = "1:bench"  # noqa: S105 - a fake token for an offline request object
BOT = {"id": 1, "is_bot": True, "first_name": "bench", "username": "bench_bot"}
# A CRS walk answered by typing: the same questions in both builds.
WALK = ["/crs", "38.9", "none", "fluids", "no", "room air", "70"]
KEYS = ["temperature", "prior", "bp", "bpcause", "o2", "wt"]


class OfflineRequest(BaseRequest):
    """A Bot API that answers instantly from memory: no network at all."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        """No timeout: nothing waits."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Answer getMe, sendMessage and friends with plausible results."""
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name == "getMe":
            result: Any = BOT
        elif name in ("sendMessage", "editMessageText"):
            result = {
                "message_id": next(self.ids),
                "date": 0,
                "text": params.get("text", ""),
                "chat": {"id": params.get("chat_id", 0), "type": "private"},
            }
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


def message(update_id: int, chat_id: int, text: str, bot: Any) -> Update:
    """A text update from a doctor."""
    data: dict[str, Any] = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Dr"},
        },
    }
    if text.startswith("/"):
        data["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return Update.de_json(data, bot)


async def drive(app: Any, chats: int, flush: bool) -> list[float]:
    """Walk every chat through the CRS questions; milliseconds per update."""
    timings: list[float] = []
    ids = itertools.count(1)
    for chat in range(chats):
        for text in WALK:
            update = message(next(ids), chat + 1, text, app.bot)
            start = time.perf_counter()
            await app.process_update(update)
            if flush:
                await app.update_persistence()
            timings.append((time.perf_counter() - start) * 1000)
    await app.shutdown()
    return timings


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def ours(folder: Path, stored: int, chats: int) -> list[float]:
    """Per-update ms through our Application, with the session written to SQLite each time."""
    store = Store(folder / f"ours-{stored}.sqlite3")
    parts = bootstrap(Settings(telegram_token=TOKEN, guideline_dir=None))  # type: ignore[arg-type]
    filler = parts.engine.new_session().model_copy(update={"dialog": "crs", "state": "prior"})
    store.bulk_sessions([(1_000_000 + i, filler) for i in range(stored)], time.time())
    app, _ = parts.telegram(
        parts.service(store), request=OfflineRequest(), updates_request=OfflineRequest()
    )
    await app.initialize()
    return await drive(app, chats, flush=False)


async def common_way(folder: Path, chats: int) -> list[float]:
    """The same questions as a ConversationHandler with PicklePersistence flushed every update."""
    persistence = PicklePersistence(filepath=folder / "ptb.pickle")
    app = (
        Application.builder()
        .token(TOKEN)
        .request(OfflineRequest())
        .get_updates_request(OfflineRequest())
        .persistence(persistence)
        .build()
    )
    guideline = default_guideline()

    def step(index: int) -> Any:
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            assert update.effective_message is not None
            assert context.user_data is not None
            if index:
                context.user_data[KEYS[index - 1]] = update.effective_message.text
            if index == len(KEYS):
                # Grade and advise at the end, as our bot does, for a like-for-like cost.
                answers = {
                    "temperature": {"value": 38.9, "unit": "C"},
                    "weight": {"value": 70, "unit": "kg"},
                    "prior_treatment": [],
                }
                assess(findings_of(answers), guideline)
                await update.effective_message.reply_text("result")
                return ConversationHandler.END
            await update.effective_message.reply_text(f"question {index}")
            return index

        return handler

    conversation = ConversationHandler(
        entry_points=[MessageHandler(filters.COMMAND, step(0))],
        states={
            i: [MessageHandler(filters.TEXT & ~filters.COMMAND, step(i + 1))]
            for i in range(len(KEYS))
        },
        fallbacks=[],
        name="crs",
        persistent=True,
    )
    app.add_handler(conversation)
    await app.initialize()
    # Flushed every update, as a crash-safe bot must.
    return await drive(app, chats, flush=True)


def loopback_latency(samples: int = 40) -> list[float]:
    """Milliseconds from an update offered over HTTP to the bot's reply arriving, real process."""
    from tests.bot.fake_telegram import FakeTelegram  # noqa: PLC0415
    from tests.bot.harness import TOKEN as E2E_TOKEN  # noqa: PLC0415
    from tests.bot.harness import BotProcess  # noqa: PLC0415

    fake = FakeTelegram(E2E_TOKEN).start()
    with tempfile.TemporaryDirectory() as tmp:
        process = BotProcess(fake, Path(tmp) / "bot.sqlite3").start()
        try:
            fake.send_text(5, "/crs")
            fake.wait_messages(5, 1)
            latencies = []
            for n in range(samples):
                count = len(fake.sent(5))
                start = time.monotonic()
                fake.send_text(5, "help" if n % 2 else "back")
                fake.wait_for(lambda c=count: len(fake.sent(5)) >= c + 2)
                latencies.append((fake.sent(5)[count].at - start) * 1000)
        finally:
            process.stop()
            fake.stop()
    return latencies


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours_small = asyncio.run(ours(folder, 100, 150))
        ours_large = asyncio.run(ours(folder, 10_000, 150))
        common = asyncio.run(common_way(folder, 150))
    m_ours, m_common = statistics.median(ours_small), statistics.median(common)
    print(
        f"our bot, process_update + SQLite write-through: median {m_ours:.2f} ms, "
        f"p99 {p99(ours_small):.2f} ms over {len(ours_small)} updates; target p99 5 ms; "
        f"ratio {p99(ours_small) / 5:.2f}"
    )
    print(
        f"ConversationHandler + PicklePersistence flushed every update: median {m_common:.2f} "
        f"ms, p99 {p99(common):.2f} ms; ours / common median ratio {m_ours / m_common:.2f}"
    )
    m_large = statistics.median(ours_large)
    print(
        f"stored sessions 100 → 10,000: median {m_ours:.2f} → {m_large:.2f} ms per update; "
        f"ratio {m_large / m_ours:.2f} (target ≤ 1.20)"
    )
    latencies = loopback_latency()
    print(
        f"end to end over loopback HTTP (fake Bot API, real bot process, long polling): "
        f"median {statistics.median(latencies):.1f} ms, p99 {p99(latencies):.1f} ms "
        f"over {len(latencies)} messages"
    )


if __name__ == "__main__":
    main()
