"""The chat service and SQLite store: durability settings, the outbox, duplicates without
assuming order, answers never applied to an unseen question, truthful failures, privacy at rest,
per-chat order; and Telegram rendering limits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.service import BlockedError, ChatService, NotSavedError
from bot.store import APPLIED_WINDOW, AsyncStore, OutRow, Store, StoreGoneError, hash_user
from bot.telegram.render import MAX_TEXT, callback_data, split_text, to_html
from dialogs import texts
from dialogs.chat.messages import Event, Reply
from tests.bot import database
from tests.packaged import PARTS

ENGINE = PARTS.engine
QUESTIONS = PARTS.questions
SALT = "s"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        """The current fake time."""
        return self.now


class Sender:
    """A transport that records what it delivered, with Telegram-like dates, and can fail."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.date = 100
        self.failures: list[Exception] = []
        self.down = False

    async def __call__(self, chat_id: int, row: OutRow) -> int:
        """Deliver one row, or fail as told."""
        if self.failures:
            raise self.failures.pop(0)
        if self.down:
            raise ConnectionError("down")
        self.date += 1
        self.sent.append((chat_id, row.text or ""))
        return self.date

    def texts(self, chat_id: int) -> list[str]:
        """Texts delivered to a chat, in order."""
        return [text for chat, text in self.sent if chat == chat_id]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite store in a temporary folder."""
    real = Store(tmp_path / "bot.sqlite3", salt=SALT)
    yield real
    real.close()


def service(store: Store, clock: Clock | None = None, sender: Sender | None = None) -> ChatService:
    return ChatService(
        engine=ENGINE,
        store=AsyncStore(store),
        salt=SALT,
        expiry_seconds=12 * 3600,
        clock=clock or Clock(),
        send=sender or Sender(),
        backoff_start=0.01,
    )


def test_store_uses_wal_and_full_sync(store: Store) -> None:
    """The database is in WAL mode with synchronous=FULL."""
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2


async def test_session_and_its_replies_are_stored_before_sending(store: Store) -> None:
    """After a turn the new session and its reply are in SQLite, even when sending failed."""
    sender = Sender()
    chat = service(store, sender=sender)
    await chat.start(7, 1, "crs")
    sender.down = True
    outcome = await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    stored = store.load(7)
    assert stored is not None
    assert stored.session == outcome.session
    assert stored.session.answers["temperature"] == {"value": 38.6, "unit": "C"}
    (question,) = stored.unsent
    assert question.text is not None
    assert "Has the patient" in question.text


async def test_unsent_replies_are_sent_at_start_up(tmp_path: Path) -> None:
    """A reply saved but never delivered (Telegram down, then a crash) is sent by the next run."""
    first_store = Store(tmp_path / "bot.sqlite3", salt=SALT)
    down = Sender()
    first = service(first_store, sender=down)
    await first.start(7, 1, "crs")
    down.down = True
    await first.handle(7, 70, 2, Event.text("38.6"), date=200)
    expected = first_store.load(7).unsent[0].text  # type: ignore[union-attr]
    first_store.db.close()  # a crash: nothing flushed
    second_store = Store(tmp_path / "bot.sqlite3", salt=SALT)
    sender = Sender()
    second = service(second_store, sender=sender)
    task = asyncio.create_task(second.run_sender())
    try:
        await _until(lambda: sender.texts(7) == [expected])
    finally:
        task.cancel()
    second_store.close()


async def test_a_redelivered_update_resends_the_current_question(store: Store) -> None:
    """An update Telegram sends again is not applied twice: the doctor sees the question again."""
    sender = Sender()
    chat = service(store, sender=sender)
    await chat.start(7, 1, "crs")
    first = await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    again = await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    assert again.duplicate
    assert store.load(7).session == first.session  # type: ignore[union-attr]
    question = sender.texts(7)[-1]
    assert sender.texts(7)[-2:] == [question, question]


async def test_update_ids_that_restart_low_are_still_applied(store: Store) -> None:
    """Telegram may restart update ids low: a new low id is applied, not taken as a repeat."""
    chat = service(store)
    await chat.start(7, 900_001, "crs")
    await chat.handle(7, 70, 900_002, Event.text("38.6"), date=200)
    outcome = await chat.handle(7, 70, 3, Event.text("none"), date=300)
    assert not outcome.duplicate
    assert store.load(7).session.answers["prior_treatment"] == []  # type: ignore[union-attr]


async def test_the_window_of_applied_ids_is_bounded(store: Store) -> None:
    """Each chat keeps a bounded window of applied update ids."""
    chat = service(store)
    for update_id in range(1, APPLIED_WINDOW + 30):
        await chat.handle(7, 70, update_id, Event.command("help"))
    applied = store.load(7).applied  # type: ignore[union-attr]
    assert len(applied) == APPLIED_WINDOW
    assert applied[-1] == APPLIED_WINDOW + 29


async def test_a_typed_answer_to_an_undelivered_question_is_not_applied(store: Store) -> None:
    """Question not delivered (Telegram down): a typed '4' is not taken as its answer; the
    question is shown again with why."""
    sender = Sender()
    chat = service(store, sender=sender)
    await chat.start(7, 1, "crs")
    await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    before = store.load(7).session  # type: ignore[union-attr]
    sender.down = True
    await chat.handle(7, 70, 3, Event.text("none"), date=300)  # applied; its reply not delivered
    applied = store.load(7).session  # type: ignore[union-attr]
    assert applied != before
    sender.down = False
    outcome = await chat.handle(7, 70, 4, Event.text("4"), date=400)
    assert not outcome.applied
    stored = store.load(7)
    assert stored is not None
    assert stored.session == applied
    assert sender.texts(7)[-2] == texts.NOT_APPLIED
    assert sender.texts(7)[-1] == "Blood pressure support?"


async def test_a_message_sent_before_the_question_arrived_is_not_applied(store: Store) -> None:
    """A typed answer dated before its question was delivered answered an earlier question."""
    sender = Sender()
    chat = service(store, sender=sender)
    await chat.start(7, 1, "crs")
    shown = sender.date
    outcome = await chat.handle(7, 70, 2, Event.text("38.6"), date=shown - 5)
    assert not outcome.applied
    assert "temperature" not in store.load(7).session.answers  # type: ignore[union-attr]
    outcome = await chat.handle(7, 70, 3, Event.text("38.6"), date=sender.date)
    assert outcome.applied


async def test_expiry_shows_the_menu_and_applies_nothing_typed(store: Store) -> None:
    """After 12 h the dialog is dropped; a typed '2' does not start a dialog from the menu."""
    clock = Clock()
    sender = Sender()
    chat = service(store, clock, sender)
    await chat.start(7, 1, "crs")
    await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    clock.now += 12 * 3600 + 1
    outcome = await chat.handle(7, 70, 3, Event.text("2"), date=10_000)
    assert outcome.replies[0].text.startswith("Your previous dialog expired after 12 hours")
    assert outcome.session.dialog == "menu"
    assert store.load(7).session.dialog == "menu"  # type: ignore[union-attr]


async def test_a_failed_send_is_retried_until_delivered(store: Store) -> None:
    """sendMessage failing many times: the background sender keeps trying and delivers."""
    sender = Sender()
    chat = service(store, sender=sender)
    task = asyncio.create_task(chat.run_sender())
    try:
        sender.failures = [ConnectionError("x")] * 8
        await chat.start(7, 1, "crs")
        await _until(lambda: len(sender.texts(7)) == 1)
    finally:
        task.cancel()
    assert store.load(7).unsent == ()  # type: ignore[union-attr]


async def test_a_reply_replaced_by_the_next_turn_is_never_sent(store: Store) -> None:
    """A reply still failing when the doctor moves on (/cancel) is dropped; the new one is sent."""
    sender = Sender()
    chat = service(store, sender=sender)
    await chat.start(7, 1, "crs")
    sender.down = True
    await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    sender.down = False
    await chat.handle(7, 70, 3, Event.command("cancel"))
    delivered = sender.texts(7)
    assert not any(t.startswith("Recorded") for t in delivered)
    assert delivered[-2] == texts.CANCELLED


async def test_a_chat_that_blocked_the_bot_is_dropped(store: Store) -> None:
    """403: the chat's unsent replies and pending reminders are cancelled, not retried."""
    sender = Sender()
    chat = service(store, sender=sender)
    store.add_reminder(7, 0, "crs")
    sender.failures = [BlockedError()]
    await chat.start(7, 1, "crs")
    assert store.load(7).unsent == ()  # type: ignore[union-attr]
    assert store.due_reminders(10) == []
    assert chat._retry == {}


