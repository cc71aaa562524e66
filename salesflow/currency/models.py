"""Dated exchange rates: ``1 FROM = rate TO`` in force from ``date`` until the pair's next rate."""

from __future__ import annotations

from django.db import models


class ExchangeRate(models.Model):
    """One rate of a currency pair, in force from ``date`` on (until the pair's next dated rate).

    Setting a rate for a pair and date that has one replaces it (an event records old and new).
    """

    date = models.DateField(help_text="The day from which the rate is in force.")
    from_currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=24, decimal_places=10, help_text="1 FROM = rate TO.")
    source = models.CharField(max_length=200, blank=True, help_text="set, import FILE, salesforce FILE …")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["from_currency", "to_currency", "date"]
        constraints = [models.UniqueConstraint(fields=["date", "from_currency", "to_currency"],
                                               name="unique_exchange_rate")]
        indexes = [models.Index(fields=["from_currency", "to_currency", "date"])]

    def __str__(self) -> str:
        return f"{self.date} 1 {self.from_currency} = {self.rate} {self.to_currency}"
