"""Through the real PTB Application (offline Bot API): random interleavings of re-delivered,
edited, stale and late updates never change an answer the doctor did not give."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.settings import Settings
from bot.store import Store
from bot.telegram.app import build_application
from dialogs.chat.messages import Event
from tests.bot.offline import OfflineBotApi
from tests.packaged import PARTS

ENGINE = PARTS.engine
TOKEN = "1:offline"  # noqa: S105 - a fake token for an offline request object
SALT = "noise"
DOCTOR = 4711
WALK = ["38.9", "none", "fluids", "no", "room air"]
NOISE = st.lists(
    st.tuples(st.sampled_from(["redeliver", "edit", "stale", "late", "photo"]), st.integers(0, 9)),
    max_size=12,
)


def _message(message_id: int, text: str | None, date: int, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": message_id,
        "date": date,
        "chat": {"id": DOCTOR, "type": "private"},
        "from": {"id": DOCTOR, "is_bot": False, "first_name": "Dr"},
        **extra,
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return body


async def _run(noise: list[tuple[str, int]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bot.sqlite3", salt=SALT)
        api = OfflineBotApi()
        config = Settings(telegram_token=TOKEN, audit_salt=SALT)
        app, _ = build_application(config, ENGINE, store, request=api, updates_request=api)
        await app.initialize()
        update_ids = itertools.count(1)
        message_ids = itertools.count(100)
        genuine: list[dict[str, Any]] = []

        async def feed(data: dict[str, Any]) -> None:
            await app.process_update(Update.de_json(data, app.bot))

        first = {"update_id": next(update_ids), "message": _message(1, "/crs", api.now)}
        await feed(first)
        genuine.append(first)
        pending = list(noise)
        for answer in WALK:
            while pending and pending[0][1] % 2 == 0:
                kind, pick = pending.pop(0)
                old = genuine[pick % len(genuine)]
                if kind == "redeliver":
                    await feed(old)
                elif kind == "edit":
                    edited = {**old["message"], "text": "2", "edit_date": api.now}
                    await feed({"update_id": next(update_ids), "edited_message": edited})
                elif kind == "stale":
                    query = {
                        "id": str(pick),
                        "from": {"id": DOCTOR, "is_bot": False, "first_name": "Dr"},
                        "chat_instance": "ci",
                        "data": "0|prior.steroids",
                        "message": _message(2, "old question", api.now),
                    }
                    await feed({"update_id": next(update_ids), "callback_query": query})
                elif kind == "late":
                    late = _message(next(message_ids), "4", api.now - 50)
                    await feed({"update_id": next(update_ids), "message": late})
                else:
                    photo = _message(
                        next(message_ids),
                        None,
                        api.now,
                        photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
                    )
                    await feed({"update_id": next(update_ids), "message": photo})
            if pending:
                pending.pop(0)
            update = {
                "update_id": next(update_ids),
                "message": _message(next(message_ids), answer, api.now),
            }
            await feed(update)
            genuine.append(update)
        stored = store.load(DOCTOR)
        await app.shutdown()
        assert stored is not None
        return dict(stored.session.answers)


@settings(max_examples=25, deadline=None)
@given(NOISE)
def test_noise_through_telegram_never_changes_an_answer(noise: list[tuple[str, int]]) -> None:
    """Re-delivered, edited, stale-button, late and non-text updates interleaved with a doctor's
    typed answers, through PTB's Application: the answers stored are exactly the doctor's."""
    got = asyncio.run(_run(noise))
    clean = ENGINE.start("crs")[0]
    for answer in WALK:
        clean, _ = ENGINE.handle(clean, Event.text(answer))
    assert got == clean.answers
