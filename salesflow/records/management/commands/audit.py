"""``salesflow audit verify``: re-compute the event log's hash chain; ``audit pack``: the auditor's evidence zip."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand
from salesflow.records.eventlog import verify


class Command(SalesflowCommand):
    help = "Audit trail checks. 'verify' re-computes the hash chain and names the first broken event (exit 1)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = sub.add_parser("verify", help="Re-compute every event hash; exit 1 naming the first broken event.")
        check.add_argument("--json", action="store_true")
        pack = sub.add_parser("pack", help="Write the audit evidence pack (zip with a SHA-256 manifest) for a period.")
        pack.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
        pack.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day, YYYY-MM-DD")
        pack.add_argument("-o", "--output", required=True, metavar="FILE.zip")
        pack.add_argument("--language", default="en", help="guideline languages, comma-separated (en,de)")
        pack.add_argument("--as", dest="as_user", metavar="USER",
                          help="build it as this user, as the web does: needs the library right audit_pack; records "
                               "they may not see appear only as 'a record you may not see' (default: every record)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pack":
            self.do_pack(options)
            return
        result = verify()
        if not result.ok:  # fail() prints the JSON itself with --json
            self.fail(f"chain broken at event {result.broken_seq}: {result.problem}", 1, result.to_data())
        if options["json"]:
            self.emit_json(result.to_data())
        else:
            self.stdout.write(f"ok: {result.checked} events verified; head {result.head_seq} {result.head_hash}")

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
        user = None
        if options.get("as_user"):
            from salesflow.engine.errors import NotPermitted
            from salesflow.guidelines.audit_pack import PACK_RIGHT
            from salesflow.people import access
            from salesflow.records.services import get_user

            user = get_user(options["as_user"])
            if not access.has_right(user, PACK_RIGHT):
                raise NotPermitted(f"{user.username} may not build the audit pack: the library grants the right "
                                   f"{PACK_RIGHT} to {', '.join(sorted(access.roles_with_right(PACK_RIGHT))) or 'no role'}")
        try:
            content = export_audit_pack(dates["date_from"], dates["date_to"], user, languages=languages)
        except RendererMissing as error:
            raise CommandError(str(error), returncode=1) from None
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror or error}", returncode=1) from None
        self.stdout.write(f"audit pack {dates['date_from']} – {dates['date_to']} written to {path} "
                          f"({len(content)} bytes); its manifest.json lists every file with its SHA-256")
