"""``salesflow process …``: the process library and its document control.

``validate|load|list|show|schema`` work on files and the library; ``propose|submit|approve|return``
take a version through document control (ISO 9001 7.5: draft → in_review → approved, the previous
approved version becomes obsolete); ``acknowledge|train|training|require-acknowledgement`` cover
read acknowledgements and the training matrix; ``history|diff|render`` show and publish versions; ``map`` draws
every process and their hand-offs as one SVG.
``retire|reinstate`` stop and restart new records of a process (running ones finish under their version).
``load`` takes the status written in the YAML only from an approver (``--approved-by`` or ``--as``
holding the responsible or deputy approver role), else stores a draft; ``propose`` is the controlled
path for changing a process.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import CommandError
from django.db import transaction

from salesflow.cli_support import SalesflowCommand
from salesflow.process.schema import json_schema_text, settings_schema_text
from salesflow.process.validate import ProcessInvalid, validate_library_paths
from salesflow.records import services
from salesflow.records.library import default_library_keys, do_load_library_settings
from salesflow.records.models import Process, ProcessVersion


def _known_processes() -> set[str]:
    """Process ids a depends_on may name: the default library and what the database holds."""
    known = default_library_keys()
    try:
        known |= set(Process.objects.values_list("key", flat=True))
    except Exception:  # database not migrated: validation works without it
        pass
    return known


def _library_in_force() -> dict[str, Any]:
    """The stored processes' current definitions (hand-off targets), empty without a database."""
    try:
        from salesflow.guidelines.services import library_in_force

        return library_in_force()
    except Exception:  # database not migrated: validation works without it
        return {}


