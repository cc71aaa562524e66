"""What the API reads and writes: request bodies, query parameters and response bodies.

Text input never contains NUL characters or lone surrogates (PostgreSQL stores neither); such a
request is bad input (400) like any other malformed value.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from salesflow.process.model import Classification
from salesflow.records.queries import SORTS

#: Largest record id the API accepts (a signed 64-bit integer, the id column's range).
MAX_ID = 2**63 - 1
MAX_PAGE = 500
MAX_OFFSET = 10**9
MAX_VERSION = 2**31 - 1
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def clean_text(value: str) -> str:
    """Refuse text the database cannot store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def iso_date(value: Any) -> Any:
    """Accept a date only as ``YYYY-MM-DD`` text (not pydantic's lax numbers such as ``0`` for 1970-01-01)."""
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("a date YYYY-MM-DD is expected")


Text = Annotated[str, AfterValidator(clean_text)]
IsoDate = Annotated[datetime.date, BeforeValidator(iso_date)]
#: A field value as typed: text, a number, yes/no, or null (clears the field).
FieldValue = Text | int | float | bool | None
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
SortKey = Literal[tuple(SORTS)]  # type: ignore[valid-type]


# --- problems ------------------------------------------------------------------------------------

class UnmetItem(Schema):
    """One unmet requirement of a refused action."""

    kind: str = Field(description="activity, field, approval, decision, stage or outcome")
    id: str
    message: str
    stage: str | None = None


class FieldError(Schema):
    """One value a request got wrong."""

    loc: list[str | int] = Field(description="Where: e.g. [\"body\", \"payload\", \"stage\"].")
    msg: str
    type: str


class Problem(Schema):
    """An RFC 9457 problem detail: why the request was refused (nothing was changed)."""

    type: str = Field(description="urn:salesflow:problem:<code>")
    title: str
    status: int
    detail: str
    code: str = Field(description="bad_input, unauthenticated, not_permitted, not_found, conflict, unmet, "
                                  "server_error")
    unmet: list[UnmetItem] | None = Field(default=None, description="With 422: what is missing.")
    errors: list[FieldError] | None = Field(default=None, description="With 400 from validation: each problem.")


# --- records -------------------------------------------------------------------------------------

class GateRow(Schema):
    """One requirement of the current stage's gate and whether it holds."""

    kind: str
    id: str
    met: bool


class RecordOut(Schema):
    """A record as the API shows it (the same data as ``salesflow record show --json``)."""

    id: int
    process: str
    process_version: int
    title: str
    stage: str
    stage_title: str
    probability: int
    stage_probability: int
    probability_override: int | None
    forecast_category: str
    amount: str | None = Field(description="Decimal text, e.g. \"120000.00\".")
    currency: str
    close_date: datetime.date | None
    account: str
    classification: str
    owner: str | None = Field(description="User name of the owner.")
    fields: dict[str, Any] = Field(description="The process's declared fields (user fields hold user ids).")
    outcome: str | None = Field(description="won or lost once closed.")
    version: int = Field(description="Rises with every change; send it back as expected_version or If-Match.")
    created_at: datetime.datetime
    stage_entered_at: datetime.datetime
    closed_at: datetime.datetime | None
    done_activities: list[str]
    decisions: dict[str, dict[str, Any]]
    approvals: dict[str, dict[str, Any]]
    delegations: dict[str, dict[str, Any]]
    next_stages: list[str] = Field(description="Stages the process allows moving to (gates not checked).")
    gate: list[GateRow] = Field(description="The current stage's gate checklist.")


class RecordPage(Schema):
    """One page of a record list."""

    count: int = Field(description="Records matching the filter (all pages).")
    limit: int
    offset: int
    items: list[RecordOut]


