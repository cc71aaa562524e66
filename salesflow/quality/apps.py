from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Checklists (scored assessments) of the library and the assessments made with them."""

    name = "salesflow.quality"
    label = "quality"
    verbose_name = "Quality"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from salesflow.quality.library import load_default_checklists_after_migrate

        post_migrate.connect(load_default_checklists_after_migrate, sender=self)
