"""Replies as Telegram messages: HTML-escaped text, inline keyboards, split under 4096 chars."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.messages import Reply

__all__ = ["MAX_TEXT", "callback_data", "keyboard", "parse_callback", "split_text", "to_html"]

# Telegram's limit is 4096 characters a message; keep a margin for entities.
MAX_TEXT = 4000
MAX_CALLBACK_BYTES = 64


def callback_data(step: int, option_id: str) -> str:
    """Button data: the session step it belongs to and the option id ('12|o2.cpap')."""
    data = f"{step}|{option_id}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {option_id}")
    return data


def parse_callback(data: str) -> tuple[int | None, str]:
    """Split button data into (step, option id); the step is None for non-dialog buttons."""
    step, _, option = data.partition("|")
    return (int(step), option) if step.isdigit() and option else (None, data)


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
    """Escape everything (user text included); a result's first line, its grades, in bold."""
    text = html.escape(reply.text, quote=False)
    if reply.kind == "result":
        first, _, rest = text.partition("\n")
        return f"<b>{first}</b>\n{rest}" if rest else f"<b>{first}</b>"
    return text


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