class RecordQuery(Schema):
    """Filters, sort and page of the record list; every filter optional."""

    process: Text | None = Field(default=None, description="Process key.")
    stage: Text | None = None
    owner: Text | None = Field(default=None, description="User name.")
    team: Text | None = None
    classification: Classification | None = None
    close_from: IsoDate | None = None
    close_to: IsoDate | None = None
    status: Literal["open", "won", "lost", "closed"] | None = None
    q: Text | None = Field(default=None, description="Search in title and account.")
    sort: SortKey | None = Field(default=None, description="Default -id (newest first).")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class RecordCreate(Schema):
    """A new record: its process and field values (``title`` required; ``owner`` a user name, default you).

    ``link_from`` starts it linked to a record of a process its definition's ``linked_from`` names (e.g. an RFP
    from its opportunity); ``customer`` is the id of its account.
    """

    process: Text = Field(examples=["opportunity-management"])
    fields: dict[Text, FieldValue] = Field(examples=[{"title": "Grid monitoring", "amount": "120000"}])
    link_from: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    customer: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class RecordPatch(Schema):
    """Changed field values (null clears a field); optionally the version the change was made from."""

    fields: dict[Text, FieldValue] = Field(min_length=1, examples=[{"close_date": "2030-06-30"}])
    expected_version: Version | None = None


class HandoffOption(Schema):
    """For a hand-off of the stage entered: the existing account to use (default: match by name/domain or create)."""

    account_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class MoveIn(Schema):
    """Move to a stage; an authorised role may override unmet requirements with a reason.

    Entering a stage with hand-offs (e.g. converting a lead) starts the linked records there;
    ``handoffs`` may pick the account per hand-off id.
    """

    stage: Text
    override_reason: Text | None = None
    expected_version: Version | None = None
    handoffs: dict[Text, HandoffOption] = Field(default_factory=dict,
                                                examples=[{"create_opportunity": {"account_id": 7}}])


class LinkIn(Schema):
    """Link this record to another by hand."""

    target: Annotated[int, Field(ge=1, le=MAX_ID)]
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")] = "related"


class LinkOut(Schema):
    """A link as seen from the record: direction out (to) or in (from), the other record."""

    kind: str
    direction: Literal["in", "out"]
    record: int
    process: str
    title: str
    stage: str
    handoff: str | None = None
    created_at: datetime.datetime | None = None


class ChainItem(Schema):
    """One record of the chain the record belongs to."""

    record: int
    process: str
    title: str
    stage: str
    outcome: str | None = None
    created_at: datetime.datetime


class LinksOut(Schema):
    """The record's links and the whole chain of records connected to it."""

    record: int
    links: list[LinkOut]
    chain: list[ChainItem]


class DocumentOut(Schema):
    """A document version of a record (the content is downloaded separately)."""

    id: int
    name: str
    version: int
    size: int
    sha256: str
    content_type: str
    note: str
    uploaded_by: str
    at: datetime.datetime


class NotificationOut(Schema):
    """A notification for the calling user."""

    id: int
    kind: str
    record: int | None
    message: str
    created_at: datetime.datetime
    read: bool
    due: datetime.date | None = Field(None, description="the date a reminder is about (how far away it is: "
                                                        "compute it when you show it)")


class ObjectBody(Schema):
    """A body whose fields all have defaults: it must still be a JSON object (``{}`` for the defaults)."""

    @model_validator(mode="before")
    @classmethod
    def an_object(cls, value: Any) -> Any:
        """Refuse a body that is not a JSON object (a list, a number, null)."""
        data = getattr(value, "_obj", value)  # ninja hands the body over wrapped in a DjangoGetter
        if not isinstance(data, dict):
            raise ValueError("a JSON object is expected, e.g. {}")
        return value


class NotificationsRead(ObjectBody):
    """Mark notifications read: the ids, or all unread when none are given (``{}``)."""

    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(default=None, max_length=1000)


class NoteIn(Schema):
    """An optional note on what was done (activities, approvals)."""

    note: Text = ""
    expected_version: Version | None = None


class ConsultIn(Schema):
    """A consultation request: the consulted role of the activity asked, and the question."""

    role: Text = Field(max_length=64, description="A role the activity's RACI lists as consulted.")
    question: Text = Field("", max_length=2000)
    expected_version: Version | None = None


class AnswerIn(Schema):
    """The answer to an open consultation request (role: the role asked, default the one you hold)."""

    answer: Text = Field(max_length=2000)
    role: Text | None = Field(None, max_length=64)
    expected_version: Version | None = None


