"""The typed definition of a process: what a process YAML file may say.

A process is one YAML file. This module holds the Pydantic model of that file; `loader` turns YAML
into these objects (keeping line numbers) and `validate` adds the cross-reference checks that a
schema alone cannot express. Nothing here knows about Django.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

#: Identifiers of processes, stages, roles, activities, fields and approvals.
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]

#: Languages in which the default library is written; any other language code is accepted too.
LANGUAGES = ("en", "de")

#: Fields every record has, whatever its process declares.
BUILTIN_FIELDS: dict[str, str] = {
    "title": "text",
    "owner": "user",
    "account": "text",
    "amount": "money",
    "currency": "text",
    "close_date": "date",
    "classification": "classification",
}


class Text(dict):
    """A text in one or more languages: ``{"en": "...", "de": "..."}``.

    YAML may give a plain string (taken as English) or a mapping of language codes.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        def to_text(value: Any) -> Text:
            if isinstance(value, Text):
                return value
            if isinstance(value, str):
                return cls(en=value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return cls(en=str(value))
            if isinstance(value, dict):
                if not value:
                    raise ValueError("a text needs at least one language")
                for key, val in value.items():
                    if not isinstance(key, str) or not (2 <= len(key) <= 5):
                        raise ValueError(f"language code expected, got {key!r}")
                    if not isinstance(val, str):
                        raise ValueError(f"text for language {key!r} must be a string")
                return cls(value)
            raise ValueError("a text is a string or a mapping of language code to string")

        return core_schema.no_info_plain_validator_function(
            to_text,
            json_schema_input_schema=core_schema.union_schema(
                [core_schema.str_schema(), core_schema.dict_schema(core_schema.str_schema(), core_schema.str_schema())]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(dict),
        )

    def get_text(self, language: str = "en") -> str:
        """The text in ``language``, falling back to English, then to any language."""
        return self.get(language) or self.get("en") or next(iter(self.values()), "")

    def __str__(self) -> str:
        return self.get_text("en")


class Status(StrEnum):
    """Document-control status of a guideline (ISO 9001 7.5)."""

    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    obsolete = "obsolete"


class Classification(StrEnum):
    """Information classification (ISO 27001 A.5.12), lowest to highest."""

    public = "public"
    internal = "internal"
    confidential = "confidential"
    strictly_confidential = "strictly_confidential"


class ForecastCategory(StrEnum):
    """Forecast category of a stage."""

    pipeline = "pipeline"
    best_case = "best_case"
    commit = "commit"
    closed = "closed"
    omitted = "omitted"


class Outcome(StrEnum):
    """How a final stage ends a record: a positive (won) or a negative (lost) result."""

    won = "won"
    lost = "lost"


class FieldType(StrEnum):
    """Types of record fields."""

    text = "text"
    money = "money"
    number = "number"
    integer = "integer"
    date = "date"
    boolean = "boolean"
    choice = "choice"
    user = "user"
    email = "email"
    url = "url"


class Strict(BaseModel):
    """Base of every definition object: unknown keys are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Guideline(Strict):
    """The ISO guideline metadata of a process, as the seeds' guideline table shows it."""

    responsible: Ident = Field(description="Role id responsible for the guideline (a role, never a name).")
    associated_process: Text = Field(default_factory=lambda: Text(en="Sales"))
    status: Status = Status.draft
    classification: Classification = Classification.internal
    goal: Text | None = Field(default=None, description="Goal and purpose.")
    scope: Text | None = None
    inputs: list[Text] = Field(default_factory=list)
    outputs: list[Text] = Field(default_factory=list)
    depends_on: list[Ident] = Field(default_factory=list, description="Ids of processes this one depends on.")
    notes: list[Text] = Field(default_factory=list, description="Rules shown with the process, e.g. handling rules.")
    effective_date: str | None = Field(
        default=None, description="YYYY-MM-DD: new records start under this version from that day (the scheduled job "
                                  "puts a version approved for a later day in force then).")
    change_note: Text | None = None
    deputy_approver: Ident | None = Field(
        default=None, description="A role that approves versions of this guideline besides the responsible role "
                                  "(four eyes still hold: never the version's author). For a company with one "
                                  "holder of the responsible role.")


class Role(Strict):
    """A role of the process with its responsibilities (the guideline's responsibility table)."""

    title: Text
    tasks: list[Text] = Field(default_factory=list)
    description: Text | None = None


class FieldDef(Strict):
    """A field a process declares for its records."""

    type: FieldType = FieldType.text
    title: Text | None = None
    help: Text | None = None
    role: Ident | None = Field(default=None, description="For user fields: the role the user must hold.")
    choices: list[Ident] | dict[Ident, Text] | None = None
    required: bool = Field(default=False, description="Must be given when the record is created.")
    default: Any = None

    def choice_ids(self) -> list[str]:
        """The allowed values of a choice field."""
        if self.choices is None:
            return []
        return list(self.choices)


class Requirements(Strict):
    """What must be true: activities done, fields filled, approvals granted."""

    activities: list[Ident] = Field(default_factory=list)
    fields: list[Ident] = Field(default_factory=list)
    approvals: list[Ident] = Field(default_factory=list)

    def is_empty(self) -> bool:
        """True when nothing is required."""
        return not (self.activities or self.fields or self.approvals)


class Activity(Strict):
    """A recommended (or required) activity of a stage, with its RACI."""

    id: Ident
    title: Text
    description: Text | None = None
    responsible: Ident
    accountable: Ident | None = None
    consulted: list[Ident] = Field(default_factory=list)
    informed: list[Ident] = Field(default_factory=list, description="Roles notified when the activity is done.")
    done_by: list[Ident] = Field(
        default_factory=list,
        description="Further roles that may mark it done besides the responsible and accountable role (and the "
                    "user the stage's decision is delegated to, when the deciding role is responsible or accountable).")
    required: bool = Field(default=False, description="Part of the stage gate: must be done to leave forwards.")
    customer_contact: bool = Field(default=False, description="Communicates with the customer: show the handling rule.")
    requires: Requirements | None = Field(default=None, description="What must hold before it can be done.")
    max_days: int | None = Field(default=None, ge=0, description="Days after entering the stage it is due.")


class Gate(Strict):
    """The stage gate: what must hold to leave the stage forwards, and who decides."""

    decision: Text | None = Field(default=None, description="The question the decider answers.")
    decided_by: Ident | None = None
    delegable_to: list[Ident] = Field(default_factory=list)
    requires: Requirements = Field(default_factory=Requirements)
    on_no: Text | None = Field(default=None, description="What happens when the answer is no.")


class HandoffAccount(Strict):
    """How a hand-off finds the customer: an existing account (by name or e-mail domain) or a new one."""

    name: Ident = Field(description="Source field holding the company name.")
    domain: Ident | None = Field(default=None, description="Source field holding an e-mail address or a web domain.")


class HandoffContact(Strict):
    """Which source fields become a contact at the hand-off's account."""

    first_name: Ident | None = None
    last_name: Ident | None = None
    email: Ident | None = None
    phone: Ident | None = None
    title: Ident | None = Field(default=None, description="Source field holding the contact's job title.")


class Handoff(Strict):
    """Output handed to the next process when a record enters a stage: a new linked record there."""

    id: Ident
    title: Text
    process: Ident = Field(description="Key of the process that receives the output.")
    link: Ident | None = Field(default=None, description="Kind of the link between both records (default: id).")
    fields: dict[Ident, str] = Field(
        default_factory=dict,
        description="Target field ← source field; a value starting with '=' is a literal.")
    account: HandoffAccount | None = Field(default=None, description="Find or create the customer account.")
    contact: HandoffContact | None = Field(default=None, description="Create a contact at the account.")

    @property
    def link_kind(self) -> str:
        """The kind of link this hand-off creates."""
        return self.link or self.id


class InputSource(StrEnum):
    """Where a frozen input of a stage comes from (see `FrozenInput`)."""

    adherence = "adherence"
    forecast_accuracy = "forecast_accuracy"
    assessments = "assessments"
    records = "records"
    training = "training"
    risks = "risks"


class FrozenInput(Strict):
    """An input assembled automatically and frozen in the event log when a record enters the stage.

    E.g. the inputs of a management review (ISO 9001 9.3.2): the adherence to the processes, the forecast
    accuracy, the scores of checklists, the status of records of a kind, the training coverage, the risks.
    """

    id: Ident
    title: Text | None = None
    source: InputSource = Field(description="adherence | forecast_accuracy | assessments | records | training | risks")
    checklists: list[Ident] = Field(default_factory=list, description="source assessments: the checklists summarised.")
    record: Ident | None = Field(default=None, description="source records: the kind of record counted by stage.")
    days: int = Field(default=365, ge=1, le=3660, description="The period looked back on, in days up to the freeze.")
class StockIssue(Strict):
    """Entering the stage issues material from stock: the record names the items and the stock location.

    ``items`` is a text field listing ``CODE=QUANTITY`` pairs (separated by commas, semicolons or lines);
    ``location`` is a text field naming the stock location. Too little stock refuses the move.
    """

    items: Ident = Field(description="Text field with the items and quantities, e.g. 'BRO-PRODUCT=200, CAP=50'.")
    location: Ident = Field(description="Text field naming the stock location the items are issued from.")


class Effects(Strict):
    """What entering a stage does besides the engine's own bookkeeping (run in the same transaction)."""

    issue_stock: StockIssue | None = Field(
        default=None, description="Issue the record's items from stock (a movement per item; refused when short).")


class Stage(Strict):
    """A stage (phase) of the process, or an outcome stage that ends the record."""

    id: Ident
    title: Text | None = None
    description: Text | None = None
    probability: int = Field(ge=0, le=100)
    forecast_category: ForecastCategory | None = None
    max_days: int | None = Field(default=None, ge=0, description="Time limit in days for the stage.")
    stale_days: int | None = Field(
        default=None, ge=1, description="Open stages only: a record here with no event for more than this many days "
                                        "is stale (flagged on the board and My work, listed by `report stale`).")
    outcome: Outcome | None = None
    activities: list[Activity] = Field(default_factory=list)
    gate: Gate | None = None
    requires: Requirements | None = Field(default=None, description="What must hold to enter the stage.")
    handoffs: list[Handoff] = Field(default_factory=list, description="Records started in other processes on entry.")
    effects: Effects | None = Field(default=None, description="What entering the stage does, e.g. issue stock.")
    due_field: Ident | None = Field(
        default=None, description="A date field: the stage is late (an SLA breach) once that date has passed.")
    decided_by: list[Ident] | None = Field(
        default=None,
        description="Outcome stages only: the roles whose decision closing a record here is. Default: closing as lost "
                    "from a stage whose gate has a decision needs that decision's role (or its delegate); [] makes "
                    "it no decision (whoever may move the record may close it here).")
    freeze_inputs: list[FrozenInput] = Field(
        default_factory=list,
        description="Inputs assembled and frozen (in the event log) when a record enters this stage.")

    @property
    def is_outcome(self) -> bool:
        """True for a final stage (won or lost)."""
        return self.outcome is not None

    def display_title(self, language: str = "en") -> str:
        """The stage's title, or its id made readable."""
        if self.title:
            return self.title.get_text(language)
        return self.id.replace("_", " ").replace("-", " ").capitalize()

    def effective_forecast_category(self) -> ForecastCategory:
        """The forecast category, defaulting by outcome and probability."""
        if self.forecast_category:
            return self.forecast_category
        if self.outcome == Outcome.won:
            return ForecastCategory.closed
        if self.outcome == Outcome.lost:
            return ForecastCategory.omitted
        if self.probability >= 80:
            return ForecastCategory.commit
        if self.probability >= 50:
            return ForecastCategory.best_case
        return ForecastCategory.pipeline


class AmountBand(Strict):
    """One band of the competence catalog: amounts up to ``up_to`` (inclusive) need ``role``."""

    up_to: float | None = Field(default=None, gt=0)
    role: Ident


class DiscountBand(Strict):
    """One discount band of the competence catalog: a quote whose largest discount is at most ``up_to`` percent
    needs ``role`` (or a higher band's role)."""

    up_to: float | None = Field(default=None, ge=0, le=100)
    role: Ident


class Approval(Strict):
    """An approval (e.g. of an offer) with the authority that may grant it."""

    title: Text
    description: Text | None = None
    role: Ident | None = Field(default=None, description="A fixed approver role (instead of amount bands).")
    by_amount: list[AmountBand] = Field(default_factory=list)
    by_discount: list[DiscountBand] = Field(default_factory=list, description=(
        "Bands by the largest line discount (percent) of the record's current quote version. With amount bands "
        "too, an approver must be allowed by both (the higher authority decides)."))
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description=(
        "The currency of the amount bands (default: the corporate currency). A record's amount in another "
        "currency is compared after conversion at the rate of the day."))


class Transition(Strict):
    """An extra allowed move beyond the defaults."""

    from_: Ident = Field(alias="from")
    to: Ident
    roles: list[Ident] = Field(default_factory=list, description="Roles that may make it (default: as any move).")


class Rights(Strict):
    """Roles granted rights beyond the defaults of the engine."""

    move: list[Ident] = Field(default_factory=list, description="May move records of this process.")
    edit: list[Ident] = Field(default_factory=list, description="May change fields of records they do not own.")
    override: list[Ident] = Field(default_factory=list, description="May override unmet gates with a reason.")
    set_probability: list[Ident] = Field(default_factory=list, description="May override a record's probability.")
    create: list[Ident] = Field(default_factory=list, description="May create records (default: every role).")
    see_confidential: list[Ident] = Field(
        default_factory=list,
        description="Also see (and act on) this process's confidential records, besides the responsible role, "
                    "the gate deciders, the approvers and the library's oversight roles.")
    manage_stock: list[Ident] = Field(
        default_factory=list,
        description="May keep the material catalogue and its stock (add items, receive, adjust) and are told when "
                    "an item falls to its reorder level (for processes whose stages issue stock).")


class Schedule(Strict):
    """A timer of the process, run by the scheduled job: reminders, deadline breaches, timed moves."""

    id: Ident
    title: Text | None = None
    stages: list[Ident] = Field(min_length=1, description="Records in these stages are considered.")
    date_field: Ident = Field(description="The date field that gives the due date.")
    minus_days_field: Ident | None = Field(
        default=None, description="A number field of days taken off the date (e.g. the notice period).")
    days_before: list[int] = Field(default_factory=list, description="Fire once when today >= due date - N days.")
    move_to: Ident | None = Field(default=None, description="Move the record to this stage when it fires.")
    notify: list[Ident] = Field(default_factory=list, description="Roles notified (the owner always is).")
    breach: bool = Field(default=False, description="Once the due date has passed in these stages: a breach.")


class ChangeControl(Strict):
    """Changes after a stage re-open a review (ISO 9001 8.2.4) and notify the roles concerned."""

    from_stage: Ident = Field(description="Applies in this stage and every later open stage.")
    fields: list[Ident] = Field(min_length=1)
    reopen: list[Ident] = Field(default_factory=list, description="Activities marked not done again.")
    notify: list[Ident] = Field(default_factory=list)


class NotDoneBy(Strict):
    """Activities that the user a field names may not mark done."""

    field: Ident = Field(description="A user field (or owner).")
    activities: list[Ident] = Field(min_length=1)


class SeparationRule(Strict):
    """Separation of duties: user fields that must name different people, activities a person may not do.

    E.g. an auditor may not audit their own work: ``distinct: [auditor, auditee]`` and the audit's activities
    ``not_done_by: {field: auditee, ...}``.
    """

    id: Ident
    title: Text | None = None
    distinct: list[Ident] = Field(default_factory=list, description="User fields (or owner) that must hold different "
                                                                    "users whenever both are filled.")
    not_done_by: NotDoneBy | None = None


class QuoteSettings(Strict):
    """That the process's records carry quotes (priced offers in versions), and how they join the process."""

    stages: list[Ident] = Field(min_length=1, description="Stages in which quotes are created and revised.")
    approval: Ident | None = Field(default=None, description=(
        "The approval a quote version needs (its amount and discount bands); a revision withdraws it."))
    send_activity: Ident | None = Field(default=None, description=(
        "The activity that sends the offer document: done, it records the document's SHA-256."))
    order_handoff: Ident | None = Field(default=None, description=(
        "The hand-off whose record (the order) receives the accepted quote's lines."))
    fixed_fields: list[Ident] = Field(default_factory=lambda: ["amount", "currency"], description=(
        "Fields the current quote sets: while the record carries a quote, a direct edit of them is refused "
        "(the quote is the source; revise the quote)."))


class OrderLineSettings(Strict):
    """That the process's records (orders) carry order lines; changing them changes the amount (change control)."""

    amount_field: Ident = Field(default="amount", description="The field the lines' total is written to.")


class ProcessDefinition(Strict):
    """A whole process: the content of one process YAML file."""

    process: Ident
    title: Text
    version: int = Field(ge=1)
    record: Ident = Field(description="The kind of record the process runs, e.g. opportunity.")
    description: Text | None = None
    guideline: Guideline
    roles: dict[Ident, Role]
    fields: dict[Ident, FieldDef] = Field(default_factory=dict)
    stages: list[Stage] = Field(min_length=1)
    approvals: dict[Ident, Approval] = Field(default_factory=dict)
    transitions: list[Transition] = Field(default_factory=list)
    rights: Rights = Field(default_factory=Rights)
    linked_from: list[Ident] = Field(
        default_factory=list, description="Processes whose records may start a linked record of this one.")
    schedules: list[Schedule] = Field(default_factory=list)
    change_control: list[ChangeControl] = Field(default_factory=list)
    separation_of_duties: list[SeparationRule] = Field(
        default_factory=list, description="Who may not act together: e.g. an auditor may not audit their own work.")
    quotes: QuoteSettings | None = Field(default=None, description="The records carry quotes (see README, Quotes).")
    order_lines: OrderLineSettings | None = Field(
        default=None, description="The records carry order lines handed over from an accepted quote.")

    @field_validator("roles")
    @classmethod
    def _roles_not_empty(cls, roles: dict[str, Role]) -> dict[str, Role]:
        if not roles:
            raise ValueError("a process needs at least one role")
        return roles

    # --- look-ups used by the engine and the interfaces -------------------------------------

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id (KeyError if unknown)."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def has_stage(self, stage_id: str) -> bool:
        """True if the process has a stage with this id."""
        return any(stage.id == stage_id for stage in self.stages)

    @property
    def open_stages(self) -> list[Stage]:
        """The non-final stages in their order."""
        return [stage for stage in self.stages if not stage.is_outcome]

    @property
    def outcome_stages(self) -> list[Stage]:
        """The final stages."""
        return [stage for stage in self.stages if stage.is_outcome]

    @property
    def first_stage(self) -> Stage:
        """Where new records start: the first non-final stage."""
        return self.open_stages[0] if self.open_stages else self.stages[0]

    def stage_index(self, stage_id: str) -> int:
        """Position of a stage among all stages."""
        return [stage.id for stage in self.stages].index(stage_id)

    def open_index(self, stage_id: str) -> int:
        """Position of a stage among the open stages (-1 for outcomes)."""
        ids = [stage.id for stage in self.open_stages]
        return ids.index(stage_id) if stage_id in ids else -1

    def activities(self) -> dict[str, tuple[Stage, Activity]]:
        """Every activity by id with the stage that lists it."""
        return {activity.id: (stage, activity) for stage in self.stages for activity in stage.activities}

    def activity(self, activity_id: str) -> Activity:
        """The activity with this id (KeyError if unknown)."""
        return self.activities()[activity_id][1]

    def field_type(self, name: str) -> str | None:
        """The type of a built-in or declared field, None if unknown."""
        if name in BUILTIN_FIELDS:
            return BUILTIN_FIELDS[name]
        declared = self.fields.get(name)
        return declared.type.value if declared else None

    def gate_requirements(self, stage: Stage) -> Requirements:
        """Everything a stage's gate requires, including the stage's required activities."""
        gate_requires = stage.gate.requires if stage.gate else Requirements()
        activities = list(gate_requires.activities)
        for activity in stage.activities:
            if activity.required and activity.id not in activities:
                activities.append(activity.id)
        return Requirements(activities=activities, fields=list(gate_requires.fields),
                            approvals=list(gate_requires.approvals))

    def handoffs(self) -> list[tuple[Stage, Handoff]]:
        """Every hand-off with the stage that fires it."""
        return [(stage, handoff) for stage in self.stages for handoff in stage.handoffs]

    def title_text(self, language: str = "en") -> str:
        """The process title in a language."""
        return self.title.get_text(language)

    def role_title(self, role_id: str, language: str = "en") -> str:
        """A role's title, or the id when the process does not declare it."""
        role = self.roles.get(role_id)
        return role.title.get_text(language) if role else role_id

    def to_data(self) -> dict[str, Any]:
        """The definition as plain data with the same keys as the YAML."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=False)
