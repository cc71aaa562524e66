"""Domain actions of checklists and assessments: each writes its change and its events in one transaction.

- `do_load_checklist`: a new checklist version (versions are never rewritten; the event names its hash);
- `do_assess`: score answers with `salesflow.engine.scoring`, store the assessment and its evidence, append
  one ``assessment_recorded`` event carrying everything (a record-less event: assessments are not records of
  a process) and — for a failed critical question — start a record in the process the checklist names in
  ``raises`` (e.g. a nonconformity), or note why none was started.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, EngineError, NotPermitted
from salesflow.engine.scoring import Score, score
from salesflow.engine.state import EventDraft
from salesflow.people import access
from salesflow.process.checklist import ChecklistDefinition, ParsedChecklist, Subject
from salesflow.process.model import FieldType
from salesflow.quality.models import Assessment, ChecklistVersion, Evidence
from salesflow.records import eventlog
from salesflow.records.models import Process, Record, RecordLink
from salesflow.records.services import NotFound, actor_for, actorship, definition_of, refuse_read_only

#: Bounds of what an assessment may carry.
MAX_NOTES = 10_000
MAX_EVIDENCE_FILES = 20
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
#: A choice field of the raised record offering this value is set to it (where the record came from).
SOURCE_CHOICE = "checklist"


@dataclass
class ChecklistLoad:
    """What loading one checklist file did."""

    checklist: str
    version: int
    status: str  # added | unchanged
    file: str = ""

    def to_data(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {"checklist": self.checklist, "version": self.version, "status": self.status, "file": self.file}


def do_load_checklist(parsed: ParsedChecklist, by: Any | None = None) -> ChecklistLoad:
    """Add a checklist version from a validated file; an identical version is left unchanged.

    The same version number with different content is refused: give the changed checklist a new version.
    """
    definition = parsed.definition
    sha = hashlib.sha256(parsed.source.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = ChecklistVersion.objects.select_for_update().filter(
            key=definition.checklist, version=definition.version).first()
        if existing is not None:
            if existing.sha256 == sha:
                return ChecklistLoad(definition.checklist, definition.version, "unchanged", parsed.file)
            raise BadInput(f"{parsed.file}: checklist {definition.checklist} version {definition.version} is already "
                           "loaded with different content; give the changed checklist a new version number")
        at = timezone.now()
        ChecklistVersion.objects.create(
            key=definition.checklist, version=definition.version, title=dict(definition.title),
            subject=definition.subject.value, responsible=definition.responsible, definition=definition.to_data(),
            source=parsed.source, sha256=sha, file=parsed.file[-500:], loaded_at=at, loaded_by=by,
            loaded_by_name=by.display_name if by else "system")
        eventlog.append(
            [EventDraft(kind="checklist_version_added",
                        payload={"checklist": definition.checklist, "version": definition.version, "sha256": sha,
                                 "file": parsed.file, "subject": definition.subject.value,
                                 "responsible": definition.responsible})],
            actor=actorship(by), at=at)
    return ChecklistLoad(definition.checklist, definition.version, "added", parsed.file)


def checklist_definition(version: ChecklistVersion) -> ChecklistDefinition:
    """The parsed definition of a stored checklist version."""
    return ChecklistDefinition.model_validate(version.definition)


def current_checklists() -> list[ChecklistVersion]:
    """The newest version of every checklist, by key."""
    latest: dict[str, ChecklistVersion] = {}
    for version in ChecklistVersion.objects.order_by("key", "-version"):
        latest.setdefault(version.key, version)
    return list(latest.values())


def get_checklist(key: str, version: int | None = None) -> ChecklistVersion:
    """A checklist by key (its newest version unless ``version``). Raises `NotFound`."""
    query = ChecklistVersion.objects.filter(key=str(key).strip())
    if version is not None:
        query = query.filter(version=version)
    found = query.order_by("-version").first()
    if found is None:
        known = ", ".join(sorted(set(ChecklistVersion.objects.values_list("key", flat=True)))) or "none loaded"
        raise NotFound(f"unknown checklist {key!r}" + (f" version {version}" if version else "")
                       + f" (checklists: {known})")
    return found


# --- who may do what -----------------------------------------------------------------------------

def may_assess(user: Any, checklist: ChecklistVersion) -> bool:
    """True if ``user`` holds the checklist's responsible role (and is not read-only)."""
    return (access.is_staff_member(user) and not access.is_read_only(user)
            and checklist.responsible in user.role_ids())


