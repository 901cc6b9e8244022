"""Run the bot: Telegram when TELEGRAM_TOKEN is set, otherwise the console dialog."""

from __future__ import annotations

import logging
import os
import sys

from pydantic import ValidationError

from bot.logs import configure_logging, redact
from bot.settings import Settings, misnamed_settings
from dialogs.guideline import GuidelineError, default_guideline, load_guideline

__all__ = ["main"]

log = logging.getLogger("bot")
EXIT_CONFIG = 2
EXIT_FATAL = 3  # stopped on purpose: the database was deleted or replaced under the bot


def main(argv: list[str]) -> int:
    """Start the transport the environment calls for."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        sys.stderr.write(f"error: {'.'.join(map(str, first['loc']))}: {first['msg']}\n")
        return EXIT_CONFIG
    try:
        guideline = (
            load_guideline(settings.guideline_dir)
            if settings.guideline_dir
            else default_guideline()
        )
    except GuidelineError as error:
        sys.stderr.write(f"error: guideline: {error}\n")
        return EXIT_CONFIG
    from dialogs.engine import DialogEngine  # noqa: PLC0415 - after settings are known good

    engine = DialogEngine(guideline)
    if not settings.token:
        from bot.console import run_console  # noqa: PLC0415 - no Telegram imports needed

        return run_console(sys.stdin, sys.stdout, engine)
    return _run_telegram(settings, engine)


def _run_telegram(settings: Settings, engine: object) -> int:
    from telegram import Update  # noqa: PLC0415 - Telegram loads only when used
    from telegram.error import InvalidToken, NetworkError  # noqa: PLC0415

    from bot.app import build_application  # noqa: PLC0415
    from bot.store import Store, StoreError  # noqa: PLC0415
    from dialogs.engine import DialogEngine  # noqa: PLC0415

    assert isinstance(engine, DialogEngine)
    refusal = _refusal(settings)
    if refusal:
        sys.stderr.write(f"error: {refusal}\n")
        return EXIT_CONFIG
    assert settings.audit_salt is not None
    secrets = [settings.token or "", settings.audit_salt.get_secret_value()]
    if settings.webhook_secret:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(secrets)
    try:
        store = Store(settings.database_path, salt=settings.audit_salt.get_secret_value())
    except StoreError as error:
        sys.stderr.write(f"error: {redact(str(error), secrets)}\n")
        return EXIT_CONFIG
    application, bot = build_application(settings, engine, store)
    allowed = len(settings.allowed_user_ids)
    log.info(
        "starting (%s mode, guideline %s, database %s, %s)",
        "webhook" if settings.webhook_url else "polling",
        engine.guideline.version,
        settings.database_path,
        f"{allowed} user(s) allowed" if allowed else "no allowlist: anyone may use the bot",
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


def _refusal(settings: Settings) -> str | None:
    """Why the Telegram bot must not start with these settings, if it must not."""
    if settings.audit_salt is None or not settings.audit_salt.get_secret_value():
        return (
            "AUDIT_SALT must be set with TELEGRAM_TOKEN: a long random secret, kept stable "
            "(it keys stored chats and the audit log's user hashes)."
        )
    misnamed = misnamed_settings(os.environ)
    if misnamed:
        return f"unknown setting {', '.join(misnamed)}: the allowlist is ALLOWED_USER_IDS."
    return None
