"""``salesflow process validate|load|list|show|schema``: the process library."""

from __future__ import annotations

from typing import Any

import yaml
from django.db import transaction

from salesflow.cli_support import SalesflowCommand
from salesflow.process.schema import json_schema_text
from salesflow.process.validate import ProcessInvalid, validate_paths
from salesflow.records import services
from salesflow.records.library import default_library_keys
from salesflow.records.models import Process, ProcessVersion


def _known_processes() -> set[str]:
    """Process ids a depends_on may name: the default library and what the database holds."""
    known = default_library_keys()
    try:
        known |= set(Process.objects.values_list("key", flat=True))
    except Exception:  # database not migrated: validation works without it
        pass
    return known


class Command(SalesflowCommand):
    help = "Validate, load, list and show processes of the process library."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        validate = sub.add_parser("validate", help="Check process YAML files; prints file:line: message per problem.")
        validate.add_argument("paths", nargs="+", metavar="PATH", help="process files or directories of them")
        load = sub.add_parser("load", help="Add or update processes in the database (all or nothing).")
        load.add_argument("paths", nargs="+", metavar="PATH")
        load.add_argument("--as", dest="as_user", metavar="USER", help="the author recorded on the new versions")
        listing = sub.add_parser("list", help="List the processes with their versions.")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="Print a process definition (same keys as the YAML).")
        show.add_argument("process", metavar="ID")
        show.add_argument("--version", type=int, dest="process_version", help="a version (default: the newest)")
        show.add_argument("--json", action="store_true")
        show.add_argument("--source", action="store_true", help="print the YAML source as loaded")
        sub.add_parser("schema", help="Print the JSON Schema of the process format.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_validate(self, options: dict[str, Any]) -> None:
        valid, problems = validate_paths(options["paths"], _known_processes())
        if problems:
            raise ProcessInvalid(problems)
        for parsed in valid:
            definition = parsed.definition
            self.stdout.write(f"{parsed.file}: ok ({definition.process} v{definition.version}, "
                              f"{len(definition.stages)} stages)")

    def do_load(self, options: dict[str, Any]) -> None:
        by = services.get_user(options["as_user"]) if options.get("as_user") else None
        valid, problems = validate_paths(options["paths"], _known_processes())
        if problems:
            raise ProcessInvalid(problems)
        with transaction.atomic():
            results = [services.do_load_process(parsed, by) for parsed in valid]
        for result in results:
            self.stdout.write(f"{result.file}: {result.process} v{result.version} {result.status}")

    def do_list(self, options: dict[str, Any]) -> None:
        rows = []
        for process in Process.objects.prefetch_related("versions"):
            current = process.current_version()
            rows.append({
                "id": process.key,
                "title": process.title_in("en"),
                "record": process.record_type,
                "current_version": current.version if current else None,
                "versions": [{"version": v.version, "status": v.status} for v in process.versions.all()],
                "records": process.records.count(),
            })
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            versions = ", ".join(f"v{v['version']} {v['status']}" for v in row["versions"])
            self.stdout.write(f"{row['id']:<28} {row['title']:<32} {row['record']:<14} {versions}")

    def do_show(self, options: dict[str, Any]) -> None:
        process = services.get_process(options["process"])
        versions = process.versions.order_by("-version")
        if options.get("process_version"):
            versions = versions.filter(version=options["process_version"])
        version: ProcessVersion | None = versions.first()
        if version is None:
            raise services.NotFound(f"{process.key} has no version {options.get('process_version')}")
        if options["source"]:
            self.stdout.write(version.source, ending="")
        elif options["json"]:
            self.emit_json(version.definition)
        else:
            self.stdout.write(yaml.safe_dump(version.definition, sort_keys=False, allow_unicode=True, width=110))

    def do_schema(self, options: dict[str, Any]) -> None:
        self.stdout.write(json_schema_text())
