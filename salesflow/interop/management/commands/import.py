"""``salesflow import salesforce|hubspot|csv|xes …``: bring records and their history in from other systems."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.interop.engine import ImportSummary
from salesflow.interop.problems import DEFAULT_LIMIT, ImportFailed
from salesflow.interop.progress import progress_bars

ACTIONS = {
    "salesforce": "Import a Salesforce Data Export / Data Loader folder (Opportunity.csv, OpportunityHistory.csv, "
                  "Account.csv, User.csv).",
    "hubspot": "Import HubSpot's deals export (.csv or .xlsx); 'Date entered <stage>' columns become stage events.",
    "csv": "Import any spreadsheet of records (or of events) with a column mapping (.csv or .xlsx).",
    "xes": "Import an XES event log (.xes, .xes.gz) as records of a process; activities mapped to stages/activities.",
}


class Command(SalesflowCommand):
    help = ("Import records and their history. Everything is checked first: any bad row aborts with "
            "'file:row: column: message' for every bad row and nothing is written (exit 1). Importing the same "
            "data again changes nothing. An import that appended events ends with a signed checkpoint of the event "
            "chain.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        p["salesforce"].add_argument("path", metavar="DIR")
        p["salesforce"].add_argument("--stage-map", metavar="FILE",
                                     help="YAML: stages: {Salesforce StageName: stage id}, types: {Type: choice}")
        p["salesforce"].add_argument("--currency", default="EUR",
                                     help="currency of amounts when the export has no CurrencyIsoCode (default EUR)")
        p["hubspot"].add_argument("path", metavar="FILE")
        p["hubspot"].add_argument("--stage-map", metavar="FILE", help="YAML: stages: {HubSpot deal stage: stage id}")
        p["hubspot"].add_argument("--currency", default="EUR", help="currency of amounts (default EUR)")
        p["csv"].add_argument("path", metavar="FILE")
        p["csv"].add_argument("--map", dest="mapping", required=True, metavar="MAPPING.yaml",
                              help="which column holds which field (see docs/import-export.md)")
        p["xes"].add_argument("path", metavar="FILE")
        p["xes"].add_argument("--map", dest="mapping", required=True, metavar="MAPPING.yaml",
                              help="activities: {XES activity: stage id or activity id}")
        for name, action in p.items():
            action.add_argument("--process", default="opportunity-management" if name != "xes" else None,
                                required=name == "xes",
                                help="the target process (default opportunity-management)")
            action.add_argument("--dry-run", action="store_true",
                                help="check everything and report what would change; write nothing")
            action.add_argument("--skip-invalid", action="store_true",
                                help="import the valid rows and report the invalid ones")
            action.add_argument("--max-problems", type=int, default=DEFAULT_LIMIT, metavar="N",
                                help=f"show at most N problems (default {DEFAULT_LIMIT})")
            action.add_argument("--progress", action="store_true", default=None,
                                help="draw progress bars on stderr even when it is not a terminal")
            action.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        try:
            with progress_bars(options["progress"]) as progress:
                summary = getattr(self, f"import_{source}")(options, progress)
        except ImportFailed as failed:
            for line in failed.lines():
                self.stderr.write(line)
            self.fail(failed.message, 1, failed.to_data())
            return
        self.report(summary, options)
        if not summary.dry_run and summary.counts["events"]:
            from salesflow.records.checkpoints import checkpoint_after_bulk

            checkpoint_after_bulk(self.stderr)

    def report(self, summary: ImportSummary, options: dict[str, Any]) -> None:
        """Print the summary (text or JSON)."""
        if options["json"]:
            self.emit_json(summary.to_data())
        else:
            for line in summary.lines(options["max_problems"]):
                self.stdout.write(line)

    def import_salesforce(self, options: dict[str, Any], progress: Any) -> ImportSummary:
        from salesflow.interop.salesforce import import_salesforce

        return import_salesforce(options["path"], options["process"], options["stage_map"],
                                 dry_run=options["dry_run"], skip_invalid=options["skip_invalid"],
                                 currency=options["currency"], problem_limit=options["max_problems"],
                                 progress=progress)

    def import_hubspot(self, options: dict[str, Any], progress: Any) -> ImportSummary:
        from salesflow.interop.hubspot import import_hubspot

        return import_hubspot(options["path"], options["process"], options["stage_map"],
                              dry_run=options["dry_run"], skip_invalid=options["skip_invalid"],
                              currency=options["currency"], problem_limit=options["max_problems"])

    def import_csv(self, options: dict[str, Any], progress: Any) -> ImportSummary:
        from salesflow.interop.spreadsheet import import_spreadsheet

        return import_spreadsheet(options["path"], options["process"], options["mapping"],
                                  dry_run=options["dry_run"], skip_invalid=options["skip_invalid"],
                                  problem_limit=options["max_problems"])

    def import_xes(self, options: dict[str, Any], progress: Any) -> ImportSummary:
        from salesflow.interop.xes_import import import_xes

        return import_xes(options["path"], options["process"], options["mapping"], dry_run=options["dry_run"],
                          skip_invalid=options["skip_invalid"], problem_limit=options["max_problems"],
                          progress=progress)
