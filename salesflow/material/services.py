"""Domain actions of the material catalogue: each writes its change and its event in one transaction.

- `do_add_item`: a catalogue item (code, names, kind, unit, reorder level) — event ``material_item_added``;
- `do_receive`: stock received at a location — ``stock_received``;
- `do_adjust`: stock corrected (by a difference or to a counted quantity) with its reason — ``stock_adjusted``;
- `issue_stock_effect`: the ``issue_stock`` effect of a stage (`salesflow.records.effects`): the record's items
  are issued from the stock of its location — one ``stock_issued`` event per item, on the record.

Stock never goes negative: a movement that would take it below zero is refused and nothing changes. A
movement that takes an item to (or below) its reorder level notifies the roles that keep the stock: the
roles in ``rights.manage_stock`` of the installed processes (the library says who, never this module).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.material.models import ItemKind, MaterialItem, MovementKind, StockLevel, StockMovement
from salesflow.people import access
from salesflow.process.model import ProcessDefinition, StockIssue
from salesflow.records import eventlog
from salesflow.records.services import NotFound, actorship, definition_of, refuse_read_only

#: Bounds of what the catalogue accepts.
MAX_QUANTITY = 10_000_000
MAX_REASON = 2_000
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,31}$")
LOCATION_PATTERN = re.compile(r"^[^\x00-\x1f,;=]{1,64}$")
KINDS = tuple(kind.value for kind in ItemKind)


# --- who keeps the stock ---------------------------------------------------------------------------

def stock_managers() -> set[str]:
    """The roles granted ``rights.manage_stock`` by the current version of any installed process."""
    from salesflow.records.models import Process

    roles: set[str] = set()
    for process in Process.objects.filter(retired_at__isnull=True):
        version = process.current_version()
        if version is not None:
            roles |= set(definition_of(version).rights.manage_stock)
    return roles


def may_manage(user: Any) -> bool:
    """True if ``user`` may add items, receive and adjust stock (holds a ``manage_stock`` role, not read-only)."""
    return (access.is_staff_member(user) and not access.is_read_only(user)
            and bool(user.role_ids() & stock_managers()))


def may_view(user: Any) -> bool:
    """Every member of the sales staff sees the catalogue and its stock."""
    return access.is_staff_member(user)


def _refuse_unless_manager(user: Any) -> None:
    refuse_read_only(user)
    if not may_manage(user):
        roles = ", ".join(sorted(stock_managers())) or "none is granted rights.manage_stock"
        raise NotPermitted(f"keeping the material stock needs one of the roles: {roles}")


# --- parsing -----------------------------------------------------------------------------------------

def clean_code(value: Any) -> str:
    """A catalogue code in upper case; raises BadInput naming the bad value."""
    code = str(value or "").strip().upper()
    if not CODE_PATTERN.match(code):
        raise BadInput(f"code: expected 1-32 letters, digits, '-', '_' or '.', got {str(value)[:40]!r}")
    return code


def clean_location(value: Any) -> str:
    """A stock location (1-64 characters, no commas, semicolons or '='); raises BadInput."""
    location = " ".join(str(value or "").split())
    if not LOCATION_PATTERN.match(location):
        raise BadInput(f"location: expected a name of 1-64 characters without , ; =, got {str(value)[:70]!r}")
    return location


def clean_quantity(value: Any, name: str = "quantity", allow_negative: bool = False, allow_zero: bool = False) -> int:
    """A whole quantity within bounds; raises BadInput naming the bad value."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise BadInput(f"{name}: expected a whole number, got {text[:40]!r}")
    number = int(text)
    if number < 0 and not allow_negative:
        raise BadInput(f"{name}: must not be negative, got {number}")
    if number == 0 and not allow_zero:
        raise BadInput(f"{name}: must not be zero")
    if abs(number) > MAX_QUANTITY:
        raise BadInput(f"{name}: at most {MAX_QUANTITY:,}, got {number}")
    return number


