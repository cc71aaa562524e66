from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Users, roles and teams."""

    name = "salesflow.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from salesflow.people import security  # noqa: F401  (connects the sign-in signal receivers)
