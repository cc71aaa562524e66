"""``salesflow order lines|change-line``: the lines of an order record (from the accepted quote) and their changes."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.quotes import orders
from salesflow.records.services import get_user


class Command(SalesflowCommand):
    help = ("Order lines: the lines an order received from the accepted quote at Won; export them for the ERP "
            "(CSV or JSON); change a line with a reason (the order's amount follows under change control).")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="lines|change-line")
        lines = sub.add_parser("lines", help="The order's lines as CSV or JSON (for the ERP).")
        lines.add_argument("order", metavar="ORDER", help="the order record's number")
        lines.add_argument("--format", choices=("csv", "json"), default="csv")
        lines.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
        lines.add_argument("--as", dest="as_user", required=True, metavar="USER")
        change = sub.add_parser("change-line", help="Change an ordered line (change control applies).")
        change.add_argument("order", metavar="ORDER")
        change.add_argument("position", metavar="POSITION")
        change.add_argument("--quantity", metavar="QTY")
        change.add_argument("--unit-price", metavar="PRICE")
        change.add_argument("--discount", metavar="PERCENT")
        change.add_argument("--reason", required=True, metavar="TEXT")
        change.add_argument("--as", dest="as_user", required=True, metavar="USER")
        change.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user(options["as_user"])
        if options["action"] == "lines":
            text = orders.export_lines(options["order"], user, options["format"])
            if options.get("output"):
                with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                self.stdout.write(f"wrote {options['output']}")
            else:
                self.stdout.write(text, ending="")
            return
        line = orders.do_change_line(options["order"], user, options["position"], options.get("quantity"),
                                     options.get("unit_price"), options.get("discount"), options["reason"])
        if options.get("json"):
            self.emit_json(orders.line_data(line))
            return
        self.stdout.write(f"order {line.record_id} line {line.position}: {line.quantity.normalize():f} × "
                          f"{line.unit_price.normalize():f} − {line.discount_percent.normalize():f} % = {line.line_total}")
