"""The ``salesflow`` command: Django's management commands with Salesflow's settings.

``salesflow process validate …``, ``salesflow record move …``, and also ``salesflow migrate``,
``salesflow runserver`` etc. Run ``salesflow help`` for the list, ``salesflow COMMAND --help`` for one.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script (``analyze LOG`` starts lean: no Django)."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "analyze":
        from salesflow.analytics.analyze_cli import is_external

        if is_external(args[1:]):
            from salesflow.analytics.analyze_cli import main as analyze

            raise SystemExit(analyze(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings
        from django.core.management import execute_from_command_line

        settings.INSTALLED_APPS  # noqa: B018 - load the settings now: a bad value is reported below, by name
        execute_from_command_line(["salesflow", *args])
    except ImproperlyConfigured as error:
        print(f"salesflow: configuration error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    except BrokenPipeError:  # `salesflow … | head`: the reader went away, which is no error of ours
        _quiet_closed_stdout()


def _quiet_closed_stdout() -> None:
    """Point stdout at /dev/null so Python's flush at exit does not report the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    main()
