"""Reading the bot's SQLite file as an outsider would: a separate connection, plain SQL."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path


def rows(path: Path, sql: str, *params: object) -> list[dict[str, object]]:
    """The rows of a read query, each as a dict of column to value."""
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as db:
        cursor = db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def dump(path: Path, sql: str, *params: object) -> str:
    """The rows of a read query as JSON, to search for what must not be stored."""
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as db:
        return json.dumps(db.execute(sql, params).fetchall())
