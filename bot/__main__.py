"""`python -m bot`: the Telegram bot with a token, the console dialog without; `assess` headless."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Dispatch to the assess command, or run the bot (console when no token is set)."""
    if argv and argv[0] == "assess":
        from bot.assess_cli import main as assess_main

        return assess_main(argv[1:])
    from bot.bootstrap import StartupError, from_environment

    try:
        parts = from_environment()
    except StartupError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    if argv and argv[0] == "diagrams":
        from pathlib import Path

        from bot.diagrams_cli import main as diagrams_main

        return diagrams_main(parts.flows, *[Path(a) for a in argv[1:2]])
    from bot.run import main as run_main

    return run_main(parts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
