"""`python -m bot`: the Telegram bot with a token, the console dialog without; `assess` headless."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Dispatch to the assess command, or run the bot (console when no token is set)."""
    if argv and argv[0] == "assess":
        from bot.assess_cli import main as assess_main  # noqa: PLC0415 - keep start-up light

        return assess_main(argv[1:])
    if argv and argv[0] == "diagrams":
        from bot.diagrams_cli import main as diagrams_main  # noqa: PLC0415

        return diagrams_main(argv[1:])
    from bot.run import main as run_main  # noqa: PLC0415 - Telegram imports only when needed

    return run_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
