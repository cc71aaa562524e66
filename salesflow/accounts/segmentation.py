"""ABC segmentation of accounts by won revenue.

Revenue of an account = the sum of ``Record.amount`` of its won opportunities (records of processes
whose record type is ``opportunity``) closed within a window of ``window_days`` days ending with the
day ``as_of``. Classic ABC: accounts sorted by revenue (descending, ties by name); A = the accounts
that make up the first ``a_share`` % of the total — the account that crosses the threshold belongs to
A —, B = up to ``b_share`` %, C = the rest, including every account without won revenue.

Amounts are summed as they are (no currency conversion): the library keeps one currency per sales
organisation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from salesflow.accounts.models import Account, won_opportunities
from salesflow.currency import orm as currency_orm
from salesflow.engine.errors import BadInput
from salesflow.engine.state import EventDraft

DEFAULT_WINDOW_DAYS = 365
DEFAULT_A_SHARE = Decimal("80")
DEFAULT_B_SHARE = Decimal("95")
#: The longest window accepted (100 years).
MAX_WINDOW_DAYS = 36500
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


# --- parameters ------------------------------------------------------------------------------------

def parse_share(value: Any, name: str) -> Decimal:
    """A percentage 0 < share <= 100 (e.g. ``80``, ``"95.5"``, ``"80%"``). Raises `BadInput` naming ``name``."""
    text = str(value).strip().removesuffix("%").strip() if value is not None else ""
    try:
        share = Decimal(text)
    except InvalidOperation:
        raise BadInput(f"{name}: a percentage between 0 and 100 is expected, got {value!r}") from None
    if not share.is_finite() or share <= 0 or share > 100:
        raise BadInput(f"{name}: a percentage above 0 and at most 100 is expected, got {value!r}")
    return share


def parse_window_days(value: Any, name: str = "window_days") -> int:
    """A window length in days, 1 to `MAX_WINDOW_DAYS`. Raises `BadInput` naming ``name``."""
    try:
        days = int(str(value).strip())
    except ValueError:
        raise BadInput(f"{name}: a whole number of days is expected, got {value!r}") from None
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise BadInput(f"{name}: between 1 and {MAX_WINDOW_DAYS} days expected, got {days}")
    return days


def parse_as_of(value: Any, name: str = "as_of") -> datetime.date:
    """A date (``datetime.date`` or ISO text ``2027-03-31``); None or empty: today. Raises `BadInput`."""
    if value is None or value == "":
        return timezone.localdate()
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(f"{name}: a date like 2027-03-31 is expected, got {value!r}") from None


@dataclass(frozen=True)
class Window:
    """The closing-date window: ``start <= closed_at < end`` (end = the start of the day after as_of)."""

    as_of: datetime.date
    days: int

    @property
    def first_day(self) -> datetime.date:
        """The first day inside the window."""
        return self.as_of - datetime.timedelta(days=self.days - 1)

    @property
    def start(self) -> datetime.datetime:
        """Start of the first day (current time zone)."""
        return timezone.make_aware(datetime.datetime.combine(self.first_day, datetime.time()))

    @property
    def end(self) -> datetime.datetime:
        """Start of the day after ``as_of`` (exclusive)."""
        return timezone.make_aware(datetime.datetime.combine(self.as_of + datetime.timedelta(days=1), datetime.time()))

    def to_data(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {"days": self.days, "from": self.first_day.isoformat(), "to": self.as_of.isoformat()}


# --- the classification (pure) -----------------------------------------------------------------

@dataclass(frozen=True)
class Revenue:
    """One account's revenue in the window."""

    account_id: int
    name: str
    revenue: Decimal


def rank(revenues: Iterable[Revenue]) -> list[Revenue]:
    """Sorted by revenue descending, ties by name (case-insensitive), then id: deterministic."""
    return sorted(revenues, key=lambda item: (-item.revenue, item.name.casefold(), item.name, item.account_id))


def classify(revenues: Iterable[Revenue], a_share: Decimal = DEFAULT_A_SHARE,
             b_share: Decimal = DEFAULT_B_SHARE) -> dict[int, str]:
    """Segment by account id. An account is A while the revenue ranked before it is below ``a_share`` % of
    the total (so the one crossing the threshold is A), B while below ``b_share`` %, else C; no revenue: C."""
    ranked = rank(revenues)
    total = sum((item.revenue for item in ranked if item.revenue > 0), ZERO)
    segments: dict[int, str] = {}
    before = ZERO
    for item in ranked:
        if item.revenue <= 0 or total <= 0:
            segments[item.account_id] = "C"
            continue
        if before * 100 < a_share * total:
            segments[item.account_id] = "A"
        elif before * 100 < b_share * total:
            segments[item.account_id] = "B"
        else:
            segments[item.account_id] = "C"
        before += item.revenue
    return segments


# --- the service ---------------------------------------------------------------------------------