class ConsultationOut(Schema):
    """A consultation request, open (no answer yet) or answered."""

    id: int
    record: int
    activity: str
    role: str
    question: str
    requested_by: str
    requested_at: str
    answer: str | None
    answered_by: str | None
    answered_at: str | None


class RefusalIn(Schema):
    """The refusal of an approval: the written reason the requester and the owner are told."""

    reason: Text
    expected_version: Version | None = None


class DecisionIn(Schema):
    """The answer to the current stage's gate decision."""

    answer: Literal["yes", "no"]
    note: Text = ""
    expected_version: Version | None = None


class ProbabilityIn(Schema):
    """A probability override with its reason; null returns to the stage's default."""

    probability: int | None = Field(ge=0, le=100)
    reason: Text | None = None
    expected_version: Version | None = None


class DelegationIn(Schema):
    """Delegate gate decisions to a user (null revokes); ``stages`` limits them (default: all)."""

    to: Text | None = Field(description="User name, or null to revoke.")
    stages: list[Text] = Field(default_factory=list)
    expected_version: Version | None = None


class EventOut(Schema):
    """One entry of a record's event log."""

    seq: int
    at: datetime.datetime
    kind: str
    from_stage: str
    to_stage: str
    activity: str
    approval: str
    actor: str
    role: str
    payload: dict[str, Any]
    imported: bool


class EventPage(Schema):
    """One page of a record's events, oldest first."""

    count: int
    limit: int
    offset: int
    items: list[EventOut]


