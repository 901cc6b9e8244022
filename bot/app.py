"""The Telegram transport: the application builder and thin handlers over the chat service."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.chart import accuracy_chart
from bot.service import ChatService, Outcome
from bot.settings import Settings
from bot.store import AsyncStore, Store
from bot.telegram_render import keyboard, parse_callback, to_html, to_messages
from dialogs import texts
from dialogs.guideline import Guideline
from dialogs.messages import Command, Event, Reply

__all__ = ["Bot", "build_application", "send_with_retry"]

log = logging.getLogger("bot")
App = Application[Any, Any, Any, Any, Any, Any]
Hook = Callable[[App], Coroutine[Any, Any, None]]
_T = TypeVar("_T")

DIALOG_COMMANDS = {
    "assess": "assessment",
    "crs": "crs",
    "icans": "icans",
    "ice": "ice",
    "hlh": "hlh",
    "dose": "dose",
    "train": "rehearsal",
}
ENGINE_COMMANDS: dict[str, Command] = {
    "back": "back",
    "cancel": "cancel",
    "help": "help",
    "restart": "restart",
}
REMINDER_DIALOGS = ("assessment", "crs", "icans")
BED_LABEL = re.compile(r"^[A-Za-z0-9-]{1,8}$")
MAX_ATTEMPTS = 5


async def send_with_retry(call: Callable[[], Awaitable[_T]], attempts: int = MAX_ATTEMPTS) -> _T:
    """Call Telegram; wait out 429 (retry-after), retry timeouts and network errors, bounded."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            log.warning("Telegram asked to slow down: retrying in %.1f s", seconds)
            await asyncio.sleep(seconds)
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest) or attempt == attempts:
                raise
            log.warning("Telegram call failed (%s): retry %d", type(error).__name__, attempt)
            await asyncio.sleep(delay)
            delay *= 2
    return await call()


@dataclass
class Bot:
    """The pieces the handlers need, built once by the composition root."""

    settings: Settings
    service: ChatService
    guideline: Guideline
    reminder_task: asyncio.Task[None] | None = None

    def allowed(self, user_id: int | None) -> bool:
        """Whether a user may use the bot (everyone when no allowlist is set)."""
        allow = self.settings.allowed_user_ids
        return not allow or (user_id is not None and user_id in allow)

    # --- handlers ---

    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Refuse anyone not on the allowlist, with no clinical content."""
        user = update.effective_user
        if self.allowed(user.id if user else None):
            return
        if update.callback_query is not None:
            await send_with_retry(lambda: update.callback_query.answer(texts.REFUSED))  # type: ignore[union-attr]
        elif update.effective_chat is not None:
            chat_id = update.effective_chat.id
            await send_with_retry(lambda: context.bot.send_message(chat_id, texts.REFUSED))
        raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: the privacy notice and disclaimer, then the menu."""
        chat_id = _chat(update)
        outcome = await self.service.start(chat_id, update.update_id, "menu")
        if outcome.duplicate:
            return
        privacy = Reply(text=texts.PRIVACY, kind="info")
        await self.send(context, chat_id, Outcome([privacy, *outcome.replies], outcome.session))

    async def on_dialog_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/assess, /crs, /icans, /ice, /hlh, /dose: start that dialog."""
        chat_id = _chat(update)
        name = _command_name(update)
        outcome = await self.service.start(chat_id, update.update_id, DIALOG_COMMANDS[name])
        if not outcome.duplicate:
            await self.send(context, chat_id, outcome)

    async def on_engine_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/back, /cancel, /help, /restart: passed to the dialog."""
        await self._event(update, context, Event.command(ENGINE_COMMANDS[_command_name(update)]))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text: an answer to the current question. Never logged."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        await self._event(update, context, Event.text(message.text))

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tapped button: answered at once; the question's message shows the choice."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        step, option = parse_callback(query.data)
        if step is None:
            await self._reminder(update, context, option)
            return
        chat_id = _chat(update)
        outcome = await self.service.handle(
            chat_id, _user(update), update.update_id, Event.option(option, step)
        )
        moved_on = any(r.text == texts.STALE for r in outcome.replies)
        await send_with_retry(lambda: query.answer(texts.STALE if moved_on else None))
        if outcome.duplicate:
            return
        if (
            not moved_on
            and query.message is not None
            and not any(r.kind == "error" for r in outcome.replies)
        ):
            label = _label_of(query, option)
            text = getattr(query.message, "text", None) or ""
            if label:
                with contextlib.suppress(BadRequest):
                    await send_with_retry(
                        lambda: query.edit_message_text(
                            # to_html escapes the question and the label alike.
                            to_html(Reply(text=f"{text}\n\n{texts.CHOSEN.format(label=label)}")),
                            parse_mode=ParseMode.HTML,
                        )
                    )
        await self.send(context, chat_id, outcome)

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
            accuracy_chart, [right / total for _, total, right in progress.topics]
        )
        caption = texts.PROGRESS_CAPTION.format(topics=", ".join(t for t, _, _ in progress.topics))
        await send_with_retry(lambda: context.bot.send_photo(chat_id, chart, caption=caption))

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
        """Log the error's type only (messages may hold user text); tell the user briefly."""
        error = context.error
        log.error(
            "handler failed: %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )
        if isinstance(update, Update) and update.effective_chat is not None:
            chat_id = update.effective_chat.id
            with contextlib.suppress(Exception):
                await send_with_retry(
                    lambda: context.bot.send_message(chat_id, texts.ERROR_GENERIC), attempts=2
                )

    # --- helpers ---

    async def _event(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event
    ) -> None:
        chat_id = _chat(update)
        outcome = await self.service.handle(chat_id, _user(update), update.update_id, event)
        if not outcome.duplicate:
            await self.send(context, chat_id, outcome)

    async def send(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, outcome: Outcome
    ) -> None:
        """Send the replies: HTML, split under the limit, buttons on the last chunk."""
        # After a result, the reminder buttons go under the last message (the handover).
        remind = outcome.session.dialog in REMINDER_DIALOGS and any(
            r.kind == "result" for r in outcome.replies
        )
        for position, reply in enumerate(outcome.replies):
            markup = keyboard(reply, outcome.session.step)
            if remind and position == len(outcome.replies) - 1:
                markup = self._reminder_keyboard()
            chunks = to_messages(reply)
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                await send_with_retry(
                    functools.partial(
                        context.bot.send_message,
                        chat_id,
                        chunk,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup if last else None,
                    )
                )

    def _intervals(self) -> dict[str, float]:
        hours = {r.id: r.interval_hours for r in self.guideline.routine.items if r.interval_hours}
        return {"crs": hours["monitor_crs"], "neuro": hours["monitor_neuro"]}

    def _reminder_keyboard(self) -> InlineKeyboardMarkup:
        hours = self._intervals()
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.REMIND_CRS.format(hours=f"{hours['crs']:g}"), callback_data="rem:crs"
                    )
                ],
                [
                    InlineKeyboardButton(
                        texts.REMIND_NEURO.format(hours=f"{hours['neuro']:g}"),
                        callback_data="rem:neuro",
                    )
                ],
            ]
        )

    async def _reminder(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, data: str
    ) -> None:
        query = update.callback_query
        assert query is not None
        kind = data.removeprefix("rem:")
        hours = self._intervals().get(kind)
        if hours is None:
            await send_with_retry(query.answer)
            return
        chat_id = _chat(update)
        due = self.service.clock() + hours * 3600
        store = self.service.store
        await store.run(Store.add_reminder, store.store, chat_id, due, kind, "")
        when = time.strftime("%H:%M on %d %b", time.gmtime(due))
        await send_with_retry(query.answer)
        await send_with_retry(
            lambda: context.bot.send_message(chat_id, texts.REMINDER_SET.format(time=when))
        )

    async def deliver_reminders(self, application: App) -> None:
        """Send reminders that have come due (run periodically; survives restarts via SQLite)."""
        store = self.service.store
        for reminder in await store.run(Store.due_reminders, store.store, self.service.clock()):
            label = f" (bed {reminder.label})" if reminder.label else ""
            text = texts.REMINDER_DUE.format(
                what=texts.REMINDER_WHAT[reminder.kind],
                label=label,
                command=texts.REMINDER_COMMAND[reminder.kind],
            )
            try:
                await send_with_retry(
                    functools.partial(application.bot.send_message, reminder.chat_id, text)
                )
            except Exception as error:
                log.warning("reminder not delivered: %s", type(error).__name__)
                continue
            await store.run(Store.mark_sent, store.store, reminder.id)


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


