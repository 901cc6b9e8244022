"""The Telegram transport: the composition root and thin handlers over the chat service.

Every update is written to the store's inbox before PTB confirms it to Telegram (DurableQueue),
so a crash loses none. Replies of a turn go through the service's outbox (written with the
session, then sent in the chat's order). Calls that only acknowledge (answering a button, ticking
the chosen option) are best-effort and run beside the reply: a failure there is logged by type
and never costs the doctor the next question. Input the bot cannot apply safely (edits, group
chats, channel posts, media, foreign buttons, malformed updates) is explained or skipped and
changes nothing. Bot API calls go over small pools of kept-alive connections (GatedRequest).

Each kind of button has its own CallbackQueryHandler, told apart by its data's pattern: answers
(`step|option`, in dialogs and training alike), reminder offers (`rem:kind:step`), and anything
else (foreign or forged data). Reminders are kept in SQLite; PTB's JobQueue wakes the bot when
one comes due, and the job reads the store then and sends through the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.service import (
    BlockedError,
    ChatService,
    NotSavedError,
    Outcome,
    RetryLaterError,
    UndeliverableError,
)
from bot.settings import Settings
from bot.store import AsyncStore, Outgoing, OutRow, Reminder, Store, StoreGoneError
from bot.telegram.progress import progress_chart
from bot.telegram.render import (
    ANSWER_DATA,
    MAX_CALLBACK_BYTES,
    keyboard,
    to_html,
    to_messages,
)
from dialogs import texts
from dialogs.chat.engine import REMINDER_DIALOGS, DialogEngine
from dialogs.chat.messages import DIALOG_COMMANDS, Command, Event, Reply
from dialogs.chat.records import ReminderOffer
from dialogs.chat.session import Session
from dialogs.clinical.guideline import Guideline

__all__ = ["Bot", "GatedRequest", "SafeUpdatesRequest", "build_application", "send_with_retry"]

log = logging.getLogger("bot")
App = Application[Any, Any, Any, Any, Any, Any]
Hook = Callable[[App], Coroutine[Any, Any, None]]
_T = TypeVar("_T")

ENGINE_COMMANDS: dict[str, Command] = {
    "back": "back",
    "cancel": "cancel",
    "help": "help",
    "restart": "restart",
}
REMINDER_DATA = re.compile(r"^rem:(crs|neuro):(\d{1,12})$", re.ASCII)
# A reminder's job runs however late the event loop wakes it (APScheduler's default would skip
# a job more than a second late); jobs of one name that are overdue together run once.
REMINDER_JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}
RETRY_JOB = "reminders: retry"
BED_LABEL = re.compile(r"^[A-Za-z0-9-]{1,8}$")
MAX_ATTEMPTS = 5
STARTUP_BACKOFF_MAX = 60.0
POOL_SIZE = 8  # connections per pool to the Bot API (the getUpdates long poll has its own)
REPLY_POOLS = 3  # pools for replies; acknowledgements have one more
RAW_KEPT = 1000  # updates' JSON kept between getUpdates and PTB's queue
BUSY_MINOR_CALLS = 100  # waiting acknowledgements beyond which ✓ ticks are skipped
MINOR_METHODS = ("/answerCallbackQuery", "/editMessageText")


async def send_with_retry(call: Callable[[], Awaitable[_T]], attempts: int = MAX_ATTEMPTS) -> _T:
    """Call Telegram; wait out 429 (retry-after), retry timeouts and network errors, bounded."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            seconds = _seconds(error)
            log.warning("Telegram asked to slow down: retrying in %.1f s", seconds)
            await asyncio.sleep(seconds)
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest) or attempt == attempts:
                raise
            log.warning("Telegram call failed (%s): retry %d", type(error).__name__, attempt)
            await asyncio.sleep(delay)
            delay *= 2
    return await call()


def _seconds(error: RetryAfter) -> float:
    wait = error.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)


