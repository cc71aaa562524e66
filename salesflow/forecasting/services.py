"""Forecast submissions, adjustments, the team hierarchy and the weekly lock: transactional service functions
(each change written with its event in the chain), and the roll-up as a reader may see it.

Who may do what:
- **submit**: every staff member, for themself (their own call for a period that has not ended).
- **adjust** a team: its manager, the manager of a team above it, or a role the library settings grant
  ``adjust_forecast`` (the Head of Sales in the default library); the whole organisation (no team): only those roles.
- **set a team's parent and manager**: the roles granted ``assign_managers``.
- **see the roll-up**: those with ``adjust_forecast`` or ``forecast_accuracy`` (and oversight roles) everything;
  a manager their teams (and the teams below); everyone their own row. The system's figures count only the
  records the reader may see (the one visibility rule).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.analytics.periods import Period, parse_period, period_containing
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.forecasting import rollup as core
from salesflow.forecasting.models import ForecastAdjustment, ForecastLock, ForecastSubmission
from salesflow.people import access
from salesflow.records import eventlog

ADJUST_RIGHT = "adjust_forecast"
ASSIGN_RIGHT = "assign_managers"
SEE_RIGHTS = ("adjust_forecast", "forecast_accuracy")
CENT = Decimal("0.01")


def parse_amount(text: Any, name: str) -> Decimal:
    """An amount ≥ 0 (spaces and underscores allowed), rounded to the cent; else `BadInput` naming ``name``."""
    try:
        value = Decimal(str(text).strip().replace(" ", "").replace("_", ""))
    except (InvalidOperation, ValueError):
        raise BadInput(f"{name}: a number is expected, got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise BadInput(f"{name}: a number ≥ 0 is expected, got {text!r}")
    if value >= Decimal("1e15"):
        raise BadInput(f"{name}: too large, got {text!r}")
    return value.quantize(CENT)


def _open_period(text: str, at: datetime.datetime) -> Period:
    period = parse_period(text)
    if period.end_at <= at:
        raise BadInput(f"--period: {period.key} has ended; forecasts are for the current or a later period")
    return period


def _currency() -> str:
    from salesflow.currency.settings import corporate_currency

    return corporate_currency()


def _refuse_read_only(user: Any) -> None:
    from salesflow.records.services import refuse_read_only

    refuse_read_only(user)


def _log(kind: str, payload: dict[str, Any], by: Any | None, at: datetime.datetime) -> int:
    from salesflow.records.services import actorship

    return eventlog.append([EventDraft(kind=kind, payload=payload)], actor=actorship(by), at=at)[0].seq


def team_named(name: str) -> Any:
    """The team of that name; `BadInput` naming the teams there are."""
    from salesflow.people.models import Team

    team = Team.objects.filter(name=name).first()
    if team is None:
        known = ", ".join(Team.objects.values_list("name", flat=True)) or "none"
        raise BadInput(f"--team: unknown team {name!r} (teams: {known})")
    return team


def team_nodes() -> dict[str, core.TeamNode]:
    """Every team with its parent, manager and members (user names)."""
    from salesflow.people.models import Team

    nodes = {team.name: core.TeamNode(team.name, team.parent.name if team.parent else None,
                                      team.manager.username if team.manager else None)
             for team in Team.objects.select_related("parent", "manager")}
    for team in Team.objects.prefetch_related("members"):
        nodes[team.name].members = {member.username for member in team.members.all() if member.is_active}
    return nodes


def may_adjust_all(user: Any) -> bool:
    """True for those who may adjust the organisation's (and every team's) forecast."""
    return bool(user.is_superuser or access.has_right(user, ADJUST_RIGHT))


def managed_teams(user: Any, nodes: dict[str, core.TeamNode] | None = None) -> set[str]:
    """The teams ``user`` manages and every team below them."""
    nodes = nodes if nodes is not None else team_nodes()
    children = core.children_of(nodes)
    found: set[str] = set()
    for name, node in nodes.items():
        if node.manager == user.username:
            stack = [name]
            while stack:
                current = stack.pop()
                if current not in found:
                    found.add(current)
                    stack.extend(children.get(current, []))
    return found


def may_adjust(user: Any, team: str | None, nodes: dict[str, core.TeamNode] | None = None) -> bool:
    """True when ``user`` may adjust ``team`` (None: the organisation)."""
    if may_adjust_all(user):
        return True
    return team is not None and team in managed_teams(user, nodes)


def do_submit(user: Any, period: str, commit: Any, best_case: Any, note: str = "",
              at: datetime.datetime | None = None) -> ForecastSubmission:
    """``user``'s own call for ``period``: commit ≤ best case, with a note; an event in the chain."""
    at = at or timezone.now()
    if not access.is_staff_member(user) and not user.is_superuser:
        raise NotPermitted(f"{user.username} holds no sales role and submits no forecast")
    _refuse_read_only(user)
    key = _open_period(period, at).key
    committed, best = parse_amount(commit, "--commit"), parse_amount(best_case, "--best-case")
    if best < committed:
        raise BadInput(f"--best-case {best} is below --commit {committed} (the best case includes the commit)")
    note = (note or "").strip()
    if len(note) > 2000:
        raise BadInput("--note: at most 2000 characters")
    with transaction.atomic():
        seq = _log("forecast_submitted", {"period": key, "owner": user.username, "commit": f"{committed:f}",
                                          "best_case": f"{best:f}", "currency": _currency(), "note": note}, user, at)
        return ForecastSubmission.objects.create(period=key, owner=user, commit=committed, best_case=best,
                                                 currency=_currency(), note=note, submitted_at=at, event_seq=seq)


