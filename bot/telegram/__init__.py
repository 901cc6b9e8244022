"""The Telegram transport: the application builder and handler table (app), the handlers,
sending with retries, reminders on the JobQueue, rendering to HTML and the /progress chart.

Public names are re-exported here lazily: importing the package loads none of its modules (the
console and `assess` start without what they do not use, and no import cycle can form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogs.lazy import exports

if TYPE_CHECKING:
    from bot.telegram.app import App, Bot, build_application
    from bot.telegram.progress import progress_chart
    from bot.telegram.render import to_messages

__all__ = ["App", "Bot", "build_application", "progress_chart", "to_messages"]

_WHERE = {
    "App": "app",
    "Bot": "app",
    "build_application": "app",
    "to_messages": "render",
    "progress_chart": "progress",
}

__getattr__ = exports(__name__, _WHERE)
