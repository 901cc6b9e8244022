"""The Telegram handlers in process: the bot's real PTB `Application` (real handler table, real
SQLite store) over an offline Bot API, fed updates as Telegram sends them."""

from __future__ import annotations

import asyncio
import logging
import math
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import CallbackQueryHandler, Job

from bot.settings import Settings
from bot.store import Store
from bot.telegram.app import App, Bot, build_application
from tests.bot.offline import Chat, OfflineBotApi
from tests.packaged import PARTS

TOKEN = "1:offline"  # noqa: S105 - a fake token for an offline Bot API
SALT = "handlers"
DOCTOR = 4711
STALE = "That question has moved on. Answer the one below."
NOT_MINE = "That button is not one of mine."
CRS_DUE = "⏰ Time for the CRS assessment"


class Clock:
    """The bot's clock (seconds), moved on by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        """The time now."""
        return self.now


class Telegram:
    """The application, its handlers (`bot`), the offline Bot API and one doctor's chat."""

    def __init__(self, folder: Path, **config: Any) -> None:
        self.api = OfflineBotApi()
        self.clock = Clock()
        self.store = Store(folder / "bot.sqlite3", salt=SALT)
        settings = Settings(telegram_token=TOKEN, audit_salt=SALT, **config)
        self.app, self.bot = build_application(
            settings,
            PARTS.engine,
            self.store,
            request=self.api,
            updates_request=self.api,
            clock=self.clock,
        )
        self.chat = Chat(self.app.bot, self.api, DOCTOR)

    async def feed(self, update: Update) -> None:
        """Process one update as PTB's update fetcher would."""
        await self.app.process_update(update)

    async def say(self, text: str) -> dict[str, Any]:
        """Send text; return the last message the bot sent."""
        await self.feed(self.chat.message(text))
        return self.api.sent()[-1]

    async def tap(self, label: str, under: dict[str, Any] | None = None) -> None:
        """Tap a button of the bot's last message (or of `under`)."""
        await self.feed(self.chat.tap(under or self.api.sent()[-1], label))

    def answers(self) -> list[dict[str, Any]]:
        """Every answerCallbackQuery sent."""
        return self.api.sent("answerCallbackQuery")

    def reminder_jobs(self) -> list[Job[Any]]:
        """The job queue's jobs for stored reminders (not its retry job)."""
        assert self.app.job_queue is not None
        return [j for j in self.app.job_queue.jobs() if (j.name or "").startswith("reminder ")]

    def delivered(self, text: str) -> list[dict[str, Any]]:
        """Messages delivered that start with `text`."""
        return [m for m in self.api.sent() if m["text"].startswith(text)]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Started and stopped as run_polling does it: post_init, start; stop, post_stop."""
        app = self.app
        assert app.post_init is not None
        assert app.post_stop is not None
        await app.post_init(app)
        await app.start()
        try:
            yield
        finally:
            await app.stop()
            await app.post_stop(app)


@asynccontextmanager
async def telegram(**config: Any) -> AsyncIterator[Telegram]:
    """An initialised application over a fresh database (as `async with Application`)."""
    with tempfile.TemporaryDirectory() as folder:
        world = Telegram(Path(folder), **config)
        async with world.app:
            yield world
        world.store.close()


async def _crs_result(world: Telegram) -> dict[str, Any]:
    """A CRS assessment to its handover (the message with the reminder offers)."""
    await world.say("/crs")
    await world.say("38.4")
    await world.tap("None yet")
    await world.tap("No hypotension")
    await world.tap("Room air")
    await world.say("70")
    handover = world.api.sent()[-1]
    assert "rem:crs:" in str(handover["reply_markup"])
    return handover


def _handler_of(app: App, update: Update) -> object:
    """The callback of the first handler of group 0 that takes the update (PTB's own rule)."""
    for handler in app.handlers[0]:
        if handler.check_update(update):
            return handler.callback
    return None


async def test_each_kind_of_button_has_its_own_handler() -> None:
    """Answer, reminder and foreign data each reach their own CallbackQueryHandler."""
    async with telegram() as world:
        message = {"message_id": 5, "date": 1, "chat": {"id": DOCTOR, "type": "private"}}
        bot: Bot = world.bot
        kinds = {
            "3|prior.none": bot.on_answer,
            "rem:crs:7": bot.on_reminder_tap,
            "rem:neuro:12": bot.on_reminder_tap,
            "hello": bot.on_foreign_tap,
            "rem:lunch:7": bot.on_foreign_tap,
            "²|x": bot.on_foreign_tap,  # a digit to str.isdigit, not to int()
            "|x": bot.on_foreign_tap,
        }
        for data, handler in kinds.items():
            assert _handler_of(world.app, world.chat.query(data, message)) == handler, data
        patterns = [h for h in world.app.handlers[0] if isinstance(h, CallbackQueryHandler)]
        assert [h.pattern is not None for h in patterns] == [True, True, False]


async def test_an_answer_tap_moves_the_dialog_on_and_ticks_the_choice() -> None:
    """A tapped option is answered (no text), the next question comes, and the question's
    message is edited to show the choice."""
    async with telegram() as world:
        await world.say("/crs")
        question = await world.say("38.4")
        await world.tap("None yet")
        await world.api.wait_for(lambda: bool(world.api.sent("editMessageText")))
        assert world.answers() == [{"callback_query_id": world.answers()[0]["callback_query_id"]}]
        edit = world.api.sent("editMessageText")[0]
        assert edit["text"].endswith("✓ None yet")
        assert edit["text"].startswith(question["text"].split("\n")[0])
        assert world.api.sent()[-1]["text"] != question["text"]
        stored = world.store.load(DOCTOR)
        assert stored is not None
        assert "prior" in str(stored.session.answers)


async def test_a_tap_on_an_old_question_is_answered_moved_on_and_changes_nothing() -> None:
    """A button of a question already answered: 'moved on', no tick, the answers unchanged."""
    async with telegram() as world:
        await world.say("/crs")
        old = await world.say("38.4")
        await world.tap("None yet")
        before = world.store.load(DOCTOR)
        await world.tap("Steroids", under=old)
        await world.api.wait_for(lambda: len(world.answers()) == 2)
        assert world.answers()[-1]["text"] == STALE
        after = world.store.load(DOCTOR)
        assert before is not None
        assert after is not None
        assert after.session.answers == before.session.answers
        assert len(world.api.sent("editMessageText")) == 1  # the first tap's tick only


async def test_a_training_answer_goes_through_the_answer_handler() -> None:
    """/train's buttons are answers like any other: tapping a drill starts the rehearsal."""
    async with telegram() as world:
        menu = await world.say("/train")
        assert menu["text"].startswith("🎓 TRAINING")
        await world.tap("CRS grading")
        await world.api.wait_for(lambda: len(world.answers()) == 1)
        assert "text" not in world.answers()[0]
        assert world.api.sent()[-1]["text"].startswith("🎓 TRAINING")
        assert world.api.sent()[-1] is not menu


async def test_a_reminder_offer_under_the_result_sets_one_reminder() -> None:
    """Tapping 'remind me' under the result stores the reminder and says when it is due."""
    async with telegram() as world:
        handover = await _crs_result(world)
        taps = len(world.answers())
        await world.tap("⏰ Remind me: CRS review", under=handover)
        await world.api.wait_for(lambda: len(world.answers()) == taps + 1)
        assert "text" not in world.answers()[-1]
        assert world.api.sent()[-1]["text"].startswith("Reminder set for ")
        (reminder,) = world.store.due_reminders(math.inf)
        assert (reminder.chat_id, reminder.kind) == (DOCTOR, "crs")


async def test_a_reminder_offer_from_an_old_result_is_refused() -> None:
    """An offer whose step is not the session's (forged, or from an earlier result): refused."""
    async with telegram() as world:
        handover = await _crs_result(world)
        step = world.store.load(DOCTOR).session.step  # type: ignore[union-attr]
        taps = len(world.answers())
        await world.feed(world.chat.query(f"rem:crs:{step + 1}", handover))
        await world.api.wait_for(lambda: len(world.answers()) == taps + 1)
        assert world.answers()[-1]["text"] == STALE
        assert world.store.due_reminders(math.inf) == []


@pytest.mark.parametrize("data", ["3|prior.none", "rem:crs:3", "hello"])
async def test_a_button_of_an_inline_message_is_answered_and_ignored(data: str) -> None:
    """Buttons of inline messages (no chat message under them), of every kind: 'not mine'."""
    async with telegram() as world:
        await world.feed(world.chat.query(data))
        await world.api.wait_for(lambda: len(world.answers()) == 1)
        assert world.answers()[0]["text"] == NOT_MINE
        assert world.api.sent() == []
        assert world.store.load(DOCTOR) is None


async def _tap_data(data: str) -> tuple[list[dict[str, Any]], list[logging.LogRecord]]:
    errors: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record)

    keep = Keep(logging.ERROR)
    logging.getLogger().addHandler(keep)
    try:
        async with telegram() as world:
            question = await world.say("/crs")
            await world.feed(world.chat.query(data, question))
            await world.api.wait_for(lambda: len(world.answers()) >= 1)
            await asyncio.sleep(0)  # anything else the tap started
            return world.answers(), errors
    finally:
        logging.getLogger().removeHandler(keep)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=70) | st.from_regex(r"\A(rem:(crs|neuro|x):)?\d{0,3}\|?.{0,8}\Z"))
