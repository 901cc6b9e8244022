"""The chat service: one turn per update (load, engine, save with its replies), then delivery.

It knows nothing of Telegram objects, so the same code path is measured by benchmarks and tested
without a network. Updates of one chat run one at a time (a lock per chat, dropped when idle);
chats run concurrently.

A turn runs whole on the store's thread: the session comes from the store's write-through cache,
the engine answers, and the new session is written with the replies to send (the outbox) in one
durable transaction. Only then are the replies sent, in order, inside the chat's lock; whatever
cannot be sent now is retried in the background with backoff until delivered or replaced by the
next turn's replies. So a doctor always ends up with the current question, whatever crashed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from bot.store import (
    AsyncStore,
    AuditEntry,
    Outgoing,
    OutRow,
    Progress,
    Store,
    Stored,
    StoreGoneError,
    TrainingEntry,
    hash_user,
)
from dialogs import texts
from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Attempt, Event, Reply
from dialogs.chat.questions import Q
from dialogs.chat.records import AssessmentRecord, ReminderOffer
from dialogs.chat.session import Session
from dialogs.chat.turn import Turn

__all__ = [
    "BlockedError",
    "ChatLocks",
    "ChatService",
    "NotSavedError",
    "Outcome",
    "RetryLaterError",
    "UndeliverableError",
    "plain_render",
]

log = logging.getLogger("bot.service")

# Attempts to send a reply while the chat waits; after that the background sender keeps trying.
FIRST_ATTEMPTS = 3
FIRST_WAIT_LIMIT = 5.0  # seconds of a 429's wait worth spending while the chat waits
BACKOFF_START = 1.0
BACKOFF_MAX = 30.0
SWEEP_SECONDS = 60.0
FLUSH_SECONDS = 0.5
APPLIED_TTL = 24 * 3600.0
CHECK_SECONDS = 1.0  # how often the database file's identity is checked


class NotSavedError(RuntimeError):
    """A turn failed before its write committed: the answer was not saved."""


class RetryLaterError(Exception):
    """The transport was asked to wait before sending again (Telegram's 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:.1f} s")
        self.seconds = seconds


class BlockedError(Exception):
    """The chat can no longer be written to (the user blocked the bot)."""


class UndeliverableError(Exception):
    """This message was refused for good; sending it again cannot help."""


Send = Callable[[int, OutRow], Awaitable[int]]  # sends one reply; returns Telegram's date of it
# Replies as messages; the reminder offers of the turn go under its last message.
Render = Callable[[Sequence[Reply], Session, Sequence[ReminderOffer]], list[Outgoing]]


def plain_render(
    replies: Sequence[Reply], session: Session, offers: Sequence[ReminderOffer] = ()
) -> list[Outgoing]:
    """Replies as plain text messages without buttons (tests and benchmarks)."""
    return [Outgoing(r.text) for r in replies]


@dataclass
class Outcome:
    """What a turn did: the replies it produced, the session they belong to, and whether the
    update was a re-delivery (nothing applied) or a typed answer not applied to a question the
    doctor had not yet been shown."""

    replies: list[Reply]
    session: Session
    duplicate: bool = False
    applied: bool = True


class ChatLocks:
    """One lock per chat, kept only while someone holds or waits for it: the table never holds
    more chats than are busy at once, however many chats the bot has seen."""

    def __init__(self) -> None:
        self._locks: dict[int, _Entry] = {}

    def hold(self, chat_id: int) -> _Held:
        """Hold the chat's lock (`async with locks.hold(chat_id):`)."""
        return _Held(self._locks, chat_id)

    def __len__(self) -> int:
        return len(self._locks)


class _Entry:
    """A chat's lock and how many hold or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class _Held:
    """Holding one chat's lock; the entry goes when its last user leaves (even if cancelled)."""

    __slots__ = ("_chat", "_entry", "_locks")

    def __init__(self, locks: dict[int, _Entry], chat_id: int) -> None:
        self._locks = locks
        self._chat = chat_id

    async def __aenter__(self) -> None:
        entry = self._locks.get(self._chat)
        if entry is None:
            entry = self._locks[self._chat] = _Entry()
        self._entry = entry
        entry.users += 1
        try:
            await entry.lock.acquire()
        except BaseException:
            self._leave()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._entry.lock.release()
        self._leave()

    def _leave(self) -> None:
        entry = self._entry
        entry.users -= 1
        if not entry.users and self._locks.get(self._chat) is entry:
            del self._locks[self._chat]


@dataclass
class ChatService:
    """Turns events into replies for one chat at a time, writing session and replies first."""

    engine: DialogEngine
    store: AsyncStore
    salt: str
    expiry_seconds: float
    clock: Callable[[], float] = time.time
    render: Render = plain_render
    send: Send | None = None
    timezone: tzinfo = UTC
    on_fatal: Callable[[BaseException], None] | None = None
    locks: ChatLocks = field(default_factory=ChatLocks)
    backoff_start: float = BACKOFF_START  # first wait before sending a failed reply again
    _retry: dict[int, tuple[float, float]] = field(default_factory=dict)  # chat: (due, backoff)
    _wake: asyncio.Event | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _minute: tuple[int, str] = (-1, "")  # the minute last formatted, and its text

    # --- turns ---

    async def handle(  # noqa: PLR0917 - an update's facts, then what to do once it is saved
        self,
        chat_id: int,
        user_id: int,
        update_id: int,
        event: Event,
        date: int | None = None,
        then: Callable[[Outcome], object] | None = None,
    ) -> Outcome:
        """Apply an event (`date`: when the doctor sent it, Telegram's clock) and deliver.

        `then` runs once the turn is saved, before its replies are sent (to acknowledge a tap
        beside the reply rather than before it).
        """
        return await self._run(chat_id, user_id, update_id, event, date, None, then)

    async def start(
        self, chat_id: int, update_id: int, dialog: str, before: Sequence[Reply] = ()
    ) -> Outcome:
        """Start a dialog (or the menu) for a chat, replacing whatever was open."""
        return await self._run(chat_id, 0, update_id, None, None, (dialog, tuple(before)), None)

    async def _run(  # noqa: PLR0917 - one entry for events and starts
        self,
        chat_id: int,
        user_id: int,
        update_id: int,
        event: Event | None,
        date: int | None,
        start: tuple[str, tuple[Reply, ...]] | None,
        then: Callable[[Outcome], object] | None,
    ) -> Outcome:
        async with self.locks.hold(chat_id):
            try:
                outcome, rows = await self.store.run(
                    self._turn, chat_id, user_id, update_id, event, date, start
                )
            except StoreGoneError as error:
                self._fatal(error)
                raise NotSavedError("the database is gone") from error
            except Exception as error:
                raise NotSavedError(type(error).__name__) from error
            if then is not None:
                then(outcome)
            resend = outcome.duplicate and not any(r.sent_date is None for r in rows)
            if resend:
                # A re-delivered update: show the current question again rather than nothing.
                rows = tuple(replace_unsent(r) for r in rows[-1:] if r.text is not None)
            await self._deliver(chat_id, rows, resend=resend)
            return outcome

    def _turn(  # noqa: PLR0917 - runs on the store thread with everything it needs
        self,
        chat_id: int,
        user_id: int,
        update_id: int,
        event: Event | None,
        date: int | None,
        start: tuple[str, tuple[Reply, ...]] | None,
    ) -> tuple[Outcome, tuple[OutRow, ...]]:
        store = self.store.store
        stored = store.load(chat_id)
        now = self.clock()
        # Telegram re-delivers for at most a day, and restarts ids at random after a week of
        # silence: ids applied longer ago than that can only collide, never repeat.
        recent = stored is not None and now - stored.updated_at < APPLIED_TTL
        applied = stored.applied if stored is not None and recent else ()
        if stored is not None and update_id and update_id in applied:
            return Outcome([], stored.session, duplicate=True), stored.rows
        if update_id:
            applied = (*applied, update_id)
        notices: list[Reply] = []
        if stored is None:
            session = self.engine.new_session()
        elif stored.expired or (
            now - stored.updated_at > self.expiry_seconds and stored.session.open
        ):
            session = Session(guideline=stored.session.guideline, step=stored.session.step + 1)
            hours = f"{self.expiry_seconds / 3600:g}"
            notices.append(Reply(text=texts.EXPIRED.format(hours=hours), kind="notice"))
        else:
            session = stored.session
        fresh = stored is None or bool(notices)
        stamp = self._stamp(now)
        if start is not None:
            dialog, before = start
            # Mid-dialog, a start asks before discarding the answers (the engine decides); the
            # chat's patient context is carried into the dialog (offered, never reused).
            turn = self.engine.open(session if stored else None, dialog, stamp)
            turn = Turn(turn.session, [*before, *turn.replies], turn.records)
        elif event is not None and event.kind == "text" and (fresh or not _shown(stored, date)):
            if not fresh and stored is not None:
                return self._not_applied(chat_id, stored, applied, now)
            # A new or expired chat: its first question was never shown, so nothing typed can
            # be its answer. Show it.
            turn = self.engine.start("menu", session.step)
        else:
            assert event is not None
            if event.at is None:
                event = event.model_copy(update={"at": stamp})
            turn = self.engine.handle(session, event)
        new, replies = turn.session, notices + turn.replies
        ended = new.state == Q.RESULT.value
        # The turn's records, never its text: the audit from the graded result, progress from
        # the training attempts, the reminder buttons (in the outbox) from the offers.
        attempts = turn.of(Attempt)
        graded = turn.of(AssessmentRecord)
        audit = training = None
        if graded or attempts:  # only then is there anything to record of who
            who = hash_user(user_id, self.salt)
            audit = _audit(graded[-1], who) if graded else None
            training = TrainingEntry(who, attempts) if attempts else None
        written = store.commit(
            chat_id,
            # The answers stay after a result (to change one) until the session expires.
            Stored(new, now, applied),
            self.render(replies, new, turn.of(ReminderOffer)),
            ephemeral=ended,
            audit=audit,
            training=training,
            update_id=update_id,
        )
        return Outcome(replies, new), written.rows

    def _stamp(self, now: float) -> str:
        """When, to the minute, in the site's time zone (formatted once a minute)."""
        minute = int(now // 60)
        if self._minute[0] != minute:
            stamp = datetime.fromtimestamp(now, self.timezone).strftime("%Y-%m-%d %H:%M %Z")
            self._minute = (minute, stamp)
        return self._minute[1]

    def _not_applied(
        self, chat_id: int, stored: Stored, applied: tuple[int, ...], now: float
    ) -> tuple[Outcome, tuple[OutRow, ...]]:
        """A typed answer to a question not yet shown: keep the session, show the question."""
        rows = [r for r in stored.rows if r.text is not None]
        earlier = [Outgoing(r.text or "", r.markup) for r in rows[:-1] if r.sent_date is None]
        notice = Reply(text=texts.NOT_APPLIED, kind="notice")
        current = [Outgoing(r.text or "", r.markup) for r in rows[-1:]]
        outbox = [*earlier, *self.render([notice], stored.session, ()), *current]
        written = self.store.store.commit(
            chat_id,
            Stored(stored.session, now, applied),
            outbox,
            ephemeral=stored.session.state == Q.RESULT.value,
            update_id=applied[-1] if applied else 0,
        )
        return Outcome([notice], stored.session, applied=False), written.rows

    async def progress(self, user_id: int) -> Progress:
        """A trainee's progress."""
        return await self.store.run(Store.progress, self.store.store, hash_user(user_id, self.salt))

    # --- delivery ---

    async def _deliver(
        self, chat_id: int, rows: Sequence[OutRow], *, resend: bool = False, attempts: int = 0
    ) -> bool:
        """Send the unsent rows in order (the caller holds the chat's lock); True when all went.

        What cannot be sent within a few attempts is left to the background sender.
        """
        for row in rows:
            if self.send is None:
                # No transport (a benchmark of the turn alone): replies count as shown.
                if row.sent_date is None and not resend:
                    self.store.store.mark_sent(chat_id, row.id, 0)
                continue
            if row.sent_date is not None or row.text is None:
                continue
            try:
                date = await self._send_with_retry(chat_id, row, attempts or FIRST_ATTEMPTS)
            except BlockedError:
                log.warning("chat blocked the bot: its replies and reminders are cancelled")
                await self.store.run(Store.drop_chat, self.store.store, chat_id)
                self._retry.pop(chat_id, None)
                return True
            except UndeliverableError as error:
                log.warning("reply refused by Telegram and dropped: %s", error)
                date = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("reply not delivered yet (%s): retrying later", type(error).__name__)
                if not resend:
                    self._schedule(chat_id)
                return False
            if not resend:
                self.store.store.mark_sent(chat_id, row.id, date)
                if self._wake is not None:
                    self._wake.set()  # write the mark soon, batched with others
        self._retry.pop(chat_id, None)
        return True

    async def _send_with_retry(self, chat_id: int, row: OutRow, attempts: int) -> int:
        assert self.send is not None
        delay = self.backoff_start / 2
        for attempt in range(1, attempts + 1):
            try:
                return await self.send(chat_id, row)
            except RetryLaterError as error:
                log.warning("Telegram asked to slow down: retrying in %.1f s", error.seconds)
                if attempt == attempts or error.seconds > FIRST_WAIT_LIMIT:
                    raise
                await asyncio.sleep(error.seconds)
            except (BlockedError, UndeliverableError):
                raise
            except Exception as error:
                if attempt == attempts:
                    raise
                log.warning("Telegram call failed (%s): retry %d", type(error).__name__, attempt)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _schedule(self, chat_id: int) -> None:
        _, backoff = self._retry.get(chat_id, (0.0, self.backoff_start / 2))
        backoff = min(BACKOFF_MAX, backoff * 2)
        self._retry[chat_id] = (time.monotonic() + backoff, backoff)
        if self._wake is not None:
            self._wake.set()

    async def _retry_chat(self, chat_id: int) -> None:
        async with self.locks.hold(chat_id):
            stored = await self.store.run(Store.load, self.store.store, chat_id)
            if stored is None or not stored.unsent:
                self._retry.pop(chat_id, None)  # delivered, or the session moved on
                return
            await self._deliver(chat_id, stored.rows, attempts=1)

    async def deliver_reminders(self) -> None:
        """Send the reminder messages waiting in the outbox, each in its chat's order."""
        for chat_id, row in await self.store.run(Store.reminder_rows, self.store.store):
            async with self.locks.hold(chat_id):
                await self._deliver(chat_id, [row], attempts=2)

    async def run_sender(self, running: Callable[[], bool] = lambda: True) -> None:
        """Until stopped: deliver what failed (backoff), write delivery marks, erase expired
        dialogs, and watch that the database file is still ours. Start-up resends what a crash
        left unsent."""
        self._wake = asyncio.Event()
        store = self.store
        for chat_id in await store.run(Store.unsent_chats, store.store):
            self._retry[chat_id] = (0.0, self.backoff_start / 2)
        swept = checked = 0.0
        while running():
            self._wake.clear()
            now = time.monotonic()
            due = [c for c, (at, _) in self._retry.items() if at <= now]
            for chat_id in due:
                self._retry[chat_id] = (now + BACKOFF_MAX, self._retry[chat_id][1])
                task = asyncio.create_task(self._retry_chat(chat_id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            try:
                if now - checked >= CHECK_SECONDS:
                    checked = now
                    await store.run(Store.check, store.store)
                if store.store.marks_pending:
                    await store.run(Store.flush, store.store)
                if now - swept >= SWEEP_SECONDS:
                    swept = now
                    before = self.clock() - self.expiry_seconds
                    erased = await store.run(Store.sweep_expired, store.store, before)
                    if erased:
                        log.info("erased the answers of %d expired dialog(s)", erased)
            except StoreGoneError as error:
                self._fatal(error)
                return
            except Exception as error:
                log.error("store upkeep failed: %s", type(error).__name__)
            nxt = min((at for at, _ in self._retry.values()), default=now + FLUSH_SECONDS)
            wait = max(0.01, min(FLUSH_SECONDS, nxt - time.monotonic()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _fatal(self, error: BaseException) -> None:
        log.critical("%s", error)
        if self.on_fatal is not None:
            self.on_fatal(error)


def _audit(record: AssessmentRecord, who: str) -> AuditEntry:
    """The audit entry of a graded result: the grades as JSON data, never free text."""
    grades = [g.model_dump(mode="json", exclude_defaults=True) for g in record.grades]
    return AuditEntry(
        user_hash=who,
        dialog=record.dialog,
        grades=json.dumps(grades, separators=(",", ":")),
        guideline=record.guideline,
    )


def replace_unsent(row: OutRow) -> OutRow:
    """The row as one to send again."""
    return OutRow(row.id, row.text, row.markup, None, row.ephemeral)


def _shown(stored: Stored | None, date: int | None) -> bool:
    """Whether the chat's current question had reached the doctor before they sent `date`."""
    if stored is None:
        return False
    rows = [r for r in stored.rows if r.text is not None or r.sent_date is not None]
    if not rows or rows[-1].text is None:
        return True  # nothing outstanding (a finished dialog's result, already delivered)
    if any(r.sent_date is None for r in rows):
        return False
    last = rows[-1].sent_date or 0
    return date is None or date >= last
