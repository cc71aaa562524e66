"""``salesflow jobs run``: the scheduled job — reminders, deadline breaches, renewal windows (run it daily)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand


class Command(SalesflowCommand):
    help = ("Run the process schedules: reminders before deadlines, missed deadlines (SLA breaches), timed moves "
            "such as a contract entering its renewal window (which starts its renewal opportunity). Idempotent; "
            "`salesflow worker` runs it every hour; running it twice fires nothing twice.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = sub.add_parser("run", help="Fire every schedule whose time has come.",
                             description="Fire every schedule whose time has come.")
        run.add_argument("--today", metavar="YYYY-MM-DD", help="the day to run for (default: today)")
        run.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.records.chain import do_run_schedules

        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today: a date YYYY-MM-DD expected, got {options['today']!r}") from None
        summary = do_run_schedules(today)
        data = summary.to_data()
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"reminders {data['reminders']}, deadlines missed {data['breaches']}, "
                          f"timed moves {data['moves']}, hand-offs {data['handoffs']}")
