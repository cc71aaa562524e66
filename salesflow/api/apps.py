from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API."""

    name = "salesflow.api"
    label = "salesflow_api"
    verbose_name = "REST API"