async def test_a_failed_write_says_not_saved_and_changes_nothing(store: Store) -> None:
    """A write refused (a read-only file system): the turn raises NotSavedError (the doctor is
    told to send again); the session in memory and on disk is the one before."""
    chat = service(store)
    await chat.start(7, 1, "crs")
    before = store.load(7)
    store.db.execute("PRAGMA query_only = ON")
    with pytest.raises(NotSavedError):
        await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    assert store.load(7) == before
    store.db.execute("PRAGMA query_only = OFF")
    outcome = await chat.handle(7, 70, 3, Event.text("38.6"), date=10_000)
    assert outcome.session.answers["temperature"] == {"value": 38.6, "unit": "C"}


async def test_a_deleted_database_stops_the_bot_loudly(store: Store, tmp_path: Path) -> None:
    """The database file deleted under the running bot: the next turn is refused and the
    service asks to stop."""
    stops: list[BaseException] = []
    chat = service(store)
    chat.on_fatal = stops.append
    await chat.start(7, 1, "crs")
    (tmp_path / "bot.sqlite3").unlink()
    with pytest.raises(NotSavedError):
        await chat.handle(7, 70, 2, Event.text("38.6"), date=10_000)
    assert len(stops) == 1
    assert isinstance(stops[0], StoreGoneError)


