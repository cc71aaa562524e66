"""A quote on a record, its versions (never changed once written) and the order lines an accepted quote becomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class QuoteStatus(models.TextChoices):
    """Where a quote stands with the customer."""

    draft = "draft", "Draft"
    sent = "sent", "Sent"
    accepted = "accepted", "Accepted"
    rejected = "rejected", "Rejected"


class Quote(models.Model):
    """A priced offer on a record; its current version is the one the record's amount follows."""

    record = models.ForeignKey("records.Record", on_delete=models.PROTECT, related_name="quotes")
    current_version = models.PositiveIntegerField(default=1)
    language = models.CharField(max_length=8, default="en", help_text="The customer's language of the document.")
    status = models.CharField(max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.draft)
    status_reason = models.TextField(blank=True)
    sent_version = models.PositiveIntegerField(null=True, blank=True)
    sent_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The quote's number as the customer reads it, e.g. ``Q-00017``."""
        return f"Q-{self.pk:05d}"

    def current(self) -> QuoteVersion:
        """The current version."""
        return self.versions.get(version=self.current_version)


class QuoteVersion(models.Model):
    """One version of a quote: its lines, totals and terms as written (a revision adds a version)."""

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    valid_until = models.DateField()
    payment_terms = models.TextField(blank=True)
    lines = models.JSONField(default=list, help_text="position, sku, description, unit, quantity, unit_price, "
                                                     "discount_percent, line_total (decimal text)")
    total = models.DecimalField(max_digits=17, decimal_places=2, help_text="Net total of the lines.")
    tax_amount = models.DecimalField(max_digits=17, decimal_places=2)
    max_discount = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["quote", "version"]
        constraints = [models.UniqueConstraint(fields=["quote", "version"], name="unique_quote_version")]

    def __str__(self) -> str:
        return f"{self.quote.number} v{self.version}"


class OrderLine(models.Model):
    """A line of an order record, handed over from the accepted quote; changed under change control."""

    record = models.ForeignKey("records.Record", on_delete=models.PROTECT, related_name="order_lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=40, blank=True)
    description = models.JSONField(default=dict)
    unit = models.CharField(max_length=16, default="pcs")
    quantity = models.DecimalField(max_digits=15, decimal_places=3)
    unit_price = models.DecimalField(max_digits=17, decimal_places=4)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    line_total = models.DecimalField(max_digits=17, decimal_places=2)
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    quote_version = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["record", "position"]
        constraints = [models.UniqueConstraint(fields=["record", "position"], name="unique_order_line_position")]

    def __str__(self) -> str:
        return f"#{self.record_id}/{self.position}"
