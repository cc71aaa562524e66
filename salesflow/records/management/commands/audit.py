"""``salesflow audit verify``: re-compute the event log's hash chain."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.records.eventlog import verify


class Command(SalesflowCommand):
    help = "Audit trail checks. 'verify' re-computes the hash chain and names the first broken event (exit 1)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = sub.add_parser("verify", help="Re-compute every event hash; exit 1 naming the first broken event.")
        check.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if options["json"]:
            self.emit_json(result.to_data())
        elif result.ok:
            self.stdout.write(f"ok: {result.checked} events verified; head {result.head_seq} {result.head_hash}")
        if not result.ok:
            self.fail(f"chain broken at event {result.broken_seq}: {result.problem}", 1, result.to_data())
