"""``salesflow product import|export|list``: the product catalogue used by quotes."""

from __future__ import annotations

import sys
from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.products import services
from salesflow.records.services import get_user


class Command(SalesflowCommand):
    help = ("The product catalogue: products and services with SKU, names (en/de), unit, list price per currency "
            "and optional price lists with validity. Import from CSV/xlsx (all rows or none), export, list.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="import|export|list")
        imp = sub.add_parser("import", help="Import products and prices from a CSV or xlsx file (all rows or none).",
                             description="Columns: sku, name, unit, price, currency (required); name_de, "
                                         "price_list, valid_from, valid_until, active (optional). A bad row is "
                                         "named by its line and value and nothing is written (exit 1).")
        imp.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
        imp.add_argument("--as", dest="as_user", required=True, metavar="USER",
                         help="who imports (a role with the library right manage_products)")
        imp.add_argument("--json", action="store_true")
        exp = sub.add_parser("export", help="Export the catalogue (the import's columns; re-importable).")
        exp.add_argument("-o", "--output", metavar="FILE", help="a .csv or .xlsx file (default: CSV on stdout)")
        exp.add_argument("--format", choices=("csv", "xlsx"), help="default: from the file name")
        listing = sub.add_parser("list", help="Every product with its list prices.")
        listing.add_argument("--language", choices=("en", "de"), default="en")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_import(self, options: dict[str, Any]) -> None:
        summary = services.do_import(get_user(options["as_user"]), options["file"])
        if options["json"]:
            self.emit_json(summary.to_data())
            return
        self.stdout.write(f"imported {summary.rows} row(s) from {summary.file}: {len(summary.added)} product(s) "
                          f"added, {len(summary.updated)} updated"
                          f"{', price lists ' + ', '.join(summary.price_lists) if summary.price_lists else ''}")

    def do_export(self, options: dict[str, Any]) -> None:
        if options.get("output"):
            count = services.export(options["output"], options.get("format"))
            self.stdout.write(f"wrote {count} row(s) to {options['output']}")
            return
        if options.get("format") == "xlsx":
            self.fail("xlsx needs a file: give -o FILE.xlsx", 1)
        from salesflow import csv_cells

        writer = csv_cells.writer(sys.stdout)
        writer.writerow(services.EXPORT_COLUMNS)
        writer.writerows(services.export_rows())

    def do_list(self, options: dict[str, Any]) -> None:
        rows = services.catalogue(options["language"])
        if options["json"]:
            self.emit_json(rows)
            return
        if not rows:
            self.stdout.write("the catalogue is empty: import products with `salesflow product import FILE`")
        for row in rows:
            prices = ", ".join(f"{price} {currency}" for currency, price in sorted(row["prices"].items())) or "no price"
            self.stdout.write(f"{row['sku']:<20} {row['name']:<40} {row['unit']:<8} {prices}"
                              f"{'' if row['active'] else '  (inactive)'}")
