"""SQLite store: sessions (written before each reply), the audit log, reminders, training progress.

Standard-library sqlite3 in WAL mode with synchronous=FULL, so a committed answer survives a crash
or power cut. All access goes through one worker thread (`AsyncStore`), which keeps the event loop
free and serialises writes without a lock per call.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dialogs.messages import Attempt
from dialogs.session import Session

__all__ = [
    "AsyncStore",
    "AuditEntry",
    "Progress",
    "Reminder",
    "Store",
    "StoreError",
    "hash_user",
]

_T = TypeVar("_T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    chat_id INTEGER PRIMARY KEY,
    session TEXT NOT NULL,
    updated_at REAL NOT NULL,
    last_update_id INTEGER NOT NULL DEFAULT 0
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


def hash_user(user_id: int, salt: str) -> str:
    """A salted hash of a Telegram user id: who, for the audit log, without the id itself."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


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
    """Per topic (name, attempts, right) and the most-missed rules (rule, times)."""

    topics: list[tuple[str, int, int]]
    missed: list[tuple[str, int]]


@dataclass(frozen=True)
class Stored:
    """A session as stored, with when it was written and the last update applied to it."""

    session: Session
    updated_at: float
    last_update_id: int


class Store:
    """Synchronous store over one SQLite connection. Use from one thread (see AsyncStore)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=5000")
            (status,) = self.db.execute("PRAGMA quick_check").fetchone()
            if status != "ok":
                raise sqlite3.DatabaseError(status)
            self.db.executescript(SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(
                f"Cannot use the database {path}: {error}. Check that the folder is writable "
                "and the file is an intact SQLite database (move a damaged file aside)."
            ) from None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def load(self, chat_id: int) -> Stored | None:
        """The stored session of a chat, if any."""
        row = self.db.execute(
            "SELECT session, updated_at, last_update_id FROM sessions WHERE chat_id = ?",
            (chat_id,),
        ).fetchone()
        if row is None:
            return None
        return Stored(Session.model_validate_json(row[0]), row[1], row[2])

    def save(
        self,
        chat_id: int,
        session: Session,
        now: float,
        update_id: int,
        *,
        audit: AuditEntry | None = None,
        training: TrainingEntry | None = None,
    ) -> None:
        """Write the session, its audit entry and training answers in one durable transaction.

        One transaction, so that a crash can never keep the answer and lose the attempt it scored.
        """
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO sessions (chat_id, session, updated_at, last_update_id) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
                "session = excluded.session, updated_at = excluded.updated_at, "
                "last_update_id = MAX(sessions.last_update_id, excluded.last_update_id)",
                (chat_id, session.model_dump_json(), now, update_id),
            )
            if audit is not None:
                self.db.execute(
                    "INSERT INTO audit (at, user_hash, dialog, grades, guideline) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (now, audit.user_hash, audit.dialog, audit.grades, audit.guideline),
                )
            if training is not None:
                self.db.executemany(
                    "INSERT INTO training (at, user_hash, case_id, topic, question, correct, "
                    "rule) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            now,
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

    def audit_rows(self) -> list[dict[str, object]]:
        """Every audit row, oldest first."""
        cursor = self.db.execute(
            "SELECT at, user_hash, dialog, grades, guideline FROM audit ORDER BY id"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def add_reminder(self, chat_id: int, due_at: float, kind: str, label: str = "") -> int:
        """Store a reminder; return its id."""
        with self.db:
            cursor = self.db.execute(
                "INSERT INTO reminders (chat_id, due_at, kind, label) VALUES (?, ?, ?, ?)",
                (chat_id, due_at, kind, label),
            )
        return int(cursor.lastrowid or 0)

    def label_reminders(self, chat_id: int, label: str) -> int:
        """Give the chat's pending reminders a bed label; return how many."""
        with self.db:
            cursor = self.db.execute(
                "UPDATE reminders SET label = ? WHERE chat_id = ? AND sent = 0", (label, chat_id)
            )
        return cursor.rowcount

    def due_reminders(self, now: float) -> list[Reminder]:
        """Reminders due by now and not yet sent."""
        rows = self.db.execute(
            "SELECT id, chat_id, due_at, kind, label FROM reminders "
            "WHERE sent = 0 AND due_at <= ? ORDER BY due_at",
            (now,),
        ).fetchall()
        return [Reminder(*row) for row in rows]

    def mark_sent(self, reminder_id: int) -> None:
        """Mark a reminder sent."""
        with self.db:
            self.db.execute("UPDATE reminders SET sent = 1 WHERE id = ?", (reminder_id,))

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
        return Progress(topics=topics, missed=missed)

    def bulk_sessions(self, sessions: Sequence[tuple[int, Session]], now: float) -> None:
        """Store many sessions at once (benchmarks and tests)."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO sessions (chat_id, session, updated_at) VALUES (?, ?, ?)",
                [(chat, s.model_dump_json(), now) for chat, s in sessions],
            )

    def execute_json(self, sql: str, *params: object) -> str:
        """Run a read query and return its rows as JSON (for tests and diagnostics)."""
        return json.dumps(self.db.execute(sql, params).fetchall())


class AsyncStore:
    """The store, used from async code: every call runs on one worker thread, in order."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")

    async def run(self, call: Callable[..., _T], *args: object, **kwargs: object) -> _T:
        """Run `call(*args, **kwargs)` on the store's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: call(*args, **kwargs))

    def close(self) -> None:
        """Finish pending writes and close."""
        self._executor.shutdown(wait=True)
        self.store.close()
