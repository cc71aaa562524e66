"""``salesflow audit verify``: re-compute the event log's hash chain; ``audit pack``: the auditor's evidence zip."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand
from salesflow.records.eventlog import verify


class Command(SalesflowCommand):
    help = ("Audit trail checks. 'verify' re-computes the hash chain, replays every record's events against the "
            "stored record and checks every document's SHA-256; it names the first broken event, each differing "
            "record field and each altered document (exit 1).")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = sub.add_parser("verify", help="Re-compute every event hash, replay records, check documents; exit 1 naming each problem.")
        check.add_argument("--json", action="store_true")
        pack = sub.add_parser("pack", help="Write the audit evidence pack (zip with a SHA-256 manifest) for a period.")
        pack.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
        pack.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day, YYYY-MM-DD")
        pack.add_argument("-o", "--output", required=True, metavar="FILE.zip")
        pack.add_argument("--language", default="en", help="guideline languages, comma-separated (en,de)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pack":
            self.do_pack(options)
            return
        result = verify()
        if not result.ok:  # fail() prints the JSON itself with --json
            self.fail(f"chain broken at event {result.broken_seq}: {result.problem}", 1, result.to_data())
        data = result.to_data()
        self.check_state(data)
        if options["json"]:
            self.emit_json(data)
        else:
            self.stdout.write(f"ok: {result.checked} events verified; head {result.head_seq} {result.head_hash}")
            self.stdout.write(f"ok: {data['records']['checked']} records agree with their events; "
                              f"{data['documents']['checked']} documents agree with their SHA-256")

    def check_state(self, data: dict[str, Any]) -> None:
        """Records replayed against their events, documents against their hashes (`salesflow.records.replay`)."""
        from salesflow.records.replay import check_documents, check_records

        records, documents = check_records(), check_documents()
        data["records"], data["documents"] = records.to_data(), documents.to_data()
        if records.ok and documents.ok:
            return
        data["ok"] = False
        lines = records.problems + documents.problems
        more = records.count + documents.count - len(lines)
        self.fail("\n".join(lines + ([f"… and {more} more"] if more > 0 else [])), 1, data)

    def do_pack(self, options: dict[str, Any]) -> None:
        """Build the audit pack for the period and write it as a zip."""
        from salesflow.guidelines.audit_pack import export_audit_pack
        from salesflow.guidelines.render_pdf import RendererMissing

        dates = {}
        for key, flag in (("date_from", "--from"), ("date_to", "--to")):
            try:
                dates[key] = datetime.date.fromisoformat(options[key])
            except ValueError:
                raise CommandError(f"{flag}: expected YYYY-MM-DD, got {options[key]!r}", returncode=1) from None
        languages = tuple(item.strip() for item in options["language"].split(",") if item.strip())
        unknown = [item for item in languages if item not in ("en", "de")]
        if unknown or not languages:
            raise CommandError(f"--language: en and/or de, got {options['language']!r}", returncode=1)
        try:
            content = export_audit_pack(dates["date_from"], dates["date_to"], languages=languages)
        except RendererMissing as error:
            raise CommandError(str(error), returncode=1) from None
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror or error}", returncode=1) from None
        self.stdout.write(f"audit pack {dates['date_from']} – {dates['date_to']} written to {path} "
                          f"({len(content)} bytes); its manifest.json lists every file with its SHA-256")
