"""``salesflow user …``: people over their whole life — add, list, update roles and teams, deactivate,
reactivate, one-time passwords — their roles and teams, their API tokens.

Administering users (update, deactivate, reactivate, password, teams --create) runs in the
administrator's context of the command line; with ``--as NAME`` the act is recorded under NAME,
who must hold the ``admin`` role or be a superuser. Every change is a ``security.*`` event.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from salesflow.cli_support import SalesflowCommand
from salesflow.people import lifecycle, tokens
from salesflow.people.models import Role, Team
from salesflow.people.services import do_add_user
from salesflow.records.services import get_user


class Command(SalesflowCommand):
    help = ("Users over their whole life: add, list, update roles and teams, deactivate, reactivate, set a "
            "one-time password; list roles and teams; API tokens.")

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
        listing = sub.add_parser("list", help="List users with roles, teams and state (active, password to change).")
        listing.add_argument("--json", action="store_true")
        update = sub.add_parser("update", help="Grant or take away roles and teams (at once, for every session "
                                               "and API token of the user).")
        update.add_argument("username", metavar="NAME")
        update.add_argument("--add-role", action="append", default=[], metavar="R",
                            help="grant a role (repeatable); see: salesflow user roles")
        update.add_argument("--remove-role", action="append", default=[], metavar="R", help="take a role away")
        update.add_argument("--add-team", action="append", default=[], metavar="T",
                            help="add to a team (repeatable); see: salesflow user teams")
        update.add_argument("--remove-team", action="append", default=[], metavar="T", help="remove from a team")
        deactivate = sub.add_parser("deactivate", help="Deactivate a user (a leaver): no sign-in, sessions ended "
                                                       "and API tokens revoked at once; their history stays.")
        deactivate.add_argument("username", metavar="NAME")
        reactivate = sub.add_parser("reactivate", help="Reactivate a deactivated user or activate an imported one "
                                                       "(old API tokens stay revoked).")
        reactivate.add_argument("username", metavar="NAME")
        password = sub.add_parser("password", help="Set a one-time password the user must change at the next "
                                                   "sign-in (generated and printed alone on the last line unless "
                                                   "--password-file is given); lifts a sign-in lock.")
        password.add_argument("username", metavar="NAME")
        password.add_argument("--password-file", metavar="F",
                              help="read the password from the first line of file F ('-': standard input)")
        teams = sub.add_parser("teams", help="List the teams, or create one with --create.")
        teams.add_argument("--create", metavar="TEAM", help="create a team")
        teams.add_argument("--json", action="store_true")
        for parser_ in (update, deactivate, reactivate, password, teams):
            parser_.add_argument("--as", dest="as_user", metavar="ADMIN",
                                 help="the administrator recorded as acting (must hold the 'admin' role or be a "
                                      "superuser; default: the system, the command line's administrator context)")
        for parser_ in (update, deactivate, reactivate, password):
            parser_.add_argument("--json", action="store_true")
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
        rows = [lifecycle.user_row(user) for user in lifecycle.list_users()]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            state = "active" if row["active"] else "inactive"
            if row["active"] and row["must_change_password"]:
                state = "must change password"
            self.stdout.write(f"{row['username']:<16} {row['name']:<24} {state:<21} {', '.join(row['roles']):<40} "
                              f"{', '.join(row['teams'])}")

    def acting(self, options: dict[str, Any]) -> Any | None:
        """The administrator named by --as (None: the command line's administrator context)."""
        if not options.get("as_user"):
            return None
        by = get_user(options["as_user"])
        lifecycle.require_administrator(by)
        return by

    def report(self, options: dict[str, Any], user: Any, message: str, **extra: Any) -> None:
        """The user's new state as JSON (with --json) or one line of text."""
        if options.get("json"):
            self.emit_json({**lifecycle.user_row(user), **extra})
        else:
            self.stdout.write(message)

    def do_update(self, options: dict[str, Any]) -> None:
        if not any(options[key] for key in ("add_role", "remove_role", "add_team", "remove_team")):
            raise CommandError("say what to change: --add-role, --remove-role, --add-team or --remove-team",
                               returncode=1)
        user, changed = lifecycle.update_user(options["username"], add_roles=options["add_role"],
                                              remove_roles=options["remove_role"], add_teams=options["add_team"],
                                              remove_teams=options["remove_team"], by=self.acting(options))
        roles = ", ".join(sorted(user.roles.values_list("id", flat=True))) or "none"
        teams = ", ".join(sorted(user.teams.values_list("name", flat=True))) or "none"
        verb = "updated" if changed else "unchanged (already so)"
        self.report(options, user, f"user {user.username} {verb}: roles {roles}; teams {teams}", changed=changed)

    def do_deactivate(self, options: dict[str, Any]) -> None:
        user = lifecycle.deactivate_user(options["username"], by=self.acting(options))
        self.report(options, user, f"user {user.username} deactivated: sessions ended, API tokens revoked")

    def do_reactivate(self, options: dict[str, Any]) -> None:
        user = lifecycle.reactivate_user(options["username"], by=self.acting(options))
        hint = "" if user.has_usable_password() else \
            f"; no password yet: set a one-time password with: salesflow user password {user.username}"
        self.report(options, user, f"user {user.username} reactivated{hint}")

    def do_password(self, options: dict[str, Any]) -> None:
        by = self.acting(options)
        given = read_password_file(options["password_file"]) if options["password_file"] else None
        user, password = lifecycle.set_one_time_password(options["username"], given, by=by)
        if options["json"]:
            self.emit_json({**lifecycle.user_row(user), **({"password": password} if given is None else {})})
            return
        if given is not None:
            self.stdout.write(f"one-time password set for {user.username}; it must be changed at the next sign-in")
            return
        self.stdout.write(f"one-time password set for {user.username}; it must be changed at the next sign-in. "
                          "Pass it on securely, it is not shown again:")
        self.stdout.write(password)

    def do_teams(self, options: dict[str, Any]) -> None:
        if options["create"]:
            team = lifecycle.create_team(options["create"], by=self.acting(options))
            if options["json"]:
                self.emit_json({"id": team.pk, "name": team.name})
            else:
                self.stdout.write(f"team {team.name} created")
            return
        rows = [{"id": team.pk, "name": team.name, "members": team.members.filter(is_active=True).count()}
                for team in Team.objects.all()]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['name']:<30} {row['members']} active member(s)")

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


def read_password_file(path: str) -> str:
    """The first line of a password file ('-': standard input), without its line ending.

    Refused with a message naming the file when it cannot be read, is not UTF-8, is empty or too long.
    """
    import sys

    limit = lifecycle.MAX_PASSWORD + 2
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(limit) if hasattr(sys.stdin, "buffer") else sys.stdin.read(limit).encode()
        else:
            with open(path, "rb") as handle:
                raw = handle.read(limit)
    except OSError as error:
        raise CommandError(f"{path}: cannot read the password file ({error.strerror or error})", returncode=1) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{path}: the password file is not UTF-8 text", returncode=1) from None
    line = text.split("\n", 1)[0].rstrip("\r")
    if not line:
        raise CommandError(f"{path}: the first line is empty (expected the password)", returncode=1)
    if len(line) > lifecycle.MAX_PASSWORD:
        raise CommandError(f"{path}: the password is longer than {lifecycle.MAX_PASSWORD} characters", returncode=1)
    return line
