"""The chat service: load a chat's session, run the engine, store the session, then reply.

It knows nothing of Telegram objects, so the same code path is measured by benchmarks and tested
without a network. Updates of one chat run one at a time (a lock per chat); chats run concurrently.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.store import (
    AsyncStore,
    AuditEntry,
    Progress,
    Store,
    Stored,
    TrainingEntry,
    hash_user,
)
from dialogs import texts
from dialogs.engine import DialogEngine
from dialogs.messages import Event, Reply
from dialogs.session import Session

__all__ = ["ChatService", "Outcome"]

# Dialogs whose result is a grade, recorded in the audit log (the dose calculator grades nothing).
GRADED_DIALOGS = ("assessment", "crs", "icans", "ice", "hlh")


@dataclass
class Outcome:
    """What the transport must send: the replies, and the session they belong to."""

    replies: list[Reply]
    session: Session
    duplicate: bool = False


@dataclass
class ChatService:
    """Turns events into replies for one chat at a time, writing the session first."""

    engine: DialogEngine
    store: AsyncStore
    salt: str
    expiry_seconds: float
    clock: Callable[[], float] = time.time
    _locks: dict[int, asyncio.Lock] = field(default_factory=dict)

    def lock(self, chat_id: int) -> asyncio.Lock:
        """The lock that keeps one chat's updates in order."""
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    async def handle(self, chat_id: int, user_id: int, update_id: int, event: Event) -> Outcome:
        """Apply an event to the chat's session; the session is durable before this returns."""
        async with self.lock(chat_id):
            now = self.clock()
            stored: Stored | None = await self.store.run(Store.load, self.store.store, chat_id)
            notices: list[Reply] = []
            if stored is not None and _applied(stored, update_id):
                return Outcome([], stored.session, duplicate=True)
            if stored is None:
                session = self.engine.new_session()
            elif now - stored.updated_at > self.expiry_seconds and stored.session.dialog != "menu":
                session = self.engine.new_session()
                hours = f"{self.expiry_seconds / 3600:g}"
                notices.append(Reply(text=texts.EXPIRED.format(hours=hours), kind="notice"))
            else:
                session = stored.session
            if event.at is None:
                stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now))
                event = event.model_copy(update={"at": stamp})
            new, replies = self.engine.handle(session, event)
            who = hash_user(user_id, self.salt)
            attempts = tuple(r.attempt for r in replies if r.attempt is not None)
            training = TrainingEntry(who, attempts) if attempts else None
            await self.store.run(
                Store.save,
                self.store.store,
                chat_id,
                new,
                now,
                update_id,
                audit=self._audit(new, replies, who),
                training=training,
            )
            return Outcome(notices + replies, new)

    async def progress(self, user_id: int) -> Progress:
        """A trainee's progress."""
        return await self.store.run(Store.progress, self.store.store, hash_user(user_id, self.salt))

    async def start(self, chat_id: int, update_id: int, dialog: str) -> Outcome:
        """Start a dialog (or the menu) for a chat, replacing whatever was open."""
        async with self.lock(chat_id):
            now = self.clock()
            stored = await self.store.run(Store.load, self.store.store, chat_id)
            if stored is not None and _applied(stored, update_id):
                return Outcome([], stored.session, duplicate=True)
            step = stored.session.step + 1 if stored is not None else 0
            session, replies = self.engine.start(dialog, step)
            await self.store.run(Store.save, self.store.store, chat_id, session, now, update_id)
            return Outcome(replies, session)

    def _audit(self, session: Session, replies: list[Reply], who: str) -> AuditEntry | None:
        """An audit entry when a clinical dialog has just given its result; never free text."""
        results = [r for r in replies if r.kind == "result"]
        if not results or session.dialog not in GRADED_DIALOGS:
            return None
        grades = results[-1].text.split("\n", 1)[0]
        return AuditEntry(
            user_hash=who,
            dialog=session.dialog,
            grades=grades,
            guideline=session.guideline,
        )


def _applied(stored: Stored, update_id: int) -> bool:
    """Whether this update was already applied: Telegram re-delivers updates a crash left
    unconfirmed, and each chat's row records the last update it applied."""
    return bool(update_id) and update_id <= stored.last_update_id