class Command(SalesflowCommand):
    help = "Validate, load, list and show processes of the process library."
    # Django's system checks import every URL and view (the analytics stack among them): a second
    # of start-up that `process validate` of a bad file must not spend. `salesflow check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        validate = sub.add_parser("validate", help="Check process YAML files (and a library settings file); "
                                                   "prints file:line: message per problem.")
        validate.add_argument("paths", nargs="+", metavar="PATH", help="process files or directories of them")
        load = sub.add_parser(
            "load", help="Add or update processes in the database (all or nothing).",
            description="Add process versions from files (all or nothing). A file that says `status: approved` is "
                        "stored as approved only when its approver holds the guideline's responsible role (or its "
                        "deputy_approver role): --approved-by USER, else the --as user. Otherwise it is stored as a "
                        "draft that goes through review (process submit / approve) — except the first version of a "
                        "process loaded without --as (an install). An approved version whose "
                        "effective_date lies ahead becomes the one new records start under on that day "
                        "(`salesflow jobs run`). A library settings file among them (library_settings:) puts its "
                        "roles, access and rights in force.")
        load.add_argument("paths", nargs="+", metavar="PATH")
        load.add_argument("--as", dest="as_user", metavar="USER", help="the author recorded on the new versions")
        load.add_argument("--approved-by", dest="approved_by", metavar="USER",
                          help="the approver recorded on approved versions (holds the responsible or deputy "
                               "approver role)")
        listing = sub.add_parser("list", help="List the processes with their versions.")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="Print a process definition (same keys as the YAML).")
        show.add_argument("process", metavar="ID")
        show.add_argument("--version", type=int, dest="process_version", help="a version (default: the newest)")
        show.add_argument("--json", action="store_true")
        show.add_argument("--source", action="store_true", help="print the YAML source as loaded")
        schema = sub.add_parser("schema", help="Print the JSON Schema of the process format.")
        schema.add_argument("--library-settings", dest="library_settings", action="store_true",
                            help="print the JSON Schema of the library settings file instead")
        propose = sub.add_parser("propose", help="Store a process file as a new draft version (validated first).")
        propose.add_argument("file", metavar="FILE")
        propose.add_argument("--as", dest="as_user", metavar="USER", required=True, help="the author")
        propose.add_argument("--note", default="", help="the change note (default: the file's guideline.change_note)")
        propose.add_argument("--json", action="store_true")
        calibrate = sub.add_parser("calibrate", help="Propose a draft version with the stage probabilities the "
                                   "calibration report suggests (the guideline's responsible role).")
        calibrate.add_argument("process", metavar="ID")
        calibrate.add_argument("--as", dest="as_user", metavar="USER", required=True, help="the author")
        calibrate.add_argument("--json", action="store_true")
        submit = sub.add_parser("submit", help="Send a draft version to review.")
        submit.add_argument("process", metavar="ID")
        submit.add_argument("process_version", metavar="VERSION")
        submit.add_argument("--as", dest="as_user", metavar="USER", required=True)
        submit.add_argument("--reviewer", metavar="USER", help="the reviewer (holds the responsible role)")
        approve = sub.add_parser("approve", help="Approve a version in review (responsible role, not the author).")
        approve.add_argument("process", metavar="ID")
        approve.add_argument("process_version", metavar="VERSION")
        approve.add_argument("--as", dest="as_user", metavar="USER", required=True)
        approve.add_argument("--effective", metavar="DATE", help="effective date YYYY-MM-DD (default: today)")
        approve.add_argument("--note", default="")
        back = sub.add_parser("return", help="Send a version in review back to draft with a note.")
        back.add_argument("process", metavar="ID")
        back.add_argument("process_version", metavar="VERSION")
        back.add_argument("--as", dest="as_user", metavar="USER", required=True)
        back.add_argument("--note", required=True)
        ack = sub.add_parser("acknowledge", help="Confirm that you read the current guideline of a process.")
        ack.add_argument("process", metavar="ID")
        ack.add_argument("--as", dest="as_user", metavar="USER", required=True)
        ack.add_argument("--version", dest="process_version", help="a version (default: the approved one)")
        train = sub.add_parser("train", help="Record that a user was trained on the current guideline.")
        train.add_argument("process", metavar="ID")
        train.add_argument("--user", required=True, metavar="USER", help="who was trained")
        train.add_argument("--as", dest="as_user", metavar="USER", required=True, help="who records it")
        train.add_argument("--note", default="")
        setting = sub.add_parser("require-acknowledgement",
                                 help="Require (on) or not (off) a current acknowledgement before acting in a process.")
        setting.add_argument("process", metavar="ID")
        setting.add_argument("state", choices=["on", "off"])
        setting.add_argument("--days", type=int, help="days after the effective date to read a new version")
        setting.add_argument("--as", dest="as_user", metavar="USER", required=True)
        retire = sub.add_parser("retire", help="Retire a process: no new records; running records finish under "
                                               "their version (the responsible role decides).")
        retire.add_argument("process", metavar="ID")
        retire.add_argument("--reason", required=True, help="why (kept in the audit trail)")
        retire.add_argument("--as", dest="as_user", metavar="USER", required=True)
        reinstate = sub.add_parser("reinstate", help="Take a retirement back: new records may start again.")
        reinstate.add_argument("process", metavar="ID")
        reinstate.add_argument("--reason", default="", help="why (kept in the audit trail)")
        reinstate.add_argument("--as", dest="as_user", metavar="USER", required=True)
        training = sub.add_parser("training", help="The training matrix: who read the current version of each process.")
        training.add_argument("--json", action="store_true")
        history = sub.add_parser("history", help="The versions of a process with their approvals.")
        history.add_argument("process", metavar="ID")
        history.add_argument("--json", action="store_true")
        diff = sub.add_parser("diff", help="Semantic diff of two versions (stages, probabilities, gates, roles …).")
        diff.add_argument("process", metavar="ID")
        diff.add_argument("old", metavar="V1")
        diff.add_argument("new", metavar="V2")
        diff.add_argument("--json", action="store_true")
        diff.add_argument("--text", action="store_true", help="also print the line diff of the YAML sources")
        render = sub.add_parser("render", help="Render the guideline as html, pdf, md, svg (flowchart) or bpmn.")
        render.add_argument("process", metavar="ID")
        render.add_argument("--version", dest="process_version", help="a version (default: the approved one)")
        render.add_argument("--format", required=True, choices=["html", "pdf", "md", "svg", "bpmn"])
        render.add_argument("--language", default="en", choices=["en", "de"])
        render.add_argument("-o", "--output", required=True, metavar="FILE", help="output file ('-' for stdout)")
        migrate = sub.add_parser(
            "migrate", help="Move running records of a process to its newer approved version (with a stage map).",
            description="Move the running records of a process (those you may see) to the approved version in force. "
                        "Stages that keep their id keep it; a stage the target no longer has must be mapped "
                        "(--map OLD=NEW), else nothing changes. --dry-run lists every record with its mapped stage and "
                        "what changes (probability, unmet gate items, dropped or added fields and activities). "
                        "One record_migrated event per record. Needs the library-settings right migrate_records.")
        migrate.add_argument("process", metavar="PROCESS")
        migrate.add_argument("--to", required=True, dest="to_version", metavar="VERSION",
                             help="the target version (the approved version in force)")
        migrate.add_argument("--map", action="append", default=[], dest="stage_map", metavar="OLD=NEW",
                             help="map a stage of the old version to a stage of the target (repeatable)")
        migrate.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")
        migrate.add_argument("--as", dest="as_user", metavar="USER", required=True)
        migrate.add_argument("--json", action="store_true")
        process_map = sub.add_parser("map", help="The process map: every approved process and their hand-offs (SVG).")
        process_map.add_argument("-o", "--output", default="-", metavar="FILE.svg",
                                 help="output file (default: standard output)")
        process_map.add_argument("--lang", "--language", dest="language", default="en", choices=["en", "de"])

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action'].replace('-', '_')}")(options)

    def do_validate(self, options: dict[str, Any]) -> None:
        valid, settings, problems = validate_library_paths(options["paths"], _known_processes(), _library_in_force())
        if problems:
            raise ProcessInvalid(problems)
        if settings is not None:
            self.stdout.write(f"{settings.file}: ok (library settings)")
        for parsed in valid:
            definition = parsed.definition
            self.stdout.write(f"{parsed.file}: ok ({definition.process} v{definition.version}, "
                              f"{len(definition.stages)} stages)")

    def do_load(self, options: dict[str, Any]) -> None:
        by = services.get_user(options["as_user"]) if options.get("as_user") else None
        approved_by = services.get_user(options["approved_by"]) if options.get("approved_by") else None
        valid, settings, problems = validate_library_paths(options["paths"], _known_processes(), _library_in_force())
        if problems:
            raise ProcessInvalid(problems)
        with transaction.atomic():
            results = [services.do_load_process(parsed, by, approved_by) for parsed in valid]
            settings_result = do_load_library_settings(settings, by) if settings is not None else None
        if settings_result is not None:
            self.stdout.write(f"{settings_result.file}: library settings {settings_result.status}")
        for result in results:
            line = f"{result.file}: {result.process} v{result.version} {result.status}"
            if result.status == "added":
                line += f" ({result.stored_as.replace('_', ' ')})"
            self.stdout.write(line)
            if result.note:
                self.stdout.write(f"  {result.note}")

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
                "retired_at": process.retired_at.isoformat() if process.retired_at else None,
            })
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            versions = ", ".join(f"v{v['version']} {v['status']}" for v in row["versions"])
            retired = f"  (retired {row['retired_at'][:10]})" if row["retired_at"] else ""
            self.stdout.write(f"{row['id']:<28} {row['title']:<32} {row['record']:<14} {versions}{retired}")

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
        self.stdout.write(settings_schema_text() if options.get("library_settings") else json_schema_text())

    # --- document control ------------------------------------------------------------------------

    def do_calibrate(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.calibration import do_propose_calibrated_version

        version = do_propose_calibrated_version(options["process"], services.get_user(options["as_user"]))
        if options["json"]:
            self.emit_json(_version_data(version))
            return
        self.stdout.write(f"{version.process.key} v{version.version} proposed as draft by {version.author_name}: "
                          f"{version.change_note}; next: salesflow process submit {version.process.key} "
                          f"{version.version} --as USER")

    def do_propose(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.services import do_propose_version

        user = services.get_user(options["as_user"])
        path = Path(options["file"])
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}", returncode=1) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text", returncode=1) from None
        version = do_propose_version(text, user, file=str(path), note=options["note"])
        if options["json"]:
            self.emit_json(_version_data(version))
            return
        self.stdout.write(f"{version.process.key} v{version.version} proposed as draft by {version.author_name}; "
                          f"next: salesflow process submit {version.process.key} {version.version} --as USER")

    def do_submit(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.services import do_submit_for_review

        reviewer = services.get_user(options["reviewer"]) if options.get("reviewer") else None
        version = do_submit_for_review(options["process"], options["process_version"],
                                       services.get_user(options["as_user"]), reviewer)
        self.stdout.write(f"{version.process.key} v{version.version} is in review")

    def do_approve(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.services import do_approve_version

        effective = None
        if options.get("effective"):
            try:
                effective = datetime.date.fromisoformat(options["effective"])
            except ValueError:
                raise CommandError(f"--effective: expected YYYY-MM-DD, got {options['effective']!r}",
                                   returncode=1) from None
        version = do_approve_version(options["process"], options["process_version"],
                                     services.get_user(options["as_user"]), effective, options["note"])
        self.stdout.write(f"{version.process.key} v{version.version} approved by {version.approver_name}, effective "
                          f"{version.effective_date.isoformat()}; earlier approved versions are obsolete")

    def do_return(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.services import do_return_to_draft

        version = do_return_to_draft(options["process"], options["process_version"],
                                     services.get_user(options["as_user"]), options["note"])
        self.stdout.write(f"{version.process.key} v{version.version} returned to draft")

    def do_acknowledge(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.services import do_acknowledge

        user = services.get_user(options["as_user"])
        item = do_acknowledge(options["process"], user, options.get("process_version"))
        self.stdout.write(f"{user.username} acknowledged {item.process_version.process.key} "
                          f"v{item.process_version.version} at {item.at.isoformat()}")

    def do_train(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.services import do_record_training

        trainee = services.get_user(options["user"])
        item = do_record_training(options["process"], trainee, services.get_user(options["as_user"]),
                                  note=options["note"])
        self.stdout.write(f"training of {trainee.username} on {item.process_version.process.key} "
                          f"v{item.process_version.version} recorded")

    def do_require_acknowledgement(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.services import do_set_acknowledgement_required

        process = do_set_acknowledgement_required(options["process"], options["state"] == "on",
                                                  services.get_user(options["as_user"]), options.get("days"))
        state = "required" if process.require_acknowledgement else "not required"
        self.stdout.write(f"{process.key}: a current acknowledgement is {state} before acting "
                          f"(read within {process.acknowledgement_days} days of a new version)")

    def do_retire(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.retirement import do_retire_process

        process = do_retire_process(options["process"], services.get_user(options["as_user"]), options["reason"])
        running = process.records.filter(closed_at__isnull=True).count()
        self.stdout.write(f"{process.key} retired: no new records; {running} running record(s) finish under "
                          "their version")

    def do_reinstate(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.retirement import do_reinstate_process

        process = do_reinstate_process(options["process"], services.get_user(options["as_user"]), options["reason"])
        self.stdout.write(f"{process.key} reinstated: new records may start again")

    def do_training(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.training import training_matrix

        matrix = training_matrix()
        if options["json"]:
            self.emit_json(matrix.to_data())
            return
        width = max([len(user.username) for user in matrix.users] + [8])
        header = " ".join(f"{column.key[:22]:<22}" for column in matrix.processes)
        self.stdout.write(f"{'user':<{width}}  {header}")
        self.stdout.write(f"{'':<{width}}  " + " ".join(f"{'v' + str(c.version) + ' due ' + (c.due.isoformat() if c.due else '-'):<22}"
                                                        for c in matrix.processes))
        for user, cells in matrix.rows():
            text = " ".join(f"{(cell.state if cell else '-'):<22}" for cell in cells)
            self.stdout.write(f"{user.username:<{width}}  {text}")
        counts = matrix.counts()
        self.stdout.write(", ".join(f"{count} {state}" for state, count in counts.items()))

    def do_history(self, options: dict[str, Any]) -> None:
        process = services.get_process(options["process"])
        rows = [_version_data(version) for version in process.versions.order_by("version")]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"v{row['version']:<3} {row['status']:<10} author {row['author'] or '-':<18} "
                              f"approved {row['approved_at'] or '-':<26} by {row['approver'] or '-':<18} "
                              f"effective {row['effective_date'] or '-'}"
                              f"{' (not in force yet)' if row['scheduled'] else ''}  {row['change_note']}")

    def do_diff(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.diff import semantic_diff, text_diff
        from salesflow.guidelines.services import get_version

        old = get_version(options["process"], options["old"])
        new = get_version(options["process"], options["new"])
        changes = semantic_diff(services.definition_of(old), services.definition_of(new))
        if options["json"]:
            self.emit_json({"process": old.process.key, "from": old.version, "to": new.version,
                            "changes": [change.to_data() for change in changes]})
            return
        self.stdout.write(f"{old.process.key}: v{old.version} → v{new.version}, {len(changes)} change(s)")
        for change in changes:
            self.stdout.write(str(change))
        if options["text"]:
            for line in text_diff(old.source, new.source, f"v{old.version}", f"v{new.version}"):
                self.stdout.write(line)

    def do_render(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.publish import render_version
        from salesflow.guidelines.render_pdf import RendererMissing
        from salesflow.guidelines.services import get_version

        version = get_version(options["process"], options.get("process_version"))
        output = options["output"]
        fmt = options["format"]
        companion_name = f"{Path(output).stem}.flowchart.svg" if output != "-" else None
        map_name = f"{Path(output).stem}.process-map.svg" if output != "-" else None
        try:
            rendered = render_version(version, fmt, options["language"], flowchart_href=companion_name,
                                      map_href=map_name)
        except RendererMissing as error:
            raise CommandError(str(error), returncode=1) from None
        if output == "-":
            if fmt == "pdf":
                raise CommandError("PDF output needs a file: -o FILE.pdf", returncode=1)
            self.stdout.write(rendered.content.decode("utf-8"), ending="")
            return
        path = Path(output)
        try:
            path.write_bytes(rendered.content)
            if rendered.companion is not None and companion_name:
                path.with_name(companion_name).write_bytes(rendered.companion)
            if rendered.process_map is not None and map_name:
                path.with_name(map_name).write_bytes(rendered.process_map)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror or error}", returncode=1) from None
        extra = f" (flowchart: {path.with_name(companion_name)})" if rendered.companion and companion_name else ""
        self.stdout.write(f"{version.process.key} v{version.version} ({version.status}) written to {path} "
                          f"as {fmt}, {options['language']}{extra}")

    def do_migrate(self, options: dict[str, Any]) -> None:
        from salesflow.records.migration import do_migrate_records, parse_map, preview_migration

        self.json_output = options["json"]
        user = services.get_user(options["as_user"])
        stage_map = parse_map(options["stage_map"])
        run = preview_migration if options["dry_run"] else do_migrate_records
        result = run(options["process"], options["to_version"], stage_map, user)
        if options["json"]:
            self.emit_json(result.to_data())
            return
        verb = "would move" if result.dry_run else "moved"
        self.stdout.write(f"{result.process} → v{result.to_version}: {verb} {len(result.items)} running record(s)"
                          + (" (dry run, nothing changed)" if result.dry_run else ""))
        for item in result.items:
            plan = item.plan
            stage = plan.from_stage if plan.from_stage == plan.to_stage else f"{plan.from_stage} → {plan.to_stage}"
            self.stdout.write(f"#{item.record_id:<6} v{plan.from_version}  {stage:<34} {item.title[:40]}")
            for change in plan.changes():
                self.stdout.write(f"         {change}")

    def do_map(self, options: dict[str, Any]) -> None:
        from salesflow.guidelines.library_map import current_map
        from salesflow.guidelines.process_map import render_map_svg

        process_map = current_map(options["language"])
        svg = render_map_svg(process_map)
        output = options["output"]
        if output == "-":
            self.stdout.write(svg, ending="")
            return
        path = Path(output)
        try:
            path.write_text(svg, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror or error}", returncode=1) from None
        self.stdout.write(f"process map written to {path}: {sum(1 for box in process_map.boxes if not box.missing)} processes, "
                          f"{len(process_map.handoffs)} hand-offs ({options['language']})")


def _version_data(version: ProcessVersion) -> dict[str, Any]:
    """A version's document-control data as JSON-ready data."""
    return {
        "process": version.process.key, "version": version.version, "status": version.status,
        "sha256": version.sha256, "author": version.author_name, "reviewer": version.reviewer_name,
        "approver": version.approver_name, "change_note": version.change_note,
        "created_at": version.created_at.isoformat() if version.created_at else None,
        "submitted_at": version.submitted_at.isoformat() if version.submitted_at else None,
        "approved_at": version.approved_at.isoformat() if version.approved_at else None,
        "effective_date": version.effective_date.isoformat() if version.effective_date else None,
        "scheduled": version.scheduled,
        "obsoleted_at": version.obsoleted_at.isoformat() if version.obsoleted_at else None,
    }
