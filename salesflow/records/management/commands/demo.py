"""``salesflow demo``: load deterministic demo users and the whole sales chain with its history (idempotent)."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.records import demo

#: How the summary names the records of each process.
RECORD_NAMES = {
    "lead-management": "leads", "opportunity-management": "opportunities", "rfp-procedure": "RFPs",
    "order-management": "orders", "contract-management": "contracts", "account-management": "account plans",
    "presales-support": "pre-sales requests", "nonconformity": "nonconformities", "internal-audit": "internal audits",
    "management-review": "management reviews",
    "material-request": "material requests",
}


class Command(SalesflowCommand):
    help = ("Load demo users (one or more per role) and the sales chain with a realistic, deterministic history: "
            "leads, opportunities, RFPs, orders, contracts with renewals and account plans; pre-sales requests, "
            "nonconformities, an internal audit programme, the risk register and a management review; the material "
            "catalogue with its stock and material requests. "
            "Does nothing when the demo data is already present. Ends with a signed checkpoint of the event chain.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--opportunities", type=int, default=demo.DEFAULT_OPPORTUNITIES, metavar="N",
                            help=f"direct opportunities (default {demo.DEFAULT_OPPORTUNITIES})")
        parser.add_argument("--leads", type=int, default=None, metavar="N",
                            help="leads (default: half the opportunities)")
        parser.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default 7)")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self.print_logins()
            return
        if options["opportunities"] < 0:
            self.fail("--opportunities must not be negative", 1)
        if options["leads"] is not None and options["leads"] < 0:
            self.fail("--leads must not be negative", 1)
        if demo.demo_present():
            self.stdout.write("demo data already present: nothing loaded")
            return
        summary = demo.generate(options["opportunities"], options["seed"], leads=options["leads"],
                                progress=lambda done, total: self.stderr.write(f"  {done}/{total} actions"))
        records = summary["records"]
        counts = ", ".join(f"{records.get(key, 0)} {name}" for key, name in RECORD_NAMES.items())
        self.stdout.write(f"demo data loaded: {summary['users']} users, {counts}; {summary['actions']} actions")
        segments = summary.get("segments")
        if segments:
            self.stdout.write("accounts segmented: " + ", ".join(f"{count} {segment}" for segment, count in
                                                                 sorted(segments.items())))
        from salesflow.records.checkpoints import checkpoint_after_bulk

        checkpoint_after_bulk(self.stderr)

    def print_logins(self) -> None:
        self.stdout.write(f"Open http://127.0.0.1:8000 and sign in (password for all: {demo.DEMO_PASSWORD})")
        for username, first, last, roles, _teams in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<12} {first + ' ' + last:<18} {', '.join(roles)}")
