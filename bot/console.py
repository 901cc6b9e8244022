"""Console transport: the same dialogs in a terminal, numbered options, typed answers."""

from __future__ import annotations

import string
import time
from typing import IO

from dialogs import texts
from dialogs.engine import DialogEngine
from dialogs.messages import Event, Reply
from dialogs.session import Session

__all__ = ["run_console"]

QUIT = {"quit", "exit", "q", "/quit"}


def _labels(reply: Reply) -> list[str]:
    """Option labels: numbers for choices; letters beside a typed number, so 1 stays a number."""
    if reply.expects == "number":
        return list(string.ascii_lowercase[: len(reply.options)])
    return [str(n) for n in range(1, len(reply.options) + 1)]


def _show(reply: Reply, out: IO[str]) -> None:
    out.write(reply.full_text + "\n")
    for label, option in zip(_labels(reply), reply.options, strict=False):
        out.write(f"  {label}. {option.label}\n")


def _event(line: str, last: Reply | None, session: Session) -> Event:
    """Turn a typed line into an event: an option by its number or letter, else text."""
    text = line.strip()
    at = time.strftime("%Y-%m-%d %H:%M")
    if last is not None and last.options:
        labels = dict(zip(_labels(last), last.options, strict=False))
        option = labels.get(text.lower())
        if option is not None:
            return Event(kind="option", value=option.id, step=session.step, at=at)
    return Event(kind="text", value=text[:4096], at=at)


def run_console(stdin: IO[str], stdout: IO[str], engine: DialogEngine) -> int:
    """Run dialogs on a terminal until end of input or 'quit'; return the exit code."""
    session, replies = engine.start("menu")
    stdout.write(texts.CONSOLE_BANNER + "\n\n")
    last: Reply | None = None
    while True:
        for reply in replies:
            _show(reply, stdout)
            last = reply
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT:
            stdout.write("\n" + texts.CONSOLE_BYE + "\n")
            stdout.flush()
            return 0
        stdout.write("\n")
        session, replies = engine.handle(session, _event(line, last, session))
