"""``salesflow user add|list``: people, their roles and teams."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.people.models import Role
from salesflow.people.services import User, do_add_user


class Command(SalesflowCommand):
    help = "Add and list users with their roles and teams."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="Add a user with one or more roles.")
        add.add_argument("username", metavar="NAME")
        add.add_argument("--role", action="append", required=True, metavar="ROLE",
                         help="a role id (repeatable); see: salesflow user roles")
        add.add_argument("--team", action="append", default=[], metavar="TEAM")
        add.add_argument("--password", help="a password for the web login (default: none, no web login)")
        add.add_argument("--email", default="")
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        add.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="List users with roles and teams.")
        listing.add_argument("--json", action="store_true")
        roles = sub.add_parser("roles", help="List the roles users can hold.")
        roles.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_add(self, options: dict[str, Any]) -> None:
        user = do_add_user(options["username"], options["role"], options["team"], password=options["password"],
                           email=options["email"], first_name=options["first_name"], last_name=options["last_name"])
        if options["json"]:
            self.emit_json({"id": user.pk, "username": user.username, "roles": sorted(user.role_ids())})
        else:
            self.stdout.write(f"user {user.username} added (id {user.pk}) with roles {', '.join(options['role'])}")

    def do_list(self, options: dict[str, Any]) -> None:
        rows = [{"id": user.pk, "username": user.username, "name": user.display_name, "active": user.is_active,
                 "roles": sorted(role.id for role in user.roles.all()),
                 "teams": sorted(team.name for team in user.teams.all())}
                for user in User.objects.prefetch_related("roles", "teams")]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['username']:<16} {row['name']:<24} {', '.join(row['roles']):<40} "
                              f"{', '.join(row['teams'])}")

    def do_roles(self, options: dict[str, Any]) -> None:
        rows = [{"id": role.id, "title": role.title_in("en"), "system": role.system} for role in Role.objects.all()]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['id']:<20} {row['title']}{'  (system)' if row['system'] else ''}")
