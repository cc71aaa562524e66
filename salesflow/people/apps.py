from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Users, roles and teams."""

    name = "salesflow.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from salesflow.people import access, security  # noqa: F401  (connects the sign-in signal receivers)

        for model in ("records.ProcessVersion", "records.LibrarySettingsVersion"):
            post_save.connect(access.library_changed, sender=model, dispatch_uid=f"access-policy-save-{model}")
            post_delete.connect(access.library_changed, sender=model, dispatch_uid=f"access-policy-delete-{model}")