def do_adjust(user: Any, period: str, team: str | None, commit: Any, note: str, best_case: Any | None = None,
              at: datetime.datetime | None = None) -> ForecastAdjustment:
    """A manager's figure for ``team`` (None: the organisation) with a note (required); an event in the chain."""
    at = at or timezone.now()
    key = _open_period(period, at).key
    found = team_named(team) if team else None
    if not may_adjust(user, team):
        whose = f"team {team}" if team else "the whole organisation"
        raise NotPermitted(f"{user.username} may not adjust the forecast of {whose}: only its manager (or a manager "
                           "above it) and the roles granted adjust_forecast may")
    _refuse_read_only(user)
    committed = parse_amount(commit, "--commit")
    best = parse_amount(best_case, "--best-case") if best_case not in (None, "") else None
    if best is not None and best < committed:
        raise BadInput(f"--best-case {best} is below --commit {committed}")
    note = (note or "").strip()
    if not note:
        raise BadInput("--note: an adjustment says why (a note is required)")
    if len(note) > 2000:
        raise BadInput("--note: at most 2000 characters")
    with transaction.atomic():
        seq = _log("forecast_adjusted", {"period": key, "team": team, "commit": f"{committed:f}",
                                         "best_case": f"{best:f}" if best is not None else None,
                                         "currency": _currency(), "note": note, "by": user.username}, user, at)
        return ForecastAdjustment.objects.create(period=key, team=found, commit=committed, best_case=best,
                                                 currency=_currency(), note=note, adjusted_by=user, adjusted_at=at,
                                                 event_seq=seq)


def do_set_team(user: Any | None, name: str, parent: str | None = None, manager: str | None = None,
                clear_parent: bool = False) -> Any:
    """Set a team's parent team and manager (``assign_managers``); refuses a cycle."""
    from salesflow.people.models import User

    if user is not None and not (user.is_superuser or access.has_right(user, ASSIGN_RIGHT)):
        raise NotPermitted(f"{user.username} may not set the team hierarchy")
    if user is not None:
        _refuse_read_only(user)
    team = team_named(name)
    if parent:
        above = team_named(parent)
        current = above
        while current is not None:
            if current.pk == team.pk:
                raise BadInput(f"--parent: {parent} is {name} or a team below it (teams nest without cycles)")
            current = current.parent
        team.parent = above
    elif clear_parent:
        team.parent = None
    if manager:
        found = User.objects.filter(username=manager, is_active=True).first()
        if found is None:
            raise BadInput(f"--manager: unknown user {manager!r}")
        team.manager = found
    with transaction.atomic():
        team.save(update_fields=["parent", "manager"])
        _log("team_structure_set", {"team": team.name, "parent": team.parent.name if team.parent else None,
                                    "manager": team.manager.username if team.manager else None}, user, timezone.now())
    return team


# --- reading ---------------------------------------------------------------------------------------

