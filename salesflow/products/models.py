"""The product catalogue: a product (or service) with its list price per currency, and price lists with validity."""

from __future__ import annotations

from django.db import models


class Product(models.Model):
    """A product or service of the catalogue, e.g. ``LIC-CRM-PRO`` — a yearly licence per user."""

    sku = models.CharField(max_length=40, unique=True, help_text="Stock keeping unit, e.g. LIC-CRM-PRO.")
    name = models.JSONField(default=dict, help_text="Name by language code (en, de).")
    unit = models.CharField(max_length=16, default="pcs")
    prices = models.JSONField(default=dict, help_text="List price (decimal text) by currency code.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True, help_text="The event of the last change.")

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return self.sku

    def name_in(self, language: str) -> str:
        """The name in a language (falling back to English, then the SKU)."""
        return self.name.get(language) or self.name.get("en") or self.sku


class PriceList(models.Model):
    """Prices of some products in one currency, valid from/until a date (e.g. a framework agreement)."""

    code = models.CharField(max_length=40, unique=True)
    currency = models.CharField(max_length=3)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    prices = models.JSONField(default=dict, help_text="Price (decimal text) by SKU.")
    created_at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
