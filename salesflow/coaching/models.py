"""A 1:1 meeting of a manager with a person they manage, and the actions agreed in it (each with a due date)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Meeting(models.Model):
    """One 1:1 meeting held (recorded by the manager; its event is ``one_to_one_held``)."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_held")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_attended")
    date = models.DateField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["person", "date"])]

    def __str__(self) -> str:
        return f"1:1 {self.manager_id}→{self.person_id} on {self.date}"


class Action(models.Model):
    """An action agreed in a 1:1: due on a date, done by one of both (shows on both people's My work)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=500)
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text
