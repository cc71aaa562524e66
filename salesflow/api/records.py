"""``/api/records``: list, create, read, change, move and act on records; read their events.

Every endpoint sees only the records the caller may see (`salesflow.people.access`): a hidden
record is answered 404 like a missing one and is never listed or counted. Writes call the service
functions the web interface and the CLI call; auditors (read-only) are refused every write (403).
Optimistic concurrency: send the record's ``version`` as ``expected_version`` (or ``If-Match: "N"``);
a record changed since is a 409 conflict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Path, Query, Router, Status

from salesflow.api.errors import responses
from salesflow.api.schemas import (
    MAX_ID,
    AnswerIn,
    ConsultationOut,
    ConsultIn,
    DecisionIn,
    DelegationIn,
    EventPage,
    MoveIn,
    NoteIn,
    PageQuery,
    ProbabilityIn,
    RecordCreate,
    RecordOut,
    RecordPage,
    RecordPatch,
    RecordQuery,
    RefusalIn,
    RequestIn,
    Text,
)
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.people import access
from salesflow.people.security import log_security_event
from salesflow.process.model import Classification
from salesflow.records import queries, services
from salesflow.records.models import Event, Record
from salesflow.records.redaction import reader_payloads

router = Router(tags=["records"])

#: Columns of the joined process version a list never needs (definitions are cached by version).
HEAVY = ("process_version__definition", "process_version__source")
IF_MATCH = re.compile(r'^(?:W/)?"?([0-9]{1,10})"?$')

RecordId = Path(..., ge=1, le=MAX_ID, description="The record's id.")
IfMatch = Header(None, alias="If-Match", description='The record version the change was made from, e.g. "3".')


# --- helpers -------------------------------------------------------------------------------------

def visible(request: HttpRequest, record_id: int) -> Record:
    """The record if the caller may see it; otherwise `NotFound` (404)."""
    return services.get_record(record_id, request.auth)


def refuse_read_only(user: Any) -> None:
    """Auditors (read-only roles) may not change anything."""
    if access.is_read_only(user):
        raise NotPermitted("your roles only allow reading: nothing can be changed with them")


def expected_version(if_match: str | None, body_version: int | None) -> int | None:
    """The version a change was made from: ``If-Match`` or ``expected_version`` (they must agree)."""
    header = None
    text = (if_match or "").strip()
    if text and text != "*":
        found = IF_MATCH.match(text)
        if found is None:
            raise BadInput('If-Match: the record version as an entity tag is expected, e.g. "3"')
        header = int(found.group(1))
    if header is not None and body_version is not None and header != body_version:
        raise BadInput(f"If-Match ({header}) and expected_version ({body_version}) disagree")
    return header if header is not None else body_version


def perform(call: Callable[[], Record]) -> Record:
    """Run a service call; a user or process named in the request that does not exist is bad input."""
    try:
        return call()
    except services.NotFound as missing:
        if missing.message.startswith("record "):
            raise
        raise BadInput(missing.message) from None


def record_out(record: Record, response: HttpResponse | None = None) -> dict[str, Any]:
    """The record's data; its version becomes the response's ETag."""
    if response is not None:
        response["ETag"] = f'"{record.version}"'
    return services.record_data(record)


def single_query_values(request: HttpRequest) -> None:
    """Refuse a repeated query parameter (``?stage=a&stage=b``): every filter takes one value."""
    repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
    if repeated:
        raise BadInput(f"{', '.join(repeated)}: give each query parameter once")


def log_strict_view(request: HttpRequest, record: Record, via: str) -> None:
    """Reading a strictly confidential record is a security event (ISO 27001 A.8.15)."""
    if record.classification == Classification.strictly_confidential.value:
        log_security_event("view_strictly_confidential", request.auth, request=request, record_id=record.pk,
                           via=via)


def log_strict_list(request: HttpRequest, records: list[Record]) -> None:
    """A list answer holding strictly confidential records is one security event naming them all (once per request)."""
    strict = [record.pk for record in records if record.classification == Classification.strictly_confidential.value]
    if strict:
        log_security_event("view_strictly_confidential", request.auth, request=request, via="api list",
                           record_ids=strict, count=len(strict))


# --- list, create, read, change ------------------------------------------------------------------

@router.get("", response=responses({200: RecordPage}, 400), summary="List records",
            operation_id="list_records")
def list_records(request: HttpRequest, query: Query[RecordQuery]) -> dict[str, Any]:
    """The records the caller may see, filtered and sorted, one page at a time."""
    single_query_values(request)
    params = {name: getattr(value, "value", value) for name, value in query.dict().items()
              if value is not None and name not in ("limit", "offset")}
    flt = queries.filter_from_params(params)
    found = queries.records_for(request.auth, flt).defer(*HEAVY)
    page = list(found[query.offset:query.offset + query.limit])
    log_strict_list(request, page)
    return {"count": found.count(), "limit": query.limit, "offset": query.offset,
            "items": [services.record_data(record) for record in page]}


@router.post("", response=responses({201: RecordOut}, 400, 403, 422), summary="Create a record",
             operation_id="create_record")
def create_record(request: HttpRequest, response: HttpResponse, payload: RecordCreate) -> Status:
    """Start a record in its process's first stage; the caller owns it unless ``fields.owner`` names someone."""
    refuse_read_only(request.auth)
    record = perform(lambda: services.do_create_record(payload.process, request.auth, dict(payload.fields),
                                                       link_from=payload.link_from, customer_id=payload.customer))
    record = services.get_record(record.pk)
    response["Location"] = f"/api/records/{record.pk}"
    return Status(201, record_out(record, response))


