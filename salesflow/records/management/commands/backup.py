"""``salesflow backup FILE``: a consistent online backup (database, checkpoint journal) with a manifest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from salesflow.cli_support import SalesflowCommand


class Command(SalesflowCommand):
    help = ("Write a consistent online backup of the database (SQLite's backup API, or pg_dump --format=custom "
            "on PostgreSQL) and the checkpoint journal to FILE: one tar archive whose manifest.json lists every "
            "part with its size and SHA-256. Written under a temporary name and renamed when complete; the "
            "backup is logged as a backup_written event. Safe while the application runs.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="the backup archive to write (e.g. salesflow-2026-12-04.tar)")
        parser.add_argument("--verify", action="store_true",
                            help="then run the restore drill: restore the backup into an empty scratch database "
                                 "made for it and removed after (a temporary SQLite file; on PostgreSQL a new "
                                 "database on the same server, which needs the CREATEDB right), run 'audit "
                                 "verify' there and log the result as backup_verified (exit 1 if it fails)")
        parser.add_argument("--verify-into", metavar="URL", default=None,
                            help="run the restore drill in this empty database instead (a DATABASE_URL; "
                                 "one holding users, records or documents is refused)")
        parser.add_argument("--json", action="store_true", help="print the manifest as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.records.backup import record_backup, verify_in_scratch, write_backup

        path = Path(options["file"])
        started = time.perf_counter()
        manifest = write_backup(path)
        record_backup(path, manifest)
        seconds = time.perf_counter() - started
        drill = None
        if options["verify"] or options["verify_into"]:
            drill = verify_in_scratch(path, manifest, options["verify_into"])
        if options["json"]:
            self.emit_json({**manifest.to_data(), "file": str(path), "seconds": round(seconds, 3),
                            "verified": drill})
            return
        parts = ", ".join(f"{part.name} ({part.size} bytes)" for part in manifest.parts)
        self.stdout.write(f"backup written to {path} in {seconds:.1f} s: {parts}; "
                          f"chain head {manifest.head_seq} {manifest.head_hash}")
        if drill is not None:
            verification = drill.get("verification") or {}
            self.stdout.write(f"restore drill ok: restored into an empty database, audit verify passed "
                              f"({verification.get('checked', 0)} events, "
                              f"{(verification.get('records') or {}).get('checked', 0)} records)")
