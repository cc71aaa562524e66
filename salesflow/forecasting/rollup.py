"""The forecast roll-up by the sales hierarchy (framework-free): owners' submissions summed up nested teams,
managers' adjustments replacing a team's sum, next to the system's figures.

- An owner's ``submitted_commit`` / ``submitted_best_case``: their newest submission for the period;
  ``final_commit``: the same.
- A team's ``submitted_*``: the sum over the distinct owners in it and its sub-teams (None: nobody submitted);
  ``adjusted_*``: its manager's newest adjustment; ``final_commit``: the adjustment where there is one, else
  the final commits of its sub-teams plus the submissions of its members in no sub-team.
- The organisation: the same over the top teams and the owners in no team; adjusted by the roles the library
  grants ``adjust_forecast`` (the Head of Sales).
- ``weighted`` / ``won`` / ``expected``: the system's figures (the forecast report by owner), summed over
  the distinct owners of a team.

Amounts are `Decimal`; a person in two sibling teams counts in both (each team's manager forecasts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ORGANISATION = "(organisation)"


@dataclass
class TeamNode:
    """A team of the hierarchy."""

    name: str
    parent: str | None = None
    manager: str | None = None
    members: set[str] = field(default_factory=set)


@dataclass
class Inputs:
    """Everything the roll-up needs: teams, the system's figures per owner, submissions and adjustments."""

    teams: dict[str, TeamNode]
    system: dict[str, dict[str, Decimal]]                  # owner → won, weighted, expected
    submissions: dict[str, dict[str, Any]]                 # owner → commit, best_case, note, at
    adjustments: dict[str | None, dict[str, Any]]          # team (None: organisation) → commit, best_case, note, by, at
    owners: set[str] = field(default_factory=set)          # people the roll-up lists (besides those with figures)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def children_of(teams: dict[str, TeamNode]) -> dict[str | None, list[str]]:
    """Parent team (None: top) → its sub-teams, by name."""
    children: dict[str | None, list[str]] = {}
    for name, team in sorted(teams.items()):
        parent = team.parent if team.parent in teams else None
        children.setdefault(parent, []).append(name)
    return children


def subtree_owners(name: str, teams: dict[str, TeamNode], children: dict[str | None, list[str]]) -> set[str]:
    """The members of a team and of all its sub-teams."""
    found, stack, seen = set(), [name], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        found |= teams[current].members
        stack.extend(children.get(current, []))
    return found


def ancestors(name: str, teams: dict[str, TeamNode]) -> list[str]:
    """The team's parent, its parent's parent … (nearest first)."""
    result, current, seen = [], teams[name].parent if name in teams else None, {name}
    while current is not None and current in teams and current not in seen:
        result.append(current)
        seen.add(current)
        current = teams[current].parent
    return result


def rollup(inputs: Inputs) -> list[dict[str, Any]]:
    """The roll-up rows, depth-first: the organisation, each team (its sub-teams, then its owners), then the
    owners in no team. Each row: level, name, parent, depth, manager, won, weighted, expected,
    submitted_commit, submitted_best_case, adjusted_commit, adjusted_best_case, final_commit,
    final_best_case, notes."""
    teams = inputs.teams
    children = children_of(teams)
    listed = set(inputs.system) | set(inputs.submissions) | inputs.owners   # team members without figures: no row
    everyone = set(listed)
    for team in teams.values():
        everyone |= team.members
    zero = Decimal(0)

    def system(owners: set[str], key: str) -> Decimal:
        return sum((inputs.system.get(owner, {}).get(key, zero) for owner in owners), zero)

    def owner_row(owner: str, parent: str, depth: int) -> dict[str, Any]:
        submitted = inputs.submissions.get(owner)
        commit = submitted["commit"] if submitted else None
        best = submitted["best_case"] if submitted else None
        return {"level": "owner", "name": owner, "parent": parent, "depth": depth, "manager": None,
                "won": system({owner}, "won"), "weighted": system({owner}, "weighted"),
                "expected": system({owner}, "expected"), "submitted_commit": commit, "submitted_best_case": best,
                "adjusted_commit": None, "adjusted_best_case": None, "final_commit": commit, "final_best_case": best,
                "notes": [{"by": owner, "kind": "submission", "at": submitted["at"], "text": submitted["note"]}]
                if submitted and submitted.get("note") else []}

    rows: list[dict[str, Any]] = []

    def node(name: str | None, depth: int) -> dict[str, Any]:
        """Append the rows of a team (None: the organisation) and return its own row."""
        subteams = children.get(name, [])
        if name is None:
            owners, direct = everyone, everyone - set().union(*(subtree_owners(child, teams, children)
                                                                 for child in subteams))
            label, manager, parent = ORGANISATION, None, None
        else:
            owners = subtree_owners(name, teams, children)
            direct = teams[name].members - set().union(*(subtree_owners(child, teams, children) for child in subteams))
            label, manager, parent = name, teams[name].manager, teams[name].parent or ORGANISATION
        row: dict[str, Any] = {"level": "organisation" if name is None else "team", "name": label, "parent": parent,
                               "depth": depth, "manager": manager, "won": system(owners, "won"),
                               "weighted": system(owners, "weighted"), "expected": system(owners, "expected"),
                               "submitted_commit": _sum([(inputs.submissions.get(o) or {}).get("commit") for o in owners]),
                               "submitted_best_case": _sum([(inputs.submissions.get(o) or {}).get("best_case")
                                                            for o in owners])}
        rows.append(row)
        child_rows = [node(child, depth + 1) for child in subteams]
        owner_rows = [owner_row(owner, label, depth + 1) for owner in sorted(direct & listed)]
        rows.extend(owner_rows)
        adjusted = inputs.adjustments.get(name)
        summed_commit = _sum([item["final_commit"] for item in child_rows + owner_rows])
        summed_best = _sum([item["final_best_case"] for item in child_rows + owner_rows])
        row.update({
            "adjusted_commit": adjusted["commit"] if adjusted else None,
            "adjusted_best_case": adjusted.get("best_case") if adjusted else None,
            "final_commit": adjusted["commit"] if adjusted else summed_commit,
            "final_best_case": (adjusted.get("best_case") if adjusted and adjusted.get("best_case") is not None
                                else summed_best),
            "notes": [{"by": adjusted["by"], "kind": "adjustment", "at": adjusted["at"], "text": adjusted["note"]}]
            if adjusted else [],
        })
        return row

    node(None, 0)
    return rows
