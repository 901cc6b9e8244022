"""The composition root: the guideline loaded once, and every part built from that one copy.

`bootstrap(settings)` loads the guideline (from GUIDELINE_DIR when set) and returns `Parts`.
Each part is built on first use and then kept, so a command builds, and imports, only what it
needs: `assess` never loads the dialogs, the case bank or Telegram; the console never Telegram.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.settings import Settings
from dialogs.clinical.guideline import Guideline, GuidelineError, load_guideline

if TYPE_CHECKING:
    from telegram.request import BaseRequest

    from bot.store import Store
    from bot.telegram.app import App, Bot
    from dialogs.chat.engine import DialogEngine
    from dialogs.chat.flows import Flows
    from dialogs.chat.questions import Questions
    from dialogs.training.bank import Bank

__all__ = ["Parts", "StartupError", "bootstrap", "from_environment"]


class Parts:
    """The parts of the bot, all built from one guideline and one set of settings."""

    def __init__(self, settings: Settings, guideline: Guideline) -> None:
        self.settings = settings
        self.guideline = guideline

    @functools.cached_property
    def questions(self) -> Questions:
        """Every question, with this guideline's prompts and age choices."""
        from dialogs.chat.questions import build_questions

        return build_questions(self.guideline)

    @functools.cached_property
    def flows(self) -> Flows:
        """Every dialog's flow, routed by this guideline's cut-offs."""
        from dialogs.chat.flows import build_flows

        return build_flows(self.guideline)

    @functools.cached_property
    def bank(self) -> Bank:
        """The training case bank, checked against this guideline's grading."""
        from dialogs.training.bank import load_bank

        return load_bank(self.guideline)

    @functools.cached_property
    def engine(self) -> DialogEngine:
        """The dialog engine over these questions, flows and case bank."""
        from dialogs.chat.engine import DialogEngine

        return DialogEngine(self.guideline, self.questions, self.flows, self.bank)

    def store(self) -> Store:
        """Open the database, keyed by AUDIT_SALT (raises StoreError with a one-line reason)."""
        from bot.store import Store

        salt = self.settings.audit_salt
        return Store(self.settings.database_path, salt=salt.get_secret_value() if salt else "")

    def telegram(
        self,
        store: Store,
        request: BaseRequest | None = None,
        updates_request: BaseRequest | None = None,
        clock: Callable[[], float] | None = None,
    ) -> tuple[App, Bot]:
        """The Telegram application over this engine and store (requests: offline, for tests)."""
        from bot.telegram.app import build_application

        return build_application(self.settings, self.engine, store, request, updates_request, clock)


def bootstrap(settings: Settings) -> Parts:
    """Load the guideline once (GUIDELINE_DIR, else the packaged one); raises GuidelineError."""
    return Parts(settings, load_guideline(settings.guideline_dir))


class StartupError(Exception):
    """The settings or the guideline cannot be used: a one-line reason, printed before exit 2."""


def from_environment() -> Parts:
    """Read the settings from the environment and bootstrap; raise StartupError naming the fault."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        raise StartupError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    try:
        return bootstrap(settings)
    except GuidelineError as error:
        raise StartupError(f"guideline: {error}") from None