def parse_items(text: Any, field: str = "items") -> list[tuple[str, int]]:
    """``"BRO-PRODUCT=200, CAP-LOGO=50"`` → ``[("BRO-PRODUCT", 200), ("CAP-LOGO", 50)]``.

    Items are separated by commas, semicolons or lines; code and quantity by ``=`` or ``:``. The same code
    twice is added up. Raises BadInput naming the item that does not fit.
    """
    totals: dict[str, int] = {}
    for part in re.split(r"[,;\n]", str(text or "")):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(.+?)\s*[=:]\s*(.+)", part)
        if match is None:
            raise BadInput(f"{field}: expected CODE=QUANTITY, got {part[:60]!r}")
        code, quantity = match.groups()
        try:
            code = clean_code(code)
            number = clean_quantity(quantity)
        except BadInput as error:
            raise BadInput(f"{field}: {part[:60]!r}: {error.message}") from None
        totals[code] = totals.get(code, 0) + number
    if not totals:
        raise BadInput(f"{field}: no item given (expected CODE=QUANTITY, …)")
    return list(totals.items())


def get_item(code: Any) -> MaterialItem:
    """A catalogue item by code. Raises `NotFound` naming the known codes."""
    text = str(code or "").strip().upper()[:40]
    item = MaterialItem.objects.filter(code=text).first()
    if item is None:
        known = ", ".join(MaterialItem.objects.order_by("code").values_list("code", flat=True)[:30]) or "the catalogue is empty"
        raise NotFound(f"unknown material item {text!r} (items: {known})")
    return item


# --- catalogue -----------------------------------------------------------------------------------------

def do_add_item(user: Any, code: Any, name_en: str, name_de: str = "", kind: str = "", unit: str = "pcs",
                reorder_level: Any = 0, at: datetime.datetime | None = None) -> MaterialItem:
    """Add an item to the catalogue (refused: a code already used, a bad kind, unit or reorder level)."""
    at = at or timezone.now()
    _refuse_unless_manager(user)
    code = clean_code(code)
    name_en = " ".join(str(name_en or "").split())
    name_de = " ".join(str(name_de or "").split())
    if not name_en or len(name_en) > 200 or len(name_de) > 200:
        raise BadInput(f"name: expected 1-200 characters, got {name_en[:60]!r}")
    if kind not in KINDS:
        raise BadInput(f"kind: expected one of {', '.join(KINDS)}, got {str(kind)[:40]!r}")
    unit = str(unit or "").strip()
    if not unit or len(unit) > 16:
        raise BadInput(f"unit: expected 1-16 characters, got {unit[:40]!r}")
    level = clean_quantity(reorder_level, "reorder level", allow_zero=True)
    with transaction.atomic():
        if MaterialItem.objects.filter(code=code).exists():
            raise Conflict(f"code: item {code} is already in the catalogue")
        item = MaterialItem.objects.create(code=code, name={"en": name_en, "de": name_de or name_en}, kind=kind,
                                           unit=unit, reorder_level=level, created_at=at)
        event = eventlog.append([EventDraft(kind="material_item_added", payload={
            "item": code, "name": item.name, "kind": kind, "unit": unit, "reorder_level": level})],
            actor=actorship(user), at=at)[0]
        item.event_seq = event.seq
        item.save(update_fields=["event_seq"])
    return item


# --- movements -----------------------------------------------------------------------------------------

@dataclass
class Movement:
    """A movement about to be written: what, where, how much, why."""

    item: MaterialItem
    location: str
    quantity: int
    kind: str
    reason: str = ""


