"""``/api/accounts``: list and read accounts, recompute the ABC segmentation.

Accounts are internal data every member of sales staff may read. Figures and records of an account
come only from the records the caller may see (`salesflow.accounts.overview`): a hidden record is
never listed nor counted. Recomputing the segmentation is for the Head of Sales and Sales Ops
(403 for everyone else, auditors included).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from salesflow.accounts import overview
from salesflow.accounts import services as account_services
from salesflow.accounts.models import Account
from salesflow.accounts.segmentation import Window, do_segment_accounts
from salesflow.api.account_schemas import (
    AccountIn,
    AccountPatch,
    ContactDetailOut,
    ContactIn,
    ContactPatch,
    MergeIn,
    MergeOut,
)
from salesflow.api.errors import responses
from salesflow.api.records import single_query_values
from salesflow.api.schemas import (
    MAX_ID,
    AccountDetailOut,
    AccountPage,
    AccountQuery,
    SegmentationIn,
    SegmentationOut,
)
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.people import access
from salesflow.records.services import NotFound

router = Router(tags=["accounts"])

AccountId = Path(..., ge=1, le=MAX_ID, description="The account's id.")
#: Records listed with one account (the record list API pages through all of them).
RECORD_LIMIT = 500
CENT = Decimal("0.01")


def refuse_non_staff(user: Any) -> None:
    """Accounts are for sales staff (users holding a role)."""
    if not access.is_staff_member(user):
        raise NotPermitted("accounts are for sales staff: your user holds no role")


def money_text(value: Any) -> str:
    """An amount as decimal text with cents (``"1200.00"``)."""
    return f"{Decimal(value or 0).quantize(CENT):f}"


def share(value: float) -> Decimal:
    """A percentage as sent (``80.0`` → ``80``, ``33.5`` → ``33.5``)."""
    return Decimal(str(value)).normalize()


def account_data(account: Account) -> dict[str, Any]:
    """An account annotated by `overview.accounts_for` as the API shows it."""
    return {
        "id": account.pk, "name": account.name, "domain": account.domain, "segment": account.visible_segment or None,
        "segment_withheld": bool(account.segment_withheld),
        "segment_window_days": account.segment_window_days, "segmented_at": account.segmented_at,
        "existing_customer": bool(account.existing_customer), "won_revenue": money_text(account.won_revenue),
        "open_pipeline": money_text(account.open_pipeline), "records": account.record_count,
    }


def record_item(record: Any) -> dict[str, Any]:
    """A record of the account in brief."""
    return {"id": record.pk, "process": record.process.key, "kind": record.process.record_type,
            "title": record.title, "stage": record.stage, "outcome": record.outcome or None,
            "amount": money_text(record.amount) if record.amount is not None else None, "currency": record.currency,
            "owner": record.owner.username if record.owner else None, "close_date": record.close_date,
            "created_at": record.created_at}


@router.get("", response=responses({200: AccountPage}, 400, 403), summary="List accounts",
            operation_id="list_accounts")
def list_accounts(request: HttpRequest, query: Query[AccountQuery]) -> dict[str, Any]:
    """Every account with segment, customer status and the figures of the records you may see."""
    single_query_values(request)
    refuse_non_staff(request.auth)
    flt = overview.AccountFilter(segment=query.segment or "", q=(query.q or "").strip(),
                                 customer=query.customer or "", sort=query.sort)
    window = overview.revenue_window()
    found = overview.accounts_for(request.auth, flt, window)
    page = list(found[query.offset:query.offset + query.limit])
    return {"count": found.count(), "limit": query.limit, "offset": query.offset, "window": window.to_data(),
            "items": [account_data(account) for account in page]}


@router.post("/segmentation", response=responses({200: SegmentationOut}, 400, 403),
             summary="Recompute the ABC segmentation", operation_id="segment_accounts")
def segment_accounts(request: HttpRequest, payload: SegmentationIn) -> dict[str, Any]:
    """Recompute every account's ABC segment from won opportunity revenue (roles with the library right
    ``segmentation``; default library: Head of Sales, Sales Ops)."""
    if not overview.may_segment(request.auth):
        raise NotPermitted("recomputing the segmentation needs a role the library grants the right segmentation")
    if payload.as_of is not None:
        try:
            window = Window(payload.as_of, payload.window_days)
            window.start, window.end  # noqa: B018 - both ends must be representable dates
        except (OverflowError, ValueError):
            raise BadInput(f"as_of: the window of {payload.window_days} days up to {payload.as_of} leaves the "
                           "calendar") from None
    summary = do_segment_accounts(request.auth, payload.window_days, share(payload.a_share), share(payload.b_share),
                                  payload.as_of)
    data = summary.to_data()
    revenue = overview.visible_segment_revenue(request.auth, summary.window)
    data["revenue"] = {segment: f"{amount:f}" for segment, amount in revenue.items()}
    data["total_revenue"] = f"{sum(revenue.values(), overview.ZERO):f}"
    return data


@router.get("/{account_id}", response=responses({200: AccountDetailOut}, 400, 403, 404), summary="Read an account",
            operation_id="get_account")
def get_account(request: HttpRequest, account_id: int = AccountId) -> dict[str, Any]:
    """One account with its contacts and the records you may see (newest first)."""
    refuse_non_staff(request.auth)
    window = overview.revenue_window()
    account = overview.account_for(request.auth, account_id, window)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    records = list(overview.account_records(account, request.auth)[:RECORD_LIMIT])
    by_kind = Counter(overview.account_records(account, request.auth).values_list("process__record_type", flat=True))
    contacts = [{"id": contact.pk, "first_name": contact.first_name, "last_name": contact.last_name,
                 "email": contact.email, "phone": contact.phone, "title": contact.title}
                for contact in account.contacts.all()]
    return {**account_data(account), "window": window.to_data(), "contacts": contacts,
            "records_by_kind": dict(sorted(by_kind.items())), "record_items": [record_item(item) for item in records]}


# --- creating, editing, merging --------------------------------------------------------------------

def _detail(request: HttpRequest, account_id: int) -> dict[str, Any]:
    return get_account(request, account_id)


def _writing(call: Any) -> Any:
    """Run a service call: a contact or duplicate that does not exist is bad input, an account not found 404."""
    try:
        return call()
    except NotFound as missing:
        if missing.message.startswith("account "):
            raise
        raise BadInput(missing.message) from None


@router.post("", response=responses({201: AccountDetailOut}, 400, 403), summary="Create an account",
             operation_id="create_account")
def create_account(request: HttpRequest, payload: AccountIn) -> Status:
    """Create an account (event ``account_created``); sales staff, not read-only."""
    refuse_non_staff(request.auth)
    account = account_services.do_create_account(request.auth, payload.name, payload.domain,
                                                  allow_duplicate=payload.allow_duplicate, source="api")
    return Status(201, _detail(request, account.pk))


@router.patch("/{account_id}", response=responses({200: AccountDetailOut}, 400, 403, 404),
              summary="Change an account", operation_id="update_account")
def update_account(request: HttpRequest, payload: AccountPatch, account_id: int = AccountId) -> dict[str, Any]:
    """Change the name and/or domain (event ``account_changed``)."""
    refuse_non_staff(request.auth)
    values = payload.dict(exclude_none=True)
    account_services.do_update_account(request.auth, account_id, values)
    return _detail(request, account_id)


@router.post("/{account_id}/merge", response=responses({200: MergeOut}, 400, 403, 404),
             summary="Merge a duplicate into this account", operation_id="merge_accounts")
def merge_accounts(request: HttpRequest, payload: MergeIn, account_id: int = AccountId) -> dict[str, Any]:
    """Move the duplicate's records, contacts and activities here and delete it (events ``customer_changed`` on
    each record, ``accounts_merged``); needs the library right ``merge_accounts``."""
    refuse_non_staff(request.auth)
    result = _writing(lambda: account_services.do_merge_accounts(request.auth, account_id, payload.duplicate))
    return result.to_data(account_services.visible_record_ids(request.auth, result.records))


@router.post("/{account_id}/contacts", response=responses({201: ContactDetailOut}, 400, 403, 404),
             summary="Add a contact", operation_id="create_contact")
def create_contact(request: HttpRequest, payload: ContactIn, account_id: int = AccountId) -> Status:
    """Add a contact to the account (event ``contact_created``)."""
    refuse_non_staff(request.auth)
    contact = account_services.do_create_contact(request.auth, account_id, payload.dict())
    return Status(201, account_services.contact_data(contact))


@router.patch("/contacts/{contact_id}", response=responses({200: ContactDetailOut}, 400, 403, 404),
              summary="Change a contact", operation_id="update_contact")
def update_contact(request: HttpRequest, payload: ContactPatch,
                   contact_id: int = Path(..., ge=1, le=MAX_ID, description="The contact's id.")) -> dict[str, Any]:
    """Change a contact's fields or account (event ``contact_changed``)."""
    refuse_non_staff(request.auth)
    values = payload.dict(exclude_none=True)
    if "account" in values:
        values["account"] = values["account"] or ""
    try:
        contact = account_services.do_update_contact(request.auth, contact_id, values)
    except NotFound as missing:
        if missing.message.startswith("contact "):
            raise
        raise BadInput(missing.message) from None
    return account_services.contact_data(contact)
