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
  end-customer and channel satisfaction).

Adding a section (for another concern) is one field on `LibrarySettings` with a model of its own and
a default, so that a library written before the section existed stays valid; document it in the
README's "Library settings" section. Unknown keys are errors (they are usually typos). Like process
files, nothing here knows about Django.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

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
    assign_managers: list[Ident] = Field(
        default_factory=list, description="May set who manages (and coaches) whom.")
    migrate_records: list[Ident] = Field(
        default_factory=list,
        description="May move the running records of a process to its newer approved version (process migrate).")
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


class QualitySection(Strict):
    """The quality loop (ISO 9001 10.2): which overridden gates raise a nonconformity (see README, "Quality loop")."""

    raise_on_gate_override: Ident | None = Field(
        default=None,
        description="The process (key) in which every gate override starts a record (e.g. a nonconformity), linked to "
                    "the overridden record; none: overrides raise nothing. Overrides in that process itself never do.")
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


class LibrarySettings(Strict):
    """The content of the ``library_settings:`` key."""

    roles: dict[Ident, LibraryRole] = Field(default_factory=dict, description="Library-wide roles with their titles.")
    access: AccessSettings = Field(default_factory=AccessSettings)
    rights: LibraryRights = Field(default_factory=LibraryRights)
    currency: CurrencySection = Field(default_factory=CurrencySection)
    quality: QualitySection = Field(default_factory=QualitySection)
    coaching: CoachingSection = Field(default_factory=CoachingSection)
    monitoring: MonitoringSection = Field(default_factory=MonitoringSection)
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