async def test_audit_records_hash_dialog_grades_version_and_no_free_text(store: Store) -> None:
    """A finished CRS dialog writes one audit row: hashed user, dialog, grades, version."""
    chat = service(store)
    await chat.start(7, 1, "crs")
    answers = ["FREE-TEXT about the patient", "38.6", "none", "none", "room air"]
    for number, text in enumerate(answers, start=2):
        await chat.handle(7, 70, number, Event.text(text), date=10_000)
    await chat.handle(7, 70, 9, Event.text("70"), date=10_000)
    rows = database.rows(
        store.path, "SELECT at, user_hash, dialog, grades, guideline FROM audit ORDER BY id"
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["user_hash"] == hash_user(70, SALT)
    assert row["user_hash"] != "70"
    assert (row["dialog"], row["guideline"]) == ("crs", "ACLIN.P.088 v2.1")
    # The grades as data (the grader's grade and per-domain grades), not the rendered headline.
    grades = json.loads(str(row["grades"]))
    assert grades == [{"toxicity": "CRS", "grade": 1, "domains": [["fever", 1]]}]
    dump = json.dumps(rows)
    assert "FREE" not in dump
    assert "38.6" not in dump
    assert "FREE-TEXT" not in database.dump(store.path, "SELECT * FROM chats")


async def test_a_result_keeps_its_answers_until_the_session_expires(store: Store) -> None:
    """After the result the answers and the patient context stay (to change an answer, to offer
    the context to the next dialog) while the result's text leaves the outbox once delivered;
    at expiry the sweep erases both. No chat id is stored in clear."""
    clock = Clock()
    chat = service(store, clock)
    await chat.start(7, 1, "crs")
    for number, text in enumerate(["38.6", "none", "none", "room air", "70"], start=2):
        await chat.handle(7, 70, number, Event.text(text), date=10_000)
    store.flush()
    outbox = database.dump(store.path, "SELECT * FROM outbox")
    assert "CRS grade" not in outbox
    assert "Handover" not in outbox
    chats = database.dump(store.path, "SELECT * FROM chats")
    assert "38.6" in chats  # kept for "Change an answer"
    assert database.dump(store.path, "SELECT COUNT(*) FROM chats WHERE key = 7") == "[[0]]"
    assert database.dump(store.path, "SELECT chat_id FROM outbox WHERE chat_id IS NOT NULL") == "[]"
    outcome = await chat.handle(7, 70, 20, Event.text("anything"), date=10_000)
    assert outcome.replies[0].kind == "error"
    assert outcome.session.state == "result"  # nothing swallowed, nothing lost
    # Back at the menu the patient context alone keeps the chat open, so the sweep erases it.
    outcome = await chat.handle(7, 70, 21, Event.command("cancel"), date=10_000)
    assert outcome.session.dialog == "menu"
    assert outcome.session.patient is not None
    store.flush()
    assert "kg" in database.dump(store.path, "SELECT * FROM chats")
    clock.now += 13 * 3600
    assert store.sweep_expired(clock.now - 12 * 3600) == 1
    store.flush()
    chats = database.dump(store.path, "SELECT * FROM chats")
    assert "38.6" not in chats
    assert "kg" not in chats


async def test_expired_dialogs_are_erased_by_the_sweep(store: Store) -> None:
    """An open dialog left past the expiry has its answers erased without waiting for the
    doctor to come back; when they do, they are told it expired."""
    clock = Clock()
    chat = service(store, clock)
    await chat.start(7, 1, "crs")
    await chat.handle(7, 70, 2, Event.text("38.6"), date=10_000)
    assert store.sweep_expired(clock.now - 3600) == 0
    clock.now += 13 * 3600
    assert store.sweep_expired(clock.now - 12 * 3600) == 1
    assert "38.6" not in database.dump(store.path, "SELECT * FROM chats, outbox")
    outcome = await chat.handle(7, 70, 3, Event.text("none"), date=20_000)
    assert outcome.replies[0].text.startswith("Your previous dialog expired")


def test_database_files_are_private(tmp_path: Path) -> None:
    """The database and its WAL files are readable by their owner only, even if they were not."""
    path = tmp_path / "bot.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    store = Store(path, salt=SALT)
    store.bulk_sessions([(1, ENGINE.new_session())], 0)
    for name in ("bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    store.close()


def test_sessions_of_the_first_schema_move_under_hashed_keys(tmp_path: Path) -> None:
    """A database of the first schema (sessions by chat id) keeps its dialogs, ids removed."""
    path = tmp_path / "bot.sqlite3"
    session = ENGINE.start("crs")[0]
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE sessions (chat_id INTEGER PRIMARY KEY, session TEXT NOT NULL, "
            "updated_at REAL NOT NULL, last_update_id INTEGER NOT NULL DEFAULT 0)"
        )
        db.execute("INSERT INTO sessions VALUES (424242, ?, 5, 9)", (session.model_dump_json(),))
    db.close()
    store = Store(path, salt=SALT)
    assert store.load(424242).session == session  # type: ignore[union-attr]
    assert "424242" not in database.dump(store.path, "SELECT * FROM chats")
    store.close()


def test_a_database_indexed_by_write_time_is_moved_to_the_index_of_open_dialogs(
    tmp_path: Path,
) -> None:
    """The earlier index of open dialogs by write time (rewritten by every answer) is replaced
    by one on `open` alone; the sweep still finds what expired, and only that."""
    path = tmp_path / "bot.sqlite3"
    Store(path, salt=SALT).close()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP INDEX chats_opened")
        db.execute("CREATE INDEX chats_open ON chats (updated_at) WHERE open = 1")
    store = Store(path, salt=SALT)
    indexes = json.loads(database.dump(path, "SELECT name FROM sqlite_master WHERE type='index'"))
    assert ["chats_open"] not in indexes
    assert ["chats_opened"] in indexes
    open_dialog, menu = ENGINE.start("crs")[0], ENGINE.new_session()
    store.bulk_sessions([(1, open_dialog), (2, menu)], now=100)
    store.bulk_sessions([(3, open_dialog)], now=5_000)
    assert store.sweep_expired(1_000) == 1
    assert store.load(1).expired  # type: ignore[union-attr]
    assert not store.load(3).expired  # type: ignore[union-attr]
    store.close()


async def test_an_answer_mid_dialog_writes_two_pages(store: Store) -> None:
    """An answer that keeps its dialog open writes the chat's row and its replies: two pages
    of the write-ahead log, nothing else (no index moves with the time of the write)."""
    chat = service(store)
    await chat.start(7, 1, "crs")
    await chat.handle(7, 70, 2, Event.text("38.6"), date=200)
    store.flush()
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await chat.handle(7, 70, 3, Event.command("help"), date=300)
    (page_size,) = store.db.execute("PRAGMA page_size").fetchone()
    wal = _size(Path(f"{store.path}-wal"))
    header, frame_header = 32, 24
    assert (wal - header) // (page_size + frame_header) == 2


async def test_one_chats_updates_run_in_order_while_chats_run_concurrently(store: Store) -> None:
    """Many updates fired at once: each chat applies its own in order; no cross-talk; no lock
    is left behind."""
    chat = service(store)
    await asyncio.gather(chat.start(1, 1, "crs"), chat.start(2, 2, "icans"))
    answers = {1: ["38.6", "none", "none"], 2: ["45", "8", "alert"]}
    tasks = []
    for index in range(3):
        for chat_id, typed in answers.items():
            tasks.append(
                chat.handle(
                    chat_id, chat_id, 10 + index * 2 + chat_id, Event.text(typed[index]), 10**6
                )
            )
    await asyncio.gather(*tasks)
    one, two = store.load(1), store.load(2)
    assert one is not None
    assert two is not None
    assert one.session.state == "o2"
    assert two.session.state == "seiz"
    assert "temperature" not in two.session.answers
    assert len(chat.locks) == 0


WALK = ["38.9", "none", "fluids", "no", "room air"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["redeliver", "stale", "late"]), st.integers(0, 50))))
def test_noise_never_changes_an_answer_the_doctor_did_not_give(
    noise: list[tuple[str, int]],
) -> None:
    """Random re-delivered, stale-button and late (sent before the question showed) updates
    interleaved with a doctor's answers: the answers stored are exactly the doctor's."""
    asyncio.run(_walk_with_noise(noise))


