"""Replies as Telegram messages: HTML-escaped text, inline keyboards, split under 4096 chars."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.chat.messages import Reply

__all__ = [
    "ANSWER_DATA",
    "MAX_TEXT",
    "callback_data",
    "keyboard",
    "parse_callback",
    "split_text",
    "to_html",
    "to_messages",
]

# Telegram's limit is 4096 characters a message; keep a margin for entities.
MAX_TEXT = 4000
MAX_CALLBACK_BYTES = 64
# An answer button's data: the step (ASCII digits) and the option id (see callback_data).
ANSWER_DATA = re.compile(r"^(\d{1,12})\|(.+)$", re.ASCII)


def callback_data(step: int, option_id: str) -> str:
    """Button data: the session step it belongs to and the option id ('12|o2.cpap')."""
    data = f"{step}|{option_id}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {option_id}")
    return data


def parse_callback(data: str) -> tuple[int | None, str]:
    """Split button data into (step, option id); the step is None for non-dialog buttons."""
    match = ANSWER_DATA.match(data)
    return (int(match[1]), match[2]) if match else (None, data)


def keyboard(reply: Reply, step: int) -> InlineKeyboardMarkup | None:
    """One button per row, so that long labels stay readable on a phone."""
    if not reply.options:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(o.label, callback_data=callback_data(step, o.id))]
            for o in reply.options
        ]
    )


def to_html(reply: Reply) -> str:
    """Escape everything (user text included); a result's first line (its grades), or an
    emergency's first-steps title, in bold."""
    text = html.escape(reply.text, quote=False)
    if reply.kind in ("result", "first_steps"):
        first, _, rest = text.partition("\n")
        return f"<b>{first}</b>\n{rest}" if rest else f"<b>{first}</b>"
    return text


def _fold_html(title: str, lines: list[str]) -> str:
    body = html.escape("\n".join(lines), quote=False)
    return f"<b>{html.escape(title, quote=False)}</b>\n<blockquote expandable>{body}</blockquote>"


def _fold_parts(title: str, lines: tuple[str, ...], limit: int) -> list[str]:
    """A fold as one expandable blockquote, or several when it is longer than a message."""
    parts: list[str] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len(_fold_html(title, [*chunk, line])) > limit:
            parts.append(_fold_html(title, chunk))
            chunk = []
        chunk.append(line)
    parts.append(_fold_html(title, chunk))
    return parts


def to_messages(reply: Reply, limit: int = MAX_TEXT) -> list[str]:
    """The reply as HTML messages: the visible text, then each fold as an expandable blockquote.

    Folds are never cut through a tag: messages are split between whole blockquotes.
    """
    head = split_text(to_html(reply), limit)
    messages = head[:-1]
    current = head[-1]
    for fold in reply.folds:
        for part in _fold_parts(fold.title, fold.lines, limit):
            if len(current) + 1 + len(part) > limit:
                messages.append(current)
                current = part
            else:
                current = f"{current}\n{part}"
    messages.append(current)
    return messages


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at line boundaries into chunks of at most `limit` characters."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        # A single line longer than the limit is cut (never seen in practice).
        pieces = [line[i : i + limit] for i in range(0, len(line), limit)] or [""]
        for piece in pieces:
            extra = len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size, extra = [], 0, len(piece)
            current.append(piece)
            size += extra
    chunks.append("\n".join(current))
    return chunks