def visible_assessments(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """The assessments ``user`` may see: as assessor, as holder of the checklist's responsible role, or as an
    oversight role — and, for assessments of a record, only where the record is visible to them."""
    base = queryset if queryset is not None else Assessment.objects.all()
    if not access.is_staff_member(user):
        return base.none()
    allowed = Q(assessor_id=user.pk) | Q(checklist__responsible__in=list(user.role_ids()))
    if not access.is_oversight(user):
        base = base.filter(allowed)
    hidden_records = Record.objects.exclude(access.visibility_filter(user)).values("pk")
    return base.exclude(Q(subject_kind=Subject.record.value) & Q(subject_id__in=hidden_records))


def get_assessment(assessment_id: Any, user: Any) -> Assessment:
    """An assessment ``user`` may see. Raises `NotFound` (also for one they may not see)."""
    text = str(assessment_id).strip()[:40]
    pk = as_id(text)
    found = visible_assessments(user).select_related("checklist").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"assessment {text} not found")
    return found


# --- subjects --------------------------------------------------------------------------------------

def as_id(text: Any) -> int | None:
    """A database id from text (digits only, within 64 bits), else None."""
    text = str(text).strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def parse_subject(text: str) -> tuple[str, str]:
    """``KIND:ID`` → (kind, id); raises BadInput naming the bad value."""
    kind, sep, ident = str(text or "").partition(":")
    kinds = ", ".join(item.value for item in Subject)
    if not sep or kind.strip() not in {item.value for item in Subject} or not ident.strip():
        raise BadInput(f"subject: expected KIND:ID with KIND one of {kinds}, got {str(text)[:100]!r}")
    return kind.strip(), ident.strip()


def resolve_subject(kind: str, ident: Any, user: Any) -> tuple[int, str]:
    """The id and label of a subject ``user`` may assess; raises `NotFound` for an unknown or invisible one."""
    text = str(ident).strip()[:200]
    if kind in (Subject.partner.value, Subject.account.value):
        from salesflow.accounts.models import Account

        pk = as_id(text)
        account = Account.objects.filter(pk=pk).first() if pk else None
        if account is None:
            raise NotFound(f"subject: unknown account {text!r}")
        if kind == Subject.partner.value and account.kind != account.PARTNER:
            raise BadInput(f"subject: account {account.pk} ({account.name}) is not a channel partner")
        return account.pk, account.name
    if kind == Subject.user.value:
        from salesflow.people.models import User

        pk = as_id(text)
        person = User.objects.filter(username=text[:150], is_active=True).first() or (
            User.objects.filter(pk=pk, is_active=True).first() if pk else None)
        if person is None:
            raise NotFound(f"subject: unknown user {text!r}")
        return person.pk, person.display_name
    if kind == Subject.record.value:
        pk = as_id(text)
        record = Record.objects.filter(pk=pk).first() if pk else None
        if record is None or not access.can_view(user, record):
            raise NotFound(f"subject: record {text} not found")
        return record.pk, record.title or f"#{record.pk}"
    raise BadInput(f"subject: unknown kind {kind!r}")


# --- assessing -------------------------------------------------------------------------------------

@dataclass
class EvidenceFile:
    """An uploaded evidence file before it is stored."""

    name: str
    content: bytes
    content_type: str = ""


