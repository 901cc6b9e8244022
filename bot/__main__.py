"""The command line, `python -m bot` or `cart-bot`: `run` (the default), `assess`, `diagrams`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "parser"]

EXIT_CONFIG = 2


def _prog() -> str:
    """The name to show in usage: how the program was started."""
    name = Path(sys.argv[0]).name
    return "python -m bot" if name in ("__main__.py", "-m", "") else name


def parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand each for the bot, headless grading and diagrams."""
    prog = _prog()
    root = argparse.ArgumentParser(
        prog=prog,
        usage="%(prog)s [-h] [{run,assess,diagrams}] ...",
        description="CRS/ICANS decision support after CAR-T therapy. Without a command: run.",
        epilog="Configuration is read from the environment (TELEGRAM_TOKEN, GUIDELINE_DIR, …; "
        "see the README).",
    )
    commands = root.add_subparsers(
        dest="command", title="commands", metavar="{run,assess,diagrams}"
    )
    commands.add_parser(
        "run",
        prog=f"{prog} run",
        help="run the bot: Telegram when TELEGRAM_TOKEN is set, else the console (default)",
        description="Run the bot on Telegram when TELEGRAM_TOKEN is set (long polling, or a "
        "webhook with WEBHOOK_URL); without a token, run the same dialogs in this terminal.",
    )
    assess = commands.add_parser(
        "assess",
        prog=f"{prog} assess",
        help="grade findings documents (JSON or JSON Lines) and print the assessment",
        description="Grade CRS/ICANS/HLH findings (JSON or JSON Lines) and print the assessment.",
    )
    assess.add_argument(
        "file", nargs="?", type=Path, help="findings file (default: standard input)"
    )
    assess.add_argument("--schema", action="store_true", help="print input and output JSON Schema")
    assess.add_argument("--jsonl", action="store_true", help="treat input as JSON Lines")
    diagrams = commands.add_parser(
        "diagrams",
        prog=f"{prog} diagrams",
        help="write the mermaid state diagram of every dialog",
        description="Write the mermaid state diagram of every dialog, from the machines the "
        "engine runs.",
    )
    diagrams.add_argument(
        "directory", nargs="?", type=Path, help="where to write them (default: docs/diagrams)"
    )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; return the exit code."""
    args = parser().parse_args(argv)
    command = args.command or "run"
    if command == "assess" and args.schema:
        from bot.assess_cli import print_schema  # the schema needs no guideline

        return print_schema(sys.stdout)
    from bot.bootstrap import StartupError, from_environment

    try:
        parts = from_environment()
    except StartupError as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_CONFIG
    if command == "assess":
        from bot.assess_cli import main as assess_main

        return assess_main(parts.guideline, args.file, jsonl=args.jsonl)
    if command == "diagrams":
        from bot.diagrams_cli import DIAGRAMS
        from bot.diagrams_cli import main as diagrams_main

        return diagrams_main(parts.engine, args.directory or DIAGRAMS)
    from bot.run import main as run_main  # Telegram imports only when a token is set

    return run_main(parts)


if __name__ == "__main__":
    sys.exit(main())
