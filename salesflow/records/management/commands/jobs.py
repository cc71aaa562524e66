"""``salesflow jobs run``: the scheduled job — reminders (of schedules and of tasks), deadline breaches, renewal windows, guideline versions
coming into force (run it daily), then a checkpoint of the event chain when one is due
(`salesflow.records.checkpoints.checkpoint_if_due`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand


class Command(SalesflowCommand):
    help = ("Run the process schedules: reminders before deadlines, task reminders on their day, missed deadlines (SLA breaches), timed moves "
            "such as a contract entering its renewal window (which starts its renewal opportunity); and put guideline "
            "versions approved for a later effective date in force on that date. Idempotent: "
            "`salesflow worker` runs it every hour (or run it from cron); running it twice fires nothing twice. Ends with a signed checkpoint "
            "of the event chain when events were appended and the newest checkpoint is older than "
            "SALESFLOW_CHECKPOINT_INTERVAL seconds (default 300).")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = sub.add_parser("run", help="Fire every schedule whose time has come.",
                             description="Fire every schedule whose time has come.")
        run.add_argument("--today", metavar="YYYY-MM-DD", help="the day to run for (default: today)")
        run.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        from salesflow.guidelines.services import do_put_versions_in_force
        from salesflow.records.chain import do_run_schedules

        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today: a date YYYY-MM-DD expected, got {options['today']!r}") from None
        in_force = do_put_versions_in_force(today or timezone.localdate())
        summary = do_run_schedules(today)
        data = summary.to_data()
        from salesflow.activities.services import do_send_task_reminders

        data["task_reminders"] = do_send_task_reminders(today)
        data["versions_in_force"] = [f"{version.process.key} v{version.version}" for version in in_force]
        checkpoint, warning = self.checkpoint_if_due()
        if options["json"]:
            self.emit_json({**data, "checkpoint": checkpoint})
        else:
            self.stdout.write(f"reminders {data['reminders']}, deadlines missed {data['breaches']}, "
                              f"timed moves {data['moves']}, hand-offs {data['handoffs']}, "
                              f"task reminders {data['task_reminders']}")
            for name in data["versions_in_force"]:
                self.stdout.write(f"{name} is in force from today (approved for this effective date)")
            if checkpoint is not None:
                self.stdout.write(f"checkpoint: event {checkpoint['seq']} signed")
        if warning:
            self.stderr.write(f"warning: no checkpoint written: {warning}")

    def checkpoint_if_due(self) -> tuple[dict[str, Any] | None, str]:
        """A checkpoint when one is due (None otherwise) and why none could be written ("" when fine)."""
        from salesflow.records import checkpoints

        try:
            return checkpoints.checkpoint_if_due(checkpoints.interval_seconds()), ""
        except checkpoints.CheckpointError as error:
            return None, str(error)
