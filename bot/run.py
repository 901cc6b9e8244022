"""Run the bot: Telegram when TELEGRAM_TOKEN is set, otherwise the console dialog."""

from __future__ import annotations

import logging
import sys

from bot.bootstrap import Parts
from bot.logs import configure_logging, redact

__all__ = ["main"]

log = logging.getLogger("bot")
EXIT_CONFIG = 2


def main(parts: Parts) -> int:
    """Run the transport the settings call for: Telegram with a token, else the console."""
    from dialogs.guideline import GuidelineError  # noqa: PLC0415 - with the engine, not before
    from dialogs.training.bank import TrainingError  # noqa: PLC0415

    try:
        engine = parts.engine
    except GuidelineError as error:  # tables valid alone, but not what the dialogs ask
        sys.stderr.write(f"error: guideline: {error}\n")
        return EXIT_CONFIG
    except TrainingError as error:
        sys.stderr.write(f"error: training cases: {error}\n")
        return EXIT_CONFIG
    if not parts.settings.token:
        from bot.console import run_console  # noqa: PLC0415 - no Telegram imports needed

        return run_console(sys.stdin, sys.stdout, engine)
    return _run_telegram(parts)


def _run_telegram(parts: Parts) -> int:
    from telegram import Update  # noqa: PLC0415 - Telegram loads only when used
    from telegram.error import InvalidToken, NetworkError  # noqa: PLC0415

    from bot.store import StoreError  # noqa: PLC0415

    settings = parts.settings
    secrets = [settings.token or ""]
    if settings.webhook_secret:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(secrets)
    try:
        store = parts.store()
    except StoreError as error:
        sys.stderr.write(f"error: {redact(str(error), secrets)}\n")
        return EXIT_CONFIG
    application, _ = parts.telegram(parts.service(store))
    log.info(
        "starting (%s mode, guideline %s, database %s)",
        "webhook" if settings.webhook_url else "polling",
        parts.guideline.version,
        settings.database_path,
    )
    try:
        if settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                webhook_url=settings.webhook_url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    except InvalidToken:
        sys.stderr.write(
            "error: Telegram rejected TELEGRAM_TOKEN; copy it again from @BotFather.\n"
        )
        return EXIT_CONFIG
    except NetworkError as error:
        sys.stderr.write(f"error: cannot reach Telegram: {redact(str(error), secrets)}\n")
        return EXIT_CONFIG
    except RuntimeError as error:
        sys.stderr.write(f"error: {redact(str(error), secrets)}\n")
        return EXIT_CONFIG
    return 0
