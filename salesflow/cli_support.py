"""What every Salesflow management command shares: exit codes, JSON output, error reporting.

One table maps the engine's refusals to exit codes: 0 done, 1 bad input, 3 unmet gate or
requirement, 4 not permitted, 5 conflict.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from salesflow.engine.errors import EngineError
from salesflow.process.validate import ProcessInvalid

EXIT_CODES: dict[str, int] = {
    "bad_input": 1,
    "not_found": 1,
    "unmet": 3,
    "not_permitted": 4,
    "conflict": 5,
}


def exit_code(error: EngineError) -> int:
    """The exit code of an engine refusal."""
    return EXIT_CODES.get(error.code, 1)


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["k=v", …]`` → ``{"k": "v"}``; raises CommandError naming a malformed item."""
    result: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise CommandError(f"expected name=value, got {item!r}", returncode=1)
        key, value = item.split("=", 1)
        key = key.strip()
        if not key:
            raise CommandError(f"expected name=value, got {item!r}", returncode=1)
        result[key] = value
    return result


class SalesflowCommand(BaseCommand):
    """Base of Salesflow's commands: refusals become a clear message and an exit code, never a traceback."""

    json_output = False
    #: Django's system checks import the whole URL configuration (the API, the views and with them Ibis),
    #: a second per call; `salesflow check` (and serve, migrate) still run them.
    requires_system_checks: list[str] = []

    def emit_json(self, data: Any) -> None:
        """Print data as JSON on standard output."""
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def fail(self, message: str, code: int, data: dict[str, Any] | None = None) -> None:
        """Report a failure (JSON on stdout with --json, text on stderr) and exit."""
        if self.json_output:
            self.emit_json(data or {"error": "bad_input", "message": message})
        self.stderr.write(f"error: {message}")
        sys.exit(code)

    def execute(self, *args: Any, **options: Any) -> Any:
        self.json_output = bool(options.get("json"))
        try:
            return super().execute(*args, **options)
        except EngineError as error:
            self.fail(str(error), exit_code(error), error.to_data())
        except ProcessInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(str(problem))
            self.fail(f"{len(invalid.problems)} problem(s) found; nothing was changed", 1,
                      {"error": "bad_input", "problems": [str(problem) for problem in invalid.problems]})
        except CommandError as error:
            self.fail(str(error), getattr(error, "returncode", 1) or 1)
        except DatabaseError as error:
            hint = " (has the database been migrated? run: salesflow migrate)" if "no such table" in str(error) or \
                "does not exist" in str(error) else ""
            self.fail(f"database error: {error}{hint}", 1)
        return None
