"""Run the bot: Telegram when TELEGRAM_TOKEN is set, otherwise the console dialog."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Start the transport the environment calls for."""
    from bot.console import run_console  # noqa: PLC0415 - console needs no Telegram imports

    return run_console(sys.stdin, sys.stdout)
