"""SQLite store: sessions and their outbox (one transaction), the audit log, reminders, training.

Standard-library sqlite3 in WAL mode with synchronous=FULL, so a committed answer survives a crash
or power cut. All access goes through one worker thread (`AsyncStore`), which keeps the event loop
free and serialises writes without a lock per call.

The bot is the database's only writer, so sessions are cached in memory write-through: a turn
reads its session from memory and pays for one durable commit. The replies a turn produces are
written in the same transaction as the session (the outbox), so a crash between saving and sending
can never leave a doctor without the next question: unsent replies are sent again at start-up.

Privacy at rest: the files are 0600; a chat is stored under a keyed hash of its id (the id itself
is kept only beside a reply or reminder not yet sent, which needs an address); the text of a
finished dialog's replies is erased once delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import queue
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from dialogs.chat.messages import Attempt
from dialogs.chat.session import Session

__all__ = [
    "AsyncStore",
    "AuditEntry",
    "OutRow",
    "Outgoing",
    "Progress",
    "Reminder",
    "Store",
    "StoreError",
    "StoreGoneError",
    "Stored",
    "hash_user",
]

_T = TypeVar("_T")

# Update ids applied per chat, newest last: enough to recognise any re-delivery Telegram makes
# (it re-sends only what the last getUpdates did not confirm), without assuming ids rise.
APPLIED_WINDOW = 64
PIGGYBACK_MARKS = 256
CACHE_SIZE = 20_000
FILE_MODE = 0o600

SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    key INTEGER PRIMARY KEY,
    session TEXT NOT NULL,
    updated_at REAL NOT NULL,
    applied TEXT NOT NULL DEFAULT '',
    expired INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox (
    key INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    chat_id INTEGER,
    text TEXT,
    markup TEXT,
    sent_date INTEGER,
    ephemeral INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'turn',
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY,
    raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    user_hash TEXT NOT NULL,
    dialog TEXT NOT NULL,
    grades TEXT NOT NULL,
    guideline TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reminders (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    due_at REAL NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS reminders_due ON reminders (sent, due_at);
CREATE TABLE IF NOT EXISTS training (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    user_hash TEXT NOT NULL,
    case_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    question TEXT NOT NULL,
    correct INTEGER NOT NULL,
    rule TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS training_user ON training (user_hash);
"""


class StoreError(RuntimeError):
    """The database cannot be opened or used; the message names the file and what to do."""


class StoreGoneError(StoreError):
    """The database file was deleted or replaced under the running bot: stop, lose nothing."""