@router.get("/{record_id}", response=responses({200: RecordOut}, 400, 404), summary="Read a record",
            operation_id="get_record")
def get_record(request: HttpRequest, response: HttpResponse, record_id: int = RecordId) -> dict[str, Any]:
    """One record with its gate checklist and the stages it can move to."""
    record = visible(request, record_id)
    log_strict_view(request, record, "api")
    return record_out(record, response)


@router.patch("/{record_id}", response=responses({200: RecordOut}, 400, 403, 404, 409),
              summary="Change fields", operation_id="update_record")
def update_record(request: HttpRequest, response: HttpResponse, payload: RecordPatch,
                  record_id: int = RecordId, if_match: str | None = IfMatch) -> dict[str, Any]:
    """Change field values (``owner`` by user name; null clears a field)."""
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_set_fields(record_id, request.auth, dict(payload.fields), version))
    return record_out(record, response)


# --- acting --------------------------------------------------------------------------------------

ACTION_RESPONSES = responses({200: RecordOut}, 400, 403, 404, 409, 422)


@router.post("/{record_id}/move", response=ACTION_RESPONSES, summary="Move to a stage",
             operation_id="move_record")
def move_record(request: HttpRequest, response: HttpResponse, payload: MoveIn, record_id: int = RecordId,
                if_match: str | None = IfMatch) -> dict[str, Any]:
    """Move the record; forward moves need the gate (422 lists what is unmet), overrides a reason."""
    version = expected_version(if_match, payload.expected_version)
    options = {key: option.dict(exclude_none=True) for key, option in payload.handoffs.items()}
    record = perform(lambda: services.do_move(record_id, request.auth, payload.stage, payload.override_reason,
                                              version, handoff_options=options))
    return record_out(record, response)


@router.post("/{record_id}/activities/{activity}/done", response=ACTION_RESPONSES,
             summary="Complete an activity", operation_id="complete_activity")
def complete_activity(request: HttpRequest, response: HttpResponse, activity: Text, payload: NoteIn | None = None,
                      record_id: int = RecordId, if_match: str | None = IfMatch) -> dict[str, Any]:
    """Mark an activity of the current stage (or of an outcome) as done."""
    payload = payload or NoteIn()
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_complete_activity(record_id, request.auth, activity, payload.note,
                                                           version))
    return record_out(record, response)


@router.post("/{record_id}/approvals/{approval}", response=ACTION_RESPONSES, summary="Grant an approval",
             operation_id="grant_approval")
def grant_approval(request: HttpRequest, response: HttpResponse, approval: Text, payload: NoteIn | None = None,
                   record_id: int = RecordId, if_match: str | None = IfMatch) -> dict[str, Any]:
    """Grant an approval under the competence catalog (the amount decides who may)."""
    payload = payload or NoteIn()
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_approve(record_id, request.auth, approval, payload.note, version))
    return record_out(record, response)


@router.post("/{record_id}/approvals/{approval}/request", response=ACTION_RESPONSES, summary="Request an approval",
             operation_id="request_approval")
def request_approval(request: HttpRequest, response: HttpResponse, approval: Text, payload: NoteIn | None = None,
                     record_id: int = RecordId, if_match: str | None = IfMatch) -> dict[str, Any]:
    """Ask for an approval: the competence catalog's role for the record's amount is notified."""
    payload = payload or NoteIn()
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_request_approval(record_id, request.auth, approval, payload.note, version))
    return record_out(record, response)


@router.post("/{record_id}/approvals/{approval}/refuse", response=ACTION_RESPONSES, summary="Refuse an approval",
             operation_id="refuse_approval")
def refuse_approval(request: HttpRequest, response: HttpResponse, approval: Text, payload: RefusalIn,
                    record_id: int = RecordId, if_match: str | None = IfMatch) -> dict[str, Any]:
    """Refuse an approval with a written reason (whoever may grant it); the requester and the owner are told."""
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_refuse_approval(record_id, request.auth, approval, payload.reason, version))
    return record_out(record, response)


@router.post("/{record_id}/decision/request", response=ACTION_RESPONSES, summary="Request the gate decision",
             operation_id="request_decision")
