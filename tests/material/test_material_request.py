"""The material-request process: it loads with the library, and distributing issues the stock (the YAML's effect)."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.engine.errors import Conflict
from salesflow.material.models import StockLevel, StockMovement
from salesflow.records import services
from salesflow.records.models import Event, Notification


def _level(code: str, location: str) -> int:
    return StockLevel.objects.get(item__code=code, location=location).quantity


def _printed_request(people: dict[str, Any], items: str, location: str = "Munich") -> int:
    record = services.do_create_record("material-request", people["kim"], {
        "title": "Brochures for the trade fair", "material_kind": "sales_kit", "items": items, "location": location,
        "purpose": "Trade fair stand"})
    services.do_complete_activity(record.pk, people["olga"], "check_request")
    services.do_decide(record.pk, people["olga"], "yes")
    services.do_move(record.pk, people["olga"], "approved")
    services.do_complete_activity(record.pk, people["mara"], "design")
    services.do_move(record.pk, people["mara"], "designed")
    services.do_complete_activity(record.pk, people["mara"], "order_printing")
    services.do_complete_activity(record.pk, people["mara"], "proof_approved")
    services.do_move(record.pk, people["mara"], "printed")
    services.do_complete_activity(record.pk, people["olga"], "receipt_booked")
    return record.pk


def test_process_list_shows_the_material_request_kind(cli, people) -> None:
    rows = cli("process", "list", "--json").json()
    assert "material_request" in {row["record"] for row in rows}


def test_distributing_lowers_the_stock_and_logs_each_item_on_the_record(stocked) -> None:
    record_id = _printed_request(stocked, "bro-product=120, CAP-LOGO: 5\nBRO-PRODUCT=10", "munich")
    services.do_move(record_id, stocked["olga"], "distributed")
    assert _level("BRO-PRODUCT", "Munich") == 70 and _level("CAP-LOGO", "Munich") == 25
    assert _level("BRO-PRODUCT", "Hamburg") == 80
    issued = Event.objects.filter(record_id=record_id, kind="stock_issued").order_by("seq")
    assert [(event.payload["item"], event.payload["quantity"], event.payload["balance"]) for event in issued] == [
        ("BRO-PRODUCT", -130, 70), ("CAP-LOGO", -5, 25)]
    assert StockMovement.objects.filter(record_id=record_id, kind="issued").count() == 2


def test_too_little_stock_refuses_the_move_and_changes_nothing(stocked) -> None:
    record_id = _printed_request(stocked, "BRO-PRODUCT=90, CAP-LOGO=5", "Hamburg")
    with pytest.raises(Conflict) as refused:
        services.do_move(record_id, stocked["olga"], "distributed")
    assert "BRO-PRODUCT: 80 in stock, 90 requested" in refused.value.message
    assert "CAP-LOGO: 0 in stock, 5 requested" in refused.value.message
    assert services.get_record(record_id).stage == "printed"
    assert _level("BRO-PRODUCT", "Hamburg") == 80
    assert not StockMovement.objects.filter(kind="issued").exists()


def test_unknown_location_or_item_is_refused_by_name(stocked) -> None:
    from salesflow.engine.errors import BadInput

    record_id = _printed_request(stocked, "BRO-PRODUCT=1", "Berlin")
    with pytest.raises(BadInput, match=r"unknown stock location 'Berlin' \(locations: Hamburg, Munich\)"):
        services.do_move(record_id, stocked["olga"], "distributed")
    services.do_set_fields(record_id, stocked["olga"], {"location": "Munich", "items": "FLYER-X=3"})
    with pytest.raises(BadInput, match="unknown material item.*FLYER-X"):
        services.do_move(record_id, stocked["olga"], "distributed")
    assert services.get_record(record_id).stage == "printed"


def test_falling_to_the_reorder_level_notifies_the_stock_keepers_once(stocked) -> None:
    first = _printed_request(stocked, "BRO-PRODUCT=100")
    services.do_move(first, stocked["olga"], "distributed")
    assert not Notification.objects.filter(kind="low_stock").exists()  # 100 left, level 50
    second = _printed_request(stocked, "BRO-PRODUCT=60")
    services.do_move(second, stocked["mara"], "distributed")  # 40 left: low
    notes = list(Notification.objects.filter(kind="low_stock"))
    assert [note.user.username for note in notes] == ["olga"]
    assert notes[0].message["en"].startswith("Low stock: Product brochure (BRO-PRODUCT) at Munich — 40 pcs left")
    assert notes[0].message["de"].startswith("Niedriger Bestand: Produktbroschüre (BRO-PRODUCT) in Munich")
    third = _printed_request(stocked, "BRO-PRODUCT=5")
    services.do_move(third, stocked["olga"], "distributed")  # already low: no second notice
    assert Notification.objects.filter(kind="low_stock").count() == 1
