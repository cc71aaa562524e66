"""``salesflow init``: a company's first start — database, first administrator, chosen processes."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand


class Command(SalesflowCommand):
    help = ("Set up an empty database for a company: apply the migrations, create the first administrator and "
            "install the chosen processes of the default library (no demo data). Runs once; the demo is "
            "`salesflow demo`.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--admin", required=True, metavar="NAME", help="user name of the first administrator")
        parser.add_argument("--email", required=True, metavar="E", help="the administrator's e-mail address")
        parser.add_argument("--password-file", metavar="F",
                            help="file whose first line is the administrator's password (default: a random "
                                 "password is generated and printed once)")
        parser.add_argument("--processes", default="all", metavar="all|none|KEY,…",
                            help="which processes of the default library to install (default all); "
                                 "processes not chosen are not started (retired if already loaded)")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.ops.installation import check_admin, do_initialise, parse_process_choice
        from salesflow.records.library import default_library_keys, no_autoload

        processes = parse_process_choice(options["processes"], default_library_keys())
        generated = options["password_file"] is None
        password = secrets.token_urlsafe(15) if generated else _read_password(options["password_file"])
        check_admin(options["admin"], options["email"], password)  # before anything is written
        with no_autoload():
            call_command("migrate", interactive=False, verbosity=0)
        admin, installed = do_initialise(options["admin"], options["email"], password, processes)
        self.stdout.write(f"initialised: administrator {admin.username} <{admin.email}>, "
                          f"processes: {', '.join(installed) or 'none'}")
        if generated:
            self.stdout.write(f"password of {admin.username} (shown once, change it after the first sign-in): "
                              f"{password}")


def _read_password(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"--password-file {path}: cannot be read ({error})", returncode=1) from None
    password = text.splitlines()[0].strip() if text.strip() else ""
    if not password:
        raise CommandError(f"--password-file {path}: the first line is empty", returncode=1)
    return password
