"""``salesflow partner list|set|show|attribute``: channel partners (accounts of the kind partner)."""

from __future__ import annotations

from typing import Any

from salesflow.accounts import partners
from salesflow.cli_support import SalesflowCommand
from salesflow.records.services import get_record, get_user


class Command(SalesflowCommand):
    help = ("Channel partners: accounts of the kind partner with tier and region; mark an account as a partner, show "
            "what its page shows (mystery-shopping scores, channel satisfaction, partner-sourced leads and their "
            "outcome, as --as USER may see them), attribute a lead to a partner. Every change is an event in the "
            "chain. Exit codes: 0 done, 1 bad input or not found, 4 not permitted.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = sub.add_parser("list", help="List the channel partners.")
        listing.add_argument("--json", action="store_true")
        mark = sub.add_parser("set", help="Mark an account as a channel partner with its tier and region.")
        mark.add_argument("account", metavar="ACCOUNT_ID")
        mark.add_argument("--tier", default="", help="e.g. Gold")
        mark.add_argument("--region", default="", help="e.g. North")
        show = sub.add_parser("show", help="What the partner page shows: scores over time, satisfaction, leads.")
        show.add_argument("partner", metavar="PARTNER_ID")
        attribute = sub.add_parser("attribute", help="Record that a partner brought in a lead (a record).")
        attribute.add_argument("record", metavar="RECORD_ID")
        attribute.add_argument("--partner", required=True, metavar="PARTNER_ID")
        for item in (mark, show, attribute):
            item.add_argument("--as", dest="as_user", required=True, metavar="USER",
                              help="who reads" if item is show else "who acts (library right manage_partners)")
            item.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_list(self, options: dict[str, Any]) -> None:
        rows = [partners.partner_data(partner) for partner in partners.partners()]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['id']:>6}  {row['tier'] or '-':<10} {row['region'] or '-':<16} {row['name']}")

    def do_set(self, options: dict[str, Any]) -> None:
        account = partners.do_set_partner(partners.get_account(options["account"]), options["tier"],
                                          options["region"], by=get_user(options["as_user"]))
        data = partners.partner_data(account)
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"partner {data['id']} {data['name']}: tier {data['tier'] or '-'}, "
                          f"region {data['region'] or '-'}")

    def do_show(self, options: dict[str, Any]) -> None:
        reader = get_user(options["as_user"])
        data = partners.partner_page_data(partners.partner_page(partners.get_partner(options["partner"]), reader))
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"partner {data['id']} {data['name']} (tier {data['tier'] or '-'}, "
                          f"region {data['region'] or '-'})")
        for key, title in (("mystery_shopping", "mystery shopping"), ("channel_satisfaction", "channel satisfaction")):
            block = data[key]
            average = "-" if block["average"] is None else f"{block['average']} %"
            self.stdout.write(f"{title}: {len(block['assessments'])} assessment(s), average {average}")
            for row in block["assessments"]:
                self.stdout.write(f"  {row['date']}  {row['score']:>5} %  {'passed' if row['passed'] else 'failed'}")
        self.stdout.write(f"leads: {len(data['leads'])} " + ", ".join(
            f"{status} {count}" for status, count in sorted(data["lead_outcomes"].items())))

    def do_attribute(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        record = get_record(options["record"], user)
        link = partners.do_attribute_lead(record, partners.get_partner(options["partner"]), by=user)
        data = {"record": record.pk, "partner": link.partner_id, "at": link.at.isoformat()}
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"record {record.pk} attributed to partner {link.partner_id}")
