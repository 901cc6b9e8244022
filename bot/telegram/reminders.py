"""Reminders of the next reviews: kept in SQLite (the truth), woken by PTB's JobQueue, sent
through the outbox."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import (
    ContextTypes,
    JobQueue,
)

from bot.service import (
    ChatService,
)
from bot.settings import Settings
from bot.store import Reminder, Store
from bot.telegram.sending import App
from dialogs import texts
from dialogs.chat.records import ReminderOffer
from dialogs.clinical.guideline import Guideline

__all__ = ["REMINDER_DATA", "RETRY_JOB", "Reminders", "job_name", "jobs_of"]

log = logging.getLogger("bot")

REMINDER_DATA = re.compile(r"^rem:(crs|neuro):(\d{1,12})$", re.ASCII)

# A reminder's job runs however late the event loop wakes it (APScheduler's default would skip
# a job more than a second late); jobs of one name that are overdue together run once.
REMINDER_JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}

RETRY_JOB = "reminders: retry"


@dataclass
class Reminders:
    """Offering, scheduling and delivering reminders; the store holds every reminder."""

    settings: Settings
    service: ChatService
    guideline: Guideline
    # One delivery of due reminders at a time: two jobs due together must not both read, and
    # both send, the same outbox row before either marks it sent.
    _delivering: asyncio.Lock = field(default_factory=asyncio.Lock)

    def intervals(self) -> dict[str, float]:
        """Hours to each review, from the guideline's monitoring intervals."""
        hours = {r.id: r.interval_hours for r in self.guideline.routine.items if r.interval_hours}
        return {"crs": hours["monitor_crs"], "neuro": hours["monitor_neuro"]}

    def keyboard(
        self, offer: ReminderOffer, before: InlineKeyboardMarkup | None = None
    ) -> InlineKeyboardMarkup:
        """The reminder offers, after the reply's own buttons (what next, the menu)."""
        labels = {"crs": texts.REMIND_CRS, "neuro": texts.REMIND_NEURO}
        own = [list(row) for row in before.inline_keyboard] if before is not None else []
        return InlineKeyboardMarkup(
            [
                *own,
                *(
                    [
                        InlineKeyboardButton(
                            labels[choice.kind].format(hours=f"{choice.hours:g}"),
                            callback_data=f"rem:{choice.kind}:{offer.step}",
                        )
                    ]
                    for choice in offer.choices
                ),
            ]
        )

    def reminder_text(self, reminder: Reminder) -> str:
        """The message of a reminder that has come due."""
        label = f" (bed {reminder.label})" if reminder.label else ""
        return texts.REMINDER_DUE.format(
            what=texts.REMINDER_WHAT[reminder.kind],
            label=label,
            command=texts.REMINDER_COMMAND[reminder.kind],
        )

    async def deliver_reminders(self) -> None:
        """Queue due reminders into the outbox (marked before sending), then send them."""
        store = self.service.store
        async with self._delivering:
            now = self.service.clock()
            await store.run(Store.queue_reminders, store.store, now, self.reminder_text)
            await self.service.deliver_reminders()

    def schedule_delivery(self, jobs: JobQueue[Any], due: float, name: str) -> None:
        """Have the job queue deliver reminders at `due` (seconds on the service's clock), in
        place of any job of that name. The store stays the truth: the job reads it when it
        runs, so a reminder moved or cancelled meanwhile is sent as it is then, or not at all."""
        for job in jobs.get_jobs_by_name(name):
            job.schedule_removal()
        delay = max(0.0, due - self.service.clock())
        jobs.run_once(self.on_reminder_job, delay, name=name, job_kwargs=REMINDER_JOB_KWARGS)

    async def schedule_stored_reminders(self, jobs: JobQueue[Any]) -> int:
        """At start-up: a job for each reminder the store holds (those overdue run at once),
        and one now for reminder messages a crash left unsent. Return how many reminders."""
        store = self.service.store
        # Every reminder held: due by the end of time.
        pending = await store.run(Store.due_reminders, store.store, math.inf)
        for reminder in pending:
            self.schedule_delivery(jobs, reminder.due_at, job_name(reminder.id))
        self.schedule_delivery(jobs, 0.0, RETRY_JOB)
        return len(pending)

    async def on_reminder_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reminder job: send what the store says is due. While some cannot be sent (or the
        store cannot be read), try again every REMINDER_POLL_SECONDS."""
        store = self.service.store
        try:
            await self.deliver_reminders()
            unsent = bool(await store.run(Store.reminder_rows, store.store))
        except Exception as error:
            log.warning("reminder delivery failed (%s): retrying later", type(error).__name__)
            unsent = True
        jobs = jobs_of(context.application)
        if unsent and not jobs.get_jobs_by_name(RETRY_JOB):
            due = self.service.clock() + self.settings.reminder_poll_seconds
            self.schedule_delivery(jobs, due, RETRY_JOB)


def jobs_of(application: App) -> JobQueue[Any]:
    """The application's job queue."""
    jobs = application.job_queue
    if jobs is None:  # only without the job-queue extra, which the project depends on
        raise RuntimeError("reminders need python-telegram-bot[job-queue]")
    return jobs


def job_name(reminder_id: int) -> str:
    """The job's name for a stored reminder (one job per reminder)."""
    return f"reminder {reminder_id}"