def _clean_evidence(files: list[EvidenceFile]) -> list[EvidenceFile]:
    if len(files) > MAX_EVIDENCE_FILES:
        raise BadInput(f"evidence: at most {MAX_EVIDENCE_FILES} files")
    cleaned = []
    for item in files:
        name = (item.name or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
        if not name:
            raise BadInput("evidence: a file name is required")
        if len(name) > 255:
            raise BadInput(f"evidence {name[:60]}…: the file name is longer than 255 characters")
        if not item.content:
            raise BadInput(f"evidence {name}: the file is empty")
        if len(item.content) > MAX_EVIDENCE_BYTES:
            raise BadInput(f"evidence {name}: larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB")
        cleaned.append(EvidenceFile(name, item.content, (item.content_type or "application/octet-stream")[:127]))
    return cleaned


def parse_date(value: Any, today: datetime.date) -> datetime.date:
    """The assessment date (default today); ISO text; not in the future. Raises BadInput."""
    if value in (None, ""):
        return today
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise BadInput(f"date: expected YYYY-MM-DD, got {str(value)[:40]!r}") from None
    if day > today:
        raise BadInput(f"date: {day.isoformat()} is in the future")
    return day


def do_assess(checklist_key: str, user: Any, subject: str, answers: dict[str, Any], *,
              date: Any = None, notes: str = "", evidence: list[EvidenceFile] | None = None,
              version: int | None = None, at: datetime.datetime | None = None) -> Assessment:
    """Record an assessment of ``subject`` (``KIND:ID``) with a checklist: score, store, log, raise.

    Refuses (changing nothing) an unknown checklist or subject, a subject of another kind than the
    checklist's, a user without the checklist's responsible role, and answers that do not fit (every
    question named with its bad value).
    """
    at = at or timezone.now()
    checklist = get_checklist(checklist_key, version)
    definition = checklist_definition(checklist)
    refuse_read_only(user)
    if not may_assess(user, checklist):
        raise NotPermitted(f"assessing with {checklist.key} needs the role {checklist.responsible}")
    kind, ident = parse_subject(subject)
    if kind != definition.subject.value:
        raise BadInput(f"subject: {checklist.key} assesses a {definition.subject.value}, not a {kind}")
    subject_id, subject_label = resolve_subject(kind, ident, user)
    day = parse_date(date, timezone.localdate(at))
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise BadInput(f"notes: longer than {MAX_NOTES} characters")
    files = _clean_evidence(list(evidence or []))
    result = score(definition, answers)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            checklist=checklist, subject_kind=kind, subject_id=subject_id, subject_label=subject_label[:300],
            assessor=user, assessor_name=user.display_name, date=day, answers=result.answers, notes=notes,
            score_percent=result.score_percent, passed=result.passed, failed_critical=result.failed_critical,
            created_at=at)
        stored = [Evidence.objects.create(assessment=assessment, name=item.name, content=item.content,
                                          content_type=item.content_type, size=len(item.content),
                                          sha256=hashlib.sha256(item.content).hexdigest(), at=at)
                  for item in files]
        if result.failed_critical:
            _raise_nonconformity(assessment, definition, result, user, at)
        event = eventlog.append(
            [EventDraft(kind="assessment_recorded", role=checklist.responsible,
                        payload=_event_payload(assessment, checklist, result, stored))],
            actor=actorship(user), at=at)[0]
        assessment.event_seq = event.seq
        assessment.save(update_fields=["event_seq"])
    return assessment


def _event_payload(assessment: Assessment, checklist: ChecklistVersion, result: Score,
                   stored: list[Evidence]) -> dict[str, Any]:
    return {
        "assessment": assessment.pk, "checklist": checklist.key, "checklist_version": checklist.version,
        "checklist_sha256": checklist.sha256,
        "subject": {"kind": assessment.subject_kind, "id": assessment.subject_id, "label": assessment.subject_label},
        "assessor": assessment.assessor_name, "date": assessment.date.isoformat(), "answers": result.answers,
        "notes": assessment.notes, "evidence": [{"name": item.name, "sha256": item.sha256, "size": item.size}
                                                for item in stored],
        "score_percent": str(result.score_percent), "pass_mark": str(checklist.definition.get("pass_mark")),
        "passed": result.passed, "failed_critical": result.failed_critical,
        "nonconformity": assessment.nonconformity_id, "nonconformity_note": assessment.nonconformity_note,
    }


