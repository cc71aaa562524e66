from django.apps import AppConfig


class CurrencyConfig(AppConfig):
    """The corporate currency and dated exchange rates: every figure in one currency."""

    name = "salesflow.currency"
    label = "currency"
    verbose_name = "Currencies"
