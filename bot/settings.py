"""Settings from the environment (pydantic-settings). The token is a secret and never printed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    telegram_token: SecretStr | None = Field(default=None, description="From @BotFather.")
    # Comma-separated Telegram user ids; empty means anyone may use the bot.
    allowed_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("cart_bot.sqlite3")
    session_expiry_hours: float = Field(default=12, gt=0)
    # Salt for the hashed user ids of the audit log; set it to keep hashes stable and private.
    audit_salt: SecretStr = SecretStr("cart-tox-bot")
    telegram_base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    guideline_dir: Path | None = None
    reminder_poll_seconds: float = Field(default=30, gt=0)
    # Seconds to wait for one Bot API call before retrying it.
    telegram_timeout_seconds: float = Field(default=10, gt=0)

    @field_validator("allowed_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError:
                message = "ALLOWED_USER_IDS must be Telegram user ids, e.g. 12345,67890"
                raise ValueError(message) from None
        return value

    @property
    def token(self) -> str | None:
        """The token's value, for the one place that hands it to Telegram."""
        return self.telegram_token.get_secret_value() if self.telegram_token else None
