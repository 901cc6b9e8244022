"""Console transport: the same dialogs in a terminal, options by letter, typed answers.

What the user types for an option is what is shown beside it: a letter, or the option's own
number where its key is a number (a grade, a stage, a count), so that a typed number always means
that number. Commands are the Telegram ones (`/crs`, `/help`, ...), read from the engine's tables.
Leaving mid-dialog (Ctrl-D, Ctrl-C, quit) asks before discarding the answers given so far.
"""

from __future__ import annotations

import contextlib
import string
import sys
import time
from collections.abc import Callable
from typing import IO

from dialogs import texts
from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import COMMANDS, DIALOG_COMMANDS, Event, Reply
from dialogs.chat.session import Session

__all__ = ["command_names", "run_console"]

QUIT = {"quit", "exit"}
YES = {"y", "yes"}
Read = Callable[[str], str]


def command_names() -> list[str]:
    """Every command the console takes, as typed: the dialogs' and the engine's, then quit."""
    return [f"/{name}" for name in (*DIALOG_COMMANDS, *COMMANDS, "quit")]


def _tokens(reply: Reply) -> list[str]:
    """What to type for each option: its key where that is a number, else the next letter."""
    letters = iter(string.ascii_lowercase)
    tokens = []
    for option in reply.options:
        key = option.id.split(".", 1)[-1]
        tokens.append(key if key.isascii() and key.isdigit() else next(letters))
    return tokens


def _show(reply: Reply, out: IO[str]) -> None:
    out.write(reply.full_text + "\n")
    for token, option in zip(_tokens(reply), reply.options, strict=True):
        out.write(f"  {token}\n" if option.label == token else f"  {token}. {option.label}\n")


def _event(line: str, last: Reply | None, session: Session) -> Event:
    """Turn a typed line into an event: an option by what is shown beside it, else text."""
    text = line.strip()
    at = time.strftime("%Y-%m-%d %H:%M")
    if last is not None and last.options:
        by_token = dict(zip(_tokens(last), last.options, strict=True))
        option = by_token.get(text.lower())
        if option is not None:
            return Event(kind="option", value=option.id, step=session.step, at=at)
        parts = [p.strip() for p in text.lower().split(",")]
        if last.expects == "multi" and len(parts) > 1 and all(p in by_token for p in parts):
            # Several letters at once: the same as typing those options' keys ("a, c").
            keys = [by_token[p].id.split(".", 1)[-1] for p in parts]
            return Event(kind="text", value=", ".join(keys)[:4096], at=at)
    return Event(kind="text", value=text[:4096], at=at)


def _reader(stdin: IO[str], stdout: IO[str]) -> Read:
    """Read a line: with line editing and history on a terminal; EOFError at end of input."""
    if stdin is sys.stdin and stdout is sys.stdout and stdin.isatty():
        # readline is not on every platform: without it, plain input() still works.
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401, PLC0415 - imported for its effect on input()
        return input

    def read(prompt: str) -> str:
        stdout.write(prompt)
        stdout.flush()
        line = stdin.readline()
        if not line:
            raise EOFError
        return line

    return read


def _leave(engine: DialogEngine, session: Session, read: Read, stdout: IO[str]) -> bool:
    """Whether to leave now: at once with nothing to lose, else only if the user says so."""
    count = engine.unsaved(session)
    if count == 0:
        return True
    try:
        answer = read("\n" + texts.CONSOLE_DISCARD.format(n=count))
    except (EOFError, KeyboardInterrupt):
        return True  # asked twice: leave
    return answer.strip().lower() in YES


def run_console(stdin: IO[str], stdout: IO[str], engine: DialogEngine) -> int:
    """Run dialogs on a terminal until the user leaves; return the exit code."""
    try:
        return _run(stdin, stdout, engine.with_words(texts.CONSOLE))
    except KeyboardInterrupt:
        # Ctrl-C while an answer is being worked out (not while waiting for one): leave quietly.
        stdout.write("\n" + texts.CONSOLE_BYE + "\n")
        stdout.flush()
        return 0


def _run(stdin: IO[str], stdout: IO[str], engine: DialogEngine) -> int:
    read = _reader(stdin, stdout)
    session, replies = engine.start("menu")
    commands = ", ".join(command_names())
    editing = f" {texts.CONSOLE_EDITING}" if read is input else ""
    stdout.write(
        f"{texts.CONSOLE_BANNER}\n{texts.CONSOLE_COMMANDS.format(commands=commands)}{editing}\n\n"
    )
    last: Reply | None = None
    while True:
        for reply in replies:
            _show(reply, stdout)
            last = reply
        replies = []
        try:
            line = read("> ")
            leaving = line.strip().lower().lstrip("/") in QUIT
        except (EOFError, KeyboardInterrupt):
            leaving = True
        if leaving:
            if _leave(engine, session, read, stdout):
                stdout.write("\n" + texts.CONSOLE_BYE + "\n")
                stdout.flush()
                return 0
            replies = [last] if last is not None else []  # kept: the question again
            stdout.write("\n")
            continue
        stdout.write("\n")
        word = line.strip().lower()
        if word.startswith("/") and word[1:] not in (*DIALOG_COMMANDS, *COMMANDS):
            stdout.write(texts.CONSOLE_UNKNOWN.format(commands=commands) + "\n")
            replies = [last] if last is not None else []
            continue
        session, replies = engine.handle(session, _event(line, last, session))
