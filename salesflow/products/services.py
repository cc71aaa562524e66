"""Domain actions of the product catalogue: each writes its change and its event in one transaction.

- `do_import`: products, list prices and price-list prices from a CSV or xlsx file — all rows or none;
  event ``products_imported``;
- `do_save_product`: one product added or changed (the web form) — event ``product_saved``;
- `price_for`: the price of a product in a currency on a day (a price list valid that day wins over the
  list price).

Who keeps the catalogue is the library right ``manage_products`` (`salesflow.process.library_settings`);
every member of the staff reads it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.people import access
from salesflow.products.models import PriceList, Product
from salesflow.records import eventlog
from salesflow.records.services import NotFound, actorship, refuse_read_only

RIGHT = "manage_products"
SKU_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_.\-/]{0,39}$")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
MAX_PRICE = Decimal("1000000000")
REQUIRED_COLUMNS = ("sku", "name", "unit", "price", "currency")
OPTIONAL_COLUMNS = ("name_de", "price_list", "valid_from", "valid_until", "active")
MAX_ROWS = 100_000


def may_manage(user: Any) -> bool:
    """True if ``user`` may keep the catalogue (the library right ``manage_products``, not read-only)."""
    return access.has_right(user, RIGHT) and not access.is_read_only(user)


def may_view(user: Any) -> bool:
    """Every member of the sales staff reads the catalogue."""
    return access.is_staff_member(user)


def refuse_unless_manager(user: Any) -> None:
    """Raise `NotPermitted` unless ``user`` may keep the catalogue (naming the roles that may)."""
    refuse_read_only(user)
    if not may_manage(user):
        roles = ", ".join(sorted(access.roles_with_right(RIGHT))) or "none is granted manage_products"
        raise NotPermitted(f"keeping the product catalogue needs one of the roles: {roles}")


# --- parsing -----------------------------------------------------------------------------------------

def clean_sku(value: Any) -> str:
    """A SKU in upper case; raises BadInput naming the bad value."""
    sku = str(value if value is not None else "").strip().upper()
    if not SKU_PATTERN.match(sku):
        raise BadInput(f"sku: expected 1-40 letters, digits, '-', '_', '.' or '/', got {str(value)[:50]!r}")
    return sku


def clean_price(value: Any, name: str = "price") -> Decimal:
    """A price: a decimal number, not negative, at most 4 decimals; raises BadInput naming the bad value."""
    text = str(value if value is not None else "").strip().replace(" ", "")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise BadInput(f"{name}: expected a number such as 1200.00, got {text[:40]!r}") from None
    if not price.is_finite() or price < 0:
        raise BadInput(f"{name}: expected a price of 0 or more, got {text[:40]!r}")
    if price >= MAX_PRICE or price.as_tuple().exponent < -4:  # type: ignore[operator]
        raise BadInput(f"{name}: expected a price below 1,000,000,000 with at most 4 decimals, got {text[:40]!r}")
    return price


def clean_currency(value: Any) -> str:
    """An ISO 4217 currency code; raises BadInput."""
    text = str(value if value is not None else "").strip().upper()
    if not CURRENCY_PATTERN.match(text):
        raise BadInput(f"currency: expected a three-letter code such as EUR, got {str(value)[:20]!r}")
    return text


def _clean_name(value: Any, name: str, required: bool = True) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if (required and not text) or len(text) > 200:
        raise BadInput(f"{name}: expected 1-200 characters, got {text[:60]!r}")
    return text


def _clean_unit(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 16:
        raise BadInput(f"unit: expected 1-16 characters, got {text[:30]!r}")
    return text


def _clean_date(value: Any, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(f"{name}: expected a date YYYY-MM-DD, got {str(value)[:30]!r}") from None


@dataclass
class ImportRow:
    """One checked row of an import file."""

    line: int
    sku: str
    name_en: str
    name_de: str
    unit: str
    price: Decimal
    currency: str
    price_list: str = ""
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    active: bool = True


@dataclass
class ImportSummary:
    """What an import did."""

    file: str
    rows: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    price_lists: list[str] = field(default_factory=list)
    event_seq: int | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"file": self.file, "rows": self.rows, "added": self.added, "updated": self.updated,
                "price_lists": self.price_lists, "event_seq": self.event_seq}


def read_import(path: str | Path) -> list[ImportRow]:
    """Every row of a product file, checked; raises BadInput naming each bad row by line, column and value."""
    from salesflow.interop.tabular import SheetError, cell, open_sheet

    name = Path(path).name
    try:
        sheet = open_sheet(path)
    except SheetError as error:
        raise BadInput(f"{name}: {error.message}") from None
    missing = [column for column in REQUIRED_COLUMNS if not sheet.has(column)]
    if missing:
        raise BadInput(f"{name}: missing column(s) {', '.join(missing)} (needed: {', '.join(REQUIRED_COLUMNS)}; "
                       f"optional: {', '.join(OPTIONAL_COLUMNS)})")
    positions = {column: sheet.index(column) for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    rows: list[ImportRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    try:
        for line, cells in sheet.rows:
            values = {column: cell(cells, position) for column, position in positions.items()}
            if all(value in (None, "") for value in values.values()):
                continue
            try:
                row = _row(line, values)
            except BadInput as error:
                problems.append(f"{name}: line {line}: {error.message}")
                continue
            key = (row.sku, row.currency, row.price_list)
            if key in seen:
                problems.append(f"{name}: line {line}: sku {row.sku} in {row.currency}"
                                f"{' (price list ' + row.price_list + ')' if row.price_list else ''} "
                                f"is already on line {seen[key]}")
                continue
            seen[key] = line
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise BadInput(f"{name}: more than {MAX_ROWS:,} rows")
    except SheetError as error:
        raise BadInput(f"{name}: {'line ' + str(error.row) + ': ' if error.row else ''}{error.message}") from None
    if problems:
        shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise BadInput(f"{len(problems)} bad row(s), nothing was imported:\n" + "\n".join(shown))
    if not rows:
        raise BadInput(f"{name}: no product rows")
    return rows


def _row(line: int, values: dict[str, Any]) -> ImportRow:
    active_text = str(values.get("active") if values.get("active") is not None else "").strip().lower()
    if active_text not in ("", "yes", "no", "true", "false", "1", "0"):
        raise BadInput(f"active: expected yes or no, got {active_text[:20]!r}")
    price_list = str(values.get("price_list") or "").strip().upper()
    if price_list and not SKU_PATTERN.match(price_list):
        raise BadInput(f"price_list: expected 1-40 letters, digits, '-', '_' or '.', got {price_list[:50]!r}")
    valid_from = _clean_date(values.get("valid_from"), "valid_from")
    valid_until = _clean_date(values.get("valid_until"), "valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        raise BadInput(f"valid_until: {valid_until.isoformat()} is before valid_from {valid_from.isoformat()}")
    if (valid_from or valid_until) and not price_list:
        raise BadInput("valid_from/valid_until: a validity belongs to a price list (column price_list)")
    return ImportRow(line=line, sku=clean_sku(values.get("sku")), name_en=_clean_name(values.get("name"), "name"),
                     name_de=_clean_name(values.get("name_de"), "name_de", required=False),
                     unit=_clean_unit(values.get("unit")), price=clean_price(values.get("price")),
                     currency=clean_currency(values.get("currency")), price_list=price_list,
                     valid_from=valid_from, valid_until=valid_until,
                     active=active_text not in ("no", "false", "0"))


def do_import(user: Any, path: str | Path, at: datetime.datetime | None = None) -> ImportSummary:
    """Import a product file (columns sku, name, unit, price, currency; optional name_de, price_list,
    valid_from, valid_until, active): all rows or none. A row with a price list sets that list's price."""
    at = at or timezone.now()
    refuse_unless_manager(user)
    return import_rows(user, read_import(path), Path(path).name, at)


