"""Logging: secrets redacted from every record; httpx request lines (with the token) quiet.

Nothing a user controls reaches the log: tracebacks keep their frames and exception types but
not the exception messages (a parse error quotes the input it failed on), and PTB's report of an
update it could not process is logged without the update.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

__all__ = ["Redactor", "configure_logging", "redact"]

REDACTED = "[REDACTED]"
QUIET_ERRORS = frozenset({"InvalidToken"})
WITHHELD = "(message withheld: it may quote user input)"
# PTB logs an update it could not parse with the update itself: keep the event, drop the data.
UPDATE_DUMPS = ("Received data was", "Webhook received data")


def frames_only(error: BaseException) -> str:
    """A traceback with every frame and exception type of the chain, and no messages."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    parts: list[str] = []
    for link in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        parts.append(f"{type(link).__module__}.{type(link).__qualname__} {WITHHELD}\n")
    return "".join(parts).rstrip("\n")


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in the text."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class Redactor(logging.Filter):
    """A handler filter that removes secrets from messages, arguments and tracebacks."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record without secrets; never drop it."""
        if isinstance(record.msg, str) and any(d in record.msg for d in UPDATE_DUMPS):
            record.msg, record.args = "an update could not be processed (content withheld)", None
        message = record.getMessage()
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if (
            record.exc_info
            and record.exc_info[0] is not None
            and (record.exc_info[0].__name__ in QUIET_ERRORS)
        ):
            # A rejected token is a configuration error with its own clear message at exit.
            record.exc_info, record.exc_text = None, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = frames_only(record.exc_info[1])
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def configure_logging(secrets: Iterable[str], level: int = logging.INFO) -> logging.Handler:
    """Log to stderr through the redactor; keep httpx and httpcore at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the Bot API URL contains the token.
    # transitions logs every state change at INFO: noise, and CPU on every update; APScheduler
    # logs every job it adds and runs (the reminders).
    for noisy in ("httpx", "httpcore", "transitions", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
