"""Quotes on records (priced offers in versions), the offer document, and the order lines they become."""

from django.apps import AppConfig


class QuotesConfig(AppConfig):
    """Quotes, quote versions and order lines."""

    name = "salesflow.quotes"
    label = "quotes"
    default_auto_field = "django.db.models.BigAutoField"