def _write(movement: Movement, user: Any | None, at: datetime.datetime, record: Any | None = None) -> StockMovement:
    """Change one stock level (locked), refuse a negative result, store the movement and its event, warn when low."""
    level = StockLevel.objects.select_for_update().filter(item=movement.item, location=movement.location).first()
    before = level.quantity if level else 0
    after = before + movement.quantity
    if after < 0:
        raise Conflict(f"{movement.item.code} at {movement.location}: only {before} {movement.item.unit} in stock, "
                       f"cannot take {-movement.quantity} (stock never goes negative); nothing was changed")
    if level is None:
        level = StockLevel(item=movement.item, location=movement.location)
    level.quantity = after
    level.updated_at = at
    level.save()
    low = after <= movement.item.reorder_level < before
    stored = StockMovement.objects.create(
        item=movement.item, location=movement.location, kind=movement.kind, quantity=movement.quantity,
        balance=after, reason=movement.reason, record=record, actor=user,
        actor_name=user.display_name if user is not None else "system", at=at)
    payload = {"item": movement.item.code, "location": movement.location, "quantity": movement.quantity,
               "balance": after, "reason": movement.reason, "low_stock": low}
    extra: dict[str, Any] = {}
    if record is not None:
        payload["record"] = record.pk
        extra = {"record_id": record.pk, "process": record.process.key,
                 "process_version": record.process_version.version}
    event = eventlog.append([EventDraft(kind=f"stock_{movement.kind}", payload=payload)],
                            actor=actorship(user), at=at, **extra)[0]
    stored.event_seq = event.seq
    stored.save(update_fields=["event_seq"])
    if low:
        _notify_low(movement.item, movement.location, after, at, user)
    return stored


def _notify_low(item: MaterialItem, location: str, balance: int, at: datetime.datetime, user: Any | None) -> None:
    """Tell the roles that keep the stock that an item reached its reorder level at a location."""
    from salesflow.records.chain import notify

    notify(None, sorted(stock_managers()), "low_stock", {
        "en": f"Low stock: {item.name_in('en')} ({item.code}) at {location} — {balance} {item.unit} left "
              f"(reorder level {item.reorder_level})",
        "de": f"Niedriger Bestand: {item.name_in('de')} ({item.code}) in {location} — noch {balance} {item.unit} "
              f"(Meldebestand {item.reorder_level})",
    }, at, include_owner=False, exclude=None)


def do_receive(user: Any, code: Any, location: Any, quantity: Any, note: str = "",
               at: datetime.datetime | None = None) -> StockMovement:
    """Book material received at a location (a new location starts with it)."""
    at = at or timezone.now()
    _refuse_unless_manager(user)
    item = get_item(code)
    where = clean_location(location)
    number = clean_quantity(quantity)
    note = str(note or "").strip()
    if len(note) > MAX_REASON:
        raise BadInput(f"note: longer than {MAX_REASON} characters")
    with transaction.atomic():
        return _write(Movement(item, where, number, MovementKind.received.value, note), user, at)


def do_adjust(user: Any, code: Any, location: Any, reason: str, by: Any = None, to: Any = None,
              at: datetime.datetime | None = None) -> StockMovement:
    """Correct the stock at a location by a difference (``by``) or to a counted quantity (``to``), with a reason."""
    at = at or timezone.now()
    _refuse_unless_manager(user)
    item = get_item(code)
    where = clean_location(location)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise BadInput("reason: an adjustment needs its reason (e.g. stocktake, damaged, lost)")
    if len(reason) > MAX_REASON:
        raise BadInput(f"reason: longer than {MAX_REASON} characters")
    if (by is None) == (to is None):
        raise BadInput("adjust: give either the difference (by) or the counted quantity (to)")
    with transaction.atomic():
        if to is not None:
            counted = clean_quantity(to, "to", allow_zero=True)
            level = StockLevel.objects.select_for_update().filter(item=item, location=where).first()
            if level is None:
                raise NotFound(f"{item.code} has no stock at {where!r} (locations: {_locations_of(item)})")
            difference = counted - level.quantity
            if difference == 0:
                raise BadInput(f"to: {item.code} at {where} is already {counted} {item.unit}: nothing to adjust")
        else:
            difference = clean_quantity(by, "by", allow_negative=True)
        return _write(Movement(item, where, difference, MovementKind.adjusted.value, reason), user, at)


