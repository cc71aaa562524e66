"""``salesflow restore FILE``: restore a backup into an empty database, then ``audit verify`` it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command

from salesflow.cli_support import SalesflowCommand


class Command(SalesflowCommand):
    help = ("Restore a backup written by 'salesflow backup' into the configured database, which must be empty "
            "(no users, records or documents; a freshly migrated one is fine). Checks every part against the "
            "manifest first (a damaged or cut-off backup changes nothing), restores the database and the "
            "checkpoint journal, then runs 'audit verify' (exit 1 when it fails). A verified restore is logged "
            "as a backup_restored event.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="a backup archive written by 'salesflow backup'")
        parser.add_argument("--json", action="store_true", help="print the manifest and the verification as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.records.backup import record_restore, restore

        path = Path(options["file"])
        manifest = restore(path)
        output, errors = io.StringIO(), io.StringIO()
        try:
            call_command("audit", "verify", "--json", stdout=output, stderr=errors)
            code = 0
        except SystemExit as stop:
            code = int(stop.code or 0)
        try:
            verification = json.loads(output.getvalue() or "{}")
        except ValueError:
            verification = {}
        if code != 0:
            message = errors.getvalue().strip().removeprefix("error: ") or "audit verify failed"
            self.fail(f"restored {path}, but audit verify failed: {message}", 1,
                      {"manifest": manifest.to_data(), "verification": verification})
        record_restore(path, manifest, {key: verification.get(key) for key in ("checked", "head_seq", "head_hash")})
        if options["json"]:
            self.emit_json({"manifest": manifest.to_data(), "verification": verification})
            return
        records = (verification.get("records") or {}).get("checked", 0)
        documents = (verification.get("documents") or {}).get("checked", 0)
        self.stdout.write(f"restored {path} (taken {manifest.created_at}, chain head {manifest.head_seq}); "
                          f"audit verify ok: {verification.get('checked', 0)} events, {records} records, "
                          f"{documents} documents")
