"""Logs hold no user-controlled data; settings refuse values that would open or mislead."""

from __future__ import annotations

import io
import logging

import pytest
from pydantic import ValidationError

from bot.logs import Redactor
from bot.settings import Settings, misnamed_settings


def _logged(record_exc: BaseException | None, message: str, *args: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor(["TOKEN-123"]))
    logger = logging.getLogger("test.logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    exc_info = (type(record_exc), record_exc, record_exc.__traceback__) if record_exc else None
    logger.error(message, *args, exc_info=exc_info)
    return stream.getvalue()


def _raise_with_user_text(typed: str = "USER-TYPED-38.4-TOKEN-123") -> BaseException:
    try:
        try:
            int(typed)
        except ValueError as inner:
            raise RuntimeError(f"wrapping {typed}") from inner
    except RuntimeError as error:
        return error
    raise AssertionError("unreachable")


def test_tracebacks_keep_frames_and_types_but_no_messages() -> None:
    """An exception quoting user input is logged by type and frames; its message is withheld."""
    output = _logged(_raise_with_user_text(), "handler failed: %s", "RuntimeError")
    assert "handler failed: RuntimeError" in output
    assert "builtins.ValueError" in output
    assert "builtins.RuntimeError" in output
    assert "_raise_with_user_text" in output
    assert "USER" not in output
    assert "TOKEN-123" not in output


def test_a_dumped_update_is_logged_without_its_content() -> None:
    """PTB's 'Received data was: %r' about an unprocessable update keeps the event only."""
    output = _logged(None, "Something went wrong. Received data was: %r", {"text": "PATIENT"})
    assert "could not be processed" in output
    assert "PATIENT" not in output


def test_settings_refuse_an_empty_allowlist_and_an_unknown_time_zone() -> None:
    """A set-but-empty ALLOWED_USER_IDS and an unknown SITE_TIMEZONE do not validate."""
    with pytest.raises(ValidationError, match="lists no user id"):
        Settings(allowed_user_ids=" , ")
    with pytest.raises(ValidationError, match="IANA time zone"):
        Settings(site_timezone="Mars/Olympus")
    assert Settings(allowed_user_ids="1, 2").allowed_user_ids == {1, 2}
    assert Settings(site_timezone="Europe/London").site_timezone == "Europe/London"


def test_look_alike_allowlist_names_are_found() -> None:
    """Names like ALLOWED_USERS or allowed_ids are flagged; the real name is not."""
    found = misnamed_settings({"ALLOWED_USERS": "1", "allowed_ids": "2", "ALLOWED_USER_IDS": "3"})
    assert found == ["ALLOWED_USERS", "allowed_ids"]
    assert misnamed_settings({"PATH": "/bin"}) == []
