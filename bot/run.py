"""Run the bot: Telegram when TELEGRAM_TOKEN is set, otherwise the console dialog."""

from __future__ import annotations

import logging
import os
import sys

from bot.bootstrap import Parts
from bot.cpu import pin_to_one_cpu
from bot.logs import configure_logging, redact
from bot.settings import misnamed_settings

__all__ = ["main"]

log = logging.getLogger("bot")
EXIT_CONFIG = 2
EXIT_FATAL = 3  # stopped on purpose: the database was deleted or replaced under the bot


def main(parts: Parts) -> int:
    """Run the transport the settings call for: Telegram with a token, else the console."""
    from dialogs.clinical.guideline import GuidelineError  # noqa: PLC0415 - with the engine, not before
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
    refusal = _refusal(parts)
    if refusal:
        sys.stderr.write(f"error: {refusal}\n")
        return EXIT_CONFIG
    assert settings.audit_salt is not None
    # Before any thread starts (the database's, PTB's): new threads inherit the CPU.
    cpu = pin_to_one_cpu() if settings.pin_cpu else None
    secrets = [settings.token or "", settings.audit_salt.get_secret_value()]
    if settings.webhook_secret:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(secrets)
    try:
        store = parts.store()
    except StoreError as error:
        sys.stderr.write(f"error: {redact(str(error), secrets)}\n")
        return EXIT_CONFIG
    application, bot = parts.telegram(store)
    allowed = len(settings.allowed_user_ids)
    log.info(
        "starting (%s mode, guideline %s, database %s, %s, %s)",
        "webhook" if settings.webhook_url else "polling",
        parts.guideline.version,
        settings.database_path,
        f"{allowed} user(s) allowed" if allowed else "no allowlist: anyone may use the bot",
        "threads on any CPU" if cpu is None else f"threads on CPU {cpu}",
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
    if bot.fatal is not None:
        sys.stderr.write(f"error: {redact(str(bot.fatal), secrets)}\n")
        return EXIT_FATAL
    return 0


def _refusal(parts: Parts) -> str | None:
    """Why the Telegram bot must not start with these settings, if it must not."""
    settings = parts.settings
    if settings.audit_salt is None or not settings.audit_salt.get_secret_value():
        return (
            "AUDIT_SALT must be set with TELEGRAM_TOKEN: a long random secret, kept stable "
            "(it keys stored chats and the audit log's user hashes)."
        )
    misnamed = misnamed_settings(os.environ)
    if misnamed:
        return f"unknown setting {', '.join(misnamed)}: the allowlist is ALLOWED_USER_IDS."
    return None
