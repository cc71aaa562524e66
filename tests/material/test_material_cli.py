"""``salesflow material …``: catalogue, stock, receipts and adjustments; bad input is named, exit non-zero."""

from __future__ import annotations

from salesflow.material.models import StockLevel, StockMovement
from salesflow.records.models import Event


def test_catalogue_add_list_receive_adjust(cli, people) -> None:
    added = cli("material", "catalogue", "add", "ban-rollup", "--name", "Roll-up banner", "--name-de", "Roll-up-Banner",
                "--kind", "promotion", "--reorder-level", "2", "--as", "olga", "--json")
    assert added.code == 0, added
    assert added.json()["code"] == "BAN-ROLLUP"
    assert cli("material", "receive", "BAN-ROLLUP", "--location", "Munich", "--quantity", "6", "--as", "olga").code == 0
    adjusted = cli("material", "adjust", "BAN-ROLLUP", "--location", "Munich", "--to", "4", "--reason", "stocktake",
                   "--as", "olga", "--json")
    assert adjusted.code == 0 and adjusted.json()["quantity"] == -2 and adjusted.json()["balance"] == 4
    rows = cli("material", "catalogue", "list", "--json").json()
    assert rows == [{"code": "BAN-ROLLUP", "name": "Roll-up banner", "names": {"en": "Roll-up banner",
                                                                               "de": "Roll-up-Banner"},
                     "kind": "promotion", "unit": "pcs", "reorder_level": 2, "stock": {"Munich": 4}, "total": 4,
                     "low_stock": []}]
    kinds = [event.kind for event in Event.objects.filter(kind__in=["material_item_added", "stock_received",
                                                                    "stock_adjusted"]).order_by("seq")]
    assert kinds == ["material_item_added", "stock_received", "stock_adjusted"]
    assert Event.objects.get(kind="stock_adjusted").payload["reason"] == "stocktake"
    low = cli("material", "adjust", "BAN-ROLLUP", "--location", "Munich", "--by", "-2", "--reason", "damaged",
              "--as", "olga")
    assert low.code == 0 and "(LOW)" in low.out
    assert [row["location"] for row in cli("material", "stock", "--low", "--json").json()] == ["Munich"]


def test_an_adjustment_needs_a_reason(cli, stocked) -> None:
    result = cli("material", "adjust", "CAP-LOGO", "--location", "Munich", "--by", "-3", "--reason", "  ",
                 "--as", "olga")
    assert result.code == 1
    assert "reason: an adjustment needs its reason" in result.err
    assert StockLevel.objects.get(item__code="CAP-LOGO").quantity == 30


def test_stock_never_goes_negative(cli, stocked) -> None:
    result = cli("material", "adjust", "CAP-LOGO", "--location", "Munich", "--by", "-31", "--reason", "lost",
                 "--as", "olga")
    assert result.code == 5
    assert "CAP-LOGO at Munich: only 30 pcs in stock, cannot take 31 (stock never goes negative)" in result.err
    assert StockLevel.objects.get(item__code="CAP-LOGO").quantity == 30
    assert not StockMovement.objects.filter(kind="adjusted").exists()


def test_bad_input_is_named_and_exits_non_zero(cli, stocked) -> None:
    cases = [
        (("material", "receive", "CAP-LOGO", "--location", "Munich", "--quantity", "ten", "--as", "olga"),
         "quantity: expected a whole number, got 'ten'"),
        (("material", "receive", "CAP-LOGO", "--location", "Munich", "--quantity", "-4", "--as", "olga"),
         "quantity: must not be negative, got -4"),
        (("material", "receive", "NOPE", "--location", "Munich", "--quantity", "4", "--as", "olga"),
         "unknown material item 'NOPE' (items: BRO-PRODUCT, CAP-LOGO)"),
        (("material", "receive", "CAP-LOGO", "--location", "Mu;nich", "--quantity", "4", "--as", "olga"),
         "location: expected a name of 1-64 characters without , ; =, got 'Mu;nich'"),
        (("material", "catalogue", "add", "CAP-LOGO", "--name", "Cap", "--kind", "representation", "--as", "olga"),
         "item CAP-LOGO is already in the catalogue"),
        (("material", "catalogue", "add", "MUG", "--name", "Mug", "--kind", "giveaway", "--as", "olga"),
         "kind: expected one of sales_kit, promotion, representation, got 'giveaway'"),
        (("material", "adjust", "CAP-LOGO", "--location", "Berlin", "--to", "3", "--reason", "count", "--as", "olga"),
         "CAP-LOGO has no stock at 'Berlin' (locations: Munich)"),
        (("material", "receive", "CAP-LOGO", "--location", "Munich", "--quantity", "4", "--as", "kim"),
         "keeping the material stock needs one of the roles: sales_ops"),
    ]
    before = Event.objects.count()
    for args, message in cases:
        result = cli(*args)
        assert result.code != 0, (args, result)
        assert message in result.err, (args, result)
        assert "Traceback" not in result.err
    assert Event.objects.count() == before
    assert StockLevel.objects.get(item__code="CAP-LOGO").quantity == 30
