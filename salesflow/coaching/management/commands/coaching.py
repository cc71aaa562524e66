"""``salesflow coaching manager|meet|list|done``: who manages whom, 1:1 meetings and their agreed actions."""

from __future__ import annotations

from typing import Any

from salesflow.activities.services import parse_day
from salesflow.cli_support import SalesflowCommand
from salesflow.coaching import services
from salesflow.engine.errors import BadInput
from salesflow.records.services import get_user


class Command(SalesflowCommand):
    help = ("Coaching: set who manages (and coaches) a person, record a 1:1 a manager held with a person they manage "
            "(notes and agreed actions with due dates, shown on both people's My work), list the 1:1s --as USER may "
            "see, mark an agreed action done. Every change is an event in the chain. Exit codes: 0 done, 1 bad input "
            "or not found, 4 not permitted.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        manager = sub.add_parser("manager", help="Set (or with --none clear) who manages a person.")
        manager.add_argument("person", metavar="USER")
        group = manager.add_mutually_exclusive_group(required=True)
        group.add_argument("--manager", metavar="USER")
        group.add_argument("--none", action="store_true", help="the person has no manager")
        meet = sub.add_parser("meet", help="Record a 1:1 held (--as the person's manager).")
        meet.add_argument("person", metavar="USER")
        meet.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="when it was held (not in the future)")
        meet.add_argument("--notes", default="")
        meet.add_argument("--action", dest="actions", action="append", default=[], metavar="'YYYY-MM-DD what'",
                          help="an agreed action with its due date (repeatable)")
        listing = sub.add_parser("list", help="The 1:1s --as USER may see, newest first.")
        listing.add_argument("--person", metavar="USER", help="only the 1:1s of this person")
        done = sub.add_parser("done", help="Mark an agreed action done (its manager or its person).")
        done.add_argument("action_id", metavar="ACTION_ID")
        for item in (manager, meet, listing, done):
            item.add_argument("--as", dest="as_user", required=True, metavar="USER",
                              help="who reads" if item is listing else "who acts")
            item.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_manager(self, options: dict[str, Any]) -> None:
        person = get_user(options["person"])
        manager = None if options["none"] else get_user(options["manager"])
        services.do_set_manager(person, manager, by=get_user(options["as_user"]))
        data = {"person": person.username, "manager": manager.username if manager else None}
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"{person.username}: managed by {data['manager'] or 'nobody'}")

    def do_meet(self, options: dict[str, Any]) -> None:
        day = parse_day(options["date"], "date")
        actions = services.parse_actions("\n".join(options["actions"]))
        meeting = services.do_hold_meeting(get_user(options["as_user"]), get_user(options["person"]), day,
                                           options["notes"].strip(), actions)
        self._print([meeting], options)

    def do_list(self, options: dict[str, Any]) -> None:
        reader = get_user(options["as_user"])
        query = services.visible_meetings(reader).select_related("manager", "person").prefetch_related("actions")
        if options.get("person"):
            query = query.filter(person=get_user(options["person"]))
        self._print(list(query.order_by("-date", "-id")[:500]), options)

    def do_done(self, options: dict[str, Any]) -> None:
        text = str(options["action_id"]).strip()
        if not text.isdigit() or len(text) > 18:
            raise BadInput(f"ACTION_ID: an id (a whole number) expected, got {text[:40]!r}")
        action = services.do_complete_action(int(text), get_user(options["as_user"]))
        data = {"id": action.pk, "meeting": action.meeting_id, "text": action.text, "due": action.due.isoformat(),
                "done_at": action.done_at.isoformat() if action.done_at else None}
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"action {action.pk} done: {action.text}")

    def _print(self, meetings: list[Any], options: dict[str, Any]) -> None:
        rows = [services.meeting_data(meeting) for meeting in meetings]
        if options["json"]:
            self.emit_json(rows[0] if options["action"] == "meet" else rows)
            return
        for row in rows:
            self.stdout.write(f"1:1 {row['id']} on {row['date']}: {row['manager']} with {row['person']}"
                              + (f" — {row['notes'][:80]}" if row["notes"] else ""))
            for action in row["actions"]:
                state = "done" if action["done_at"] else "open"
                self.stdout.write(f"  action {action['id']} due {action['due']} [{state}] {action['text']}")
