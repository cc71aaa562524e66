from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Users, roles and teams."""

    name = "salesflow.people"
    label = "people"
    verbose_name = "People"
