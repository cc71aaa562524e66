"""One benchmark run on one database, in its own process (Django settings are process-global).

    python -m benchmarks.worker --database-url URL --moves N --rounds R
    python -m benchmarks.worker --database-url URL --demo OPPORTUNITIES --rounds R

Points Salesflow at the (empty) database, migrates it, runs the measurement and prints the
result as one JSON document on stdout; progress goes to stderr. The database must be fresh: the
run creates users and records and leaves the event chain unverifiable.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from typing import Any


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The worker's command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="sqlite:////abs/path or postgres://… (fresh, empty)")
    parser.add_argument("--moves", type=int, default=500, metavar="N",
                        help="moves per segment and round (default 500)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R", help="rounds (default 3)")
    parser.add_argument("--demo", type=int, default=0, metavar="OPPORTUNITIES",
                        help="measure demo generation with this many opportunities instead of stage moves")
    args = parser.parse_args(argv)
    if args.moves < 1 or args.rounds < 1 or args.demo < 0:
        parser.error("--moves and --rounds must be at least 1, --demo must not be negative")
    return args


def setup_django(database_url: str) -> None:
    """Configure Salesflow for ``database_url`` like a production process, and migrate.

    DEBUG is off (no query log), logging is quiet and passwords use a fast hasher: the benchmark
    measures the engine, not Argon2.
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = "salesflow-benchmark-not-a-secret"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "salesflow.settings"
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())


def server_version() -> tuple[str, str]:
    """The database vendor and its version (``sqlite`` 3.x / ``postgresql`` 15.x)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return connection.vendor, str(cursor.fetchone()[0])


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up Django, run the requested measurement and return the result."""
    setup_django(args.database_url)
    from benchmarks import scenarios

    vendor, version = server_version()

    def progress(message: str) -> None:
        print(f"  [{vendor}] {message}", file=sys.stderr, flush=True)

    if args.demo:
        result = scenarios.measure_demo(args.demo, args.rounds, progress)
    else:
        result = scenarios.measure_moves(args.moves, args.rounds, progress)
    return {"backend": vendor, "server_version": version, **result}


def main(argv: list[str] | None = None) -> None:
    """Entry point: print the result as JSON on stdout."""
    result = run(parse_args(argv))
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
