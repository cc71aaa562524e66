"""The product catalogue: import (all rows or none, a bad row named by line and value), export, list, the right."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_bad_price_is_named_by_line_and_nothing_is_written(cli, staff, tmp_path) -> None:
    file = tmp_path / "bad.csv"
    file.write_text("sku,name,unit,price,currency\nA-1,First,pcs,10.00,EUR\nB-2,Second,pcs,12,5O,EUR\n"
                    "C-3,Third,pcs,-4,EUR\n", encoding="utf-8")
    result = cli("product", "import", file, "--as", "support")
    assert result.code == 1, result
    assert "line 3" in result.err and "line 4" in result.err and "'-4'" in result.err
    assert "Traceback" not in result.err
    from salesflow.products.models import Product
    from salesflow.records.models import Event

    assert not Product.objects.exists()
    assert not Event.objects.filter(kind="products_imported").exists()


def test_import_export_list_and_price_lists(cli, staff, tmp_path) -> None:
    file = tmp_path / "products.csv"
    file.write_text("sku,name,name_de,unit,price,currency,price_list,valid_from,valid_until\n"
                    "lic-pro,Licence,Lizenz,user,1200,EUR,,,\n"
                    "LIC-PRO,Licence,Lizenz,user,1300,USD,,,\n"
                    "LIC-PRO,Licence,Lizenz,user,999,EUR,FRAME-2026,2026-01-01,2026-12-31\n", encoding="utf-8")
    imported = cli("product", "import", file, "--as", "support", "--json")
    assert imported.code == 0, imported
    assert imported.json()["added"] == ["LIC-PRO"] and imported.json()["price_lists"] == ["FRAME-2026"]
    listed = cli("product", "list", "--json").json()
    assert listed[0]["prices"] == {"EUR": "1200", "USD": "1300"} and listed[0]["names"]["de"] == "Lizenz"
    out = tmp_path / "out.xlsx"
    assert cli("product", "export", "-o", out).code == 0
    again = cli("product", "import", out, "--as", "support", "--json")
    assert again.code == 0, again
    assert again.json()["updated"] == ["LIC-PRO"] and again.json()["rows"] == 3
    import datetime

    from salesflow.products.services import get_product, price_for

    product = get_product("LIC-PRO")
    assert price_for(product, "EUR", datetime.date(2026, 6, 1))[1] == "FRAME-2026"
    assert price_for(product, "EUR", datetime.date(2027, 1, 2))[1] == "list"
    assert cli("audit", "verify").code == 0


def test_only_the_roles_the_library_names_keep_the_catalogue(cli, staff, tmp_path) -> None:
    file = tmp_path / "p.csv"
    file.write_text("sku,name,unit,price,currency\nA-1,First,pcs,10,EUR\n", encoding="utf-8")
    refused = cli("product", "import", file, "--as", "kam")
    assert refused.code == 4 and "sales_support" in refused.err
    missing = tmp_path / "m.csv"
    missing.write_text("sku,name,price\nA-1,First,10\n", encoding="utf-8")
    result = cli("product", "import", missing, "--as", "support")
    assert result.code == 1 and "unit" in result.err and "currency" in result.err
