"""``salesflow task add|list|done``: tasks with owner, due date and reminder on records, accounts and contacts."""

from __future__ import annotations

from typing import Any

from salesflow.activities import services
from salesflow.activities.management.commands._shared import ActivityCommand, add_target, target_of
from salesflow.records.services import get_user

ACTIONS = {
    "add": "Add a task (owner, due date, reminder day) to a record, account or contact.",
    "list": "List open tasks (--all: done ones too); only what --as USER may see (without --as: everything).",
    "done": "Mark a task done.",
}


class Command(ActivityCommand):
    help = ("Tasks with owner, due date and reminder; `salesflow jobs run` reminds owners on the reminder day "
            "(notification and e-mail). Each change is an event in the chain. Exit codes: 0 done, 1 bad input or "
            "not found, 4 not permitted, 5 conflict (done already).")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        add_target(p["add"])
        p["add"].add_argument("--subject", required=True, metavar="TEXT")
        p["add"].add_argument("--owner", metavar="USER", help="who is to do it (default: the user given with --as)")
        p["add"].add_argument("--due", metavar="DATE", help="due date YYYY-MM-DD")
        p["add"].add_argument("--remind", metavar="DATE", help="the day the owner is reminded, YYYY-MM-DD")
        p["add"].add_argument("--notes", default="", metavar="TEXT")
        add_target(p["list"])
        p["list"].add_argument("--owner", metavar="USER", help="tasks of this owner")
        p["list"].add_argument("--mine", action="store_true", help="tasks of the user given with --as")
        p["list"].add_argument("--all", action="store_true", help="done tasks too")
        p["done"].add_argument("id", metavar="TASK_ID")
        p["done"].add_argument("--note", default="", metavar="TEXT")
        for name in ("add", "done"):
            p[name].add_argument("--as", dest="as_user", required=True, metavar="USER", help="who acts")
        p["list"].add_argument("--as", dest="as_user", metavar="USER",
                               help="read as this user: only what they may see (default: everything)")
        for name in ACTIONS:
            p[name].add_argument("--json", action="store_true", help="print JSON")

    def do_add(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        task = services.do_add_task(user, target_of(user, options), options["subject"], due=options.get("due"),
                                    remind_on=options.get("remind"), owner=options.get("owner"),
                                    body=options["notes"])
        self._emit([task], options)

    def do_list(self, options: dict[str, Any]) -> None:
        reader = get_user(options["as_user"]) if options.get("as_user") else None
        owner = get_user(options["owner"]) if options.get("owner") else (reader if options["mine"] else None)
        if options["mine"] and reader is None:
            from salesflow.engine.errors import BadInput

            raise BadInput("--mine needs --as USER")
        query = services.activities_for(reader, record=options.get("record"), account=options.get("account"),
                                        contact=options.get("contact"), kind="task",
                                        open_tasks=not options["all"], owner=owner)
        rows = list(query)
        if not rows and not options["json"]:
            self.stdout.write("no tasks")
            return
        self._emit(rows, options)

    def do_done(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        self._emit([services.do_complete_task(user, options["id"], options["note"])], options)
