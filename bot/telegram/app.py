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
import time
from collections.abc import Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from telegram import BotCommand, Update
from telegram.error import (
    BadRequest,
    InvalidToken,
    NetworkError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.service import (
    ChatService,
)
from bot.settings import Settings
from bot.store import AsyncStore, OutRow, Store
from bot.telegram.handlers import ENGINE_COMMANDS, Bot
from bot.telegram.reminders import REMINDER_DATA, jobs_of
from bot.telegram.render import (
    ANSWER_DATA,
)
from bot.telegram.sending import (
    App,
    DurableQueue,
    GatedRequest,
    SafeUpdatesRequest,
    send_with_retry,
)
from dialogs import texts
from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import DIALOG_COMMANDS

__all__ = ["App", "Bot", "build_application"]

log = logging.getLogger("bot")
Hook = Callable[[App], Coroutine[Any, Any, None]]

STARTUP_BACKOFF_MAX = 60.0


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
        pending = await bot.reminders.schedule_stored_reminders(jobs_of(application))
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