def hash_user(user_id: int, salt: str) -> str:
    """A salted hash of a Telegram user id: who, for the audit log, without the id itself."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


def chat_key(chat_id: int, salt: str) -> int:
    """The key a chat is stored under: a keyed hash of its id (64 bits), never the id."""
    digest = hmac.new(salt.encode(), f"chat:{chat_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True)
class AuditEntry:
    """One finished assessment: who (hashed), when, which dialog, the grades, the version."""

    user_hash: str
    dialog: str
    grades: str
    guideline: str


@dataclass(frozen=True)
class TrainingEntry:
    """Answered training questions of one trainee (hashed), never in the clinical audit."""

    user_hash: str
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class Reminder:
    """A reminder of the next assessment, due at a time, for a chat."""

    id: int
    chat_id: int
    due_at: float
    kind: str
    label: str


@dataclass(frozen=True)
class Progress:
    """Per topic (name, attempts, right), the most-missed rules (rule, times), and each
    attempt's time and whether it was right, oldest first (accuracy over time)."""

    topics: list[tuple[str, int, int]]
    missed: list[tuple[str, int]]
    history: list[tuple[float, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class Outgoing:
    """One message to send: its text as the transport renders it, and its buttons (JSON)."""

    text: str
    markup: str | None = None


@dataclass(frozen=True)
class OutRow:
    """A message of the outbox: `sent_date` is Telegram's date of delivery, None while unsent."""

    id: int
    text: str | None
    markup: str | None
    sent_date: int | None = None
    ephemeral: bool = False


@dataclass(frozen=True)
class Stored:
    """A chat as stored: its session, when written, the updates applied, its current replies."""

    session: Session
    updated_at: float
    applied: tuple[int, ...] = ()
    expired: bool = False
    rows: tuple[OutRow, ...] = field(default=())

    @property
    def unsent(self) -> tuple[OutRow, ...]:
        """The current replies not yet delivered."""
        return tuple(r for r in self.rows if r.sent_date is None)


class Store:
    """Synchronous store over one SQLite connection. Use from one thread (see AsyncStore)."""

    def __init__(self, path: Path, salt: str = "") -> None:
        self.path = path
        self._where = os.fspath(path)  # for os.stat on every write, without pathlib's layers
        self.salt = salt
        self._cache: OrderedDict[int, Stored] = OrderedDict()
        self._marks: list[tuple[int, int]] = []  # (row id, Telegram date) not yet written
        self._done: list[int] = []  # update ids processed, to clear from the inbox
        self._loose: set[int] = set()  # marked rows not in the cache (reminders, or evicted)
        self._inbox: set[int] = set()  # update ids written to the inbox by this process
        self._keys: dict[int, int] = {}  # chat id -> key, so the HMAC runs once per chat
        self._row_keys: dict[int, int] = {}  # marked row -> its chat's key
        self._seq = 0
        # The event loop marks replies delivered while the store thread reads and writes chats.
        self._lock = threading.Lock()
        try:
            _private_file(path)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=5000")
            (status,) = self.db.execute("PRAGMA quick_check").fetchone()
            if status != "ok":
                raise sqlite3.DatabaseError(status)
            self.db.executescript(SCHEMA)
            self._migrate()
            # Outbox rows are numbered in one sequence (a chat's rows sort by it); WITHOUT ROWID
            # keeps them in one B-tree by chat, so a turn's write touches one table.
            (self._seq,) = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()
            for suffix in ("-wal", "-shm"):
                companion = Path(f"{path}{suffix}")
                if companion.exists():
                    companion.chmod(FILE_MODE)
            self._identity = _identity(path)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(
                f"Cannot use the database {path}: {error}. Check that the folder is writable "
                "and the file is an intact SQLite database (move a damaged file aside)."
            ) from None

    def _migrate(self) -> None:
        """Move sessions of the first schema (keyed by chat id, in clear) under hashed keys;
        keep one pending reminder per chat and kind (sent ones are not kept any more)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            # Open dialogs are found through an index on `open` alone: an index on the time of
            # the last write (the first schema's) moved with every answer, two more pages to
            # write and fsync per turn; the sweep, once a minute, reads the open rows instead.
            self.db.execute("DROP INDEX IF EXISTS chats_open")
            self.db.execute(
                "CREATE INDEX IF NOT EXISTS chats_opened ON chats (open) WHERE open = 1"
            )
            self.db.execute("DELETE FROM reminders WHERE sent = 1")
            self.db.execute(
                "DELETE FROM reminders WHERE id NOT IN "
                "(SELECT MAX(id) FROM reminders GROUP BY chat_id, kind)"
            )
            self.db.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS reminders_one ON reminders (chat_id, kind)"
            )
        legacy = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
        ).fetchone()
        if legacy is None:
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            rows = self.db.execute("SELECT chat_id, session, updated_at FROM sessions").fetchall()
            self.db.executemany(
                "INSERT OR REPLACE INTO chats (key, session, updated_at, open) VALUES (?, ?, ?, 1)",
                [(self.key(chat), text, at) for chat, text, at in rows],
            )
            self.db.execute("DROP TABLE sessions")

    def close(self) -> None:
        """Write pending delivery marks and close the connection."""
        with contextlib.suppress(sqlite3.Error):
            self.flush()
        self.db.close()

    def key(self, chat_id: int) -> int:
        """The stored key of a chat."""
        key = self._keys.get(chat_id)
        if key is None:
            if len(self._keys) > CACHE_SIZE:
                self._keys.clear()
            key = self._keys[chat_id] = chat_key(chat_id, self.salt)
        return key

    def check(self) -> None:
        """Raise StoreGoneError when the file at our path is no longer the database we opened."""
        try:
            now = _identity(self._where)
        except FileNotFoundError:
            now = None
        if now != self._identity:
            raise StoreGoneError(
                f"The database {self.path} was deleted or replaced while the bot was running. "
                "Stopping so that no answer is written where it would be lost; restore the file "
                "and start the bot again."
            )

    # --- sessions and their outbox ---

    def load(self, chat_id: int) -> Stored | None:
        """The stored chat, from memory when cached."""
        key = self.key(chat_id)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        row = self.db.execute(
            "SELECT session, updated_at, applied, expired FROM chats WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        rows = tuple(
            OutRow(i, text, markup, date, bool(eph))
            for i, text, markup, date, eph in self.db.execute(
                "SELECT seq, text, markup, sent_date, ephemeral FROM outbox "
                "WHERE key = ? AND kind = 'turn' ORDER BY seq",
                (key,),
            )
        )
        applied = tuple(int(u) for u in row[2].split()) if row[2] else ()
        stored = Stored(Session.model_validate_json(row[0]), row[1], applied, bool(row[3]), rows)
        self._remember(key, stored)
        return stored

    def commit(
        self,
        chat_id: int,
        stored: Stored,
        outbox: Sequence[Outgoing] | None = None,
        *,
        ephemeral: bool = False,
        audit: AuditEntry | None = None,
        training: TrainingEntry | None = None,
        update_id: int = 0,
    ) -> Stored:
        """Write the chat, its new replies, audit entry and training answers in one transaction.

        One transaction, so that a crash can never keep the answer and lose the reply that asks
        the next question, or the attempt it scored. `outbox` None keeps the current replies.
        Returns the chat as stored (with the replies' ids).
        """
        self.check()
        key = self.key(chat_id)
        # Delivery marks touch other chats' pages: the sender writes them in batches, so a turn
        # writes only its own rows (unless many wait, for a store used without a sender).
        with self._lock:
            many = len(self._marks) + len(self._done) > PIGGYBACK_MARKS
            in_inbox = update_id in self._inbox
            self._inbox.discard(update_id)
            cached = self._cache.get(key)
        # A cached chat is stored as cached (the only writer writes through the cache).
        was_open = None if cached is None else _is_open(cached.session)
        marks = self._take_marks() if many else []
        if outbox is not None and marks:
            # Marks of the replies this write replaces need not be written at all.
            with self._lock:
                old = self._cache.get(key)
            replaced = {r.id for r in old.rows} if old is not None else set()
            self._written([m for m in marks if m[0] in replaced])
            marks = [m for m in marks if m[0] not in replaced]
        try:
            rows = self._commit(
                key, chat_id, stored, outbox, ephemeral, marks, audit, training,
                update_id if in_inbox else 0, was_open,
            )  # fmt: skip
        except BaseException:
            self._give_back(marks)
            raise
        if marks:
            self._written(marks)
        # Built directly rather than with dataclasses.replace: this runs on every update.
        result = Stored(
            stored.session, stored.updated_at, stored.applied[-APPLIED_WINDOW:], stored.expired,
            rows,
        )  # fmt: skip
        self._remember(key, result)
        return result

    def _commit(  # noqa: PLR0917 - the pieces of one transaction
        self,
        key: int,
        chat_id: int,
        stored: Stored,
        outbox: Sequence[Outgoing] | None,
        ephemeral: bool,
        marks: list[tuple[int, int]],
        audit: AuditEntry | None,
        training: TrainingEntry | None,
        update_id: int,
        was_open: bool | None = None,
    ) -> tuple[OutRow, ...]:
        session = stored.session
        is_open = _is_open(session)
        values = (
            session.model_dump_json(),
            stored.updated_at,
            " ".join(map(str, stored.applied[-APPLIED_WINDOW:])),
            int(stored.expired),
        )
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._write_marks(marks)
            if update_id:
                self.db.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))
            # Most answers: the row exists and stays open (or closed). Leaving `open` out of
            # the statement leaves the index of open dialogs untouched: one page less.
            updated = was_open == is_open and bool(
                self.db.execute(
                    "UPDATE chats SET session = ?, updated_at = ?, applied = ?, expired = ? "
                    "WHERE key = ?",
                    (*values, key),
                ).rowcount
            )
            if not updated:
                self.db.execute(
                    "INSERT INTO chats (key, session, updated_at, applied, expired, open) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "session = excluded.session, updated_at = excluded.updated_at, "
                    "applied = excluded.applied, expired = excluded.expired, open = excluded.open",
                    (key, *values, int(is_open)),
                )
            rows = stored.rows
            if outbox is not None:
                self.db.execute("DELETE FROM outbox WHERE key = ? AND kind = 'turn'", (key,))
                first = self._next_seq(len(outbox))
                rows = tuple(
                    OutRow(first + i, m.text, m.markup, None, ephemeral)
                    for i, m in enumerate(outbox)
                )
                self.db.executemany(
                    "INSERT INTO outbox (key, seq, chat_id, text, markup, ephemeral) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(key, r.id, chat_id, r.text, r.markup, int(ephemeral)) for r in rows],
                )
            if audit is not None:
                self.db.execute(
                    "INSERT INTO audit (at, user_hash, dialog, grades, guideline) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        stored.updated_at,
                        audit.user_hash,
                        audit.dialog,
                        audit.grades,
                        audit.guideline,
                    ),
                )
            if training is not None:
                self.db.executemany(
                    "INSERT INTO training (at, user_hash, case_id, topic, question, correct, "
                    "rule) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            stored.updated_at,
                            training.user_hash,
                            a.case,
                            a.topic,
                            a.question,
                            int(a.correct),
                            a.rule,
                        )
                        for a in training.attempts
                    ],
                )
        return rows

    def mark_sent(self, chat_id: int, row_id: int, date: int) -> None:
        """Record a reply delivered: at once in memory, durably with the next write or flush.

        Safe to call from the event loop. Losing a mark in a crash only means the reply is sent
        once more at start-up.
        """
        key = self.key(chat_id)
        with self._lock:
            cached = self._cache.get(key)
            found = False
            if cached is not None:
                rows = list(cached.rows)
                for i, r in enumerate(rows):
                    if r.id == row_id:
                        text = None if r.ephemeral else r.text
                        rows[i] = OutRow(r.id, text, r.markup, date, r.ephemeral)
                        found = True
                if found:
                    self._cache[key] = Stored(
                        cached.session, cached.updated_at, cached.applied, cached.expired,
                        tuple(rows),
                    )  # fmt: skip
            if not found:
                self._loose.add(row_id)
            self._row_keys[row_id] = key
            self._marks.append((row_id, date))

    @property
    def marks_pending(self) -> bool:
        """Whether delivery marks or inbox clearances wait to be written."""
        return bool(self._marks or self._done)

    # --- the inbox: updates taken from Telegram and not yet processed ---

    def inbox_add(self, updates: Sequence[tuple[int, str]]) -> None:
        """Keep updates (id, JSON) durably, in one transaction, before PTB confirms them."""
        self.check()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO inbox (update_id, raw) VALUES (?, ?)", updates
            )
        with self._lock:
            self._inbox.update(update_id for update_id, _ in updates)

    def inbox_done(self, update_id: int) -> None:
        """An update processed: cleared with the next write (safe from the event loop)."""
        with self._lock:
            if update_id in self._inbox:
                self._inbox.discard(update_id)
                self._done.append(update_id)

    def inbox_rows(self) -> list[str]:
        """Updates kept but never processed (a crash), oldest first; now in hand again."""
        rows = self.db.execute("SELECT update_id, raw FROM inbox ORDER BY rowid").fetchall()
        with self._lock:
            self._inbox.update(update_id for update_id, _ in rows)
        return [raw for _, raw in rows]

    def flush(self) -> None:
        """Write pending delivery marks (one transaction)."""
        marks = self._take_marks()
        if not marks:
            return
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self._write_marks(marks)
        except BaseException:
            self._give_back(marks)
            raise
        self._written(marks)

    def _take_marks(self) -> list[tuple[int, int]]:
        """Pending delivery marks, and inbox clearances as (-update id, 0)."""
        with self._lock:
            marks, self._marks = self._marks, []
            done, self._done = self._done, []
        return marks + [(-u, 0) for u in done]

    def _give_back(self, marks: list[tuple[int, int]]) -> None:
        with self._lock:
            self._marks[:0] = [m for m in marks if m[0] > 0]
            self._done[:0] = [-m[0] for m in marks if m[0] < 0]

    def _write_marks(self, pending: list[tuple[int, int]]) -> None:
        done = [(-row_id,) for row_id, _ in pending if row_id < 0]
        if done:
            self.db.executemany("DELETE FROM inbox WHERE update_id = ?", done)
        marks = [m for m in pending if m[0] > 0]
        if not marks:
            return
        with self._lock:
            keyed = [(date, self._row_keys[row_id], row_id) for row_id, date in marks]
            loose = [(key, row_id) for _, key, row_id in keyed if row_id in self._loose]
        # Once delivered, a reply no longer needs its address; a finished dialog's text goes too.
        self.db.executemany(
            "UPDATE outbox SET sent_date = ?, chat_id = NULL, "
            "text = CASE WHEN ephemeral THEN NULL ELSE text END WHERE key = ? AND seq = ?",
            keyed,
        )
        # A reminder, once sent, is not kept at all.
        if loose:
            self.db.executemany(
                "DELETE FROM outbox WHERE key = ? AND seq = ? AND kind = 'reminder'", loose
            )

    def _written(self, marks: list[tuple[int, int]]) -> None:
        """Forget what was kept only to write these marks (after their transaction committed)."""
        with self._lock:
            for row_id, _ in marks:
                if row_id > 0:
                    self._row_keys.pop(row_id, None)
                    self._loose.discard(row_id)

    def _next_seq(self, count: int = 1) -> int:
        """Reserve `count` consecutive outbox numbers; return the first."""
        with self._lock:
            first = self._seq + 1
            self._seq += count
            return int(first)

    def unsent_chats(self) -> list[int]:
        """Chat ids with replies not yet delivered (read at start-up)."""
        return [
            int(chat)
            for (chat,) in self.db.execute(
                "SELECT DISTINCT chat_id FROM outbox "
                "WHERE sent_date IS NULL AND chat_id IS NOT NULL AND kind = 'turn'"
            )
        ]

    def drop_chat(self, chat_id: int) -> None:
        """A chat that blocked the bot: forget its unsent replies and pending reminders."""
        key = self.key(chat_id)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM outbox WHERE key = ?", (key,))
            self.db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache[key] = replace(cached, rows=())

    def sweep_expired(self, before: float) -> int:
        """Erase the answers of dialogs left open since `before`; return how many."""
        rows = self.db.execute(
            "SELECT key, session FROM chats WHERE open = 1 AND updated_at < ?", (before,)
        ).fetchall()
        if not rows:
            return 0
        self.check()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for key, text in rows:
                old = Session.model_validate_json(text)
                blank = Session(guideline=old.guideline, step=old.step + 1)
                self.db.execute(
                    "UPDATE chats SET session = ?, expired = 1, open = 0 WHERE key = ?",
                    (blank.model_dump_json(), key),
                )
                self.db.execute("DELETE FROM outbox WHERE key = ? AND kind = 'turn'", (key,))
        with self._lock:
            for key, _ in rows:
                self._cache.pop(key, None)
        return len(rows)

    def _remember(self, key: int, stored: Stored) -> None:
        with self._lock:
            self._cache[key] = stored
            self._cache.move_to_end(key)
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    # --- audit, reminders, training ---

    def add_reminder(self, chat_id: int, due_at: float, kind: str, label: str = "") -> int:
        """Set the chat's reminder of this kind (one per chat and kind: a second tap moves it);
        return its id."""
        with self.db:
            (reminder_id,) = self.db.execute(
                "INSERT INTO reminders (chat_id, due_at, kind, label) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (chat_id, kind) DO UPDATE SET due_at = excluded.due_at "
                "RETURNING id",
                (chat_id, due_at, kind, label),
            ).fetchone()
        return int(reminder_id)

    def label_reminders(self, chat_id: int, label: str) -> int:
        """Give the chat's pending reminders a bed label; return how many."""
        with self.db:
            cursor = self.db.execute(
                "UPDATE reminders SET label = ? WHERE chat_id = ?", (label, chat_id)
            )
        return cursor.rowcount

    def due_reminders(self, now: float) -> list[Reminder]:
        """Reminders due by now and not yet queued for sending."""
        rows = self.db.execute(
            "SELECT id, chat_id, due_at, kind, label FROM reminders "
            "WHERE due_at <= ? ORDER BY due_at",
            (now,),
        ).fetchall()
        return [Reminder(*row) for row in rows]

    def queue_reminders(self, now: float, text_of: Callable[[Reminder], str]) -> int:
        """Move due reminders into the outbox, in one transaction: marked before sending, so a
        crash can neither lose one nor send one twice from here. Return how many."""
        due = self.due_reminders(now)
        if not due:
            return 0
        self.check()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for reminder in due:
                self.db.execute(
                    "INSERT INTO outbox (key, seq, chat_id, text, ephemeral, kind) "
                    "VALUES (?, ?, ?, ?, 1, 'reminder')",
                    (
                        self.key(reminder.chat_id),
                        self._next_seq(),
                        reminder.chat_id,
                        text_of(reminder),
                    ),
                )
                self.db.execute("DELETE FROM reminders WHERE id = ?", (reminder.id,))
        return len(due)

    def reminder_rows(self) -> list[tuple[int, OutRow]]:
        """Reminder messages waiting to be sent: (chat id, message)."""
        with self._lock:
            marked = {row_id for row_id, _ in self._marks}
        return [
            (int(chat), OutRow(row_id, text, None, None, True))
            for row_id, chat, text in self.db.execute(
                "SELECT seq, chat_id, text FROM outbox "
                "WHERE kind = 'reminder' AND sent_date IS NULL ORDER BY seq"
            )
            if row_id not in marked
        ]

    def progress(self, user_hash: str) -> Progress:
        """A trainee's attempts, accuracy per topic, and the rules most often missed."""
        topics = [
            (topic, int(total), int(right))
            for topic, total, right in self.db.execute(
                "SELECT topic, COUNT(*), SUM(correct) FROM training WHERE user_hash = ? "
                "GROUP BY topic ORDER BY topic",
                (user_hash,),
            )
        ]
        missed = [
            (rule, int(count))
            for rule, count in self.db.execute(
                "SELECT rule, COUNT(*) AS n FROM training WHERE user_hash = ? AND correct = 0 "
                "GROUP BY rule ORDER BY n DESC, rule LIMIT 3",
                (user_hash,),
            )
        ]
        history = [
            (float(at), bool(correct))
            for at, correct in self.db.execute(
                "SELECT at, correct FROM training WHERE user_hash = ? ORDER BY at, id",
                (user_hash,),
            )
        ]
        return Progress(topics=topics, missed=missed, history=history)

    def bulk_sessions(self, sessions: Sequence[tuple[int, Session]], now: float) -> None:
        """Store many sessions at once (benchmarks and tests)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")  # one transaction, not one fsync per session
            self.db.executemany(
                "INSERT OR REPLACE INTO chats (key, session, updated_at, open) VALUES (?, ?, ?, ?)",
                [
                    (self.key(chat), s.model_dump_json(), now, int(_is_open(s)))
                    for chat, s in sessions
                ],
            )
        with self._lock:
            self._cache.clear()


def _is_open(session: Session) -> bool:
    """Whether a session holds a dialog under way or a patient context: the sweep erases
    those left too long."""
    return session.open


def _private_file(path: Path) -> None:
    """Create the database file readable by its owner only, or make an existing one so."""
    if path.exists():
        path.chmod(FILE_MODE)
    else:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE))


def _identity(path: str | Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino


class AsyncStore:
    """The store, used from async code: every call runs on one worker thread, in order.

    A plain thread fed by a queue, answering through `call_soon_threadsafe`: one hand-off each
    way per call, without an executor's work items and chained futures (a turn makes one call,
    and its round trip is part of every answer's latency).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="sqlite", daemon=True)
        self._thread.start()

    async def run(self, call: Callable[..., _T], *args: object, **kwargs: object) -> _T:
        """Run `call(*args, **kwargs)` on the store's thread."""
        return await self.submit(call, *args, **kwargs)

    def submit(
        self, call: Callable[..., _T], *args: object, **kwargs: object
    ) -> asyncio.Future[_T]:
        """Queue `call` on the store's thread now (calls run in the order queued)."""
        if self._closed:
            raise RuntimeError("the store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()
        self._queue.put(_Call(loop, future, call, args, kwargs))
        return future

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            if item.future.cancelled():
                continue  # as an executor does: a call cancelled before it started never runs
            try:
                result = item.call(*item.args, **item.kwargs)
            except BaseException as error:  # handed to the caller, as an executor does
                _answer(item, None, error)
            else:
                _answer(item, result, None)

    def close(self) -> None:
        """Finish pending writes and close."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
            self.store.close()


@dataclass(frozen=True, slots=True)
class _Call:
    """A call queued for the store's thread, and where its answer goes."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    call: Callable[..., Any]
    args: tuple[object, ...]
    kwargs: dict[str, object]


def _answer(item: _Call, result: object, error: BaseException | None) -> None:
    """Hand a call's result (or error) back to its event loop."""
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        item.loop.call_soon_threadsafe(_settle, item.future, result, error)


def _settle(future: asyncio.Future[Any], result: object, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)