def import_rows(user: Any, rows: list[ImportRow], file_name: str, at: datetime.datetime) -> ImportSummary:
    """Write checked import rows (all or none) and their ``products_imported`` event (the caller checked the right)."""
    summary = ImportSummary(file=file_name, rows=len(rows))
    with transaction.atomic():
        products = {product.sku: product for product in
                    Product.objects.select_for_update().filter(sku__in={row.sku for row in rows})}
        lists: dict[str, PriceList] = {}
        for row in rows:
            product = products.get(row.sku)
            if product is None:
                product = Product(sku=row.sku, name={}, unit=row.unit, prices={}, created_at=at, updated_at=at)
                products[row.sku] = product
                summary.added.append(row.sku)
            elif row.sku not in summary.added and row.sku not in summary.updated:
                summary.updated.append(row.sku)
            product.name = {"en": row.name_en, "de": row.name_de or product.name.get("de") or row.name_en}
            product.unit = row.unit
            product.active = row.active
            product.updated_at = at
            if row.price_list:
                price_list = lists.get(row.price_list) or _price_list(row, at)
                if price_list.currency != row.currency:
                    raise BadInput(f"{summary.file}: line {row.line}: price list {row.price_list} is in "
                                   f"{price_list.currency}, the row says {row.currency}; nothing was imported")
                price_list.prices[row.sku] = f"{row.price:f}"
                lists[row.price_list] = price_list
            else:
                product.prices = {**product.prices, row.currency: f"{row.price:f}"}
        for product in products.values():
            product.save()
        for price_list in lists.values():
            price_list.save()
        summary.price_lists = sorted(lists)
        event = eventlog.append([EventDraft(kind="products_imported", payload={
            "file": summary.file, "rows": len(rows), "added": summary.added, "updated": summary.updated,
            "price_lists": summary.price_lists,
            "prices": [{"sku": row.sku, "currency": row.currency, "price": f"{row.price:f}",
                        "price_list": row.price_list} for row in rows][:2000]})], actor=actorship(user), at=at)[0]
        summary.event_seq = event.seq
        Product.objects.filter(sku__in=[*summary.added, *summary.updated]).update(event_seq=event.seq)
        PriceList.objects.filter(code__in=summary.price_lists).update(event_seq=event.seq)
    return summary


