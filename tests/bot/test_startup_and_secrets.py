"""Start-up errors are clear, and the token never appears in logs or error messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.fake_telegram import FakeTelegram
from tests.bot.harness import ROOT, SALT, TOKEN, BotProcess


def run_bot(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` to completion with extra environment (AUDIT_SALT set unless given)."""
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TELEGRAM_") and k not in ("AUDIT_SALT", "ALLOWED_USER_IDS")
    }
    full["AUDIT_SALT"] = SALT
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=full,
        input="",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_wrong_token_fails_clearly_without_printing_it(tmp_path: Path) -> None:
    """Telegram rejecting the token: exit 2, a clear message, and the token nowhere in output."""
    fake = FakeTelegram(TOKEN).start()
    wrong = "999999:WRONG-token-must-not-leak"
    try:
        done = run_bot(
            {
                "TELEGRAM_TOKEN": wrong,
                "TELEGRAM_BASE_URL": fake.base_url,
                "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
            }
        )
    finally:
        fake.stop()
    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert "Telegram rejected TELEGRAM_TOKEN" in output
    assert wrong not in output
    assert "WRONG-token" not in output
    assert "Traceback" not in output


def test_a_full_run_logs_nothing_secret_and_no_free_text(tmp_path: Path) -> None:
    """Over a whole run (start, dialog, typed text, shutdown) the log holds no token, no text."""
    fake = FakeTelegram(TOKEN).start()
    process = BotProcess(fake, tmp_path / "bot.sqlite3").start()
    try:
        fake.send_text(1, "/crs")
        fake.wait_messages(1, 1)
        fake.send_text(1, "38.7 SECRET-FREE-TEXT")
        fake.wait_messages(1, 2)
        fake.fail_next("sendMessage", "500")
        fake.send_text(1, "back")
        fake.wait_messages(1, 3)
    finally:
        process.stop()
        fake.stop()
    log = process.output()
    assert "starting (polling mode" in log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert "SECRET-FREE-TEXT" not in log
    assert "api.telegram.org" not in log


def test_a_corrupt_database_gives_a_clear_startup_error(tmp_path: Path) -> None:
    """A file that is not SQLite: exit 2 naming the file and what to do, no traceback."""
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(b"this is not a database, it is a note " * 100)
    done = run_bot(
        {
            "TELEGRAM_TOKEN": TOKEN,
            "DATABASE_PATH": str(database),
            "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
        }
    )
    assert done.returncode == 2
    assert f"Cannot use the database {database}" in done.stderr
    assert "intact SQLite database" in done.stderr
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stderr


def test_an_unwritable_database_gives_a_clear_startup_error(tmp_path: Path) -> None:
    """A database in a folder that does not exist: exit 2 with the path."""
    database = tmp_path / "missing" / "folder" / "bot.sqlite3"
    done = run_bot(
        {
            "TELEGRAM_TOKEN": TOKEN,
            "DATABASE_PATH": str(database),
            "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
        }
    )
    assert done.returncode == 2
    assert "Cannot use the database" in done.stderr
    assert "writable" in done.stderr


def test_bad_allowlist_is_refused_with_the_format() -> None:
    """ALLOWED_USER_IDS that are not ids stop start-up with the expected format."""
    done = run_bot({"ALLOWED_USER_IDS": "alice,bob"})
    assert done.returncode == 2
    assert "ALLOWED_USER_IDS must be Telegram user ids" in done.stderr


def test_a_token_without_an_audit_salt_refuses_to_start(tmp_path: Path) -> None:
    """A token with no AUDIT_SALT: exit 2 with one line saying what to set; nothing started."""
    done = run_bot(
        {
            "TELEGRAM_TOKEN": TOKEN,
            "AUDIT_SALT": "",
            "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
            "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
        }
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: AUDIT_SALT must be set with TELEGRAM_TOKEN")
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "db.sqlite3").exists()


def test_an_empty_or_misnamed_allowlist_refuses_to_start(tmp_path: Path) -> None:
    """ALLOWED_USER_IDS set but empty, or a look-alike name, would open the bot: refused."""
    common = {"TELEGRAM_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    empty = run_bot({**common, "ALLOWED_USER_IDS": " "})
    assert empty.returncode == 2
    assert "ALLOWED_USER_IDS is set but lists no user id" in empty.stderr
    misnamed = run_bot({**common, "ALLOWED_USERS": "1001"})
    assert misnamed.returncode == 2
    assert "unknown setting ALLOWED_USERS: the allowlist is ALLOWED_USER_IDS" in misnamed.stderr


def test_the_start_up_line_says_how_many_users_are_allowed(tmp_path: Path) -> None:
    """The start-up log line states the allowlist's size (or that there is none)."""
    fake = FakeTelegram(TOKEN).start()
    process = BotProcess(fake, tmp_path / "bot.sqlite3", ALLOWED_USER_IDS="1001, 2002").start()
    try:
        fake.wait_for(lambda: "starting (" in process.output())
    finally:
        process.stop()
        fake.stop()
    assert "2 user(s) allowed" in process.output()


def _cpus_of_threads(pid: int) -> set[str]:
    """The CPUs each thread of a process may run on, as Linux lists them ("1", "0-1")."""
    cpus = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("Cpus_allowed_list:"):
                cpus.add(line.split(":", 1)[1].strip())
    return cpus


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs Linux and two CPUs to choose from",
)
@pytest.mark.parametrize("pin", ["true", "false"])
def test_the_bot_keeps_all_its_threads_on_one_cpu_unless_told_not_to(
    tmp_path: Path, pin: str
) -> None:
    """With PIN_CPU (the default) every thread of the running bot, the database's included, is
    on the one CPU the start-up line names; PIN_CPU=false leaves them on every CPU."""
    fake = FakeTelegram(TOKEN).start()
    process = BotProcess(fake, tmp_path / "bot.sqlite3", PIN_CPU=pin).start()
    try:
        fake.send_text(1, "/crs")
        fake.wait_messages(1, 1)  # the database thread has answered by now
        assert process.process is not None
        cpus = _cpus_of_threads(process.process.pid)
        threads = len(list(Path(f"/proc/{process.process.pid}/task").iterdir()))
    finally:
        process.stop()
        fake.stop()
    ours = _cpus_of_threads(os.getpid())  # what the bot inherits: several CPUs
    assert threads >= 2
    if pin == "true":
        (cpu,) = cpus
        assert cpu.isdigit()
        assert int(cpu) in os.sched_getaffinity(0)
        assert f"threads on CPU {cpu}" in process.output()
    else:
        assert cpus == ours
        assert "threads on any CPU" in process.output()