def build_application(
    settings: Settings,
    service: ChatService,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> tuple[App, Bot]:
    """The Telegram transport over a chat service (built by bot.bootstrap); requests: for tests."""
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_TOKEN is not set")
    bot = Bot(settings=settings, service=service, guideline=service.engine.guideline)
    builder = ApplicationBuilder().token(token).base_url(settings.telegram_base_url)
    builder = (
        builder.concurrent_updates(True)
        .post_init(_post_init(bot))
        .post_stop(_post_stop(bot))
        .post_shutdown(_post_shutdown(service.store))
    )
    if request is not None:
        builder = builder.request(request)
    else:
        timeout = settings.telegram_timeout_seconds
        builder = builder.read_timeout(timeout).write_timeout(timeout).connect_timeout(timeout)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    application = builder.build()
    application.add_handler(TypeHandler(Update, bot.gate), group=-1)
    application.add_handler(CommandHandler("start", bot.on_start))
    application.add_handler(CommandHandler(list(DIALOG_COMMANDS), bot.on_dialog_command))
    application.add_handler(CommandHandler(list(ENGINE_COMMANDS), bot.on_engine_command))
    application.add_handler(CommandHandler("bed", bot.on_bed))
    application.add_handler(CommandHandler("progress", bot.on_progress))
    application.add_handler(CallbackQueryHandler(bot.on_callback))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, bot.on_text))
    application.add_error_handler(bot.on_error)
    return application, bot


def _post_init(
    bot: Bot,
) -> Callable[[App], Coroutine[Any, Any, None]]:
    async def post_init(application: App) -> None:
        commands = [BotCommand(name, text) for name, text in texts.COMMAND_MENU.items()]
        await send_with_retry(lambda: application.bot.set_my_commands(commands))
        # Our own task (not Application.create_task): cancelled cleanly in post_stop.
        bot.reminder_task = asyncio.create_task(_reminder_loop(bot, application), name="reminders")

    return post_init


def _post_stop(bot: Bot) -> Hook:
    async def post_stop(application: App) -> None:
        task = bot.reminder_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return post_stop


def _post_shutdown(
    store: AsyncStore,
) -> Callable[[App], Coroutine[Any, Any, None]]:
    async def post_shutdown(application: App) -> None:
        store.close()

    return post_shutdown


async def _reminder_loop(bot: Bot, application: App) -> None:
    """Deliver due reminders every few seconds while the application runs."""
    while not application.running:  # post_init runs before start
        await asyncio.sleep(0.05)
    poll = bot.settings.reminder_poll_seconds
    while application.running:
        try:
            await bot.deliver_reminders(application)
        except Exception as error:
            log.warning("reminder check failed: %s", type(error).__name__)
        # Sleep in short slices so that stopping the bot is never held up by this loop.
        waited = 0.0
        while waited < poll and application.running:
            await asyncio.sleep(min(1.0, poll - waited))
            waited += 1.0
