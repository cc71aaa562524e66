from django.apps import AppConfig


class MaterialConfig(AppConfig):
    """The material catalogue: sales kit, promotion and representation material with stock per location."""

    name = "salesflow.material"
    label = "material"
    verbose_name = "Material"

    def ready(self) -> None:
        from salesflow.material.services import issue_stock_effect
        from salesflow.records.effects import register

        register("issue_stock", issue_stock_effect)