@dataclass
class Bot:
    """The pieces the handlers need, built once by the composition root."""

    settings: Settings
    service: ChatService
    guideline: Guideline
    sender_task: asyncio.Task[None] | None = None
    fatal: BaseException | None = None
    _background: set[asyncio.Task[Any]] = field(default_factory=set)
    # One delivery of due reminders at a time: two jobs due together must not both read, and
    # both send, the same outbox row before either marks it sent.
    _delivering: asyncio.Lock = field(default_factory=asyncio.Lock)

    def allowed(self, user_id: int | None) -> bool:
        """Whether a user may use the bot (everyone when no allowlist is set)."""
        allow = self.settings.allowed_user_ids
        return not allow or (user_id is not None and user_id in allow)

    def best_effort(
        self, call: Callable[[], Awaitable[Any]], what: str, cosmetic: bool = False
    ) -> None:
        """Run a minor Bot API call beside the reply; log its failure by type, never raise.

        A cosmetic call (the ✓ tick) is skipped while many minor calls wait: under load the
        answers that stop a button's spinner go first.
        """
        if cosmetic and len(self._background) > BUSY_MINOR_CALLS:
            return

        async def run() -> None:
            try:
                await call()
            except RetryAfter as error:
                log.warning("%s skipped: Telegram asked to wait %.0f s", what, _seconds(error))
            except Exception as error:
                log.warning("%s failed (%s); carrying on", what, type(error).__name__)

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def answer(self, context: ContextTypes.DEFAULT_TYPE, query_id: str, text: str | None) -> None:
        """Answer a tapped button (stops its spinner), best-effort, beside the reply."""
        params: dict[str, object] = {"callback_query_id": query_id}
        if text:
            params["text"] = text
        self.best_effort(
            lambda: raw_call(context.application, "answerCallbackQuery", params),
            "answering a button",
        )

    # --- handlers ---

    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop what must not reach a dialog: other chats than private, strangers, edits."""
        chat = update.effective_chat
        query = update.callback_query
        message = update.message or update.channel_post
        if chat is not None and chat.type != ChatType.PRIVATE and self.settings.private_only:
            self._explain(update, context, texts.PRIVATE_ONLY)
            raise ApplicationHandlerStop
        user = update.effective_user
        if not self.allowed(user.id if user else None):
            if query is not None or message is not None:
                self._explain(update, context, texts.REFUSED)
            raise ApplicationHandlerStop
        if update.edited_message is not None or update.edited_channel_post is not None:
            self._explain(update, context, texts.EDIT_IGNORED)
            raise ApplicationHandlerStop

    def _explain(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        """A short explanation, with no clinical content, where the update came from."""
        query = update.callback_query
        if query is not None:
            self.answer(context, query.id, text)
            return
        chat = update.effective_chat
        if chat is not None and update.effective_message is not None:
            chat_id = chat.id
            self.best_effort(
                lambda: send_with_retry(lambda: context.bot.send_message(chat_id, text), 3),
                "an explanation",
            )

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: the privacy notice and disclaimer, then the menu."""
        privacy = Reply(text=texts.PRIVACY, kind="info")
        await self.service.start(_chat(update), update.update_id, "menu", before=[privacy])

    async def on_dialog_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/seizure, /icp, /assess, /crs, /icans, /ice, /hlh, /dose: start that dialog."""
        name = DIALOG_COMMANDS[_command_name(update)]
        await self.service.start(_chat(update), update.update_id, name)

    async def on_engine_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/back, /cancel, /help, /restart: passed to the dialog."""
        await self._event(update, Event.command(ENGINE_COMMANDS[_command_name(update)]))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text: an answer to the current question. Never logged."""
        message = update.message
        if message is None or message.text is None:
            return
        await self._event(update, Event.text(message.text), int(message.date.timestamp()))

    async def on_other_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, stickers, files: say what the bot reads; change nothing."""
        self._explain(update, context, texts.NON_TEXT)

    async def on_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An answer button (`step|option`, dialogs and training alike): answered beside the
        reply; the question's message shows the choice."""
        query = update.callback_query
        assert query is not None  # a CallbackQueryHandler's update
        match = _matched(context)
        data = query.data or ""
        if query.message is None or match is None or len(data.encode()) > MAX_CALLBACK_BYTES:
            # Inline-message buttons, and empty or oversized (forged) data: answered, ignored.
            self.answer(context, query.id, texts.TAP_IGNORED)
            return
        step, option = int(match[1]), match[2]

        def acknowledge(outcome: Outcome) -> None:
            moved_on = any(r.kind == "stale" for r in outcome.replies)
            self.answer(context, query.id, texts.STALE if moved_on else None)
            if outcome.duplicate or moved_on or any(r.kind == "error" for r in outcome.replies):
                return
            label = _label_of(query, option)
            text = getattr(query.message, "text", None) or ""
            if label:
                # to_html escapes the question and the label alike.
                html = to_html(Reply(text=f"{text}\n\n{texts.CHOSEN.format(label=label)}"))
                where = query.message
                assert where is not None
                edit = {
                    "chat_id": where.chat.id,
                    "message_id": where.message_id,
                    "text": html,
                    "parse_mode": ParseMode.HTML.value,
                }
                self.best_effort(
                    lambda: raw_call(context.application, "editMessageText", edit),
                    "ticking the chosen option",
                    cosmetic=True,
                )

        await self.service.handle(
            _chat(update),
            _user(update),
            update.update_id,
            Event.option(option, step),
            then=acknowledge,
        )

    async def on_foreign_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button whose data is none of the bot's kinds (forged, or from elsewhere): answered,
        ignored."""
        query = update.callback_query
        assert query is not None  # CallbackQueryHandler
        self.answer(context, query.id, texts.TAP_IGNORED)

    async def on_progress(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/progress: accuracy per topic, the rules most often missed, and a chart."""
        chat_id = _chat(update)
        progress = await self.service.progress(_user(update))
        if not progress.topics:
            await send_with_retry(lambda: context.bot.send_message(chat_id, texts.PROGRESS_NONE))
            return
        lines = [texts.PROGRESS_TITLE]
        for index, (topic, total, right) in enumerate(progress.topics):
            mark = texts.PROGRESS_MARKS[index % len(texts.PROGRESS_MARKS)]
            lines.append(
                texts.PROGRESS_TOPIC.format(
                    mark=mark,
                    topic=topic,
                    right=right,
                    total=total,
                    percent=round(100 * right / total),
                )
            )
        if progress.missed:
            lines.append(texts.PROGRESS_MISSED)
            lines += [f"• {rule} (×{count})" for rule, count in progress.missed]
        text = "\n".join(lines)
        await send_with_retry(lambda: context.bot.send_message(chat_id, text))
        # Drawing and compressing the PNG is CPU work: keep it off the event loop.
        chart = await asyncio.to_thread(
            progress_chart, progress.topics, progress.history, self.service.timezone
        )
        await send_with_retry(
            lambda: context.bot.send_photo(chat_id, chart, caption=texts.PROGRESS_CAPTION)
        )

    async def on_bed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/bed 12A: a short bed label for the chat's pending reminders (no names)."""
        chat_id = _chat(update)
        label = " ".join(context.args or []).strip()
        store = self.service.store
        if not BED_LABEL.match(label):
            text = texts.BED_INVALID
        else:
            count = await store.run(Store.label_reminders, store.store, chat_id, label)
            text = texts.BED_SET.format(label=label, count=count) if count else texts.BED_NONE
        await send_with_retry(lambda: context.bot.send_message(chat_id, text))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error's type and frames (never its message: it may hold user input); tell
        the doctor truthfully whether their last answer was saved."""
        error = context.error
        log.error(
            "handler failed: %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )
        if isinstance(update, Update) and update.effective_chat is not None:
            chat_id = update.effective_chat.id
            text = texts.NOT_SAVED if isinstance(error, NotSavedError) else texts.ERROR_GENERIC
            with contextlib.suppress(Exception):
                await send_with_retry(lambda: context.bot.send_message(chat_id, text), attempts=2)

    # --- helpers ---

    async def _event(self, update: Update, event: Event, date: int | None = None) -> None:
        await self.service.handle(_chat(update), _user(update), update.update_id, event, date)

    def render(
        self, replies: Sequence[Reply], session: Session, offers: Sequence[ReminderOffer] = ()
    ) -> list[Outgoing]:
        """Replies as Telegram messages: HTML, split under the limit, buttons on the last chunk."""
        out: list[Outgoing] = []
        for position, reply in enumerate(replies):
            markup = keyboard(reply, session.step)
            if offers and position == len(replies) - 1:
                # A result's reminder offers go under the last message (the handover).
                markup = self._reminder_keyboard(offers[-1], markup)
            chunks = to_messages(reply)
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                data = json.dumps(markup.to_dict()) if (last and markup is not None) else None
                out.append(Outgoing(chunk, data))
        return out

    async def send_row(self, application: App, chat_id: int, row: OutRow) -> int:
        """Send one outbox message; return Telegram's date of it. Errors say what to do next."""
        params: dict[str, object] = {
            "chat_id": chat_id,
            "text": row.text or "",
            "parse_mode": ParseMode.HTML.value,
        }
        if row.markup:
            params["reply_markup"] = row.markup  # stored as the JSON Telegram takes
        try:
            message = await raw_call(application, "sendMessage", params)
        except RetryAfter as error:
            raise RetryLaterError(_seconds(error)) from None
        except Forbidden:
            raise BlockedError from None
        except BadRequest as error:
            raise UndeliverableError(type(error).__name__) from None
        date = message.get("date") if isinstance(message, dict) else None
        return date if isinstance(date, int) else 0

    def _intervals(self) -> dict[str, float]:
        hours = {r.id: r.interval_hours for r in self.guideline.routine.items if r.interval_hours}
        return {"crs": hours["monitor_crs"], "neuro": hours["monitor_neuro"]}

    def _reminder_keyboard(
        self, offer: ReminderOffer, before: InlineKeyboardMarkup | None = None
    ) -> InlineKeyboardMarkup:
        """The reminder offers, after the reply's own buttons (what next, the menu)."""
        labels = {"crs": texts.REMIND_CRS, "neuro": texts.REMIND_NEURO}
        own = [list(row) for row in before.inline_keyboard] if before is not None else []
        return InlineKeyboardMarkup(
            [
                *own,
                *(
                    [
                        InlineKeyboardButton(
                            labels[choice.kind].format(hours=f"{choice.hours:g}"),
                            callback_data=f"rem:{choice.kind}:{offer.step}",
                        )
                    ]
                    for choice in offer.choices
                ),
            ]
        )

    async def on_reminder_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reminder offer (`rem:kind:step`) under a result: store the reminder, have the job
        queue wake the bot when it is due, and say when that is."""
        query = update.callback_query
        assert query is not None  # a CallbackQueryHandler's update
        match = _matched(context)
        if query.message is None or match is None:
            self.answer(context, query.id, texts.TAP_IGNORED)
            return
        chat_id = _chat(update)
        store = self.service.store
        stored = await store.run(Store.load, store.store, chat_id)
        # An offer is valid only under the result that made it: same step, still at the result.
        valid = (
            stored is not None
            and stored.session.step == int(match[2])
            and stored.session.dialog in REMINDER_DIALOGS
            and stored.session.state == "result"
        )
        if not valid:
            self.answer(context, query.id, texts.STALE)
            return
        kind = match[1]
        hours = self._intervals()[kind]
        due = self.service.clock() + hours * 3600
        reminder_id = await store.run(Store.add_reminder, store.store, chat_id, due, kind, "")
        # A second tap moves the reminder (same id): its earlier job goes.
        self.schedule_delivery(_jobs(context.application), due, _job_name(reminder_id))
        when = datetime.fromtimestamp(due, self.service.timezone).strftime("%H:%M %Z on %d %b")
        self.answer(context, query.id, None)
        await send_with_retry(
            lambda: context.bot.send_message(chat_id, texts.REMINDER_SET.format(time=when))
        )

    def reminder_text(self, reminder: Reminder) -> str:
        """The message of a reminder that has come due."""
        label = f" (bed {reminder.label})" if reminder.label else ""
        return texts.REMINDER_DUE.format(
            what=texts.REMINDER_WHAT[reminder.kind],
            label=label,
            command=texts.REMINDER_COMMAND[reminder.kind],
        )

    async def deliver_reminders(self) -> None:
        """Queue due reminders into the outbox (marked before sending), then send them."""
        store = self.service.store
        async with self._delivering:
            now = self.service.clock()
            await store.run(Store.queue_reminders, store.store, now, self.reminder_text)
            await self.service.deliver_reminders()

    def schedule_delivery(self, jobs: JobQueue[Any], due: float, name: str) -> None:
        """Have the job queue deliver reminders at `due` (seconds on the service's clock), in
        place of any job of that name. The store stays the truth: the job reads it when it
        runs, so a reminder moved or cancelled meanwhile is sent as it is then, or not at all."""
        for job in jobs.get_jobs_by_name(name):
            job.schedule_removal()
        delay = max(0.0, due - self.service.clock())
        jobs.run_once(self.on_reminder_job, delay, name=name, job_kwargs=REMINDER_JOB_KWARGS)

    async def schedule_stored_reminders(self, jobs: JobQueue[Any]) -> int:
        """At start-up: a job for each reminder the store holds (those overdue run at once),
        and one now for reminder messages a crash left unsent. Return how many reminders."""
        store = self.service.store
        # Every reminder held: due by the end of time.
        pending = await store.run(Store.due_reminders, store.store, math.inf)
        for reminder in pending:
            self.schedule_delivery(jobs, reminder.due_at, _job_name(reminder.id))
        self.schedule_delivery(jobs, 0.0, RETRY_JOB)
        return len(pending)

    async def on_reminder_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reminder job: send what the store says is due. While some cannot be sent (or the
        store cannot be read), try again every REMINDER_POLL_SECONDS."""
        store = self.service.store
        try:
            await self.deliver_reminders()
            unsent = bool(await store.run(Store.reminder_rows, store.store))
        except Exception as error:
            log.warning("reminder delivery failed (%s): retrying later", type(error).__name__)
            unsent = True
        jobs = _jobs(context.application)
        if unsent and not jobs.get_jobs_by_name(RETRY_JOB):
            due = self.service.clock() + self.settings.reminder_poll_seconds
            self.schedule_delivery(jobs, due, RETRY_JOB)


async def raw_call(application: App, method: str, params: dict[str, object]) -> Any:
    """A Bot API call without turning its answer into PTB objects: the bot needs only the
    date of a message it sent, and building a Message costs more CPU than the call itself.
    Errors are PTB's own (RetryAfter, Forbidden, BadRequest, ...)."""
    bot = application.bot
    data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
    return await bot.request.post(f"{bot.base_url}/{method}", data)


def _jobs(application: App) -> JobQueue[Any]:
    jobs = application.job_queue
    if jobs is None:  # only without the job-queue extra, which the project depends on
        raise RuntimeError("reminders need python-telegram-bot[job-queue]")
    return jobs


def _job_name(reminder_id: int) -> str:
    return f"reminder {reminder_id}"


def _matched(context: ContextTypes.DEFAULT_TYPE) -> re.Match[str] | None:
    """The handler's pattern's match of the button data. None for a query without data: PTB
    hands that to the first CallbackQueryHandler whatever its pattern (context.match is then
    True, not a match)."""
    match: object = context.match
    return match if isinstance(match, re.Match) else None


def _chat(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def _user(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


def _command_name(update: Update) -> str:
    text = update.effective_message.text if update.effective_message else ""
    return (text or "/").split()[0].lstrip("/").split("@")[0].lower()


def _label_of(query: Any, option: str) -> str | None:
    """The label of the tapped button, read back from the message's keyboard."""
    markup = getattr(query.message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()):
        for button in row:
            if (button.callback_data or "").endswith("|" + option):
                return str(button.text)
    return None


class _Application(Application):  # type: ignore[type-arg]
    """PTB's Application, waiting for Telegram at start-up instead of giving up, and clearing
    each update from the inbox once processed (a turn clears its own as it is saved)."""

    store: AsyncStore | None = None

    async def process_update(self, update: object) -> None:
        """Process the update; then forget it."""
        try:
            await super().process_update(update)
        finally:
            if self.store is not None and isinstance(update, Update):
                self.store.store.inbox_done(update.update_id)

    async def initialize(self) -> None:
        """Initialise; while Telegram cannot be reached, say so and retry with backoff."""
        delay = 1.0
        while True:
            try:
                await super().initialize()
            except InvalidToken:
                raise
            except (TimedOut, NetworkError) as error:
                if isinstance(error, BadRequest):
                    raise
                log.warning(
                    "cannot reach Telegram (%s): retrying in %.0f s", type(error).__name__, delay
                )
                await asyncio.sleep(delay)
                delay = min(STARTUP_BACKOFF_MAX, delay * 2)
            else:
                return


class DurableQueue(asyncio.Queue):  # type: ignore[type-arg]
    """PTB's update queue, writing each update to the store's inbox before taking it.

    PTB confirms updates to Telegram (polling) or answers the webhook as soon as they are in
    this queue, so a crash before their turn was saved would lose them. Written here first,
    they survive: the next start replays what no turn consumed. A failed write raises, and PTB
    then fetches the update again (polling) or Telegram retries it (webhook).
    """

    def __init__(
        self, store: AsyncStore, on_fatal: Callable[[BaseException], None], wait_each: bool
    ) -> None:
        super().__init__()
        self.store = store
        self.on_fatal = on_fatal
        # Webhook: each update's 200 waits for its write. Polling: the next getUpdates (which
        # confirms the last batch) waits for every write instead (see `durable`), so a batch's
        # updates are processed while they are being written, in one transaction.
        self.wait_each = wait_each
        self.raw: dict[int, str] = {}  # update JSON as received (SafeUpdatesRequest fills it)
        self._batch: list[tuple[int, str]] = []
        self._batch_done: asyncio.Future[None] | None = None
        self._writes: set[asyncio.Future[None]] = set()

    async def put(self, item: Any) -> None:
        """Keep the update durably (or start to, when polling), then queue it."""
        if isinstance(item, Update):
            raw = self.raw.pop(item.update_id, None) or item.to_json()
            if not self._batch:
                # Written on the store thread in the next loop turn, before any turn of these
                # updates can reach it (the store's thread takes calls in order).
                loop = asyncio.get_running_loop()
                loop.call_soon(self._flush)
                self._batch_done = loop.create_future()
                self._writes.add(self._batch_done)
                self._batch_done.add_done_callback(self._writes.discard)
            self._batch.append((item.update_id, raw))
            done = self._batch_done
            if self.wait_each and done is not None:
                await done
        await super().put(item)

    async def durable(self) -> None:
        """Wait until every update taken so far is written."""
        while self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        done, self._batch_done = self._batch_done, None
        written = self.store.submit(Store.inbox_add, self.store.store, batch)
        task = asyncio.ensure_future(self._settle(written, batch))
        if done is not None:
            task.add_done_callback(lambda _: _resolve(done))

    async def _settle(self, written: asyncio.Future[None], batch: list[tuple[int, str]]) -> None:
        """Wait for the write; while it fails, wait and retry (nothing is confirmed to
        Telegram meanwhile, so Telegram keeps the updates too)."""
        delay = 0.5
        while True:
            try:
                await written
                return
            except StoreGoneError as error:
                self.on_fatal(error)
                return
            except Exception as error:
                kind = type(error).__name__
                log.error("cannot keep updates (%s): retrying in %.0f s", kind, delay)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)
                written = self.store.submit(Store.inbox_add, self.store.store, batch)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class GatedRequest(BaseRequest):
    """Bot API calls over several small pools of kept-alive connections, each call waiting for
    a free connection here (an asyncio semaphore per pool, first come first served).

    httpcore scans every queued request against every pooled connection, and every idle
    connection, each time one is assigned: hundreds of calls queued in one large pool cost more
    CPU than the calls themselves. Small pools with empty queues keep that scan short, while
    enough connections are open to keep many replies in flight (Telegram is tens of ms away).
    Acknowledgements have a pool of their own, so they never queue ahead of a reply.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._pools = [
            (HTTPXRequest(connection_pool_size=POOL_SIZE, **kwargs), asyncio.Semaphore(POOL_SIZE))
            for _ in range(REPLY_POOLS)
        ]
        self._minor = (
            HTTPXRequest(connection_pool_size=POOL_SIZE, **kwargs),
            asyncio.Semaphore(POOL_SIZE),
        )
        self._next = 0

    @property
    def read_timeout(self) -> float | None:
        """The pools' read timeout."""
        return self._minor[0].read_timeout

    async def initialize(self) -> None:
        """Open every pool."""
        for pool, _ in (*self._pools, self._minor):
            await pool.initialize()

    async def shutdown(self) -> None:
        """Close every pool."""
        for pool, _ in (*self._pools, self._minor):
            await pool.shutdown()

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """The call, on a pool with a free connection (the least busy, else the next in turn)."""
        if url.endswith(MINOR_METHODS):
            pool, gate = self._minor
        else:
            free = [p for p in self._pools if not p[1].locked()]
            if free:
                pool, gate = free[0]
            else:
                pool, gate = self._pools[self._next]
                self._next = (self._next + 1) % len(self._pools)
        async with gate:
            return await pool.do_request(url, *args, **kwargs)


class SafeUpdatesRequest(HTTPXRequest):
    """getUpdates that skips an update PTB cannot parse (one log line, no content) instead of
    fetching it again forever while every other chat waits."""

    def __init__(self, queue: DurableQueue | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._skipped: set[int] = set()
        self._queue = queue

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        """The Bot API call; malformed updates of a getUpdates answer replaced by empty ones.

        A getUpdates confirms the updates before its offset: it waits until they are kept.
        """
        polling = url.endswith("/getUpdates")
        if polling and self._queue is not None:
            await self._queue.durable()
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code == 200 and polling:
            payload = self._sanitise(payload)
        return code, payload

    def _sanitise(self, payload: bytes) -> bytes:
        try:
            body = json.loads(payload)
            updates = body["result"]
        except (ValueError, KeyError, TypeError):
            return payload
        if not isinstance(updates, list):
            return payload
        changed = False
        for index, item in enumerate(updates):
            try:
                update = Update.de_json(item, None)
                if self._queue is not None and update is not None:
                    if len(self._queue.raw) > RAW_KEPT:
                        self._queue.raw.clear()  # never taken (PTB stopped): fall back to to_json
                    self._queue.raw[update.update_id] = json.dumps(item)
            except Exception as error:
                update_id = item.get("update_id") if isinstance(item, dict) else None
                if not isinstance(update_id, int):
                    continue  # nothing to confirm it by; Telegram never sends this
                # An empty update keeps its id, so that PTB confirms it and moves on.
                updates[index] = {"update_id": update_id}
                changed = True
                if update_id not in self._skipped:
                    self._skipped.add(update_id)
                    log.warning("skipped malformed update %d (%s)", update_id, type(error).__name__)
        return json.dumps(body).encode() if changed else payload


def build_application(  # noqa: PLR0917 - the composition root takes every dependency
    settings: Settings,
    engine: DialogEngine,
    store: Store,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    clock: Callable[[], float] | None = None,
) -> tuple[App, Bot]:
    """The composition root: every dependency is built or handed in here and nowhere else."""
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_TOKEN is not set")
    salt = settings.audit_salt.get_secret_value() if settings.audit_salt else ""
    if store.salt != salt:
        raise ValueError("the store was opened with another salt than AUDIT_SALT")
    async_store = AsyncStore(store)
    service = ChatService(
        engine=engine,
        store=async_store,
        salt=salt,
        expiry_seconds=settings.session_expiry_hours * 3600,
        clock=clock or time.time,
        timezone=ZoneInfo(settings.site_timezone),
        backoff_start=settings.send_backoff_seconds,
    )
    bot = Bot(settings=settings, service=service, guideline=engine.guideline)
    service.render = bot.render
    builder = (
        ApplicationBuilder()
        .application_class(_Application)
        .token(token)
        .base_url(settings.telegram_base_url)
    )
    builder = (
        builder.concurrent_updates(True)
        .post_init(_post_init(bot))
        .post_stop(_post_stop(bot))
        .post_shutdown(_post_shutdown(async_store))
    )
    if request is not None:
        builder = builder.request(request)
    else:
        timeout = settings.telegram_timeout_seconds
        builder = builder.request(
            GatedRequest(
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
        )

    def fatal(error: BaseException) -> None:
        bot.fatal = error
        application.stop_running()

    queue = DurableQueue(async_store, fatal, wait_each=bool(settings.webhook_url))
    if updates_request is None:
        updates_request = SafeUpdatesRequest(queue, connection_pool_size=1)
    builder = builder.get_updates_request(updates_request).update_queue(queue)
    application = builder.build()
    if isinstance(application, _Application):
        application.store = async_store

    async def send(chat_id: int, row: OutRow) -> int:
        return await bot.send_row(application, chat_id, row)

    service.send = send
    service.on_fatal = fatal
    application.add_handler(TypeHandler(Update, bot.gate), group=-1)
    application.add_handler(CommandHandler("start", bot.on_start))
    application.add_handler(CommandHandler(list(DIALOG_COMMANDS), bot.on_dialog_command))
    application.add_handler(CommandHandler(list(ENGINE_COMMANDS), bot.on_engine_command))
    application.add_handler(CommandHandler("bed", bot.on_bed))
    application.add_handler(CommandHandler("progress", bot.on_progress))
    # One handler per kind of button, by its data; the last takes whatever is left.
    application.add_handler(CallbackQueryHandler(bot.on_answer, pattern=ANSWER_DATA))
    application.add_handler(CallbackQueryHandler(bot.on_reminder_tap, pattern=REMINDER_DATA))
    application.add_handler(CallbackQueryHandler(bot.on_foreign_tap))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, bot.on_text)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT, bot.on_other_message)
    )
    application.add_error_handler(bot.on_error)
    return application, bot


def _post_init(bot: Bot) -> Hook:
    async def post_init(application: App) -> None:
        # The emergency entries right after /start: the first a doctor needs to find.
        start, *rest = texts.COMMAND_MENU.items()
        listed = [start, *texts.EMERGENCY_COMMAND_MENU.items(), *rest]
        commands = [BotCommand(name, text) for name, text in listed]
        bot.best_effort(
            lambda: send_with_retry(lambda: application.bot.set_my_commands(commands)),
            "registering the command menu",
        )
        # Updates a crash left unprocessed: queued again before polling starts.
        store = bot.service.store
        kept = await store.run(Store.inbox_rows, store.store)
        for raw in kept:
            with contextlib.suppress(Exception):
                application.update_queue.put_nowait(
                    Update.de_json(json.loads(raw), application.bot)
                )
        if kept:
            log.info("replaying %d update(s) received before a crash", len(kept))
        # Our own task (not Application.create_task): cancelled cleanly in post_stop. The
        # sender first resends whatever a crash left unsent.
        bot.sender_task = asyncio.create_task(bot.service.run_sender(), name="sender")
        # The job queue runs once the application starts, right after this hook.
        pending = await bot.schedule_stored_reminders(_jobs(application))
        if pending:
            log.info("%d reminder(s) pending", pending)

    return post_init


def _post_stop(bot: Bot) -> Hook:
    async def post_stop(application: App) -> None:
        task = bot.sender_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return post_stop


def _post_shutdown(store: AsyncStore) -> Hook:
    async def post_shutdown(application: App) -> None:
        store.close()

    return post_shutdown
