"""What account pages and the account API show: accounts with figures of the records a user may see.

Accounts themselves are internal data: every member of sales staff sees every account and its
contacts. Everything computed from records — won revenue, open pipeline, record counts, the customer
status (new / existing), account plans, the account timeline — counts only the records the user may
see (`salesflow.people.access.visible_records`): nothing of a hidden record shows, not even in a sum.
The stored ABC segment is computed company-wide from every won opportunity, so it is shown
(``visible_segment``) only to a user who sees every won opportunity of the account; to others it is
withheld (``segment_withheld``), exactly like an account not segmented yet in filters and sorting.

Recomputing the segmentation is for the Head of Sales and Sales Ops (`may_segment`); the service
(`salesflow.accounts.segmentation.do_segment_accounts`) does the work in one transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from salesflow.accounts.models import OPPORTUNITY_RECORD_TYPE, WON, Account, normalise_name
from salesflow.accounts.segmentation import DEFAULT_WINDOW_DAYS, Window
from salesflow.currency import orm as currency_orm
from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_
from salesflow.people import access

#: The library right (library settings) to recompute the ABC segmentation (read-only roles never may).
SEGMENTATION_RIGHT = "segmentation"
#: The record type of account plans (the account-management process).
ACCOUNT_PLAN_RECORD_TYPE = "account_plan"
#: Record types in the order of the sales chain (groups on the account page follow it).
CHAIN_ORDER = ("lead", "opportunity", "rfp", "contract", "order", ACCOUNT_PLAN_RECORD_TYPE)
#: Segment filter values: a segment, or ``none`` for accounts not segmented yet.
SEGMENT_FILTERS = ("A", "B", "C", "none")
CUSTOMER_FILTERS = ("new", "existing")
#: Sort keys of the account list → ordering (every one ends with the id: pages are stable).
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"), "-name": ("-name", "-id"),
    "segment": ("segment_order", "-won_revenue", "name", "id"), "-segment": ("-segment_order", "name", "id"),
    "won": ("won_revenue", "name", "id"), "-won": ("-won_revenue", "name", "id"),
    "pipeline": ("open_pipeline", "name", "id"), "-pipeline": ("-open_pipeline", "name", "id"),
    "records": ("record_count", "name", "id"), "-records": ("-record_count", "name", "id"),
}
DEFAULT_SORT = "name"
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=17, decimal_places=2)


def may_segment(user: Any) -> bool:
    """True when ``user`` may recompute the ABC segmentation: a role granted the right, not read-only."""
    return (access.is_staff_member(user) and not access.is_read_only(user)
            and access.has_right(user, SEGMENTATION_RIGHT))


def revenue_window(today: datetime.date | None = None) -> Window:
    """The window "won revenue" is shown for: as long as the latest segmentation's, ending today."""
    latest = (Account.objects.filter(segmented_at__isnull=False, segment_window_days__isnull=False)
              .order_by("-segmented_at").values_list("segment_window_days", flat=True).first())
    return Window(today or timezone.localdate(), latest or DEFAULT_WINDOW_DAYS)


# --- filters -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccountFilter:
    """Filters and sort of the account list."""

    segment: str = ""
    q: str = ""
    customer: str = ""
    sort: str = DEFAULT_SORT


def filter_from_params(params: Any) -> AccountFilter:
    """An `AccountFilter` from query parameters (``segment``, ``q``, ``customer``, ``sort``); `BadInput` names
    the parameter that is wrong."""
    segment = str(params.get("segment") or "").strip()
    if segment and segment.upper() in ("A", "B", "C"):
        segment = segment.upper()
    if segment and segment not in SEGMENT_FILTERS:
        raise BadInput(N_("segment: one of A, B, C or none expected, got %(value)s", value=repr(segment[:40])))
    customer = str(params.get("customer") or "").strip()
    if customer and customer not in CUSTOMER_FILTERS:
        raise BadInput(N_("customer: new or existing expected, got %(value)s", value=repr(customer[:40])))
    sort = str(params.get("sort") or DEFAULT_SORT).strip()
    if sort not in SORTS:
        raise BadInput(N_("sort: one of %(allowed)s expected, got %(value)s", allowed=", ".join(SORTS),
                          value=repr(sort[:40])))
    q = str(params.get("q") or "").strip()[:300]
    if "\x00" in q:
        raise BadInput(N_("q: must not contain NUL characters"))
    return AccountFilter(segment=segment, q=q, customer=customer, sort=sort)


# --- figures of visible records ------------------------------------------------------------------

def visible_records(user: Any) -> QuerySet:
    """The records ``user`` may see (none for users who are not sales staff)."""
    from salesflow.records.models import Record

    if not access.is_staff_member(user):
        return Record.objects.none()
    return access.visible_records(user, Record.objects.all())


def _per_account_sum(records: QuerySet, factors: dict[str, Decimal]) -> Coalesce:
    """Per account: the amounts of ``records`` in the corporate currency at ``factors`` (today's rates)."""
    rows = (records.filter(customer=OuterRef("pk")).order_by().values("customer")
            .annotate(total=Sum(currency_orm.in_corporate(factors))).values("total"))
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _per_account_count(records: QuerySet) -> Coalesce:
    rows = (records.filter(customer=OuterRef("pk")).order_by().values("customer")
            .annotate(total=Count("pk")).values("total"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0), output_field=IntegerField())


