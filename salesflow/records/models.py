"""Persistence of processes, records and the append-only, hash-chained event log."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from salesflow.engine.state import RecordState
from salesflow.process.model import Classification, Status

#: Built-in record fields kept in their own columns (the rest live in ``Record.values``).
COLUMN_FIELDS = ("title", "account", "amount", "currency", "close_date", "classification")


class Process(models.Model):
    """A process of the library (e.g. ``opportunity-management``); its content lives in versions."""

    key = models.SlugField(max_length=64, unique=True)
    title = models.JSONField(default=dict)
    record_type = models.SlugField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    require_acknowledgement = models.BooleanField(
        default=False, help_text="Users must have acknowledged the current guideline before acting in the process.")
    acknowledgement_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after a version's effective date within which its roles must read it.")
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="Retired: no new records; running records finish under their version.")
    retired_by_name = models.CharField(max_length=150, blank=True)
    retired_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def title_in(self, language: str) -> str:
        """The title in a language (falling back to English, then the key)."""
        return self.title.get(language) or self.title.get("en") or self.key

    def current_version(self) -> ProcessVersion | None:
        """The newest approved version: the one new records start under."""
        return self.versions.filter(status=Status.approved.value, scheduled=False).order_by("-version").first()

    def scheduled_versions(self) -> list[ProcessVersion]:
        """Approved versions waiting for their effective date (the scheduled job puts them in force)."""
        return list(self.versions.filter(status=Status.approved.value, scheduled=True).order_by("effective_date"))


class ProcessVersion(models.Model):
    """One version of a process: its YAML source, parsed definition and document-control data."""

    STATUS_CHOICES = [(status.value, status.value.replace("_", " ")) for status in Status]

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    source = models.TextField(help_text="The YAML text as loaded.")
    definition = models.JSONField(help_text="The parsed definition (same keys as the YAML).")
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=Status.draft.value)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # --- document control (ISO 9001 7.5): draft → in_review → approved → obsolete ---------------
    change_note = models.TextField(blank=True, help_text="What changed in this version and why.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reviewer_name = models.CharField(max_length=150, blank=True)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    approver_name = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    scheduled = models.BooleanField(
        default=False, help_text="Approved for a later effective date: the scheduled job puts it in force that day.")
    obsoleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["process__key", "version"]
        constraints = [models.UniqueConstraint(fields=["process", "version"], name="unique_process_version")]

    def __str__(self) -> str:
        return f"{self.process.key} v{self.version}"


class Acknowledgement(models.Model):
    """A user's confirmation that they read (or were trained on) one guideline version (ISO 9001 7.2/7.3)."""

    KIND_CHOICES = [("read", "read"), ("trained", "trained")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements")
    process_version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    kind = models.CharField(max_length=8, choices=KIND_CHOICES, default="read")
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="Who recorded a training (the user for a read).")
    recorded_by_name = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["user", "process_version", "kind"],
                                               name="unique_acknowledgement")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.process_version}"