class PageQuery(Schema):
    """A page of a list."""

    limit: int = Field(default=100, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


# --- processes -----------------------------------------------------------------------------------

class RequirementsOut(Schema):
    activities: list[str]
    fields: list[str]
    approvals: list[str]


class ActivityOut(Schema):
    id: str
    title: dict[str, str]
    responsible: str
    accountable: str | None
    required: bool
    customer_contact: bool


class GateOut(Schema):
    decision: dict[str, str] | None
    decided_by: str | None
    delegable_to: list[str]
    requires: RequirementsOut


class StageOut(Schema):
    id: str
    title: dict[str, str]
    probability: int
    forecast_category: str
    max_days: int | None
    outcome: str | None
    activities: list[ActivityOut]
    gate: GateOut | None
    requires: RequirementsOut | None


class RoleOut(Schema):
    id: str
    title: dict[str, str]


class BandOut(Schema):
    up_to: float | None = Field(description="Upper amount of the band; null: no limit.")
    role: str


class ApprovalOut(Schema):
    id: str
    title: dict[str, str]
    role: str | None
    by_amount: list[BandOut]


class FieldOut(Schema):
    name: str
    type: str
    title: dict[str, str] | None
    required: bool
    choices: list[str]


class ProcessOut(Schema):
    """A process with its current version's stages, roles, approvals and fields."""

    key: str
    title: dict[str, str]
    record_type: str
    version: int = Field(description="The version shown: the current approved one, else the newest.")
    status: str
    current: bool = Field(description="True when this version is the one new records start under.")
    description: dict[str, str] | None
    responsible: str
    stages: list[StageOut]
    roles: list[RoleOut]
    approvals: list[ApprovalOut]
    fields: list[FieldOut]


class ProcessList(Schema):
    count: int
    items: list[ProcessOut]


class MigrateIn(Schema):
    """A version migration: the target version, the stage map (old stage id → new stage id), dry run or not."""

    to: Version
    map: dict[Text, Text] = Field(default_factory=dict, description="Stages the target no longer has → new stage ids.")
    dry_run: bool = Field(default=True, description="List what would change; change nothing (the default).")


class ProbabilityChange(Schema):
    """A record's win probability before and after."""

    from_: int = Field(alias="from")
    to: int


class MigrationRecord(Schema):
    """One running record of a migration: its mapped stage and what changes."""

    id: int
    title: str
    owner: str
    from_version: int
    to_version: int
    from_stage: str
    to_stage: str
    mapped: bool
    probability: ProbabilityChange
    unmet_gate: list[str]
    dropped: dict[str, list[str]]
    added: dict[str, list[str]]


class MigrationOut(Schema):
    """A migration planned (dry run) or done: every running record with its mapped stage."""

    process: str
    to_version: int
    dry_run: bool
    stage_map: dict[str, str]
    count: int
    moved: int
    records: list[MigrationRecord]


# --- people --------------------------------------------------------------------------------------

class MeOut(Schema):
    """The signed-in user (or the token's user)."""

    id: int
    username: str
    name: str
    email: str
    roles: list[str]
    teams: list[str]
    read_only: bool = Field(description="True for auditors: every write is refused.")


# --- accounts ------------------------------------------------------------------------------------

AccountSort = Literal["name", "-name", "segment", "-segment", "won", "-won", "pipeline", "-pipeline", "records",
                      "-records"]
#: A percentage threshold of the ABC segmentation: above 0, at most 100.
Share = Annotated[float, Field(gt=0, le=100)]


class AccountQuery(Schema):
    """Filters, sort and page of the account list; every filter optional."""

    segment: Literal["A", "B", "C", "none"] | None = Field(default=None, description="none: not segmented yet.")
    q: Text | None = Field(default=None, max_length=300, description="Search in name and domain.")
    customer: Literal["new", "existing"] | None = None
    sort: AccountSort = Field(default="name", description="won / pipeline / records: visible records only.")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class AccountOut(Schema):
    """An account; ``won_revenue``, ``open_pipeline`` and ``records`` count only the records you may see."""

    id: int
    name: str
    domain: str
    segment: str | None = Field(description="A, B or C; null until segmented, or when withheld.")
    segment_withheld: bool = Field(
        default=False, description="The segment was computed from won opportunities you may not see: not shown.")
    segment_window_days: int | None
    segmented_at: datetime.datetime | None
    existing_customer: bool = Field(description="At least one won opportunity you may see.")
    won_revenue: str = Field(description="Won opportunity revenue in the window (decimal text).")
    open_pipeline: str = Field(description="Amounts of open opportunities (decimal text).")
    records: int


class AccountPage(Schema):
    """One page of the account list."""

    count: int
    limit: int
    offset: int
    window: dict[str, Any] = Field(description="The won-revenue window: days, from, to.")
    items: list[AccountOut]


class ContactOut(Schema):
    """A person at an account."""

    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str


class AccountRecordOut(Schema):
    """A record of the account (one you may see)."""

    id: int
    process: str
    kind: str = Field(description="The process's record kind: lead, opportunity, rfp, contract, order, account_plan.")
    title: str
    stage: str
    outcome: str | None
    amount: str | None
    currency: str
    owner: str | None
    close_date: datetime.date | None
    created_at: datetime.datetime


class AccountDetailOut(AccountOut):
    """An account with its contacts and the records you may see (newest first, at most 500)."""

    window: dict[str, Any]
    contacts: list[ContactOut]
    records_by_kind: dict[str, int]
    record_items: list[AccountRecordOut]


class SegmentationIn(ObjectBody):
    """Recompute the ABC segmentation: won revenue of ``window_days`` days up to ``as_of`` (default today);
    A = the first ``a_share`` % of the total, B up to ``b_share`` % (A below B)."""

    window_days: int = Field(default=365, ge=1, le=36500)
    a_share: Share = 80
    b_share: Share = 95
    as_of: IsoDate | None = None


class SegmentationOut(Schema):
    """What a segmentation run did; ``revenue`` and ``total_revenue`` count only the won opportunities you may see."""

    accounts: int
    counts: dict[str, int]
    revenue: dict[str, str] = Field(description="Won revenue in the window per segment, of the records you may see.")
    total_revenue: str = Field(description="Won revenue in the window of the records you may see.")
    changed: int
    window: dict[str, Any]
    thresholds: dict[str, str]
    segmented_at: datetime.datetime
    event: int | None


class RequestIn(ObjectBody):
    """A request for the gate decision: an optional note to the decider (``{}`` for none)."""

    note: Text = ""
    expected_version: Version | None = None
