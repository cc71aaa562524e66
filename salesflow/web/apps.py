"""App configuration for the web interface."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """Registers ``salesflow.web`` under the short label ``web``."""

    name = "salesflow.web"
    label = "web"
    verbose_name = "Salesflow web interface"
