"""Sales planning and forecast history: targets per period and scope, weekly forecast snapshots."""

from __future__ import annotations

from django.db import models


class Target(models.Model):
    """A sales target: the amount to win in a period (``2027-Q1``, ``2027-01`` or ``2027``).

    The scope is the whole process when ``team``, ``owner`` and ``type`` are empty; otherwise the
    records of that team, owner or opportunity type. One target per period and scope.
    """

    period = models.CharField(max_length=7, help_text="2027-Q1 (quarter), 2027-01 (month) or 2027 (year).")
    process = models.CharField(max_length=64, help_text="Process key, e.g. opportunity-management.")
    team = models.CharField(max_length=100, blank=True)
    owner = models.CharField(max_length=150, blank=True, help_text="User name of the owner.")
    type = models.CharField(max_length=64, blank=True, help_text="Opportunity type (the `type` field).")
    amount = models.DecimalField(max_digits=17, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["period", "process", "team", "owner", "type"]
        constraints = [models.UniqueConstraint(fields=["period", "process", "team", "owner", "type"],
                                               name="unique_target_scope")]

    def __str__(self) -> str:
        scope = self.team or self.owner or self.type or "all"
        return f"{self.period} {self.process} {scope}: {self.amount} {self.currency}"


class ForecastSnapshot(models.Model):
    """The forecast of one period as it stood at ``taken_at`` (one per week; the base of forecast accuracy)."""

    taken_at = models.DateTimeField()
    period = models.CharField(max_length=7)
    process = models.CharField(max_length=64)
    currency = models.CharField(max_length=3, default="EUR")
    won = models.DecimalField(max_digits=17, decimal_places=2, help_text="Closed won in the period so far.")
    commit = models.DecimalField(max_digits=17, decimal_places=2)
    best_case = models.DecimalField(max_digits=17, decimal_places=2)
    pipeline = models.DecimalField(max_digits=17, decimal_places=2)
    weighted = models.DecimalField(max_digits=17, decimal_places=2, help_text="Open amount × probability.")
    expected = models.DecimalField(max_digits=17, decimal_places=2, help_text="won + weighted.")
    p10 = models.DecimalField(max_digits=17, decimal_places=2)
    p50 = models.DecimalField(max_digits=17, decimal_places=2)
    p90 = models.DecimalField(max_digits=17, decimal_places=2)
    target = models.DecimalField(max_digits=17, decimal_places=2, null=True, blank=True)
    backfilled = models.BooleanField(default=False, help_text="Reconstructed from the event log as of taken_at.")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["taken_at", "period"]
        indexes = [models.Index(fields=["process", "period"])]
        constraints = [models.UniqueConstraint(fields=["taken_at", "period", "process"], name="unique_snapshot")]

    def __str__(self) -> str:
        return f"{self.process} {self.period} @ {self.taken_at:%Y-%m-%d}"
