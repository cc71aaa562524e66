"""The product catalogue: products and services with list prices per currency and optional price lists."""

from django.apps import AppConfig


class ProductsConfig(AppConfig):
    """Products, list prices and price lists (used by quotes)."""

    name = "salesflow.products"
    label = "products"
    default_auto_field = "django.db.models.BigAutoField"
