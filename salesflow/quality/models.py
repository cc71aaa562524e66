"""Checklist versions loaded from the library, and the assessments made with them (with their evidence)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChecklistVersion(models.Model):
    """One version of a checklist as loaded from its YAML file; versions are never rewritten."""

    key = models.SlugField(max_length=64)
    version = models.PositiveIntegerField()
    title = models.JSONField(default=dict, help_text="Title by language code.")
    subject = models.CharField(max_length=16)
    responsible = models.SlugField(max_length=64)
    definition = models.JSONField()
    source = models.TextField()
    sha256 = models.CharField(max_length=64)
    file = models.CharField(max_length=500, blank=True)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    loaded_by_name = models.CharField(max_length=150)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="unique_checklist_version")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def title_in(self, language: str) -> str:
        """The title in a language (falling back to English, then the key)."""
        return self.title.get(language) or self.title.get("en") or self.key


class Assessment(models.Model):
    """An assessment of a subject (partner, user, account or record) with one checklist version."""

    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="assessments")
    subject_kind = models.CharField(max_length=16)
    subject_id = models.PositiveBigIntegerField()
    subject_label = models.CharField(max_length=300)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assessments_made")
    assessor_name = models.CharField(max_length=150)
    date = models.DateField()
    answers = models.JSONField(help_text="Question id → canonical answer (yes, no, partial, na or a step).")
    notes = models.TextField(blank=True)
    score_percent = models.DecimalField(max_digits=4, decimal_places=1)
    passed = models.BooleanField()
    failed_critical = models.JSONField(default=list)
    nonconformity = models.ForeignKey("records.Record", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="raised_by_assessments")
    nonconformity_note = models.TextField(blank=True, help_text="Why no nonconformity record was started.")
    created_at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True, help_text="The assessment_recorded event.")

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return f"assessment {self.pk} ({self.checklist})"


class Evidence(models.Model):
    """A file attached to an assessment as evidence (stored with its SHA-256, named in the event)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="evidence")
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
