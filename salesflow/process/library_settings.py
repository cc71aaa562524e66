"""The library settings file: what a process library declares once for all its processes.

A process library is a directory of process files plus at most one *library settings* file
(``library-settings.yaml`` in the default library). The file is recognised by its single top-level
key ``library_settings:``, whatever its name, so `salesflow.process.validate` never takes it for a
process. Its sections:

- ``roles``: library-wide roles that no process declares (e.g. Sales Ops, auditors, administrators),
  with their titles per language;
- ``access``: ``oversight_roles`` see every *confidential* record of every process (never a
  strictly confidential one); ``read_only_roles`` may read but never change anything;
  ``need_to_know_roles`` see confidential records only of their own team, even where a process lets
  them decide or approve (see `salesflow.engine.visibility`);
- ``rights``: named capabilities outside any single process (who may propose guideline changes,
  build the audit pack, review access rights, recompute the ABC segmentation, set targets …),
  each a list of role ids;
- ``currency``: the corporate currency and the roles that manage exchange rates;
- ``quality``: whether a gate override raises a nonconformity, and in which process.
- ``coaching``: how often a manager should hold a 1:1 with each person they manage, and when an open
  record counts as stalled;
- ``monitoring``: which checklists feed which metric of the sales-process reports (mystery shopping,
  end-customer and channel satisfaction);
- ``audit_pack``: the ISO sections the audit pack adds (clause, title, and where each comes from: the
  risk register, the assessments of named checklists, or the records of a kind).
- ``link_kinds``: the names of the kinds of link between records (hand-offs' ``link``, the record kinds
  of ``linked_from`` processes, links set by hand) per language, as the record page shows them.

Adding a section (for another concern) is one field on `LibrarySettings` with a model of its own and
a default, so that a library written before the section existed stays valid; document it in the
README's "Library settings" section. Unknown keys are errors (they are usually typos). Like process
files, nothing here knows about Django.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from salesflow.process.model import Ident, Strict, Text

#: The single top-level key of a library settings file.
SETTINGS_KEY = "library_settings"
#: The file name of the settings file in a library directory (the key, not the name, identifies it).
SETTINGS_FILE_NAME = "library-settings.yaml"


class LibraryRole(Strict):
    """A library-wide role no process declares: its title per language."""

    title: Text
    description: Text | None = None


class AccessSettings(Strict):
    """Library-wide access (ISO 27001 A.5.15): who oversees confidential records, who only reads."""

    oversight_roles: list[Ident] = Field(
        default_factory=list,
        description="See every confidential record of every process (never a strictly confidential one).")
    read_only_roles: list[Ident] = Field(
        default_factory=list,
        description="Users holding only these roles may read but never change anything.")
    need_to_know_roles: list[Ident] = Field(
        default_factory=list,
        description="See confidential records only as owner, team mate or named member, even where a process "
                    "lets them decide a gate or approve (unless its rights.see_confidential names them).")


class LibraryRights(Strict):
    """Named capabilities outside a single process, each granted to a list of roles."""

    propose_changes: list[Ident] = Field(
        default_factory=list,
        description="May propose and submit versions of any guideline and change its acknowledgement setting "
                    "(besides the guideline's responsible role).")
    record_training: list[Ident] = Field(
        default_factory=list,
        description="May record trainings of other users (besides the guideline's responsible role).")
    training_matrix: list[Ident] = Field(default_factory=list, description="May see the training matrix.")
    audit_pack: list[Ident] = Field(default_factory=list, description="May build the audit evidence pack.")
    access_review: list[Ident] = Field(default_factory=list, description="May review everyone's access rights.")
    segmentation: list[Ident] = Field(
        default_factory=list, description="May recompute the ABC segmentation of the customer accounts.")
    planning: list[Ident] = Field(default_factory=list, description="May set sales targets.")
    forecast_accuracy: list[Ident] = Field(
        default_factory=list, description="May see the forecast accuracy of every owner.")
    manage_risks: list[Ident] = Field(
        default_factory=list, description="May add and change entries of the risk and opportunity register (ISO 9001 "
                                          "6.1); everyone on the staff may read it.")
    manage_partners: list[Ident] = Field(
        default_factory=list, description="May mark accounts as channel partners (tier, region) and attribute leads.")
    merge_accounts: list[Ident] = Field(
        default_factory=list,
        description="May merge duplicate accounts (records, contacts and activities move to the surviving account).")
    assign_managers: list[Ident] = Field(
        default_factory=list, description="May set who manages (and coaches) whom.")
    migrate_records: list[Ident] = Field(
        default_factory=list,
        description="May move the running records of a process to its newer approved version (process migrate).")
    audit_trail: list[Ident] = Field(
        default_factory=list,
        description="May browse and export the audit trail (events of records they may not see left out).")
    manage_products: list[Ident] = Field(
        default_factory=list,
        description="May keep the product catalogue: add, change, import products and price lists (all staff read it).")
    adjust_forecast: list[Ident] = Field(
        default_factory=list,
        description="May adjust the forecast of the whole organisation and of every team (a team's manager may "
                    "adjust that team's and its sub-teams').")

    def grants(self) -> dict[str, frozenset[str]]:
        """Every right with the roles holding it."""
        return {name: frozenset(getattr(self, name)) for name in type(self).model_fields}


class CurrencySection(Strict):
    """The corporate currency and who manages exchange rates (see README, "Currencies")."""

    corporate: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$",
        description="The currency every total, forecast, target comparison, segment and chart is computed and shown "
                    "in (ISO 4217 code); none: the installation setting SALESFLOW_CURRENCY (default EUR).")
    rate_managers: list[Ident] = Field(
        default_factory=list, description="May set and import exchange rates (besides administrators).")


class ActionsToTasks(Strict):
    """A text field of records of a kind whose lines (``OWNER: what [YYYY-MM-DD]``) become tasks."""

    record: Ident = Field(description="The kind of record, e.g. management_review.")
    field: Ident = Field(description="Its text field holding one action per line.")


class QualitySection(Strict):
    """The quality loop (ISO 9001 10.2): which overridden gates raise a nonconformity (see README, "Quality loop")."""

    raise_on_gate_override: Ident | None = Field(
        default=None,
        description="The process (key) in which every gate override starts a record (e.g. a nonconformity), linked to "
                    "the overridden record; none: overrides raise nothing. Overrides in that process itself never do.")
    actions_to_tasks: list[ActionsToTasks] = Field(
        default_factory=list,
        description="Text fields whose actions (one a line: OWNER: what [YYYY-MM-DD]) become tasks on the record, "
                    "owned by the person named, on their My work (`salesflow review tasks`).")


class CoachingSection(Strict):
    """How often managers meet the people they manage, and when a record is stalled (see README, "Coaching")."""

    one_to_one_every_days: int = Field(
        default=14, ge=1, le=366, description="Days between two 1:1 meetings of a manager with each person they manage.")
    stalled_after_days: int = Field(
        default=21, ge=1, le=3660,
        description="An open record without any event for this many days is stalled (as is one over its stage's "
                    "max_days).")


class ForecastingSection(Strict):
    """Forecast submissions and pipeline analysis (see README, "Forecast submissions")."""

    lock_weekday: int = Field(
        default=0, ge=0, le=6, description="Day of the weekly forecast call (0 Monday … 6 Sunday): at lock_time the "
                                           "week's submissions and adjustments are frozen into the forecast snapshot.")
    lock_time: str = Field(default="10:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                           description="Time of the weekly lock (HH:MM, the server's time zone).")
    lost_reason_field: Ident | None = Field(
        default=None, description="The choice field that says why a record was lost (the lost-reasons report).")
    lost_reason_note_field: Ident | None = Field(
        default=None, description="The text field beside it for the details (e.g. of 'other').")


class MonitoringSection(Strict):
    """Which checklists (by key) feed the metrics of the sales-process reports."""

    mystery_shopping: list[Ident] = Field(
        default_factory=list, description="Checklists whose assessments are mystery shopping (partners and own staff).")
    customer_satisfaction: list[Ident] = Field(
        default_factory=list, description="Checklists measuring end-customer satisfaction.")
    channel_satisfaction: list[Ident] = Field(
        default_factory=list, description="Checklists measuring channel-partner satisfaction.")


class PackSource(StrEnum):
    """Where an ISO section of the audit pack takes its content from."""

    risks = "risks"
    assessments = "assessments"
    records = "records"


class PackSection(Strict):
    """One ISO section of the audit pack, e.g. clause 9.2 answered by the records of the kind internal_audit."""

    id: Ident
    clause: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$", max_length=16,
                        description="The clause of the standard the section answers, e.g. 9.2.")
    title: Text
    source: PackSource = Field(description="risks | assessments | records")
    checklists: list[Ident] = Field(default_factory=list, description="source assessments: the checklists shown.")
    record: Ident | None = Field(default=None, description="source records: the kind of record listed.")

    @model_validator(mode="after")
    def _needs_its_source(self) -> PackSection:
        if self.source == PackSource.assessments and not self.checklists:
            raise ValueError("source assessments needs checklists (the checklist keys shown)")
        if self.source == PackSource.records and not self.record:
            raise ValueError("source records needs record (the kind of record listed)")
        return self


class AuditPackSection(Strict):
    """The ISO sections the audit pack adds (in this order); none: the pack has no such sections."""

    sections: list[PackSection] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> AuditPackSection:
        ids = [section.id for section in self.sections]
        twice = sorted({item for item in ids if ids.count(item) > 1})
        if twice:
            raise ValueError(f"section ids must be unique, repeated: {', '.join(twice)}")
        return self


class LinkKind(Strict):
    """A kind of link between records (``order``, ``renewal``, ``related`` …): its name per language."""

    title: Text = Field(description="The name of the link, e.g. en: order, de: Auftrag; an incoming link reads "
                                    "'<title> of' on the record page unless incoming names it.")
    incoming: Text | None = Field(default=None, description="The name seen from the other record, e.g. en: related "
                                                            "to, de: verwandt mit.")


class OffersSection(Strict):
    """The offer document's letterhead and the defaults of new quotes (see README, "Products, quotes and orders")."""

    company: str = Field(default="", max_length=200, description="The company name on the letterhead.")
    address: list[str] = Field(default_factory=list, description="Address lines of the letterhead.")
    logo: str = Field(default="", max_length=2000, description=(
        "The logo: a path to an SVG or PNG file relative to the library directory, or empty (the name only)."))
    bank: list[str] = Field(default_factory=list, description="Bank details printed at the foot of the offer.")
    terms: Text | None = Field(default=None, description="General terms printed below the lines, per language.")
    payment_terms: Text | None = Field(default=None, description="The payment terms of a new quote, per language.")
    tax_rate: float = Field(default=19.0, ge=0, le=100, description="The tax rate (percent) of a new quote.")
    valid_days: int = Field(default=30, ge=1, le=366, description="A new quote is valid for this many days.")