def _locations_of(item: MaterialItem) -> str:
    return ", ".join(item.stock.values_list("location", flat=True)) or "none"


# --- the stage effect ------------------------------------------------------------------------------

def issue_stock_effect(record: Any, definition: ProcessDefinition, declared: StockIssue, user: Any | None,
                       at: datetime.datetime) -> list[StockMovement]:
    """Issue the items a record names from the stock of its location (all or nothing), as the stage declares.

    Runs inside the transaction of the move: a refusal (unknown item or location, too little stock)
    undoes the move as well.
    """
    values = record.values or {}
    items = parse_items(values.get(declared.items), declared.items)
    raw_location = values.get(declared.location)
    if raw_location in (None, ""):
        raise BadInput(f"{declared.location}: the stock location is missing")
    location = clean_location(raw_location)
    known = {existing.casefold(): existing for existing in
             StockLevel.objects.values_list("location", flat=True).distinct()}
    if location.casefold() not in known:
        raise BadInput(f"{declared.location}: unknown stock location {location!r} "
                       f"(locations: {', '.join(sorted(known.values())) or 'none'})")
    location = known[location.casefold()]
    found = {item.code: item for item in MaterialItem.objects.filter(code__in=[code for code, _ in items])}
    missing = [code for code, _ in items if code not in found]
    if missing:
        raise BadInput(f"{declared.items}: unknown material item(s) {', '.join(missing)}")
    short = []
    for code, quantity in items:
        level = StockLevel.objects.select_for_update().filter(item=found[code], location=location).first()
        have = level.quantity if level else 0
        if have < quantity:
            short.append(f"{code}: {have} in stock, {quantity} requested")
    if short:
        raise Conflict(f"not enough stock at {location} ({'; '.join(short)}): stock never goes negative; "
                       "receive or adjust the stock first — nothing was changed")
    note = f"distributed with record #{record.pk}"
    return [_write(Movement(found[code], location, -quantity, MovementKind.issued.value, note), user, at, record)
            for code, quantity in items]


# --- reading -------------------------------------------------------------------------------------------

def locations() -> list[str]:
    """Every stock location, in alphabetical order."""
    return sorted(set(StockLevel.objects.values_list("location", flat=True)), key=str.casefold)


def catalogue(language: str = "en", kind: str | None = None) -> list[dict[str, Any]]:
    """Every item with its stock per location, total and whether it is low (JSON-ready)."""
    query = MaterialItem.objects.prefetch_related("stock")
    if kind:
        if kind not in KINDS:
            raise BadInput(f"kind: expected one of {', '.join(KINDS)}, got {str(kind)[:40]!r}")
        query = query.filter(kind=kind)
    rows = []
    for item in query:
        stock = {level.location: level.quantity for level in item.stock.all()}
        low = sorted(location for location, quantity in stock.items() if quantity <= item.reorder_level)
        rows.append({"code": item.code, "name": item.name_in(language), "names": item.name, "kind": item.kind,
                     "unit": item.unit, "reorder_level": item.reorder_level, "stock": stock,
                     "total": sum(stock.values()), "low_stock": low})
    return rows


def movement_data(movement: StockMovement) -> dict[str, Any]:
    """JSON-ready data of a movement."""
    return {"id": movement.pk, "item": movement.item.code, "location": movement.location, "kind": movement.kind,
            "quantity": movement.quantity, "balance": movement.balance, "reason": movement.reason,
            "record": movement.record_id, "actor": movement.actor_name, "at": movement.at.isoformat(),
            "event_seq": movement.event_seq,
            "low_stock": movement.balance <= movement.item.reorder_level}


def recent_movements(limit: int = 50) -> list[StockMovement]:
    """The newest movements (of records the reader may see: the caller filters)."""
    return list(StockMovement.objects.select_related("item")[:limit])