def test_any_button_data_is_answered_once_and_never_fails(data: str) -> None:
    """Whatever a button's data (forged, oversized, odd digits): one answer, no handler error."""
    answers, errors = asyncio.run(_tap_data(data))
    assert len(answers) == 1
    assert errors == []


def _in_hours(job: Job[Any], hours: float) -> bool:
    """Whether the job runs `hours` from now (to within a minute: the test's own run time)."""
    assert job.next_t is not None
    expected = datetime.now(UTC) + timedelta(hours=hours)
    return abs(job.next_t - expected) < timedelta(minutes=1)


async def test_a_reminder_tap_schedules_one_job_at_its_due_time() -> None:
    """'Remind me: CRS review in 12 h' puts a job in PTB's JobQueue 12 h ahead; a second tap
    moves the reminder and its job (still one of each)."""
    async with telegram() as world, world.running():
        handover = await _crs_result(world)
        await world.tap("⏰ Remind me: CRS review in 12 h", under=handover)
        (job,) = world.reminder_jobs()
        assert _in_hours(job, 12)
        world.clock.now += 3600
        await world.tap("⏰ Remind me: CRS review in 12 h", under=handover)
        (moved,) = world.reminder_jobs()
        assert moved.name == job.name
        assert _in_hours(moved, 12)
        assert len(world.store.due_reminders(math.inf)) == 1