class Record(models.Model):
    """A record run by a process: an opportunity, a lead, an RFP … in one stage at a time.

    Built-in fields have columns (for lists, filters and analytics); declared fields live in
    ``values``; ``progress`` holds what was done in the process (activities, decisions, approvals,
    delegations). ``version`` rises with every change (optimistic concurrency for API clients).
    """

    # No index of its own: the (process, stage) index serves look-ups by process.
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="records", db_index=False)
    process_version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="records")
    title = models.CharField(max_length=2000)
    stage = models.SlugField(max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_records")
    account = models.CharField(max_length=2000, blank=True)
    amount = models.DecimalField(max_digits=17, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    close_date = models.DateField(null=True, blank=True)
    classification = models.CharField(max_length=32, default=Classification.internal.value,
                                      choices=[(item.value, item.value.replace("_", " ")) for item in Classification])
    probability_override = models.PositiveSmallIntegerField(null=True, blank=True)
    values = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=8, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    stage_entered_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="member_records",
                                     help_text="Named members: who may see a strictly confidential record.")
    customer = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="records", help_text="The customer account ('account' keeps its name).")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["process", "stage"]),  # (the owner foreign key has its index)
            models.Index(fields=["close_date"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def to_state(self) -> RecordState:
        """The engine's view of this record."""
        values: dict[str, Any] = dict(self.values)
        for name in COLUMN_FIELDS:
            value = getattr(self, name)
            if value is None or value == "":
                continue
            if isinstance(value, Decimal):
                value = f"{value:f}"
            elif name == "close_date":
                value = value.isoformat()
            values[name] = value
        progress = self.progress or {}
        return RecordState(
            stage=self.stage,
            owner_id=self.owner_id,
            values=values,
            done=dict(progress.get("done", {})),
            decisions=dict(progress.get("decisions", {})),
            approvals=dict(progress.get("approvals", {})),
            delegations=dict(progress.get("delegations", {})),
            probability_override=self.probability_override,
        )

    def column_values(self) -> dict[str, Any]:
        """The values of the record's own columns, to tell later which changed (`changed_columns`).

        JSON columns are kept as their JSON text: a value changed in place still counts as changed.
        """
        return {field.attname: _comparable(field, getattr(self, field.attname)) for field in self._meta.concrete_fields
                if not field.primary_key}

    def changed_columns(self, before: dict[str, Any]) -> list[str]:
        """The names of the columns whose values differ from ``before`` (a `column_values` result)."""
        return [field.name for field in self._meta.concrete_fields
                if not field.primary_key and _comparable(field, getattr(self, field.attname)) != before[field.attname]]

    def apply_state(self, state: RecordState) -> None:
        """Copy an engine state onto this record's columns (not saved)."""
        values = dict(state.values)
        for name in COLUMN_FIELDS:
            value = values.pop(name, None)
            if name == "amount":
                value = Decimal(value) if value is not None else None
            elif name == "close_date":
                from datetime import date

                value = date.fromisoformat(value) if value else None
            elif value is None:
                value = "" if name != "currency" else "EUR"
            setattr(self, name, value)
        self.values = values
        self.owner_id = state.owner_id
        self.stage = state.stage
        self.progress = state.progress()
        self.probability_override = state.probability_override


def _comparable(field: models.Field, value: Any) -> Any:
    """A column value as `Record.column_values` keeps it (JSON as JSON text, other values as they are)."""
    if isinstance(field, models.JSONField):
        return json.dumps(value, default=str)
    return value


class ChainHead(models.Model):
    """The single row holding the end of the event chain; locked by every append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class Event(models.Model):
    """One entry of the append-only, hash-chained event log (the audit trail).

    ``actor_id`` is kept without a database constraint so that deleting a user never deletes or
    changes an event; ``actor_name`` keeps who it was.
    """

    seq = models.BigIntegerField(primary_key=True)
    # No index of its own: the (record, seq) index serves every look-up by record.
    record = models.ForeignKey(Record, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                               db_index=False, related_name="events")
    process = models.CharField(max_length=64, blank=True)
    process_version = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=48)
    from_stage = models.CharField(max_length=64, blank=True)
    to_stage = models.CharField(max_length=64, blank=True)
    activity = models.CharField(max_length=64, blank=True)
    approval = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_name = models.CharField(max_length=150)
    role = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    imported = models.BooleanField(default=False)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["record", "seq"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Events are written only by the event log and never changed."""
        if not getattr(self, "_appending", False):
            raise RuntimeError("events are append-only: use salesflow.records.eventlog.append")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Events are never deleted."""
        raise RuntimeError("events are append-only and cannot be deleted")


class RecordLink(models.Model):
    """A link between two records: a hand-off (lead → opportunity → order …) or a link set by hand."""

    source = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="links_in")
    kind = models.SlugField(max_length=64, help_text="What the target is to the source, e.g. opportunity, order.")
    handoff = models.SlugField(max_length=64, blank=True, help_text="The hand-off that created it (empty: by hand).")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "handoff"], condition=~models.Q(handoff=""),
                                    name="unique_handoff_per_record"),
            models.UniqueConstraint(fields=["source", "target"], name="unique_record_link"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id} ({self.kind})"


_STALE_DAYS = re.compile(r"\s*\((?:-?\d+ days left|noch -?\d+ Tage)\)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Notification(models.Model):
    """A message to a user about a record: reminders, re-opened reviews, hand-offs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    record = models.ForeignKey(Record, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.SlugField(max_length=48)
    message = models.JSONField(default=dict, help_text="The text by language: {en: ..., de: ...}.")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"

    def text(self, language: str = "en") -> str:
        """The message in a language (falling back to English), without a day count that was true when it was sent.

        Reminders sent before due dates were kept apart said "(4 days left)" in their text; that part is left
        out (`due` gives the date, and pages say how far away it is on the day they are shown).
        """
        text = self.message.get(language) or self.message.get("en") or self.kind
        return _STALE_DAYS.sub("", text) if self.kind == "reminder" else text

    def due(self) -> datetime.date | None:
        """The date a reminder is about (kept with the message, or read from an older reminder's text)."""
        value = self.message.get("due")
        if not value and self.kind == "reminder":
            found = _ISO_DATE.search(self.message.get("en") or "")
            value = found.group(0) if found else None
        try:
            return datetime.date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None


class ScheduleFiring(models.Model):
    """That a schedule of the process fired for a record (makes the scheduled job idempotent)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="schedule_firings")
    schedule = models.SlugField(max_length=64)
    step = models.CharField(max_length=32, help_text="Which firing: days before the due date, or 'breach'.")
    due = models.DateField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["record", "schedule", "step", "due"],
                                               name="unique_schedule_firing")]


class Document(models.Model):
    """A document of a record (e.g. a contract) in versions: the same name again is the next version."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_by_name = models.CharField(max_length=150)
    at = models.DateTimeField()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["record", "name", "version"], name="unique_document_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Consultation(models.Model):
    """A Consulted role of an activity's RACI asked on a record; open until a holder of the role answers.

    The request and the answer are events of the record (``consultation_requested`` /
    ``consultation_answered``); this row is what My work lists and the record page shows.
    """

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="consultations")
    activity = models.SlugField(max_length=64)
    role = models.SlugField(max_length=64, help_text="The consulted role asked.")
    question = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_by_name = models.CharField(max_length=150)
    requested_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_by_name = models.CharField(max_length=150, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["role", "answered_at"], name="consultation_open_by_role")]
        constraints = [models.UniqueConstraint(fields=["record", "activity", "role"],
                                               condition=models.Q(answered_at__isnull=True),
                                               name="one_open_consultation_per_role")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.activity} → {self.role}"

    @property
    def is_open(self) -> bool:
        """True until answered."""
        return self.answered_at is None
class LibrarySettingsVersion(models.Model):
    """One loaded version of the library settings file (roles, access, rights declared for the library).

    The newest row is in force; rows are never changed, so the history shows who loaded what and when.
    """

    source = models.TextField(help_text="The YAML text as loaded.")
    data = models.JSONField(help_text="The parsed settings (the keys below library_settings).")
    sha256 = models.CharField(max_length=64)
    file = models.CharField(max_length=500, blank=True)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    loaded_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"library settings #{self.pk} ({self.sha256[:12]})"


class DatabaseIdentity(models.Model):
    """The one row naming this database: a random UUID stored when the database was created.

    Checkpoints (`salesflow.records.checkpoints`) carry it, so a checkpoint journal is read only
    for the database it belongs to. Like events, the row refuses UPDATE and DELETE (triggers).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    uuid = models.CharField(max_length=36, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.uuid
