"""``salesflow review inputs ID``: the inputs frozen on a record when it entered its stage (a management review);
``salesflow review tasks ID --as USER``: its actions become tasks on the owners' My work."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.engine.errors import Conflict
from salesflow.quality import loop
from salesflow.records import services


class Command(SalesflowCommand):
    help = ("Show the inputs frozen on a record when it entered a stage that declares freeze_inputs (e.g. a "
            "management review being held): what the review saw, read back from its inputs_frozen event. "
            "review tasks turns the record's actions (one a line: OWNER: what [YYYY-MM-DD]) into tasks of the people "
            "named. Exit codes: 0 done, 1 bad input or not found, 4 not permitted, 5 no inputs frozen yet / every "
            "action already a task.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        inputs = sub.add_parser("inputs", help="Print the frozen inputs of a record.")
        inputs.add_argument("id")
        inputs.add_argument("--as", dest="as_user", metavar="USER", help="who reads (default: the administrator's view)")
        inputs.add_argument("--json", action="store_true")
        tasks = sub.add_parser("tasks", help="Turn the record's actions into tasks of the people named (new lines only).")
        tasks.add_argument("id")
        tasks.add_argument("--as", dest="as_user", metavar="USER", required=True,
                           help="who assigns the tasks (may edit the record)")
        tasks.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tasks":
            self._tasks(options)
            return
        reader = services.get_user(options["as_user"]) if options.get("as_user") else None
        record = services.get_record(options["id"], reader)
        frozen = loop.frozen_inputs(record)
        if frozen is None:
            raise Conflict(f"record {record.pk} has no frozen inputs yet (they are frozen when it enters a stage "
                           "that declares freeze_inputs)")
        if options["json"]:
            self.emit_json({"record": record.pk, "event_seq": frozen["seq"], "at": frozen["at"].isoformat(),
                            "stage": frozen["stage"], "inputs": frozen["inputs"]})
            return
        self.stdout.write(f"record {record.pk}: inputs frozen at {frozen['at']:%Y-%m-%d %H:%M} "
                          f"(stage {frozen['stage']}, event {frozen['seq']})")
        for item in frozen["inputs"]:
            self.stdout.write(f"- {item['title'].get('en', item['id'])}: "
                              f"{item.get('error') or loop.headline(item)}")

    def _tasks(self, options: dict[str, Any]) -> None:
        from salesflow.activities.services import activity_data
        from salesflow.quality.review_actions import do_actions_to_tasks

        user = services.get_user(options["as_user"])
        created = do_actions_to_tasks(options["id"], user)
        if options["json"]:
            self.emit_json({"record": int(options["id"]), "tasks": [activity_data(task) for task in created]})
            return
        for task in created:
            due = f", due {task.due_date}" if task.due_date else ""
            self.stdout.write(f"task {task.pk} for {task.owner.username}{due}: {task.subject}")
