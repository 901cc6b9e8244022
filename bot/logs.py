"""Logging: secrets redacted from every record; httpx request lines (with the token) quiet."""

from __future__ import annotations

import logging
from collections.abc import Iterable

__all__ = ["Redactor", "configure_logging", "redact"]

REDACTED = "[REDACTED]"
QUIET_ERRORS = frozenset({"InvalidToken"})


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
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
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
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
