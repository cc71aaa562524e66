from django.apps import AppConfig


class RisksConfig(AppConfig):
    """The risk and opportunity register of the sales processes (ISO 9001 6.1)."""

    name = "salesflow.risks"
    label = "risks"
    verbose_name = "Risks and opportunities"
