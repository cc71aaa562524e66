"""Links between other systems' ids and ours: what makes imports idempotent."""

from __future__ import annotations

from django.db import models


class ExternalRef(models.Model):
    """One object of another system (a Salesforce opportunity, history row, account, user …) and ours.

    ``local_id`` is the id of the record, account or user (for history rows and imported events: the
    id of the record they belong to; the events carry the source ids in their payload). ``fingerprint`` is a hash of the
    source row as last imported: an unchanged row is skipped. ``data`` keeps the source's own ids
    and values that have no column of ours (owner id, account id, forecast category …).
    """

    KINDS = ["opportunity", "history", "account", "user", "deal", "record", "event"]

    system = models.CharField(max_length=64, help_text="The source system, e.g. 'salesforce', 'hubspot'.")
    kind = models.CharField(max_length=16, choices=[(kind, kind) for kind in KINDS])
    external_id = models.CharField(max_length=255)
    local_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "kind", "external_id"],
                                               name="unique_external_ref")]
        indexes = [models.Index(fields=["kind", "local_id"])]

    def __str__(self) -> str:
        return f"{self.system} {self.kind} {self.external_id} → {self.local_id}"