def won_in(records: QuerySet, start: datetime.datetime | None, end: datetime.datetime | None) -> QuerySet:
    """Won opportunities of ``records`` closed in ``[start, end)`` (an open end when None)."""
    query = records.filter(outcome=WON, process__record_type=OPPORTUNITY_RECORD_TYPE)
    if start is not None:
        query = query.filter(closed_at__gte=start)
    if end is not None:
        query = query.filter(closed_at__lt=end)
    return query


def hidden_won(user: Any) -> QuerySet:
    """Won opportunities ``user`` may not see (they shaped the company-wide segment)."""
    from salesflow.records.models import Record

    return won_in(Record.objects.all(), None, None).exclude(pk__in=visible_records(user).values("pk"))


def visible_segment_revenue(user: Any, window: Window) -> dict[str, Decimal]:
    """Won revenue in ``window`` of the records ``user`` may see, by the accounts' stored segment."""
    rows = (won_in(visible_records(user), window.start, window.end).filter(customer__isnull=False)
            .values("customer__segment").annotate(total=Sum("amount")))
    revenue = {segment: ZERO for segment in Account.SEGMENTS}
    for row in rows:
        if row["customer__segment"] in revenue:
            revenue[row["customer__segment"]] += row["total"] or ZERO
    return revenue


def open_opportunities(records: QuerySet) -> QuerySet:
    """Open opportunities of ``records``."""
    return records.filter(outcome="", process__record_type=OPPORTUNITY_RECORD_TYPE)


def accounts_for(user: Any, flt: AccountFilter | None = None, window: Window | None = None) -> QuerySet:
    """Every account (none for users who are not sales staff), filtered and sorted, annotated with
    ``existing_customer``, and — of the records ``user`` may see only — ``won_revenue`` (won opportunities
    closed in ``window``), ``open_pipeline`` (amounts of open opportunities) and ``record_count``."""
    flt = flt or AccountFilter()
    if not access.is_staff_member(user):
        return Account.objects.none()
    window = window or revenue_window()
    records = visible_records(user)
    factors = currency_orm.factors_on()
    query = Account.objects.annotate(
        existing_customer=Exists(won_in(records, None, timezone.now()).filter(customer=OuterRef("pk"))),
        segment_withheld=Exists(hidden_won(user).filter(customer=OuterRef("pk"))),
        won_revenue=_per_account_sum(won_in(records, window.start, window.end), factors),
        open_pipeline=_per_account_sum(open_opportunities(records), factors),
        record_count=_per_account_count(records),
    ).annotate(
        visible_segment=Case(When(segment_withheld=True, then=Value("")), default=F("segment"),
                             output_field=CharField()),
    ).annotate(segment_order=Case(When(visible_segment="", then=Value("Z")), default=F("visible_segment"),
                                  output_field=CharField()))
    if flt.segment:
        query = query.filter(visible_segment="" if flt.segment == "none" else flt.segment)
    if flt.customer:
        query = query.filter(existing_customer=flt.customer == "existing")
    if flt.q:
        match = Q(name__icontains=flt.q) | Q(domain__icontains=flt.q)
        normalised = normalise_name(flt.q)
        if normalised:
            match |= Q(normalised_name__contains=normalised)
        query = query.filter(match)
    return query.order_by(*SORTS[flt.sort])


def account_for(user: Any, account_id: Any, window: Window | None = None) -> Account | None:
    """One account with the figures of `accounts_for` (None when it does not exist)."""
    try:
        pk = int(account_id)
    except (TypeError, ValueError):
        return None
    return accounts_for(user, window=window).filter(pk=pk).first()


def account_records(account: Account, user: Any) -> QuerySet:
    """The account's records ``user`` may see, newest first (process and owner joined)."""
    return (visible_records(user).filter(customer=account).select_related("process", "owner", "process_version")
            .defer("process_version__source").order_by("-created_at", "-pk"))


def chain_rank(record_type: str) -> int:
    """Where a record type stands in the sales chain (unknown types last)."""
    return CHAIN_ORDER.index(record_type) if record_type in CHAIN_ORDER else len(CHAIN_ORDER)


def won_revenue_between(account: Account, user: Any, first_day: datetime.date | None,
                        last_day: datetime.date | None) -> Decimal:
    """Won opportunity revenue of the account's visible records closed from ``first_day`` to ``last_day``
    (both included; an open end when None)."""
    def start_of(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    start = start_of(first_day) if first_day else None
    end = start_of(last_day + datetime.timedelta(days=1)) if last_day else None
    total = won_in(visible_records(user).filter(customer=account), start, end).aggregate(
        total=Sum(currency_orm.in_corporate(currency_orm.factors_on())))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def account_events(account: Account, user: Any) -> QuerySet:
    """The events of every record of the account ``user`` may see, newest first."""
    from salesflow.records.models import Event

    ids = visible_records(user).filter(customer=account).values("pk")
    return Event.objects.filter(record_id__in=ids).order_by("-seq")
