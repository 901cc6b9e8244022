"""The chat service and SQLite store: durability settings, audit without free text, expiry,
re-delivered updates, per-chat order; and Telegram rendering limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.service import ChatService
from bot.store import AsyncStore, Store, hash_user
from bot.telegram_render import MAX_TEXT, callback_data, split_text, to_html
from dialogs.messages import Event, Reply
from tests.packaged import PARTS

ENGINE = PARTS.engine
QUESTIONS = PARTS.questions


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        """The current fake time."""
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite store in a temporary folder."""
    real = Store(tmp_path / "bot.sqlite3")
    yield real
    real.close()


def service(store: Store, clock: Clock) -> ChatService:
    return ChatService(
        engine=ENGINE, store=AsyncStore(store), salt="s", expiry_seconds=12 * 3600, clock=clock
    )


def test_store_uses_wal_and_full_sync(store: Store) -> None:
    """The database is in WAL mode with synchronous=FULL."""
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2


async def test_session_is_stored_before_the_reply(store: Store) -> None:
    """After handle returns, the new session is already in SQLite."""
    chat = service(store, Clock())
    await chat.start(7, 1, "crs")
    outcome = await chat.handle(7, 70, 2, Event.text("38.6"))
    stored = store.load(7)
    assert stored is not None
    assert stored.session == outcome.session
    assert stored.session.answers["temperature"] == {"value": 38.6, "unit": "C"}


async def test_audit_records_hash_dialog_grades_version_and_no_free_text(store: Store) -> None:
    """A finished CRS dialog writes one audit row: hashed user, dialog, grades, version."""
    chat = service(store, Clock())
    await chat.start(7, 1, "crs")
    texts = ["FREE-TEXT about the patient", "38.6", "none", "none", "room air"]
    for number, text in enumerate(texts, start=2):
        await chat.handle(7, 70, number, Event.text(text))
    await chat.handle(7, 70, 9, Event.text("70"))
    rows = store.audit_rows()
    assert len(rows) == 1
    row = rows[0]
    assert row["user_hash"] == hash_user(70, "s")
    assert row["user_hash"] != "70"
    assert (row["dialog"], row["grades"], row["guideline"]) == (
        "crs",
        "CRS grade 1",
        "ACLIN.P.088 v2.1",
    )
    dump = json.dumps(rows)
    assert "FREE" not in dump
    assert "38.6" not in dump
    assert "FREE-TEXT" not in store.execute_json("SELECT * FROM sessions")


async def test_expired_session_starts_again_with_a_notice(store: Store) -> None:
    """After 12 h without an answer the dialog is dropped and the doctor told why."""
    clock = Clock()
    chat = service(store, clock)
    await chat.start(7, 1, "crs")
    await chat.handle(7, 70, 2, Event.text("38.6"))
    clock.now += 12 * 3600 + 1
    outcome = await chat.handle(7, 70, 3, Event.text("none"))
    assert outcome.replies[0].text.startswith("Your previous dialog expired after 12 hours")
    assert outcome.session.dialog == "menu"


async def test_a_redelivered_update_is_not_applied_twice(store: Store) -> None:
    """An update Telegram sends again after a crash is recognised by its id and skipped."""
    chat = service(store, Clock())
    await chat.start(7, 1, "crs")
    first = await chat.handle(7, 70, 2, Event.text("38.6"))
    again = await chat.handle(7, 70, 2, Event.text("38.6"))
    assert again.duplicate
    assert again.replies == []
    assert store.load(7).session == first.session  # type: ignore[union-attr]


async def test_one_chats_updates_run_in_order_while_chats_run_concurrently(store: Store) -> None:
    """Many updates fired at once: each chat applies its own in order; no cross-talk."""
    chat = service(store, Clock())
    await asyncio.gather(chat.start(1, 1, "crs"), chat.start(2, 2, "icans"))
    answers = {1: ["38.6", "none", "none"], 2: ["45", "8", "alert"]}
    tasks = []
    for index in range(3):
        for chat_id, texts in answers.items():
            tasks.append(
                chat.handle(chat_id, chat_id, 10 + index * 2 + chat_id, Event.text(texts[index]))
            )
    await asyncio.gather(*tasks)
    one, two = store.load(1), store.load(2)
    assert one is not None
    assert two is not None
    assert one.session.state == "o2"
    assert two.session.state == "seiz"
    assert "temperature" not in two.session.answers


def test_every_option_fits_telegram_callback_data() -> None:
    """Every option id, with a large step number, fits Telegram's 64-byte callback data."""
    for question in QUESTIONS.values():
        for choice in question.choices:
            assert len(callback_data(999_999_999, question.option_id(choice)).encode()) <= 64
        for extra in ("done", "confirm_yes", "confirm_no"):
            callback_data(999_999_999, f"{question.id.value}.{extra}")


def test_user_text_is_html_escaped() -> None:
    """Anything that reaches a message is escaped for HTML parse mode."""
    html = to_html(Reply(text="Recorded: <b>x</b> & <script>", kind="question"))
    assert html == "Recorded: &lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;"


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=300), max_size=60)
)
def test_long_text_splits_at_line_boundaries_under_the_limit(lines: list[str]) -> None:
    """Split chunks stay under the limit and join back to the original text."""
    text = "\n".join(lines)
    chunks = split_text(text, limit=500)
    assert all(len(c) <= 500 for c in chunks)
    assert "\n".join(chunks) == text


def test_a_long_result_is_split_below_telegrams_limit() -> None:
    """A real long result splits at line boundaries under 4096 characters."""
    text = "\n".join(f"• line {n} " + "x" * 80 for n in range(200))
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(c) <= MAX_TEXT < 4096 for c in chunks)
    assert all(not c.startswith("\n") for c in chunks)
