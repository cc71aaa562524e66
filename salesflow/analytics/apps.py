from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Sales controlling: reports, targets, forecast snapshots and the analysis of external event logs."""

    name = "salesflow.analytics"
    label = "analytics"
    verbose_name = "Sales controlling"