def revenue_subquery(window: Window, factors: dict[str, Decimal] | None = None) -> Coalesce:
    """Per account (``OuterRef("pk")``): won opportunity revenue closed within the window, 0 when none — in
    the corporate currency at the rates in force at the window's end (``factors``; a record in a currency
    without a rate counts nothing)."""
    factors = factors if factors is not None else currency_orm.factors_on(window.as_of)
    won = (won_opportunities().filter(customer=OuterRef("pk"), closed_at__gte=window.start, closed_at__lt=window.end)
           .order_by().values("customer").annotate(total=Sum(currency_orm.in_corporate(factors))).values("total"))
    return Coalesce(Subquery(won, output_field=DecimalField(max_digits=17, decimal_places=2)), Value(ZERO),
                    output_field=DecimalField(max_digits=17, decimal_places=2))


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[start:start + size] for start in range(0, len(ids), size)]


@dataclass
class SegmentationSummary:
    """What a segmentation run did."""

    window: Window
    a_share: Decimal
    b_share: Decimal
    segmented_at: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)
    revenue: dict[str, Decimal] = field(default_factory=dict)
    changed: int = 0
    event_seq: int | None = None

    @property
    def total_revenue(self) -> Decimal:
        """Won revenue of all accounts in the window."""
        return sum(self.revenue.values(), ZERO)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "counts": dict(self.counts),
            "revenue": {segment: f"{amount:f}" for segment, amount in self.revenue.items()},
            "total_revenue": f"{self.total_revenue:f}",
            "accounts": sum(self.counts.values()),
            "changed": self.changed,
            "window": self.window.to_data(),
            "thresholds": {"a": f"{self.a_share:f}", "b": f"{self.b_share:f}"},
            "segmented_at": self.segmented_at.isoformat(),
            "event": self.event_seq,
        }


def do_segment_accounts(by_user: Any | None, window_days: Any = DEFAULT_WINDOW_DAYS, a_share: Any = DEFAULT_A_SHARE,
                        b_share: Any = DEFAULT_B_SHARE, as_of: Any = None) -> SegmentationSummary:
    """Recompute every account's ABC segment and append one ``accounts_segmented`` event, in one transaction.

    ``a_share`` / ``b_share`` are percentages (0 < A < B <= 100); ``as_of`` a date (default today) that
    ends the window of ``window_days`` days. ``by_user`` None acts as the system. Bad parameters raise
    `BadInput` and change nothing; read-only users (auditors) are refused.
    """
    from salesflow.records import eventlog
    from salesflow.records.services import actorship, refuse_read_only

    days = parse_window_days(window_days)
    a = parse_share(a_share, "a_share")
    b = parse_share(b_share, "b_share")
    if a >= b:
        raise BadInput(f"the A share ({a:f} %) must be below the B share ({b:f} %)")
    window = Window(parse_as_of(as_of), days)
    if by_user is not None:
        refuse_read_only(by_user)
    at = timezone.now()
    summary = SegmentationSummary(window=window, a_share=a, b_share=b, segmented_at=at,
                                  counts={segment: 0 for segment in Account.SEGMENTS},
                                  revenue={segment: ZERO for segment in Account.SEGMENTS})
    with transaction.atomic():
        # One UPDATE stores every account's revenue (and locks the rows); the classes are computed
        # from the stored revenue, so what is stored and what is classified cannot differ.
        factors = currency_orm.factors_on(window.as_of)
        Account.objects.update(segment_revenue=revenue_subquery(window, factors), segmented_at=at,
                               segment_window_days=days)
        rows = list(Account.objects.order_by("id").values_list("pk", "name", "segment", "segment_revenue"))
        segments = classify((Revenue(pk, name, revenue) for pk, name, _, revenue in rows), a, b)
        moved: dict[str, list[int]] = {segment: [] for segment in Account.SEGMENTS}
        for pk, _, old_segment, revenue in rows:
            segment = segments[pk]
            summary.counts[segment] += 1
            summary.revenue[segment] += revenue
            if old_segment != segment:
                moved[segment].append(pk)
        for segment, ids in moved.items():
            for chunk in _chunks(ids):
                Account.objects.filter(pk__in=chunk).update(segment=segment)
        summary.changed = sum(len(ids) for ids in moved.values())
        payload = {"counts": summary.counts, "window": window.to_data(),
                   "thresholds": {"a": f"{a:f}", "b": f"{b:f}"}, "total_revenue": f"{summary.total_revenue:f}",
                   "changed": summary.changed, "currency": currency_orm.corporate(),
                   "rates": currency_orm.factors_data(factors)}
        missing = currency_orm.unconverted(won_opportunities().filter(
            closed_at__gte=window.start, closed_at__lt=window.end), factors)
        if missing:
            payload["unconverted"] = [{"currency": item["currency"], "count": item["count"],
                                       "total": f"{item['total']:f}"} for item in missing]
        events = eventlog.append([EventDraft(kind="accounts_segmented", payload=payload)], actor=actorship(by_user),
                                 at=at)
        summary.event_seq = events[0].seq
    return summary
