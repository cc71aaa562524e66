"""``salesflow serve``: the production web server (gunicorn; static files by WhiteNoise)."""

from __future__ import annotations

import os
import re
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand

_BIND = re.compile(r"^(unix:/.+|\[[0-9a-fA-F:.]+\]:\d{1,5}|[A-Za-z0-9.\-]+:\d{1,5})$")


def check_bind(bind: str) -> str:
    """``HOST:PORT``, ``[IPv6]:PORT`` or ``unix:/path``; raises CommandError naming ``--bind``."""
    if not _BIND.match(bind):
        raise CommandError(f"--bind: HOST:PORT (e.g. 127.0.0.1:8000) or unix:/path expected, got {bind!r}",
                           returncode=1)
    if not bind.startswith("unix:") and not 0 < int(bind.rsplit(":", 1)[1]) < 65536:
        raise CommandError(f"--bind: the port must be between 1 and 65535, got {bind!r}", returncode=1)
    return bind


def check_ready() -> None:
    """Refuse to start without a reachable database with every migration applied."""
    from salesflow.ops import health

    problem = health.database_reachable()
    if problem:
        raise CommandError(f"DATABASE_URL: the database is {problem}", returncode=1)
    missing = health.unapplied_migrations()
    if missing:
        raise CommandError(f"the database lacks {len(missing)} migration(s) ({', '.join(missing[:3])} …): "
                           "run `salesflow migrate` first", returncode=1)


class Command(SalesflowCommand):
    help = ("Serve Salesflow in production with gunicorn: checks the settings, the database and its migrations, "
            "collects the static files (served by WhiteNoise) and starts the workers. Settings come from the "
            "environment (see README, Production).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("SALESFLOW_BIND", "127.0.0.1:8000"), metavar="HOST:PORT",
                            help="address to listen on: HOST:PORT or unix:/path (default 127.0.0.1:8000, "
                                 "or $SALESFLOW_BIND)")
        parser.add_argument("--workers", type=int, default=None, metavar="N",
                            help="worker processes (default: $WEB_CONCURRENCY or 2)")
        parser.add_argument("--threads", type=int, default=None, metavar="N",
                            help="threads per worker process (default 4)")
        parser.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                            help="restart a worker silent for this long (default 60)")
        parser.add_argument("--config", metavar="FILE",
                            help="a gunicorn configuration file (e.g. deploy/gunicorn.conf.py); options given "
                                 "here win over it")
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="do not collect the static files on start (they are collected already)")
        parser.add_argument("--check", action="store_true",
                            help="only check settings, database and migrations, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = check_bind(options["bind"])
        workers = options["workers"] if options["workers"] is not None else int(os.environ.get("WEB_CONCURRENCY") or 2)
        if workers < 1:
            raise CommandError(f"--workers must be at least 1, got {workers}", returncode=1)
        if options["config"] and not os.path.isfile(options["config"]):
            raise CommandError(f"--config: no such file {options['config']!r}", returncode=1)
        call_command("check", "--fail-level", "ERROR", verbosity=0)
        check_ready()
        if settings.DEBUG:
            self.stderr.write("warning: DEBUG is on — error pages show internals; never do this in production")
        if options["check"]:
            self.stdout.write("ok: settings, database and migrations are ready")
            return
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        from salesflow.ops.server import run_gunicorn

        gunicorn_options: dict[str, Any] = {"bind": [bind], "workers": workers}
        if options["threads"] is not None:
            gunicorn_options["threads"] = options["threads"]
        if options["timeout"] is not None:
            gunicorn_options["timeout"] = options["timeout"]
        run_gunicorn(gunicorn_options, options["config"])
