"""``salesflow target set|list|import|remove``: sales targets per period and team, owner or type."""

from __future__ import annotations

import json
from typing import Any

from salesflow.analytics.targets import (
    TargetInput,
    do_delete_target,
    do_set_target,
    import_targets_csv,
    list_targets,
    target_data,
)
from salesflow.cli_support import SalesflowCommand

ACTIONS = {
    "set": "Set (or replace) the target of a period and scope.",
    "list": "List targets.",
    "import": "Import targets from a CSV file (columns: period, amount[, process, team, owner, type, currency]).",
    "remove": "Remove the target of a period and scope.",
}


class Command(SalesflowCommand):
    help = "Sales planning: targets per period (2027-Q1, 2027-01, 2027) and team, owner or type. Exit 1 on bad input."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        for name in ("set", "remove"):
            p[name].add_argument("--period", required=True, metavar="PERIOD")
            p[name].add_argument("--process", metavar="KEY", help="default: the only process")
            scope = p[name].add_mutually_exclusive_group()
            scope.add_argument("--team", metavar="TEAM")
            scope.add_argument("--owner", metavar="USER")
            scope.add_argument("--type", metavar="TYPE", help="opportunity type, e.g. new_business")
            p[name].add_argument("--as", dest="as_user", metavar="USER", help="who sets it (for the event log)")
            p[name].add_argument("--json", action="store_true")
        p["set"].add_argument("--amount", required=True, metavar="AMOUNT")
        p["set"].add_argument("--currency", metavar="CODE", help="default: the corporate currency; a target in another "
                              "currency counts at the rate of the figure's date")
        p["list"].add_argument("--period", metavar="PERIOD")
        p["list"].add_argument("--process", metavar="KEY")
        p["list"].add_argument("--json", action="store_true")
        p["import"].add_argument("file", metavar="FILE.csv")
        p["import"].add_argument("--as", dest="as_user", metavar="USER")
        p["import"].add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.records.services import get_user

        action = options["action"]
        by = get_user(options["as_user"]) if options.get("as_user") else None
        if action in ("set", "remove"):
            item = TargetInput(period=options["period"], amount=options.get("amount") or "0",
                               process=options["process"], team=options["team"], owner=options["owner"],
                               type=options["type"], currency=options.get("currency"))
            if action == "set":
                target = do_set_target(item, by)
                if options["json"]:
                    self.emit_json(target_data(target))
                else:
                    self.stdout.write(f"target set: {self._line(target_data(target))}")
            else:
                removed = do_delete_target(item, by)
                if options["json"]:
                    self.emit_json({"removed": removed})
                else:
                    self.stdout.write("target removed" if removed else "no such target: nothing removed")
        elif action == "import":
            targets = import_targets_csv(options["file"], by)
            if options["json"]:
                self.emit_json([target_data(target) for target in targets])
            else:
                self.stdout.write(f"{len(targets)} target(s) imported from {options['file']}")
        else:
            rows = [target_data(target) for target in list_targets(options["period"], options["process"])]
            if options["json"]:
                self.stdout.write(json.dumps(rows, indent=2))
            elif not rows:
                self.stdout.write("no targets")
            else:
                for row in rows:
                    self.stdout.write(self._line(row))

    @staticmethod
    def _line(row: dict[str, Any]) -> str:
        scope = (f"team {row['team']}" if row["team"] else f"owner {row['owner']}" if row["owner"]
                 else f"type {row['type']}" if row["type"] else "all")
        return f"{row['period']} {row['process']} {scope}: {row['amount']} {row['currency']}"