def _price_list(row: ImportRow, at: datetime.datetime) -> PriceList:
    """The price list a row names (created when new); a validity on the row replaces the list's."""
    price_list = PriceList.objects.select_for_update().filter(code=row.price_list).first()
    if price_list is None:
        price_list = PriceList(code=row.price_list, currency=row.currency, prices={}, created_at=at)
    if row.valid_from or row.valid_until:
        price_list.valid_from, price_list.valid_until = row.valid_from, row.valid_until
    return price_list


def do_save_product(user: Any, sku: Any, name_en: Any, name_de: Any = "", unit: Any = "pcs",
                    prices: dict[str, Any] | None = None, active: bool = True,
                    at: datetime.datetime | None = None) -> Product:
    """Add a product or change one (names, unit, list prices by currency, active) — event ``product_saved``."""
    at = at or timezone.now()
    refuse_unless_manager(user)
    sku = clean_sku(sku)
    names = {"en": _clean_name(name_en, "name"), "de": _clean_name(name_de, "name_de", required=False)}
    names["de"] = names["de"] or names["en"]
    unit = _clean_unit(unit)
    cleaned = {clean_currency(currency): f"{clean_price(price, f'price {currency}'):f}"
               for currency, price in (prices or {}).items() if str(price if price is not None else "").strip()}
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(sku=sku).first()
        added = product is None
        if product is None:
            product = Product(sku=sku, created_at=at)
        product.name, product.unit, product.prices, product.active, product.updated_at = \
            names, unit, cleaned, bool(active), at
        product.save()
        event = eventlog.append([EventDraft(kind="product_saved", payload={
            "sku": sku, "added": added, "name": names, "unit": unit, "prices": cleaned, "active": bool(active)})],
            actor=actorship(user), at=at)[0]
        product.event_seq = event.seq
        product.save(update_fields=["event_seq"])
    return product


