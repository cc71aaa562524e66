"""``salesflow review inputs ID``: the inputs frozen on a record when it entered its stage (a management review)."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.engine.errors import Conflict
from salesflow.quality import loop
from salesflow.records import services


class Command(SalesflowCommand):
    help = ("Show the inputs frozen on a record when it entered a stage that declares freeze_inputs (e.g. a "
            "management review being held): what the review saw, read back from its inputs_frozen event. "
            "Exit codes: 0 done, 1 not found, 5 no inputs frozen yet.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        inputs = sub.add_parser("inputs", help="Print the frozen inputs of a record.")
        inputs.add_argument("id")
        inputs.add_argument("--as", dest="as_user", metavar="USER", help="who reads (default: the administrator's view)")
        inputs.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
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
