"""``salesflow checklist validate|load|list|show|schema``: the checklists (scored assessments) of the library."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from salesflow.cli_support import SalesflowCommand
from salesflow.process.checklist import validate_checklist_paths
from salesflow.process.schema import checklist_json_schema_text
from salesflow.process.validate import ProcessInvalid
from salesflow.quality import services
from salesflow.quality.library import known_roles, library_roles
from salesflow.records.services import get_user


def _known_roles() -> set[str]:
    """Roles a checklist may name: the database's and the library settings' (the latter alone without a database)."""
    try:
        return known_roles()
    except Exception:  # database not migrated: validate against the library settings alone
        return set(library_roles())


class Command(SalesflowCommand):
    help = "Validate, load, list and show checklists (scored assessments) of the library."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        validate = sub.add_parser("validate", help="Check checklist YAML files; prints file:line: message per problem.")
        validate.add_argument("paths", nargs="+", metavar="FILE", help="checklist files or directories of them")
        load = sub.add_parser("load", help="Add checklist versions to the database (all or nothing).")
        load.add_argument("paths", nargs="+", metavar="FILE")
        load.add_argument("--as", dest="as_user", metavar="USER", help="who loaded them (recorded on the versions)")
        load.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="List the checklists with their newest version.")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="Print a loaded checklist's YAML source (the newest version).")
        show.add_argument("checklist", metavar="CHECKLIST")
        show.add_argument("--version", type=int, dest="checklist_version", help="a version (default: the newest)")
        sub.add_parser("schema", help="Print the JSON Schema of the checklist format.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_validate(self, options: dict[str, Any]) -> None:
        valid, problems = validate_checklist_paths(options["paths"], _known_roles())
        if problems:
            raise ProcessInvalid(problems)
        for parsed in valid:
            definition = parsed.definition
            self.stdout.write(f"{parsed.file}: ok ({definition.checklist} v{definition.version}, "
                              f"{len(definition.questions())} questions)")

    def do_load(self, options: dict[str, Any]) -> None:
        by = get_user(options["as_user"]) if options.get("as_user") else None
        valid, problems = validate_checklist_paths(options["paths"], known_roles())
        if problems:
            raise ProcessInvalid(problems)
        with transaction.atomic():
            results = [services.do_load_checklist(parsed, by) for parsed in valid]
        if options["json"]:
            self.emit_json([result.to_data() for result in results])
            return
        for result in results:
            self.stdout.write(f"{result.file}: {result.checklist} v{result.version} {result.status}")

    def do_list(self, options: dict[str, Any]) -> None:
        rows = []
        for version in services.current_checklists():
            definition = services.checklist_definition(version)
            rows.append({
                "checklist": version.key, "version": version.version, "subject": version.subject,
                "title": version.title_in("en"), "responsible": version.responsible,
                "pass_mark": str(definition.pass_mark), "questions": len(definition.questions()),
                "raises": definition.raises, "assessments": version.assessments.count(),
                "loaded_at": version.loaded_at.isoformat(), "sha256": version.sha256,
            })
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['checklist']:<32} v{row['version']:<3} {row['subject']:<8} "
                              f"pass {row['pass_mark']:>5}%  {row['title']}")

    def do_show(self, options: dict[str, Any]) -> None:
        version = services.get_checklist(options["checklist"], options.get("checklist_version"))
        self.stdout.write(version.source, ending="")

    def do_schema(self, options: dict[str, Any]) -> None:
        self.stdout.write(checklist_json_schema_text())