async def test_a_job_that_comes_due_sends_the_reminder_the_store_holds_once() -> None:
    """When the job runs, the reminder (with its bed label) is read from SQLite and sent
    through the outbox; run again, it sends nothing more."""
    async with telegram() as world, world.running():
        handover = await _crs_result(world)
        await world.tap("⏰ Remind me: CRS review", under=handover)
        await world.say("/bed 12A")
        (job,) = world.reminder_jobs()
        world.clock.now += 12 * 3600 + 1
        await job.run(world.app)
        assert [m["text"] for m in world.delivered(CRS_DUE)] == [
            "⏰ Time for the CRS assessment (bed 12A). Start it with /crs."
        ]
        assert world.store.due_reminders(math.inf) == []
        await job.run(world.app)
        assert len(world.delivered(CRS_DUE)) == 1


async def test_a_job_run_early_sends_nothing() -> None:
    """The store is the truth: a job woken before its reminder is due (a moved reminder's old
    job, a clock change) leaves the reminder pending."""
    async with telegram() as world, world.running():
        handover = await _crs_result(world)
        await world.tap("⏰ Remind me: neuro review", under=handover)
        (job,) = world.reminder_jobs()
        world.clock.now += 3600
        await job.run(world.app)
        assert world.delivered("⏰ Time for") == []
        assert len(world.store.due_reminders(math.inf)) == 1


async def test_at_start_overdue_reminders_are_sent_and_later_ones_scheduled() -> None:
    """Reminders stored before a start: one overdue (the bot was down) is sent at once; one
    due in an hour gets a job an hour ahead and is not sent yet."""
    async with telegram() as world:
        world.store.add_reminder(DOCTOR, world.clock.now - 600, "crs")
        later = world.store.add_reminder(DOCTOR, world.clock.now + 3600, "neuro")
        async with world.running():
            await world.api.wait_for(lambda: bool(world.delivered(CRS_DUE)))
            (job,) = world.reminder_jobs()
            assert job.name == f"reminder {later}"
            assert _in_hours(job, 1)
        assert world.delivered("⏰ Time for the neurotoxicity") == []
        assert [r.id for r in world.store.due_reminders(math.inf)] == [later]


async def test_a_reminder_telegram_cannot_take_is_tried_again_until_sent() -> None:
    """Bad Gateway on every attempt of the first delivery: the reminder stays in the outbox
    and a retry job sends it, once."""
    async with telegram(reminder_poll_seconds=0.05, send_backoff_seconds=0.02) as world:
        world.store.add_reminder(DOCTOR, world.clock.now - 1, "crs")
        world.api.fail_next("sendMessage", 502, times=2)
        async with world.running():
            await world.api.wait_for(lambda: bool(world.delivered(CRS_DUE)))
            await asyncio.sleep(0.2)  # time for a wrong second send to show
        attempts = [c for c in world.api.calls if c.method == "sendMessage"]
        assert len(attempts) == 3
        assert len(world.delivered(CRS_DUE)) == 1
        assert world.store.reminder_rows() == []