def latest_submissions(period: str, until: datetime.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Owner → their newest submission for the period (up to ``until``)."""
    query = ForecastSubmission.objects.filter(period=period).select_related("owner")
    if until is not None:
        query = query.filter(submitted_at__lte=until)
    found: dict[str, dict[str, Any]] = {}
    for item in query.order_by("submitted_at", "id"):
        found[item.owner.username] = {"commit": item.commit, "best_case": item.best_case, "note": item.note,
                                      "at": item.submitted_at.isoformat()}
    return found


def latest_adjustments(period: str, until: datetime.datetime | None = None) -> dict[str | None, dict[str, Any]]:
    """Team (None: organisation) → its newest adjustment for the period."""
    query = ForecastAdjustment.objects.filter(period=period).select_related("team", "adjusted_by")
    if until is not None:
        query = query.filter(adjusted_at__lte=until)
    found: dict[str | None, dict[str, Any]] = {}
    for item in query.order_by("adjusted_at", "id"):
        found[item.team.name if item.team else None] = {
            "commit": item.commit, "best_case": item.best_case, "note": item.note,
            "by": item.adjusted_by.username, "at": item.adjusted_at.isoformat()}
    return found


def figures_data(viewer: Any | None, at: datetime.datetime, past: bool = False) -> Any:
    """The report input `system_figures` reads (a context manager giving a `Data`): the records ``viewer`` may
    see, as of ``at`` — or, ``past``, as of now, the state as of ``at`` then reconstructed from the log."""
    from salesflow.analytics.source import data_for

    return data_for("duckdb", viewer, max(at, timezone.now()) if past else at)


def system_figures(period: Period, viewer: Any | None, at: datetime.datetime, past: bool = False,
                   data: Any | None = None) -> tuple[dict[str, dict[str, Decimal]], dict[str, Any]]:
    """Owner → won, weighted, expected (the forecast by owner as of ``at``) and the organisation's Monte Carlo
    figures — over the records ``viewer`` may see. ``past``: ``at`` lies back (a lock, the end of a period), so
    the state is reconstructed from the log as of then. ``data``: `figures_data` already opened for the same
    viewer, ``at`` and ``past`` (several periods from one load)."""
    if data is None:
        with figures_data(viewer, at, past) as opened:
            return system_figures(period, viewer, at, past, opened)
    from salesflow.analytics.reports import Params
    from salesflow.analytics.reports.base import ALL_LABEL
    from salesflow.analytics.reports.forecast import Moment, compute

    def amount(value: float) -> Decimal:
        return Decimal(str(value)).quantize(CENT)

    params = Params(period=period)
    moments = [Moment(0, at, period)]
    by_owner = compute(data, params, moments, "owner", simulate=False).get(0, {})
    # Monte Carlo for the roll-up shown now; a lock's snapshot carries its own
    total = compute(data, params, moments, None, simulate=not past).get(0, {}).get(ALL_LABEL)
    figures = {owner: {"won": amount(item.won), "weighted": amount(item.weighted), "expected": amount(item.expected)}
               for owner, item in by_owner.items()}
    distribution = total.distribution if total is not None else None
    overall = {"won": amount(total.won) if total else Decimal(0), "weighted": amount(total.weighted) if total
               else Decimal(0), "expected": amount(total.expected) if total else Decimal(0),
               "p10": distribution.p10 if distribution else None, "p50": distribution.p50 if distribution else None,
               "p90": distribution.p90 if distribution else None}
    return figures, overall


def visible_rows(rows: list[dict[str, Any]], viewer: Any | None, nodes: dict[str, core.TeamNode]) -> list[dict[str, Any]]:
    """The roll-up rows ``viewer`` may see: everything for those who see the whole forecast, else the teams they
    manage (and below, with their owners) and their own row."""
    if viewer is None or viewer.is_superuser or access.is_oversight(viewer) or any(
            access.has_right(viewer, right) for right in SEE_RIGHTS):
        return rows
    managed = managed_teams(viewer, nodes)
    return [row for row in rows if (row["level"] == "team" and row["name"] in managed)
            or (row["level"] == "owner" and (row["parent"] in managed or row["name"] == viewer.username))]


def rollup_data(period: str | None = None, viewer: Any | None = None, at: datetime.datetime | None = None,
                frozen: bool = False, data: Any | None = None) -> dict[str, Any]:
    """The roll-up of ``period`` (default: this quarter) as ``viewer`` may see it (None: all); ``data``: see
    `system_figures`."""
    at = at or timezone.now()
    found = parse_period(period) if period else period_containing(at, "quarter")
    nodes = team_nodes()
    system, overall = system_figures(found, viewer, at, past=frozen, data=data)
    inputs = core.Inputs(teams=nodes, system=system,
                         submissions=latest_submissions(found.key, at if frozen else None),
                         adjustments=latest_adjustments(found.key, at if frozen else None),
                         owners=set(system))
    rows = visible_rows(core.rollup(inputs), viewer, nodes)
    locks = [{"week": lock.week.isoformat(), "locked_at": lock.locked_at.isoformat()}
             for lock in ForecastLock.objects.filter(period=found.key)]
    return {"period": found.key, "as_of": at.isoformat(), "currency": _currency(), "system": overall,
            "rows": rows, "locks": locks}


def to_json(value: Any) -> Any:
    """Decimals as numbers (to the cent), recursively."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return value
