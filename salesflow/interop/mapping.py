"""Value maps: another system's stage names (and opportunity types) → ids of the target process.

A map file is YAML: ``stages:`` (source name → stage id) and optionally ``types:`` (source value →
choice id of the ``type`` field). A file holding a plain mapping is read as ``stages``. Entries
extend (and override) the system's default map; names match ignoring case and spacing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesflow.interop.problems import ImportFailed, Problem
from salesflow.process.loader import YamlProblem, load_yaml_file
from salesflow.process.model import ProcessDefinition

#: Salesforce's standard opportunity stages → the default library's opportunity-management stages.
SALESFORCE_STAGES: dict[str, str] = {
    "Prospecting": "qualification",
    "Qualification": "qualification",
    "Needs Analysis": "solution_design",
    "Value Proposition": "solution_design",
    "Id. Decision Makers": "solution_design",
    "Perception Analysis": "solution_design",
    "Proposal/Price Quote": "proposal",
    "Negotiation/Review": "negotiation",
    "Closed Won": "won",
    "Closed Lost": "lost",
}

#: Salesforce's standard opportunity types → choices of the ``type`` field.
SALESFORCE_TYPES: dict[str, str] = {
    "New Customer": "new_business",
    "New Business": "new_business",
    "Existing Customer - Upgrade": "cross_selling",
    "Existing Business": "stabilisation",
    "Existing Customer - Replacement": "stabilisation",
    "Existing Customer - Downgrade": "stabilisation",
}

#: HubSpot's default sales pipeline stages (labels and internal ids) → opportunity-management stages.
HUBSPOT_STAGES: dict[str, str] = {
    "Appointment Scheduled": "qualification",
    "appointmentscheduled": "qualification",
    "Qualified To Buy": "qualification",
    "qualifiedtobuy": "qualification",
    "Presentation Scheduled": "solution_design",
    "presentationscheduled": "solution_design",
    "Decision Maker Bought-In": "proposal",
    "decisionmakerboughtin": "proposal",
    "Contract Sent": "negotiation",
    "contractsent": "negotiation",
    "Closed Won": "won",
    "closedwon": "won",
    "Closed Lost": "lost",
    "closedlost": "lost",
}


def map_key(name: Any) -> str:
    """A source value as compared: lower case, single spaces."""
    return " ".join(str(name).lower().split())


@dataclass
class ValueMap:
    """Source values → target ids (case- and space-insensitive)."""

    entries: dict[str, str] = field(default_factory=dict)

    def get(self, name: Any) -> str | None:
        """The target of a source value, or None if unmapped."""
        return self.entries.get(map_key(name))

    def update(self, mapping: dict[str, str]) -> None:
        """Add (or override) entries."""
        for source, target in mapping.items():
            self.entries[map_key(source)] = target


@dataclass
class Maps:
    """The maps of one import."""

    stages: ValueMap
    types: ValueMap


def load_maps(path: str | Path | None, definition: ProcessDefinition, default_stages: dict[str, str],
              default_types: dict[str, str] | None = None) -> Maps:
    """The default maps (entries whose target the process lacks are dropped) extended by a map file.

    Raises `ImportFailed` naming every bad entry of the file.
    """
    stage_ids = [stage.id for stage in definition.stages]
    type_field = definition.fields.get("type")
    type_ids = type_field.choice_ids() if type_field is not None and type_field.choices else []
    stages = ValueMap({map_key(k): v for k, v in default_stages.items() if v in stage_ids})
    types = ValueMap({map_key(k): v for k, v in (default_types or {}).items() if v in type_ids})
    if path is None:
        return Maps(stages, types)
    file = Path(path)
    name = str(path)
    try:
        data = load_yaml_file(file)
    except FileNotFoundError:
        raise ImportFailed([Problem(name, None, "", "no such file")], f"{name}: no such file") from None
    except YamlProblem as problem:
        raise ImportFailed([Problem(name, problem.line, "", problem.message)],
                           f"{name}: not a readable YAML map") from None
    except (UnicodeDecodeError, OSError) as error:
        raise ImportFailed([Problem(name, None, "", f"not a readable YAML map ({error.__class__.__name__})")],
                           f"{name}: not a readable YAML map") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ImportFailed([Problem(name, None, "", "a mapping (stages: …, types: …) is expected")])
    if "stages" not in data and "types" not in data:
        data = {"stages": data}
    problems: list[Problem] = []
    unknown_keys = sorted(set(data) - {"stages", "types"})
    for key in unknown_keys:
        problems.append(Problem(name, None, str(key), "unknown section (stages and types are known)"))
    for section, allowed, target in (("stages", stage_ids, stages), ("types", type_ids, types)):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            problems.append(Problem(name, None, section, "a mapping of source name → id is expected"))
            continue
        for source, value in entries.items():
            if not isinstance(value, str) or value not in allowed:
                what = "stage" if section == "stages" else "type"
                problems.append(Problem(name, None, section,
                                        f"{source!r} → {value!r}: not a {what} of {definition.process} "
                                        f"({', '.join(allowed) or 'none'})"))
                continue
            target.update({str(source): value})
    if problems:
        raise ImportFailed(problems, f"{name}: {len(problems)} bad map entr{'y' if len(problems) == 1 else 'ies'}")
    return Maps(stages, types)
