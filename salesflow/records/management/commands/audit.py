"""``salesflow audit verify``: re-compute the event log's hash chain and check it against the signed checkpoints;
``audit checkpoint``: sign the chain head into the journal; ``audit pack``: the auditor's evidence zip."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand
from salesflow.records.eventlog import verify


class Command(SalesflowCommand):
    help = ("Audit trail checks. 'verify' re-computes the hash chain, checks it against the signed checkpoints, "
            "replays every record's events against the stored record, compares logged activities, accounts and "
            "forecast submissions, adjustments and locks with their events and checks every document's SHA-256; it "
            "names the first broken event, each differing record field and each altered document (exit 1). 'checkpoint' "
            "signs the chain head into the checkpoint journal.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = sub.add_parser("verify", help="Re-compute every event hash, check the chain against the signed "
                               "checkpoints, replay records, check documents; exit 1 naming each problem.")
        check.add_argument("--json", action="store_true")
        point = sub.add_parser("checkpoint", help="Sign the chain head (seq, hash, time) and append it to the "
                               "checkpoint journal outside the database.")
        point.add_argument("--if-due", type=int, metavar="SECONDS", dest="if_due",
                           help="only when events were appended and the newest checkpoint is at least this old "
                                "(for cron)")
        point.add_argument("--public-key", action="store_true", dest="show_key",
                           help="print the public key checkpoints are verified with (PEM) and exit")
        point.add_argument("--json", action="store_true")
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
        if options["action"] == "checkpoint":
            self.do_checkpoint(options)
            return
        started = time.perf_counter()
        result = verify()
        if not result.ok:  # fail() prints the JSON itself with --json
            self.fail(f"chain broken at event {result.broken_seq}: {result.problem}", 1, result.to_data())
        data = {**result.to_data(), "checkpoints": self.checked_checkpoints(),
                "seconds": round(time.perf_counter() - started, 3)}
        problems = data["checkpoints"]["problems"]
        if problems:
            first = problems[0]
            data.update(ok=False, broken_seq=first["seq"], problem=first["message"])
            where = f"at event {first['seq']}" if first["seq"] is not None else "in the journal"
            self.fail(f"checkpoint check failed {where}: {first['message']}", 1, data)
        self.check_state(data)
        data["seconds"] = round(time.perf_counter() - started, 3)
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"ok: {result.checked} events verified in {data['seconds']:.2f} s; head {result.head_seq} "
                          f"{result.head_hash}")
        self.stdout.write(f"ok: {data['records']['checked']} records agree with their events; "
                          f"{data['documents']['checked']} documents agree with their SHA-256; "
                          f"{data['activities']['checked']} logged activities and tasks agree with their events; "
                          f"{data['accounts']['checked']} accounts, contacts and record customers agree with their "
                          f"events; {data['forecasts']['checked']} forecast submissions, adjustments and locks agree "
                          "with their events")
        newest = data["checkpoints"]["newest"]
        if newest is None:
            self.stderr.write(f"warning: no checkpoint of this database in {data['checkpoints']['journal']}: "
                              "truncation and recomputed rewrites cannot be detected (run: salesflow audit checkpoint)")
        else:
            self.stdout.write(f"checkpoints: {data['checkpoints']['count']} verified, the newest at event "
                              f"{newest['seq']} ({newest['time']}); {result.head_seq - newest['seq']} event(s) after "
                              "it not yet checkpointed")

    def checked_checkpoints(self) -> dict[str, Any]:
        """The checkpoint journal checked against the chain (problems first event first)."""
        from salesflow.records import checkpoints

        try:
            problems = [problem.to_data() for problem in checkpoints.verify_checkpoints()]
            mine = checkpoints.checkpoints()
        except checkpoints.CheckpointError as error:
            raise CommandError(str(error), returncode=1) from None
        newest = mine[-1] if mine else None
        return {"journal": str(checkpoints.journal_path()), "count": len(mine), "problems": problems,
                "newest": {key: newest[key] for key in ("seq", "hash", "time")} if newest else None}

    def do_checkpoint(self, options: dict[str, Any]) -> None:
        """Write a checkpoint (always, or when due) or print the public key."""
        from salesflow.records import checkpoints

        try:
            if options["show_key"]:
                self.stdout.write(checkpoints.public_key_pem().rstrip("\n"))
                return
            if options["if_due"] is not None:
                if options["if_due"] < 0:
                    raise CommandError("--if-due: seconds must not be negative", returncode=1)
                written = checkpoints.checkpoint_if_due(options["if_due"])
            else:
                written = checkpoints.write_checkpoint()
        except checkpoints.CheckpointError as error:
            raise CommandError(str(error), returncode=1) from None
        journal = str(checkpoints.journal_path())
        if options["json"]:
            self.emit_json({"written": written is not None, "checkpoint": written, "journal": journal})
        elif written is None:
            self.stdout.write("no checkpoint due: no events since the newest checkpoint, or it is recent enough")
        else:
            self.stdout.write(f"checkpoint: event {written['seq']} {written['hash']} signed at {written['time']} "
                              f"into {journal}")

    def check_state(self, data: dict[str, Any]) -> None:
        """Records replayed against their events, documents against their hashes (`salesflow.records.replay`),
        activities, accounts and forecasts against their events."""
        from salesflow.accounts.integrity import check_accounts
        from salesflow.activities.integrity import check_activities
        from salesflow.forecasting.integrity import check_forecasts
        from salesflow.records.replay import check_documents, check_records

        reports = {"records": check_records(), "documents": check_documents(), "activities": check_activities(),
                   "accounts": check_accounts(), "forecasts": check_forecasts()}
        data.update({name: report.to_data() for name, report in reports.items()})
        if all(report.ok for report in reports.values()):
            return
        data["ok"] = False
        lines = [line for report in reports.values() for line in report.problems]
        more = sum(report.count for report in reports.values()) - len(lines)
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
