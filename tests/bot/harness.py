"""Run the real bot (`python -m bot`) as a subprocess against the fake Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.bot.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-do-not-log-AbCdEf"  # noqa: S105 - a fake token for a fake server
SALT = "test-salt-7f3a9c"  # a fixed AUDIT_SALT, so tests can compute chat keys


# Every process started, so that a failing test cannot leave a bot running (see conftest).
STARTED: list[BotProcess] = []


class BotProcess:
    """`python -m bot` with TELEGRAM_TOKEN set, pointed at the fake server."""

    def __init__(self, fake: FakeTelegram, database: Path, token: str = TOKEN, **env: str) -> None:
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("TELEGRAM_") and k not in ("AUDIT_SALT", "ALLOWED_USER_IDS")
        }
        self.env.update(
            {
                "TELEGRAM_TOKEN": token,
                "TELEGRAM_BASE_URL": fake.base_url,
                "DATABASE_PATH": str(database),
                "REMINDER_POLL_SECONDS": "0.2",
                "TELEGRAM_TIMEOUT_SECONDS": "1",
                "PYTHONUNBUFFERED": "1",
                "AUDIT_SALT": SALT,
                "SEND_BACKOFF_SECONDS": "0.1",
                **env,
            }
        )
        self.log = database.with_suffix(f".{len(list(database.parent.glob('*.log')))}.log")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, cwd: Path = ROOT, python: tuple[str, ...] = ()) -> BotProcess:
        """Start the bot process (`python` options such as a profiler before `-m bot`)."""
        STARTED.append(self)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, *python, "-m", "bot"],
                cwd=cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as in a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM and wait; return the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)

    def output(self) -> str:
        """Everything the process logged."""
        return self.log.read_text(errors="replace")


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback data) of a message's inline keyboard."""
    markup = message.get("reply_markup") or {}
    return [
        (b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
    ]


def button(message: dict[str, Any], label: str) -> str:
    """The callback data of the button whose label starts with `label`."""
    found = [data for text, data in buttons(message) if text.startswith(label)]
    assert len(found) == 1, (label, buttons(message))
    return found[0]
