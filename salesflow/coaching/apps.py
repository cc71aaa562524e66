from django.apps import AppConfig


class CoachingConfig(AppConfig):
    """1:1 meetings of managers with the people they manage, and the actions agreed in them."""

    name = "salesflow.coaching"
    label = "coaching"
    verbose_name = "Coaching"
