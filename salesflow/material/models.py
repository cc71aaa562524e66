"""The material catalogue: items of three kinds, their stock per location and every movement of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ItemKind(models.TextChoices):
    """The seed's three kinds of sales material."""

    sales_kit = "sales_kit", "Sales kit"
    promotion = "promotion", "Promotion material"
    representation = "representation", "Representation material"


class MovementKind(models.TextChoices):
    """How stock changes: received, issued on distribution, adjusted with a reason."""

    received = "received", "Received"
    issued = "issued", "Issued"
    adjusted = "adjusted", "Adjusted"


class MaterialItem(models.Model):
    """An item of the catalogue, e.g. a product brochure, a banner or a cap."""

    code = models.CharField(max_length=32, unique=True, help_text="Catalogue code, e.g. BRO-PRODUCT.")
    name = models.JSONField(default=dict, help_text="Name by language code.")
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    unit = models.CharField(max_length=16, default="pcs")
    reorder_level = models.PositiveIntegerField(default=0, help_text="At or below it, the stock is low.")
    created_at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True, help_text="The material_item_added event.")

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.code

    def name_in(self, language: str) -> str:
        """The name in a language (falling back to English, then the code)."""
        return self.name.get(language) or self.name.get("en") or self.code


class StockLevel(models.Model):
    """The stock of one item at one location; never negative."""

    item = models.ForeignKey(MaterialItem, on_delete=models.PROTECT, related_name="stock")
    location = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["item__code", "location"]
        constraints = [
            models.UniqueConstraint(fields=["item", "location"], name="unique_stock_per_item_location"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}@{self.location}: {self.quantity}"


class StockMovement(models.Model):
    """One change of a stock level, as its event in the chain records it."""

    item = models.ForeignKey(MaterialItem, on_delete=models.PROTECT, related_name="movements")
    location = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    quantity = models.IntegerField(help_text="Change of the stock: positive in, negative out.")
    balance = models.PositiveIntegerField(help_text="The stock at the location after the movement.")
    reason = models.TextField(blank=True)
    record = models.ForeignKey("records.Record", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="stock_movements")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    event_seq = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "location"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} {self.item.code}@{self.location}"