class LibrarySettings(Strict):
    """The content of the ``library_settings:`` key."""

    roles: dict[Ident, LibraryRole] = Field(default_factory=dict, description="Library-wide roles with their titles.")
    access: AccessSettings = Field(default_factory=AccessSettings)
    rights: LibraryRights = Field(default_factory=LibraryRights)
    currency: CurrencySection = Field(default_factory=CurrencySection)
    quality: QualitySection = Field(default_factory=QualitySection)
    coaching: CoachingSection = Field(default_factory=CoachingSection)
    monitoring: MonitoringSection = Field(default_factory=MonitoringSection)
    audit_pack: AuditPackSection = Field(default_factory=AuditPackSection)
    link_kinds: dict[Ident, LinkKind] = Field(
        default_factory=dict, description="Names of the kinds of link between records per language (unnamed kinds "
                                          "show their id).")
    offers: OffersSection = Field(default_factory=OffersSection)
    forecasting: ForecastingSection = Field(default_factory=ForecastingSection)

    def referenced_roles(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every role id the settings name, with its path below ``library_settings``."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        for key in ("oversight_roles", "read_only_roles", "need_to_know_roles"):
            found += [(("access", key, index), role) for index, role in enumerate(getattr(self.access, key))]
        for name in type(self.rights).model_fields:
            found += [(("rights", name, index), role) for index, role in enumerate(getattr(self.rights, name))]
        found += [(("currency", "rate_managers", index), role)
                  for index, role in enumerate(self.currency.rate_managers)]
        return found

    def to_data(self) -> dict[str, Any]:
        """The settings as plain data with the same keys as the YAML (below ``library_settings``)."""
        return self.model_dump(mode="json", exclude_none=True)


class LibrarySettingsFile(Strict):
    """A library settings file: one top-level key."""

    library_settings: LibrarySettings


def is_settings_data(data: Any) -> bool:
    """True when parsed YAML is a library settings file (its top-level key is ``library_settings``)."""
    return isinstance(data, dict) and SETTINGS_KEY in data


def settings_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the library settings file."""
    schema = LibrarySettingsFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://salesflow.dev/schema/library-settings.json"
    schema["title"] = "Salesflow library settings"
    return schema
