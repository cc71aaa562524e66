"""``/api/forecast``: forecast submissions, adjustments and the roll-up, through `salesflow.forecasting.services`
(the same rules as the web page and ``salesflow forecast``): an owner submits their own call; a team's manager
(or above) adjusts the team, the roles granted ``adjust_forecast`` the organisation (403 otherwise)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salesflow.api.errors import responses
from salesflow.engine.errors import NotPermitted
from salesflow.forecasting import services
from salesflow.people import access

router = Router(tags=["forecast"])
PeriodText = Annotated[str, Field(max_length=7, description="2027-Q1, 2027-01 or 2027")]
AmountText = Annotated[str, Field(max_length=32, description="An amount in the corporate currency, e.g. 180000")]
Note = Annotated[str, Field(max_length=2000)]


class SubmissionIn(Schema):
    """My call for a period."""

    period: PeriodText
    commit: AmountText
    best_case: AmountText
    note: Note = ""


class SubmissionOut(Schema):
    """A stored submission."""

    period: str
    owner: str
    commit: float
    best_case: float
    currency: str
    note: str
    submitted_at: str
    event_seq: int | None


class AdjustmentIn(Schema):
    """A manager's figure for a team (no team: the organisation)."""

    period: PeriodText
    team: Annotated[str | None, Field(max_length=100)] = None
    commit: AmountText
    best_case: AmountText | None = None
    note: Note


class AdjustmentOut(Schema):
    """A stored adjustment."""

    period: str
    team: str | None
    commit: float
    best_case: float | None
    currency: str
    note: str
    by: str
    adjusted_at: str
    event_seq: int | None


class RollupQuery(Schema):
    """Which period (default: this quarter)."""

    period: PeriodText | None = None


def _staff(user: Any) -> None:
    if not access.is_staff_member(user) and not user.is_superuser:
        raise NotPermitted("forecasts are for sales staff: your user holds no role")


@router.get("/rollup", response=responses({200: dict[str, Any]}, 400, 403), summary="The forecast roll-up",
            operation_id="forecast_rollup")
def rollup(request: HttpRequest, query: Query[RollupQuery]) -> dict[str, Any]:
    """Per team and owner: won, weighted, expected, submitted_commit, submitted_best_case, adjusted_commit,
    final_commit, notes — the rows you may see; the system's figures over the records you may see."""
    _staff(request.auth)
    return services.to_json(services.rollup_data(query.period, request.auth))


@router.post("/submissions", response=responses({201: SubmissionOut}, 400, 403),
             summary="Submit my forecast", operation_id="submit_forecast")
def submit(request: HttpRequest, payload: SubmissionIn) -> Status:
    """My commit and best case for a period (an event ``forecast_submitted``)."""
    item = services.do_submit(request.auth, payload.period, payload.commit, payload.best_case, payload.note)
    return Status(201, {"period": item.period, "owner": item.owner.username, "commit": float(item.commit),
                        "best_case": float(item.best_case), "currency": item.currency, "note": item.note,
                        "submitted_at": item.submitted_at.isoformat(), "event_seq": item.event_seq})


@router.post("/adjustments", response=responses({201: AdjustmentOut}, 400, 403),
             summary="Adjust a team's (or the organisation's) forecast", operation_id="adjust_forecast")
def adjust(request: HttpRequest, payload: AdjustmentIn) -> Status:
    """A manager's figure with a note (an event ``forecast_adjusted``)."""
    item = services.do_adjust(request.auth, payload.period, payload.team, payload.commit, payload.note,
                              payload.best_case)
    return Status(201, {"period": item.period, "team": item.team.name if item.team else None,
                        "commit": float(item.commit),
                        "best_case": float(item.best_case) if item.best_case is not None else None,
                        "currency": item.currency, "note": item.note, "by": item.adjusted_by.username,
                        "adjusted_at": item.adjusted_at.isoformat(), "event_seq": item.event_seq})