def request_decision(request: HttpRequest, response: HttpResponse, payload: RequestIn,
                     record_id: int = RecordId, if_match: str | None = IfMatch) -> dict[str, Any]:
    """Ask for the current stage's gate decision: the deciding role (or the user it is delegated to) is notified."""
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_request_decision(record_id, request.auth, payload.note, version))
    return record_out(record, response)


@router.post("/{record_id}/decision", response=ACTION_RESPONSES, summary="Answer the gate decision",
             operation_id="decide")
def decide(request: HttpRequest, response: HttpResponse, payload: DecisionIn, record_id: int = RecordId,
           if_match: str | None = IfMatch) -> dict[str, Any]:
    """Answer the current stage's gate decision yes or no."""
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_decide(record_id, request.auth, payload.answer, payload.note, version))
    return record_out(record, response)


@router.post("/{record_id}/probability", response=ACTION_RESPONSES, summary="Override the probability",
             operation_id="set_probability")
def set_probability(request: HttpRequest, response: HttpResponse, payload: ProbabilityIn,
                    record_id: int = RecordId, if_match: str | None = IfMatch) -> dict[str, Any]:
    """Override the win probability in the current stage with a reason (null: back to the stage default)."""
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_set_probability(record_id, request.auth, payload.probability,
                                                         payload.reason, version))
    return record_out(record, response)


@router.post("/{record_id}/delegation", response=ACTION_RESPONSES, summary="Delegate gate decisions",
             operation_id="delegate")
def delegate(request: HttpRequest, response: HttpResponse, payload: DelegationIn, record_id: int = RecordId,
             if_match: str | None = IfMatch) -> dict[str, Any]:
    """Delegate the record's gate decisions to a user (``to: null`` revokes)."""
    version = expected_version(if_match, payload.expected_version)
    record = perform(lambda: services.do_delegate(record_id, request.auth, payload.to, list(payload.stages) or None,
                                                  version))
    return record_out(record, response)


@router.get("/{record_id}/consultations", response=responses({200: list[ConsultationOut]}, 400, 404),
            summary="A record's consultation requests", operation_id="list_consultations")
def list_consultations(request: HttpRequest, record_id: int = RecordId) -> list[dict[str, Any]]:
    """The consultation requests of a record (RACI: Consulted roles asked), newest first."""
    return services.consultation_rows(visible(request, record_id))


@router.post("/{record_id}/activities/{activity}/consult",
             response=responses({201: ConsultationOut}, 400, 403, 404, 409),
             summary="Ask a Consulted role of an activity", operation_id="consult")
def consult(request: HttpRequest, activity: Text, payload: ConsultIn, record_id: int = RecordId,
            if_match: str | None = IfMatch) -> Status:
    """Ask a role the activity's RACI lists as consulted; its holders are notified and see it on My work."""
    version = expected_version(if_match, payload.expected_version)
    created = services.do_consult(record_id, request.auth, activity, payload.role, payload.question, version)
    return Status(201, services.consultation_data(created))


@router.post("/{record_id}/activities/{activity}/answer", response=responses({200: ConsultationOut}, 400, 403, 404, 409),
             summary="Answer a consultation request", operation_id="answer_consultation")
def answer_consultation(request: HttpRequest, activity: Text, payload: AnswerIn, record_id: int = RecordId,
                        if_match: str | None = IfMatch) -> dict[str, Any]:
    """Answer the open consultation request on an activity as a holder of the role asked."""
    version = expected_version(if_match, payload.expected_version)
    answered = services.do_answer_consultation(record_id, request.auth, activity, payload.role, payload.answer,
                                               version)
    return services.consultation_data(answered)


# --- events --------------------------------------------------------------------------------------

def event_data(event: Event, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event as the API shows it; a security event's client address is left out.

    ``payload``: the payload as the caller may read it (`salesflow.records.redaction`), default the stored one.
    """
    payload = dict(event.payload if payload is None else payload)
    if event.kind.startswith("security."):
        payload.pop("address", None)
    return {"seq": event.seq, "at": event.at, "kind": event.kind, "from_stage": event.from_stage,
            "to_stage": event.to_stage, "activity": event.activity, "approval": event.approval,
            "actor": event.actor_name, "role": event.role, "payload": payload, "imported": event.imported}


@router.get("/{record_id}/events", response=responses({200: EventPage}, 400, 404), summary="A record's events",
            operation_id="list_record_events")
def list_events(request: HttpRequest, page: Query[PageQuery], record_id: int = RecordId) -> dict[str, Any]:
    """The record's event log, oldest first, one page at a time."""
    single_query_values(request)
    record = visible(request, record_id)
    log_strict_view(request, record, "api events")
    events = Event.objects.filter(record_id=record.pk).order_by("seq")
    shown = list(events[page.offset:page.offset + page.limit])
    payloads = reader_payloads(shown, request.auth)
    items = [event_data(event, payloads[event.seq]) for event in shown]
    return {"count": events.count(), "limit": page.limit, "offset": page.offset, "items": items}
