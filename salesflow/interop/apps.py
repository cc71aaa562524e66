from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Import from and export to other systems: Salesforce, HubSpot, spreadsheets, XES, OCEL."""

    name = "salesflow.interop"
    label = "interop"
    verbose_name = "Import and export"
