from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Processes, records and the event log."""

    name = "salesflow.records"
    label = "records"
    verbose_name = "Records"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from salesflow.records.library import load_default_library_after_migrate

        post_migrate.connect(load_default_library_after_migrate, sender=self)
