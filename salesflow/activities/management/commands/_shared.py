"""What ``salesflow activity`` and ``salesflow task`` share: the target options and printing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from salesflow.activities import services
from salesflow.activities.models import Activity
from salesflow.cli_support import SalesflowCommand


def add_target(parser: Any, required: bool = True) -> None:
    """``--record`` / ``--account`` / ``--contact``: what the activity is about."""
    parser.add_argument("--record", metavar="ID", help="a record")
    parser.add_argument("--account", metavar="ID", help="an account")
    parser.add_argument("--contact", metavar="ID", help="a contact (its account is kept with it)")


def target_of(user: Any, options: dict[str, Any]) -> services.Target:
    """The target named by the options, as ``user`` may see it."""
    return services.resolve_target(user, options.get("record"), options.get("account"), options.get("contact"))


def line(activity: Activity) -> str:
    """One activity as a line of text."""
    where = (f"record {activity.record_id}" if activity.record_id else
             f"contact {activity.contact_id}" if activity.contact_id else
             f"account {activity.account_id}" if activity.account_id else "-")
    if activity.kind == "task":
        state = f"done {timezone.localtime(activity.done_at):%Y-%m-%d}" if activity.done_at else "open"
        due = f" due {activity.due_date}" if activity.due_date else ""
        remind = f" remind {activity.remind_on}" if activity.remind_on else ""
        return f"{activity.pk:>6}  task     {state:<15} {activity.owner_name}{due}{remind}  [{where}]  {activity.subject}"
    minutes = f" {activity.duration_minutes} min" if activity.duration_minutes is not None else ""
    extra = "".join(f"\n        {label}: {value}" for label, value in (
        ("outcome", activity.outcome), ("next step", activity.next_step)) if value)
    return (f"{activity.pk:>6}  {activity.kind:<8} {timezone.localtime(activity.at):%Y-%m-%d %H:%M}{minutes}  {activity.owner_name}  "
            f"[{where}]  {activity.subject}{extra}")


class ActivityCommand(SalesflowCommand):
    """A ``salesflow activity|task`` command: one subcommand per ``do_<action>`` method, items printed alike."""

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def _emit(self, items: list[Any], options: dict[str, Any]) -> None:
        """``items`` as JSON (``--json``) or one line each."""
        if options["json"]:
            self.emit_json([services.activity_data(item) for item in items])
            return
        for item in items:
            self.stdout.write(line(item))