def _raise_nonconformity(assessment: Assessment, definition: ChecklistDefinition, result: Score, user: Any,
                         at: datetime.datetime) -> None:
    """Start a record in the process the checklist names in ``raises``, linked to the assessment; else note why not."""
    key = definition.raises
    if not key:
        assessment.nonconformity_note = (f"checklist {definition.checklist} names no process to raise a "
                                         "nonconformity in (raises)")
    else:
        process = Process.objects.filter(key=key).first()
        version = process.current_version() if process else None
        if version is None:
            assessment.nonconformity_note = f"no nonconformity process is installed (process {key!r} is not loaded)"
        else:
            try:
                with transaction.atomic():
                    assessment.nonconformity = _start_record(process, version, assessment, definition, result,
                                                             user, at)
            except EngineError as error:
                assessment.nonconformity_note = f"the nonconformity could not be started in {key}: {error.message}"
    assessment.save(update_fields=["nonconformity", "nonconformity_note"])


def _start_record(process: Process, version: Any, assessment: Assessment, definition: ChecklistDefinition,
                  result: Score, user: Any, at: datetime.datetime) -> Record:
    target = definition_of(version)
    questions = ", ".join(result.failed_critical)
    title = f"{definition.title.get_text('en')} — {assessment.subject_label}: failed critical {questions}"[:300]
    description = (f"Assessment {assessment.pk} ({definition.checklist} v{definition.version}, "
                   f"{assessment.date.isoformat()}) answered 'no' to the critical question(s) {questions}.")
    values: dict[str, Any] = {"title": title}
    customer_id = None
    if assessment.subject_kind in (Subject.partner.value, Subject.account.value):
        customer_id = assessment.subject_id
        values["account"] = assessment.subject_label
    for name, field in target.fields.items():
        if field.required and field.type == FieldType.text and field.default is None:
            values[name] = description
        elif field.type == FieldType.choice and SOURCE_CHOICE in field.choice_ids():
            values[name] = SOURCE_CHOICE  # e.g. the nonconformity's source: a checklist
    # The checklist's responsible role starts it: the nonconformity is the checklist's own consequence.
    creation = actions.create(target, actor_for(user), values, user.pk, handed_over_by=definition.responsible)
    record = Record(process=process, process_version=version, created_at=at, updated_at=at, stage_entered_at=at,
                    customer_id=customer_id)
    record.apply_state(creation.state)
    record.save()
    if assessment.subject_kind == Subject.record.value:
        # The audited record links to the nonconformity it raised (shown with its linked records).
        RecordLink.objects.create(source_id=assessment.subject_id, target=record, kind=target.record, created_at=at)
    drafts = [*creation.events,
              EventDraft(kind="nonconformity_raised", role=definition.responsible,
                         payload={"assessment": assessment.pk, "checklist": definition.checklist,
                                  "checklist_version": definition.version, "failed_critical": result.failed_critical,
                                  "subject": {"kind": assessment.subject_kind, "id": assessment.subject_id}})]
    eventlog.append(drafts, actor=actorship(user), at=at, record_id=record.pk, process=process.key,
                    process_version=version.version)
    return record


def assessment_data(assessment: Assessment, language: str = "en") -> dict[str, Any]:
    """JSON-ready data of an assessment (decimals as strings)."""
    checklist = assessment.checklist
    return {
        "id": assessment.pk, "checklist": checklist.key, "checklist_version": checklist.version,
        "title": checklist.title_in(language),
        "subject": {"kind": assessment.subject_kind, "id": assessment.subject_id, "label": assessment.subject_label},
        "assessor": assessment.assessor_name, "date": assessment.date.isoformat(), "answers": assessment.answers,
        "notes": assessment.notes, "score_percent": str(assessment.score_percent),
        "pass_mark": str(Decimal(str(checklist.definition.get("pass_mark")))), "passed": assessment.passed,
        "failed_critical": list(assessment.failed_critical), "nonconformity": assessment.nonconformity_id,
        "nonconformity_note": assessment.nonconformity_note,
        "evidence": [{"id": item.pk, "name": item.name, "sha256": item.sha256, "size": item.size}
                     for item in assessment.evidence.all()],
        "event_seq": assessment.event_seq,
    }
