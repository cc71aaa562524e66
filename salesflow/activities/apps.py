from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    """The activity log (calls, meetings, e-mails, notes) and tasks on records, accounts and contacts."""

    name = "salesflow.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        """Add the open tasks to My work (its sections are pluggable)."""
        from salesflow.activities.mywork import tasks_section
        from salesflow.web.views import mywork

        if tasks_section not in mywork.SECTIONS:
            mywork.SECTIONS.append(tasks_section)
