from django.apps import AppConfig


class ListsConfig(AppConfig):
    """Saved filters, list exports and the audit-trail browser."""

    name = "salesflow.lists"
    label = "lists"
    verbose_name = "Lists"
