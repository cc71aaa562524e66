from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Salesflow for real: serve, worker, /healthz, /metrics."""

    name = "salesflow.ops"
    label = "ops"
    verbose_name = "Operations"
