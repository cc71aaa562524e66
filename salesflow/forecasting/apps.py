"""Django app of the forecast submissions."""

from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    """Forecast submissions, adjustments and weekly locks."""

    name = "salesflow.forecasting"
    label = "forecasting"
    default_auto_field = "django.db.models.BigAutoField"
