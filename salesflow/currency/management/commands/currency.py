"""``salesflow currency rate set|import|list``: dated exchange rates into the corporate currency."""

from __future__ import annotations

import json
from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.currency.services import do_set_rate, import_rates_csv, list_rates, rate_data
from salesflow.currency.settings import corporate_currency

ACTIONS = {
    "set": "Set (or replace) the rate of a pair: 1 FROM = RATE TO, in force from --date (default today) "
           "until the pair's next rate.",
    "import": "Import rates from a CSV file: columns date, from, to, rate — or a Salesforce DatedConversionRate "
              "export (IsoCode, ConversionRate, StartDate; 1 corporate currency = ConversionRate IsoCode). "
              "Every bad row is named; all rows are imported, or none.",
    "list": "List the stored rates.",
}


class Command(SalesflowCommand):
    help = ("Currencies: dated exchange rates (every change an event in the chain). Every total is computed in the "
            "corporate currency at the rate in force on the figure's as-of date. Exit 1 on bad input, 4 when "
            "not permitted.")

    def add_arguments(self, parser: Any) -> None:
        what = parser.add_subparsers(dest="what", required=True, metavar="rate")
        rate = what.add_parser("rate", help="exchange rates", description="Dated exchange rates.")
        sub = rate.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        p["set"].add_argument("from_currency", metavar="FROM", help="currency code, e.g. USD")
        p["set"].add_argument("to_currency", metavar="TO", help="currency code, e.g. EUR")
        p["set"].add_argument("rate", metavar="RATE", help="1 FROM = RATE TO, e.g. 0.9")
        p["set"].add_argument("--date", metavar="D", help="the day from which it is in force (default today)")
        p["import"].add_argument("file", metavar="FILE.csv")
        p["import"].add_argument("--corporate", metavar="CODE",
                                 help="the Salesforce org's corporate currency (DatedConversionRate exports; "
                                      "default: ours)")
        p["list"].add_argument("--from", dest="source", metavar="CODE", help="only rates from this currency")
        p["list"].add_argument("--to", dest="target", metavar="CODE", help="only rates into this currency")
        for name in ACTIONS:
            p[name].add_argument("--json", action="store_true")
            if name != "list":
                p[name].add_argument("--as", dest="as_user", metavar="USER",
                                     help="who changes it (recorded in the event log; must hold a rate-manager "
                                          "role of the library, or be an administrator)")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.records.services import get_user

        action = options["action"]
        by = get_user(options["as_user"]) if options.get("as_user") else None
        if action == "set":
            rate = do_set_rate(options["date"], options["from_currency"], options["to_currency"], options["rate"], by)
            if options["json"]:
                self.emit_json(rate_data(rate))
            else:
                data = rate_data(rate)
                self.stdout.write(f"rate set: from {data['date']} 1 {data['from']} = {data['rate']} {data['to']}")
        elif action == "import":
            rates = import_rates_csv(options["file"], by, options["corporate"])
            if options["json"]:
                self.emit_json([rate_data(rate) for rate in rates])
            else:
                self.stdout.write(f"{len(rates)} rate(s) imported from {options['file']}")
        else:
            rows = [rate_data(rate) for rate in list_rates(options["source"], options["target"])]
            if options["json"]:
                self.stdout.write(json.dumps({"corporate_currency": corporate_currency(), "rates": rows}, indent=2))
                return
            self.stdout.write(f"corporate currency: {corporate_currency()}")
            if not rows:
                self.stdout.write("no exchange rates")
            for row in rows:
                self.stdout.write(f"{row['date']}  1 {row['from']} = {row['rate']} {row['to']}  ({row['source']}, "
                                  f"{row['updated_by']})")