# --- reading -------------------------------------------------------------------------------------------

def get_product(sku: Any) -> Product:
    """A product by SKU. Raises `NotFound` naming a few known SKUs."""
    text = str(sku or "").strip().upper()[:50]
    product = Product.objects.filter(sku=text).first()
    if product is None:
        known = ", ".join(Product.objects.values_list("sku", flat=True)[:15]) or "the catalogue is empty"
        raise NotFound(f"unknown product {text!r} (products: {known})")
    return product


def price_for(product: Product, currency: str, day: datetime.date) -> tuple[Decimal, str] | None:
    """The price of ``product`` in ``currency`` on ``day`` and where it comes from (a price list's code or
    ``list``); a price list valid that day wins over the list price. None: no price in that currency."""
    for price_list in PriceList.objects.filter(currency=currency).order_by("-valid_from", "code"):
        if product.sku not in price_list.prices:
            continue
        if (price_list.valid_from and day < price_list.valid_from) or \
                (price_list.valid_until and day > price_list.valid_until):
            continue
        return Decimal(price_list.prices[product.sku]), price_list.code
    if currency in product.prices:
        return Decimal(product.prices[currency]), "list"
    return None


def product_data(product: Product, language: str = "en") -> dict[str, Any]:
    """JSON-ready data of a product."""
    return {"sku": product.sku, "name": product.name_in(language), "names": product.name, "unit": product.unit,
            "prices": product.prices, "active": product.active, "event_seq": product.event_seq}


def catalogue(language: str = "en", include_inactive: bool = True) -> list[dict[str, Any]]:
    """Every product (JSON-ready), by SKU."""
    query = Product.objects.all() if include_inactive else Product.objects.filter(active=True)
    return [product_data(product, language) for product in query]


def price_lists() -> list[dict[str, Any]]:
    """Every price list (JSON-ready)."""
    return [{"code": item.code, "currency": item.currency,
             "valid_from": item.valid_from.isoformat() if item.valid_from else None,
             "valid_until": item.valid_until.isoformat() if item.valid_until else None,
             "prices": item.prices} for item in PriceList.objects.all()]


EXPORT_COLUMNS = ("sku", "name", "name_de", "unit", "price", "currency", "price_list", "valid_from", "valid_until",
                  "active")


def export_rows() -> list[list[Any]]:
    """The catalogue as import rows: one per list price, one per price-list price (re-importable)."""
    rows: list[list[Any]] = []
    products = {product.sku: product for product in Product.objects.all()}
    for product in products.values():
        for currency, price in sorted(product.prices.items()):
            rows.append([product.sku, product.name.get("en", ""), product.name.get("de", ""), product.unit, price,
                         currency, "", "", "", "yes" if product.active else "no"])
    for price_list in PriceList.objects.all():
        for sku, price in sorted(price_list.prices.items()):
            product = products.get(sku)
            if product is None:
                continue
            rows.append([sku, product.name.get("en", ""), product.name.get("de", ""), product.unit, price,
                         price_list.currency, price_list.code,
                         price_list.valid_from.isoformat() if price_list.valid_from else "",
                         price_list.valid_until.isoformat() if price_list.valid_until else "",
                         "yes" if product.active else "no"])
    return rows


def export(path: str | Path, fmt: str | None = None) -> int:
    """Write the catalogue to a CSV or xlsx file (the import's columns); returns the number of rows."""
    from salesflow.interop.tables import Column, format_for, write_table

    chosen = format_for(path, fmt)
    if chosen not in ("csv", "xlsx"):
        raise BadInput(f"format: expected csv or xlsx, got {chosen!r}")
    return write_table(path, chosen, [Column(name) for name in EXPORT_COLUMNS], export_rows())
