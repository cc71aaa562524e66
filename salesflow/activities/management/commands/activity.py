"""``salesflow activity log|list|import``: calls, meetings, e-mails and notes on records, accounts and contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from salesflow.activities import services
from salesflow.activities.management.commands._shared import ActivityCommand, add_target, line, target_of
from salesflow.activities.models import KINDS, LOGGED_KINDS
from salesflow.records.services import get_user

ACTIONS = {
    "log": "Log a call, meeting, e-mail or note (who, when, duration, outcome, next step) on a record, account "
           "or contact.",
    "list": "List logged work and tasks (only what --as USER may see; without --as: everything).",
    "import": "Import e-mails (.eml) and calendar invitations (.ics) into the log. A bad file: a message naming "
              "it and the problem, exit 1, nothing imported (not even the good files).",
}


class Command(ActivityCommand):
    help = ("The activity log: calls, meetings, e-mails and notes on records, accounts and contacts; each one an "
            "event in the chain. Exit codes: 0 done, 1 bad input or not found, 4 not permitted, 5 conflict "
            "(already imported).")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        add_target(p["log"])
        p["log"].add_argument("--kind", required=True, choices=LOGGED_KINDS)
        p["log"].add_argument("--subject", required=True, metavar="TEXT")
        p["log"].add_argument("--at", metavar="WHEN", help="when it happened, YYYY-MM-DD[ HH:MM] (default: now)")
        p["log"].add_argument("--duration", metavar="MINUTES")
        p["log"].add_argument("--outcome", default="", metavar="TEXT")
        p["log"].add_argument("--next-step", dest="next_step", default="", metavar="TEXT")
        p["log"].add_argument("--notes", default="", metavar="TEXT")
        p["log"].add_argument("--participants", default="", metavar="TEXT")
        p["log"].add_argument("--owner", metavar="USER", help="who did it (default: the user given with --as)")
        add_target(p["list"])
        p["list"].add_argument("--kind", choices=KINDS)
        p["list"].add_argument("--since", metavar="DATE", help="from this day (YYYY-MM-DD)")
        p["list"].add_argument("--until", metavar="DATE", help="before this day (YYYY-MM-DD)")
        p["list"].add_argument("--owner", metavar="USER")
        p["import"].add_argument("files", nargs="+", metavar="FILE")
        add_target(p["import"])
        p["import"].add_argument("--owner", metavar="USER", help="whose work it was (default: the user given with --as)")
        for name in ("log", "import"):
            p[name].add_argument("--as", dest="as_user", required=True, metavar="USER", help="who logs it")
        p["list"].add_argument("--as", dest="as_user", metavar="USER",
                               help="read as this user: only what they may see (default: everything)")
        for name in ACTIONS:
            p[name].add_argument("--json", action="store_true", help="print JSON")

    def do_log(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        activity = services.do_log_activity(
            user, target_of(user, options), options["kind"], options["subject"], at=options.get("at"),
            duration=options.get("duration"), outcome=options["outcome"], next_step=options["next_step"],
            body=options["notes"], participants=options["participants"], owner=options.get("owner"))
        self._emit([activity], options)

    def do_list(self, options: dict[str, Any]) -> None:
        reader = get_user(options["as_user"]) if options.get("as_user") else None
        since, until = (services.parse_day(options.get(name), f"--{name}") for name in ("since", "until"))
        owner = get_user(options["owner"]) if options.get("owner") else None
        query = services.activities_for(
            reader, record=options.get("record"), account=options.get("account"), contact=options.get("contact"),
            kind=options.get("kind") or "", since=services.parse_moment(since), until=services.parse_moment(until),
            owner=owner)
        rows = list(query)
        if not rows and not options["json"]:
            self.stdout.write("no activities")
            return
        self._emit(rows, options)

    def do_import(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        target = target_of(user, options)
        contents = []
        for name in options["files"]:
            path = Path(name)
            try:
                contents.append((path.name, path.read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: cannot read the file ({error.strerror or error}); nothing was "
                                   "imported", returncode=1) from None
        created = []
        with transaction.atomic():
            for name, data in contents:
                created.extend(services.do_import_file(user, target, name, data, owner=options.get("owner")))
        if options["json"]:
            self.emit_json([services.activity_data(item) for item in created])
            return
        for item in created:
            self.stdout.write(line(item))
