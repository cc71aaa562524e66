"""``salesflow assess CHECKLIST --subject KIND:ID --answers ANSWERS.json --as USER``: record an assessment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand
from salesflow.quality import services
from salesflow.quality.services import MAX_EVIDENCE_BYTES, EvidenceFile
from salesflow.records.services import get_user

#: The largest answers file read (a checklist has at most a few hundred questions).
MAX_ANSWERS_BYTES = 1024 * 1024


def read_answers(path: str) -> dict[str, Any]:
    """The answers file: a JSON object mapping question id → "yes", "no", "partial", "na" or an integer step."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_ANSWERS_BYTES:
            raise CommandError(f"{path}: larger than {MAX_ANSWERS_BYTES // 1024} KB", returncode=1)
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CommandError(f"{path}: cannot read file: {error.strerror or error}", returncode=1) from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: file is not UTF-8 text", returncode=1) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}:{error.lineno}: not valid JSON: {error.msg}", returncode=1) from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: expected a JSON object mapping question id to answer", returncode=1)
    return data


class Command(SalesflowCommand):
    help = ("Record an assessment with a checklist: answers are scored (yes 1, no 0, partial 0.5, scale step k of n "
            "(k-1)/(n-1), na left out), stored with the checklist version and logged in the event chain.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("checklist", metavar="CHECKLIST", help="checklist id (its newest version is used)")
        parser.add_argument("--subject", required=True, metavar="KIND:ID",
                            help="what is assessed: partner:ID, account:ID (accounts), user:NAME-OR-ID, record:ID")
        parser.add_argument("--answers", required=True, metavar="ANSWERS.json",
                            help='JSON object: question id → "yes", "no", "partial", "na" or an integer step')
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day of the assessment (default: today)")
        parser.add_argument("--note", default="", metavar="TEXT", help="notes of the assessor")
        parser.add_argument("--evidence", action="append", default=[], metavar="FILE",
                            help="an evidence file (repeatable; stored with its SHA-256)")
        parser.add_argument("--as", dest="as_user", required=True, metavar="USER",
                            help="the assessor (holds the checklist's responsible role)")
        parser.add_argument("--json", action="store_true", help="print the assessment as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user(options["as_user"])
        answers = read_answers(options["answers"])
        evidence = []
        for name in options["evidence"]:
            path = Path(name)
            try:
                if path.stat().st_size > MAX_EVIDENCE_BYTES:
                    raise CommandError(f"{name}: larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB", returncode=1)
                evidence.append(EvidenceFile(path.name, path.read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: cannot read file: {error.strerror or error}", returncode=1) from None
        assessment = services.do_assess(options["checklist"], user, options["subject"], answers,
                                        date=options.get("date"), notes=options["note"], evidence=evidence)
        data = services.assessment_data(assessment)
        if options["json"]:
            self.emit_json(data)
            return
        result = "passed" if data["passed"] else "failed"
        self.stdout.write(f"assessment {data['id']}: {data['score_percent']}% {result} "
                          f"({data['checklist']} v{data['checklist_version']}, {data['subject']['kind']} "
                          f"{data['subject']['label']})")
        if data["failed_critical"]:
            self.stdout.write(f"failed critical: {', '.join(data['failed_critical'])}")
        if data["nonconformity"]:
            self.stdout.write(f"nonconformity started: record {data['nonconformity']}")
        elif data["nonconformity_note"]:
            self.stdout.write(f"no nonconformity started: {data['nonconformity_note']}")
