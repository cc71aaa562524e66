"""Forecast submissions (an owner's call), adjustments (a manager's figure for a team or the organisation) and
weekly locks (the week's figures frozen into the forecast snapshot). Each row is written with its event."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ForecastSubmission(models.Model):
    """An owner's commit and best case for a period (the newest one counts)."""

    period = models.CharField(max_length=7)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forecast_submissions")
    commit = models.DecimalField(max_digits=17, decimal_places=2)
    best_case = models.DecimalField(max_digits=17, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    note = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    event_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["period", "owner_id", "submitted_at", "id"]
        indexes = [models.Index(fields=["period", "owner"])]


class ForecastAdjustment(models.Model):
    """A manager's figure for a team (or, without a team, for the whole organisation)."""

    period = models.CharField(max_length=7)
    team = models.ForeignKey("people.Team", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="forecast_adjustments")
    commit = models.DecimalField(max_digits=17, decimal_places=2)
    best_case = models.DecimalField(max_digits=17, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    note = models.TextField()
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adjusted_at = models.DateTimeField()
    event_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["period", "adjusted_at", "id"]
        indexes = [models.Index(fields=["period", "team"])]


class ForecastLock(models.Model):
    """The figures of a period frozen at the weekly forecast call."""

    period = models.CharField(max_length=7)
    week = models.DateField(help_text="The day of the lock (its week's forecast call).")
    locked_at = models.DateTimeField()
    figures = models.JSONField(default=dict, help_text="The roll-up as it stood (forecast rollup --json).")
    snapshot = models.ForeignKey("analytics.ForecastSnapshot", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    event_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["period", "week"]
        constraints = [models.UniqueConstraint(fields=["period", "week"], name="unique_forecast_lock")]
