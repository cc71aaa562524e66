"""``salesflow demo``: load deterministic demo users and opportunity histories (idempotent)."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.records import demo


class Command(SalesflowCommand):
    help = ("Load demo users (one per role) and opportunities with a realistic, deterministic history. "
            "Does nothing when the demo data is already present.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--opportunities", type=int, default=120, metavar="N", help="how many (default 120)")
        parser.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default 7)")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self.print_logins()
            return
        if options["opportunities"] < 0:
            self.fail("--opportunities must not be negative", 1)
        if demo.demo_present():
            self.stdout.write("demo data already present: nothing loaded")
            return
        summary = demo.generate(options["opportunities"], options["seed"],
                                progress=lambda done, total: self.stderr.write(f"  {done}/{total} actions"))
        self.stdout.write(f"demo data loaded: {summary['users']} users, {summary['opportunities']} opportunities, "
                          f"{summary['actions']} actions")

    def print_logins(self) -> None:
        self.stdout.write(f"Open http://127.0.0.1:8000 and sign in (password for all: {demo.DEMO_PASSWORD})")
        for username, first, last, roles, _teams in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<12} {first} {last:<10} {', '.join(roles)}")
