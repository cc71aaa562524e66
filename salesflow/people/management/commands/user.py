"""``salesflow user add|list|roles|token``: people, their roles and teams, their API tokens."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from salesflow.cli_support import SalesflowCommand
from salesflow.people import tokens
from salesflow.people.models import Role
from salesflow.people.services import User, do_add_user
from salesflow.records.services import get_user


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
        token = sub.add_parser("token", help="Create an API token for a user (printed alone on the last line), "
                                             "list or revoke the user's tokens.")
        token.add_argument("username", metavar="NAME")
        token.add_argument("--name", dest="label", default="command line", metavar="LABEL",
                           help="what the token is for (default: 'command line')")
        token.add_argument("--expires-in-days", type=int, metavar="DAYS", help="default: never expires")
        token.add_argument("--revoke", type=int, metavar="ID", help="revoke the user's token with this id")
        token.add_argument("--list", action="store_true", help="list the user's tokens (never their secrets)")

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

    def do_token(self, options: dict[str, Any]) -> None:
        user = get_user(options["username"])
        if options["revoke"] is not None:
            token = tokens.revoke_token(user, options["revoke"])
            self.stdout.write(f"token {token.pk} ({token.name}, {token.prefix}…) of {user.username} revoked")
            return
        if options["list"]:
            for token in tokens.tokens_of(user):
                state = ("revoked" if token.revoked_at else "expired" if not token.is_usable(timezone.now())
                         else "active")
                used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
                self.stdout.write(f"{token.pk:>5}  {token.prefix}…  {state:<8} last used {used:<25} {token.name}")
            return
        days = options["expires_in_days"]
        if days is not None and not 1 <= days <= 3660:
            raise CommandError("--expires-in-days: a whole number of days from 1 to 3660", returncode=1)
        expires_at = timezone.now() + datetime.timedelta(days=days) if days is not None else None
        token, secret = tokens.create_token(user, options["label"], expires_at=expires_at)
        until = f", expires {token.expires_at.isoformat(timespec='minutes')}" if token.expires_at else ""
        self.stdout.write(f"token {token.pk} ({token.name}{until}) created for {user.username}; "
                          "store it now, it is not shown again:")
        self.stdout.write(secret)
