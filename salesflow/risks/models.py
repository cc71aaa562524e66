"""The risk and opportunity register (ISO 9001 6.1): entries tied to a process of the library."""

from __future__ import annotations

from django.conf import settings
from django.db import models

#: The kinds of entry.
KINDS = ("risk", "opportunity")
#: The states of an entry: open (to be treated), treated (action taken, watched), closed.
STATUSES = ("open", "treated", "closed")


class RiskEntry(models.Model):
    """A risk or an opportunity of a process, rated by likelihood × impact (1–5 each), with its treatment."""

    kind = models.CharField(max_length=16, default="risk")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    process = models.CharField(max_length=64, help_text="Key of the process the entry belongs to.")
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    treatment = models.TextField(blank=True)
    status = models.CharField(max_length=16, default="open")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="risk_entries")
    review_date = models.DateField(null=True, blank=True, help_text="When the entry is reviewed next.")
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True, help_text="The entry's last event.")

    class Meta:
        ordering = ["status", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}: {self.title}"

    @property
    def score(self) -> int:
        """Likelihood × impact (1–25)."""
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        """high (score ≥ 15), medium (≥ 8) or low."""
        return "high" if self.score >= 15 else "medium" if self.score >= 8 else "low"
