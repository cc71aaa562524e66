"""``salesflow export records|events|xes|ocel -o FILE``: take data out — to spreadsheets and process-mining tools."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand
from salesflow.engine.errors import BadInput
from salesflow.interop.progress import progress_bars
from salesflow.records.queries import filter_from_params
from salesflow.records.services import get_user

ACTIONS = {
    "records": "Records as a table (csv, xlsx, parquet): built-in columns, then the processes' fields.",
    "events": "The event log as a table (csv, xlsx, parquet): the events of the selected records. The newest signed "
              "checkpoint and its public key are written beside it (FILE.checkpoint.json, FILE.public-key.pem) for "
              "the stand-alone verifier: python -m salesflow.verifier FILE.csv",
    "xes": "IEEE 1849 XES (.xes or .xes.gz): one trace per record, stage entries and activities as events.",
    "ocel": "OCEL 2.0 (.json or .sqlite): records, accounts and users as objects, events linked to all of them.",
}


class Command(SalesflowCommand):
    help = ("Export records and events. With --as USER only what that user may see is exported; without --as "
            "the command runs in the admin context (every record: whoever can run the CLI can read the database). "
            "Every export is logged as a security.export event.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        for name, text in ACTIONS.items():
            action = sub.add_parser(name, help=text, description=text)
            action.add_argument("-o", "--output", required=True, metavar="FILE")
            if name in ("records", "events"):
                action.add_argument("--format", choices=["csv", "xlsx", "parquet"],
                                    help="default: from the file name's extension")
            if name == "xes":
                action.add_argument("--all-events", action="store_true",
                                    help="every event kind, not only stage entries and activities")
            action.add_argument("--as", dest="as_user", metavar="USER",
                                help="export only what this user may see (default: admin context, everything)")
            for option in ("process", "stage", "owner", "team", "classification", "status", "q"):
                action.add_argument(f"--{option}", metavar=option.upper())
            action.add_argument("--close-from", metavar="DATE")
            action.add_argument("--close-to", metavar="DATE")
            action.add_argument("--progress", action="store_true", default=None,
                                help="draw progress bars on stderr even when it is not a terminal")
            action.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        params = {key: options.get(key) for key in ("process", "stage", "owner", "team", "classification", "status",
                                                    "q", "close_from", "close_to")}
        flt = filter_from_params({key: value for key, value in params.items() if value})
        user = get_user(options["as_user"]) if options["as_user"] else None
        what, output = options["what"], options["output"]
        try:
            with progress_bars(options["progress"]) as progress:
                if what in ("records", "events"):
                    from salesflow.interop.exports import export

                    if what == "events":
                        from salesflow.records.checkpoints import fresh_checkpoint

                        fresh_checkpoint()  # the export then reaches the checkpoint it carries
                    rows = export(what, output, options["format"], user=user, flt=flt)
                    result = {"what": what, "file": output, "rows": rows}
                    text = f"{rows} {what} written to {output}"
                    if what == "events":
                        text += self.write_evidence(output, result)
                elif what == "xes":
                    from salesflow.interop.xes_export import export_xes

                    traces, events = export_xes(output, user=user, flt=flt, all_events=options["all_events"],
                                                progress=progress)
                    result = {"what": what, "file": output, "traces": traces, "events": events}
                    text = f"{traces} traces, {events} events written to {output}"
                else:
                    from salesflow.interop.ocel import export_ocel

                    events, objects = export_ocel(output, user=user, flt=flt, progress=progress)
                    result = {"what": what, "file": output, "events": events, "objects": objects}
                    text = f"{events} events, {objects} objects written to {output}"
        except ValueError as error:
            raise BadInput(str(error)) from None
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror or error}", returncode=1) from None
        if options["json"]:
            self.emit_json(result)
        else:
            self.stdout.write(text)

    def write_evidence(self, output: str, result: dict[str, Any]) -> str:
        """Put the newest checkpoint and the public key beside an events export; the sentence saying so."""
        from pathlib import Path

        from salesflow.records.checkpoints import export_evidence

        written = export_evidence(Path(output))
        result["evidence"] = [str(path) for path in written]
        if not written:
            return "; no checkpoint to carry (run: salesflow audit checkpoint)"
        return (f"; checkpoint and public key beside it ({written[0].name}, {written[1].name}) — check it with: "
                f"python -m salesflow.verifier {output}")
