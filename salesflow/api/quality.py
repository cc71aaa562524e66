"""``/api/checklists`` and ``/api/assessments``: the checklists of the library and assessments made with them.

Assessing calls the same service as the web form and ``salesflow assess`` (`salesflow.quality.services`):
403 without the checklist's responsible role, 400 for answers that do not fit (``problems`` names every
question and bad value), 404 for a subject the caller may not see.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import StrictInt, StrictStr

from salesflow.api.activities import LoggedActivityOut
from salesflow.api.errors import responses
from salesflow.api.schemas import MAX_ID
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.people import access
from salesflow.quality import services
from salesflow.quality.services import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, EvidenceFile

checklists_router = Router(tags=["checklists"])
assessments_router = Router(tags=["assessments"])

AssessmentId = Path(..., ge=1, le=MAX_ID, description="The assessment's id.")
Answer = StrictStr | StrictInt


class ChecklistOut(Schema):
    """A checklist of the library (its newest version) with its definition (the keys of the YAML)."""

    checklist: str
    version: int
    subject: str
    title: dict[str, str]
    responsible: str
    pass_mark: str
    may_assess: bool
    definition: dict[str, Any]


class EvidenceIn(Schema):
    """An evidence file, its content in base64."""

    name: Annotated[str, Field(min_length=1, max_length=255)]
    content_base64: Annotated[str, Field(max_length=(MAX_EVIDENCE_BYTES // 3 + 1) * 4)]
    content_type: Annotated[str, Field(max_length=127)] = ""


class AssessmentIn(Schema):
    """An assessment: the checklist, the subject (``KIND:ID``) and every question's answer."""

    checklist: Annotated[str, Field(min_length=1, max_length=64)]
    subject: Annotated[str, Field(min_length=3, max_length=200, description="partner:ID, account:ID, user:NAME, "
                                                                            "record:ID")]
    answers: dict[Annotated[str, Field(max_length=64)], Answer] = Field(
        description='question id → "yes", "no", "partial", "na" or an integer step', max_length=1000)
    date: datetime.date | None = None
    notes: Annotated[str, Field(max_length=services.MAX_NOTES)] = ""
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=MAX_EVIDENCE_FILES)


class EvidenceOut(Schema):
    id: int
    name: str
    sha256: str
    size: int


class SubjectOut(Schema):
    kind: str
    id: int
    label: str


class AssessmentOut(Schema):
    """An assessment with its score and result."""

    id: int
    checklist: str
    checklist_version: int
    title: str
    subject: SubjectOut
    assessor: str
    date: str
    answers: dict[str, Answer]
    notes: str
    score_percent: str = Field(description="Score in percent, one decimal, rounded half up (e.g. \"59.5\").")
    pass_mark: str
    passed: bool
    failed_critical: list[str]
    nonconformity: int | None = Field(description="The record started for a failed critical question.")
    nonconformity_note: str
    evidence: list[EvidenceOut]
    event_seq: int | None


class AssessmentQuery(Schema):
    checklist: Annotated[str, Field(max_length=64)] | None = None
    subject: Annotated[str, Field(max_length=200, description="KIND:ID")] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0, le=MAX_ID)] = 0


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]


def _refuse_non_staff(user: Any) -> None:
    if not access.is_staff_member(user):
        raise NotPermitted("checklists are for sales staff: your user holds no role")


def _language(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "en") or "en")[:2]


def _checklist_data(version: Any, user: Any) -> dict[str, Any]:
    return {"checklist": version.key, "version": version.version, "subject": version.subject,
            "title": version.title, "responsible": version.responsible,
            "pass_mark": str(version.definition.get("pass_mark")), "may_assess": services.may_assess(user, version),
            "definition": version.definition}


@checklists_router.get("", response=responses({200: list[ChecklistOut]}, 403), summary="List checklists",
                       operation_id="list_checklists")
def list_checklists(request: HttpRequest) -> list[dict[str, Any]]:
    """The newest version of every checklist of the library."""
    _refuse_non_staff(request.auth)
    return [_checklist_data(version, request.auth) for version in services.current_checklists()]


@checklists_router.get("/{key}", response=responses({200: ChecklistOut}, 400, 403, 404), summary="Read a checklist",
                       operation_id="get_checklist")
def get_checklist(request: HttpRequest, key: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    """One checklist (its newest version) with its sections and questions."""
    _refuse_non_staff(request.auth)
    return _checklist_data(services.get_checklist(key), request.auth)


def _evidence(items: list[EvidenceIn]) -> list[EvidenceFile]:
    files = []
    for index, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise BadInput(f"evidence[{index}] {item.name}: content_base64 is not base64") from None
        files.append(EvidenceFile(item.name, content, item.content_type))
    return files


@assessments_router.post("", response=responses({201: AssessmentOut}, 400, 403, 404), summary="Record an assessment",
                         operation_id="create_assessment")
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status:
    """Score the answers by the checklist's rule, store the assessment and log it in the event chain."""
    assessment = services.do_assess(payload.checklist, request.auth, payload.subject, dict(payload.answers),
                                    date=payload.date, notes=payload.notes, evidence=_evidence(payload.evidence))
    return Status(201, services.assessment_data(assessment, _language(request)))


@assessments_router.get("", response=responses({200: AssessmentPage}, 400, 403), summary="List assessments",
                        operation_id="list_assessments")
def list_assessments(request: HttpRequest, query: Query[AssessmentQuery]) -> dict[str, Any]:
    """The assessments you may see, newest first (filter by checklist and subject ``KIND:ID``)."""
    _refuse_non_staff(request.auth)
    found = services.visible_assessments(request.auth).select_related("checklist")
    if query.checklist:
        found = found.filter(checklist__key=query.checklist)
    if query.subject:
        kind, ident = services.parse_subject(query.subject)
        found = found.filter(subject_kind=kind, subject_id=services.as_id(ident) or 0)
    page = found.prefetch_related("evidence")[query.offset:query.offset + query.limit]
    return {"count": found.count(), "items": [services.assessment_data(item, _language(request)) for item in page]}


@assessments_router.get("/{assessment_id}", response=responses({200: AssessmentOut}, 400, 403, 404),
                        summary="Read an assessment", operation_id="get_assessment")
def get_assessment(request: HttpRequest, assessment_id: int = AssessmentId) -> dict[str, Any]:
    """One assessment you may see (404 otherwise)."""
    _refuse_non_staff(request.auth)
    return services.assessment_data(services.get_assessment(assessment_id, request.auth), _language(request))


review_router = Router(tags=["records"])


@review_router.post("/{record_id}/actions-to-tasks", response=responses({201: list[LoggedActivityOut]}, 400, 403, 404, 409),
                    summary="Turn a record's actions into tasks", operation_id="actions_to_tasks")
def actions_to_tasks(request: HttpRequest,
                     record_id: int = Path(..., ge=1, le=MAX_ID, description="The record's id.")) -> Status:
    """Each line of the record's actions field (library settings ``quality.actions_to_tasks``), ``OWNER: what
    [YYYY-MM-DD]``, not yet a task becomes a task of that person on the record (409: every line already is)."""
    from salesflow.activities.services import activity_data
    from salesflow.quality.review_actions import do_actions_to_tasks

    return Status(201, [activity_data(task) for task in do_actions_to_tasks(record_id, request.auth)])