async def _walk_with_noise(noise: list[tuple[str, int]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bot.sqlite3", salt=SALT)
        sender = Sender()
        chat = service(store, sender=sender)
        await chat.start(7, 1, "crs")
        done: list[tuple[int, Event]] = []
        next_id = 2
        pending = list(noise)
        for answer in WALK:
            while pending and pending[0][1] % 3 == 0:
                kind, pick = pending.pop(0)
                if kind == "redeliver" and done:
                    update_id, event = done[pick % len(done)]
                    await chat.handle(7, 70, update_id, event, date=0)
                elif kind == "stale":
                    await chat.handle(7, 70, next_id, Event.option("prior.steroids", step=0))
                    next_id += 1
                else:
                    shown = store.load(7).rows[-1].sent_date or 0  # type: ignore[union-attr]
                    await chat.handle(7, 70, next_id, Event.text("4"), date=shown - 1)
                    next_id += 1
            if pending:
                pending.pop(0)
            event = Event.text(answer)
            await chat.handle(7, 70, next_id, event, date=sender.date)
            done.append((next_id, event))
            next_id += 1
        got = store.load(7).session.answers  # type: ignore[union-attr]
        store.close()
    clean = ENGINE.start("crs")[0]
    for answer in WALK:
        clean, _ = ENGINE.handle(clean, Event.text(answer))
    assert {k: v for k, v in got.items()} == clean.answers


def _size(path: Path) -> int:
    """A file's size in bytes (read outside the event loop's timing concerns: a test helper)."""
    return path.stat().st_size


async def _until(predicate: object, seconds: float = 10) -> None:
    """Wait (without blocking the loop) until the predicate holds."""
    assert callable(predicate)
    for _ in range(int(seconds / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


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


def _reminder_text(reminder: object) -> str:
    return f"REMINDER {getattr(reminder, 'kind', '')}"


async def test_one_reminder_per_chat_and_kind(store: Store) -> None:
    """A double tap sets one reminder (the second moves it), per chat and kind."""
    store.add_reminder(7, 100, "crs")
    store.add_reminder(7, 200, "crs")
    store.add_reminder(7, 150, "neuro")
    store.add_reminder(8, 100, "crs")
    due = store.due_reminders(1_000)
    assert sorted((r.chat_id, r.kind, r.due_at) for r in due) == [
        (7, "crs", 200),
        (7, "neuro", 150),
        (8, "crs", 100),
    ]


async def test_a_due_reminder_is_marked_before_sending_and_sent_once(tmp_path: Path) -> None:
    """Due reminders move into the outbox in one transaction; a crash before sending leaves
    them there (sent by the next run), and once sent they are gone, id and all."""
    path = tmp_path / "bot.sqlite3"
    first = Store(path, salt=SALT)
    first.add_reminder(7, 100, "crs")
    assert first.queue_reminders(1_000, _reminder_text) == 1
    assert first.due_reminders(1_000) == []
    first.db.close()  # a crash before sending
    second = Store(path, salt=SALT)
    sender = Sender()
    chat = service(second, sender=sender)
    assert second.queue_reminders(1_000, _reminder_text) == 0
    await chat.deliver_reminders()
    await chat.deliver_reminders()
    assert sender.texts(7) == ["REMINDER crs"]
    second.flush()
    assert database.dump(second.path, "SELECT * FROM outbox") == "[]"
    assert database.dump(second.path, "SELECT * FROM reminders") == "[]"
    second.close()


async def test_a_reminder_to_a_chat_that_blocked_the_bot_is_cancelled(store: Store) -> None:
    """403 on a reminder: it and the chat's other pending reminders are dropped, not retried."""
    sender = Sender()
    chat = service(store, sender=sender)
    store.add_reminder(7, 100, "crs")
    store.add_reminder(7, 10**9, "neuro")
    store.queue_reminders(1_000, _reminder_text)
    sender.failures = [BlockedError()]
    await chat.deliver_reminders()
    await chat.deliver_reminders()
    assert sender.sent == []
    assert store.reminder_rows() == []
    assert database.dump(store.path, "SELECT * FROM reminders") == "[]"


def test_a_replaced_database_file_is_detected(store: Store, tmp_path: Path) -> None:
    """Another file moved over the database path (a restore, a mistaken copy) is not ours."""
    store.check()
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).close()
    other.replace(tmp_path / "bot.sqlite3")
    with pytest.raises(StoreGoneError, match="deleted or replaced"):
        store.check()
