"""Settings from the environment (pydantic-settings). The token is a secret and never printed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "misnamed_settings"]

ALLOWLIST = "ALLOWED_USER_IDS"


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    telegram_token: SecretStr | None = Field(default=None, description="From @BotFather.")
    # Comma-separated Telegram user ids. Unset means anyone may use the bot (logged at start-up);
    # set but empty or unreadable refuses to start, so a typo never opens the bot to everyone.
    allowed_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("cart_bot.sqlite3")
    session_expiry_hours: float = Field(default=12, gt=0)
    # Secret salt of the hashed user ids (audit log) and chat keys (sessions). Required with a
    # token: a built-in value would let anyone link the hashes back to users. Keep it stable:
    # a new salt starts every chat afresh.
    audit_salt: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    guideline_dir: Path | None = None
    reminder_poll_seconds: float = Field(default=30, gt=0)
    # Seconds to wait for one Bot API call before retrying it.
    telegram_timeout_seconds: float = Field(default=10, gt=0)
    # First wait before sending a failed reply again; doubles up to 30 s, until delivered.
    send_backoff_seconds: float = Field(default=1.0, gt=0, le=30)
    # The site's time zone (IANA name), for reminder times and the time stamp of a handover.
    site_timezone: str = "UTC"
    # Answer private chats only; groups and channels get a one-line explanation.
    private_only: bool = True
    # Keep the bot's threads on one CPU (see bot/cpu.py): every answer crosses from the event
    # loop to the database thread and back, which costs less on one CPU.
    pin_cpu: bool = True

    @field_validator("allowed_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                ids = frozenset(int(p) for p in parts if p)
            except ValueError:
                message = "ALLOWED_USER_IDS must be Telegram user ids, e.g. 12345,67890"
                raise ValueError(message) from None
            if not ids:
                message = (
                    "ALLOWED_USER_IDS is set but lists no user id; list ids (12345,67890) or "
                    "unset it to let anyone use the bot"
                )
                raise ValueError(message)
            return ids
        return value

    @field_validator("site_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "SITE_TIMEZONE must be an IANA time zone, e.g. Europe/London"
            ) from None
        return value

    @property
    def token(self) -> str | None:
        """The token's value, for the one place that hands it to Telegram."""
        return self.telegram_token.get_secret_value() if self.telegram_token else None


def misnamed_settings(environ: Mapping[str, str]) -> list[str]:
    """Environment names that look like the allowlist but are not it (a typo would open the bot)."""
    return sorted(
        name
        for name in environ
        if name.upper() != ALLOWLIST and ("ALLOWED" in name.upper() or "ALLOWLIST" in name.upper())
    )
