"""``salesflow material catalogue list|add``, ``stock``, ``receive``, ``adjust``: the material catalogue and its stock."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.material import services
from salesflow.records.services import get_user


class Command(SalesflowCommand):
    help = ("The material catalogue (sales kit, promotion and representation material) and its stock per location: "
            "list and add items, show the stock, book receipts and adjustments (with a reason). Every movement is "
            "an event in the chain; stock never goes negative.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        catalogue = sub.add_parser("catalogue", help="List or add catalogue items.")
        items = catalogue.add_subparsers(dest="catalogue_action", required=True, metavar="list|add")
        listing = items.add_parser("list", help="Every item with its stock per location (low stock marked).")
        listing.add_argument("--kind", choices=services.KINDS, help="only items of this kind")
        listing.add_argument("--json", action="store_true")
        add = items.add_parser("add", help="Add an item to the catalogue.")
        add.add_argument("code", metavar="CODE", help="catalogue code, e.g. BRO-PRODUCT (stored in upper case)")
        add.add_argument("--name", required=True, metavar="TEXT", help="the English name")
        add.add_argument("--name-de", default="", metavar="TEXT", help="the German name (default: the English one)")
        add.add_argument("--kind", required=True, metavar="KIND", help=f"one of {', '.join(services.KINDS)}")
        add.add_argument("--unit", default="pcs", metavar="UNIT", help="unit of the quantities (default pcs)")
        add.add_argument("--reorder-level", default="0", metavar="N",
                         help="at or below this stock the item is low and the stock keepers are told (default 0)")
        add.add_argument("--as", dest="as_user", required=True, metavar="USER", help="who adds it (rights.manage_stock)")
        add.add_argument("--json", action="store_true")
        stock = sub.add_parser("stock", help="The stock per item and location.")
        stock.add_argument("--item", metavar="CODE", help="only this item")
        stock.add_argument("--location", metavar="LOCATION", help="only this location")
        stock.add_argument("--low", action="store_true", help="only stock at or below the reorder level")
        stock.add_argument("--json", action="store_true")
        receive = sub.add_parser("receive", help="Book material received at a location.")
        receive.add_argument("code", metavar="CODE")
        receive.add_argument("--location", required=True, metavar="LOCATION")
        receive.add_argument("--quantity", required=True, metavar="N")
        receive.add_argument("--note", default="", metavar="TEXT", help="e.g. the delivery note")
        receive.add_argument("--as", dest="as_user", required=True, metavar="USER")
        receive.add_argument("--json", action="store_true")
        adjust = sub.add_parser("adjust", help="Correct the stock at a location, with its reason.")
        adjust.add_argument("code", metavar="CODE")
        adjust.add_argument("--location", required=True, metavar="LOCATION")
        how = adjust.add_mutually_exclusive_group(required=True)
        how.add_argument("--by", metavar="DIFFERENCE", help="the difference, e.g. -3 (damaged) or 5 (found)")
        how.add_argument("--to", metavar="COUNT", help="the counted quantity (stocktake)")
        adjust.add_argument("--reason", required=True, metavar="TEXT", help="why (required)")
        adjust.add_argument("--as", dest="as_user", required=True, metavar="USER")
        adjust.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "catalogue":
            action = f"catalogue_{options['catalogue_action']}"
        getattr(self, f"do_{action}")(options)

    def do_catalogue_list(self, options: dict[str, Any]) -> None:
        rows = services.catalogue("en", options.get("kind"))
        if options["json"]:
            self.emit_json(rows)
            return
        if not rows:
            self.stdout.write("the catalogue is empty: add items with `salesflow material catalogue add`")
        for row in rows:
            stock = ", ".join(f"{location} {quantity}{' LOW' if location in row['low_stock'] else ''}"
                              for location, quantity in sorted(row["stock"].items())) or "no stock"
            self.stdout.write(f"{row['code']:<16} {row['kind']:<15} {row['name']:<36} reorder at "
                              f"{row['reorder_level']:>5} {row['unit']}  {stock}")

    def do_catalogue_add(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        item = services.do_add_item(user, options["code"], options["name"], options["name_de"], options["kind"],
                                    options["unit"], options["reorder_level"])
        if options["json"]:
            self.emit_json({"code": item.code, "name": item.name, "kind": item.kind, "unit": item.unit,
                            "reorder_level": item.reorder_level, "event_seq": item.event_seq})
            return
        self.stdout.write(f"added {item.code} ({item.kind}, reorder level {item.reorder_level} {item.unit})")

    def do_stock(self, options: dict[str, Any]) -> None:
        item = services.get_item(options["item"]).code if options.get("item") else None
        location = options.get("location")
        rows = []
        for entry in services.catalogue("en"):
            if item and entry["code"] != item:
                continue
            for where, quantity in sorted(entry["stock"].items()):
                if location and where.casefold() != location.strip().casefold():
                    continue
                low = where in entry["low_stock"]
                if options["low"] and not low:
                    continue
                rows.append({"item": entry["code"], "name": entry["name"], "location": where, "quantity": quantity,
                             "unit": entry["unit"], "reorder_level": entry["reorder_level"], "low_stock": low})
        if options["json"]:
            self.emit_json(rows)
            return
        if not rows:
            self.stdout.write("no stock matches")
        for row in rows:
            self.stdout.write(f"{row['item']:<16} {row['location']:<16} {row['quantity']:>8} {row['unit']:<6}"
                              f"{'  LOW (reorder level ' + str(row['reorder_level']) + ')' if row['low_stock'] else ''}")

    def do_receive(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        movement = services.do_receive(user, options["code"], options["location"], options["quantity"],
                                       options["note"])
        self._movement(movement, options)

    def do_adjust(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        movement = services.do_adjust(user, options["code"], options["location"], options["reason"],
                                      by=options.get("by"), to=options.get("to"))
        self._movement(movement, options)

    def _movement(self, movement: Any, options: dict[str, Any]) -> None:
        data = services.movement_data(movement)
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"{data['kind']} {data['quantity']:+d} {data['item']} at {data['location']}: "
                          f"{data['balance']} in stock{' (LOW)' if data['low_stock'] else ''}")
