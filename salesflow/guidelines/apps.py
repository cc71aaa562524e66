"""App configuration of the guidelines module (templates and views; its data lives in the records app)."""

from django.apps import AppConfig


class GuidelinesConfig(AppConfig):
    """Registers ``salesflow.guidelines`` under the label ``guidelines``."""

    name = "salesflow.guidelines"
    label = "guidelines"
    verbose_name = "Guidelines and document control"
