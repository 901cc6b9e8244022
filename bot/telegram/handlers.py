"""The Telegram handlers: thin, each passing one kind of update to the chat service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    RetryAfter,
)
from telegram.ext import (
    ApplicationHandlerStop,
    ContextTypes,
)

from bot.service import (
    BlockedError,
    ChatService,
    NotSavedError,
    Outcome,
    RetryLaterError,
    UndeliverableError,
)
from bot.settings import Settings
from bot.store import Outgoing, OutRow, Store
from bot.telegram.progress import progress_chart
from bot.telegram.reminders import Reminders, job_name, jobs_of
from bot.telegram.render import (
    MAX_CALLBACK_BYTES,
    keyboard,
    to_html,
    to_messages,
)
from bot.telegram.sending import (
    BUSY_MINOR_CALLS,
    App,
    raw_call,
    retry_after_seconds,
    send_with_retry,
)
from dialogs import texts
from dialogs.chat.engine import REMINDER_DIALOGS
from dialogs.chat.messages import DIALOG_COMMANDS, Command, Event, Reply
from dialogs.chat.records import ReminderOffer
from dialogs.chat.session import Session
from dialogs.clinical.guideline import Guideline

__all__ = ["BED_LABEL", "Bot"]

log = logging.getLogger("bot")

ENGINE_COMMANDS: dict[str, Command] = {
    "back": "back",
    "cancel": "cancel",
    "help": "help",
    "restart": "restart",
}

BED_LABEL = re.compile(r"^[A-Za-z0-9-]{1,8}$")


@dataclass
class Bot:
    """The pieces the handlers need, built once by the composition root."""

    settings: Settings
    service: ChatService
    guideline: Guideline
    sender_task: asyncio.Task[None] | None = None
    fatal: BaseException | None = None
    _background: set[asyncio.Task[Any]] = field(default_factory=set)
    reminders: Reminders = field(init=False)

    def __post_init__(self) -> None:
        self.reminders = Reminders(self.settings, self.service, self.guideline)

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
                log.warning(
                    "%s skipped: Telegram asked to wait %.0f s", what, retry_after_seconds(error)
                )
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
                markup = self.reminders.keyboard(offers[-1], markup)
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
            raise RetryLaterError(retry_after_seconds(error)) from None
        except Forbidden:
            raise BlockedError from None
        except BadRequest as error:
            raise UndeliverableError(type(error).__name__) from None
        date = message.get("date") if isinstance(message, dict) else None
        return date if isinstance(date, int) else 0

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
        hours = self.reminders.intervals()[kind]
        due = self.service.clock() + hours * 3600
        reminder_id = await store.run(Store.add_reminder, store.store, chat_id, due, kind, "")
        # A second tap moves the reminder (same id): its earlier job goes.
        self.reminders.schedule_delivery(jobs_of(context.application), due, job_name(reminder_id))
        when = datetime.fromtimestamp(due, self.service.timezone).strftime("%H:%M %Z on %d %b")
        self.answer(context, query.id, None)
        await send_with_retry(
            lambda: context.bot.send_message(chat_id, texts.REMINDER_SET.format(time=when))
        )


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
