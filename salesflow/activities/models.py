"""The activity log: calls, meetings, e-mails and notes, and tasks, on a record, an account or a contact.

Every row is written together with its event (`salesflow.activities.services`); ``audit verify``
compares the rows with their events (`salesflow.activities.integrity`). Who may see an activity
follows its record: an activity of a record a user may not see does not exist for them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

#: Logged work (what happened) and tasks (what is to be done).
LOGGED_KINDS = ("call", "meeting", "email", "note")
TASK = "task"
KINDS = (*LOGGED_KINDS, TASK)


class Activity(models.Model):
    """One logged call, meeting, e-mail or note — or a task with owner, due date and reminder."""

    kind = models.CharField(max_length=8, choices=[(kind, kind) for kind in KINDS])
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True, help_text="Notes, the e-mail's text, the invitation's description.")
    at = models.DateTimeField(help_text="When it happened (a task: when it was added).")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)
    next_step = models.CharField(max_length=500, blank=True)
    participants = models.TextField(blank=True, help_text="Who else took part (names, e-mail addresses).")
    record = models.ForeignKey("records.Record", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="logged_activities")
    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="activities")
    contact = models.ForeignKey("accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="activities")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="activities", help_text="Who did it; a task: who is to do it.")
    owner_name = models.CharField(max_length=150)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    logged_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    due_date = models.DateField(null=True, blank=True)
    remind_on = models.DateField(null=True, blank=True, help_text="The day the owner is reminded (scheduled job).")
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by_name = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=8, blank=True, help_text="eml or ics when imported from a file.")
    source_id = models.CharField(max_length=500, blank=True, help_text="The Message-ID or the event's UID.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["record", "at"]),
            models.Index(fields=["owner", "kind", "done_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"

    @property
    def is_task(self) -> bool:
        """True for a task."""
        return self.kind == TASK

    @property
    def is_open(self) -> bool:
        """A task not done yet."""
        return self.kind == TASK and self.done_at is None
