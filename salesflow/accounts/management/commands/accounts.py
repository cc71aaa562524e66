"""``salesflow accounts segment|list|duplicates``: ABC segmentation, account lists, duplicate checks."""

from __future__ import annotations

from typing import Any

from salesflow.accounts.duplicates import find_duplicates
from salesflow.accounts.models import Account
from salesflow.accounts.segmentation import (
    DEFAULT_A_SHARE,
    DEFAULT_B_SHARE,
    DEFAULT_WINDOW_DAYS,
    do_segment_accounts,
    parse_as_of,
    parse_share,
    parse_window_days,
)
from salesflow.cli_support import SalesflowCommand
from salesflow.engine.errors import BadInput

ACTIONS = {
    "segment": "Recompute the ABC segments of all accounts from won opportunity revenue (one event).",
    "list": "List accounts with their segment, revenue and customer status.",
    "duplicates": "Accounts and leads that may be the same company (normalised name, e-mail domain).",
}


def account_row(account: Account) -> dict[str, Any]:
    """JSON-ready account row (``existing_customer`` when annotated)."""
    return {
        "id": account.pk, "name": account.name, "domain": account.domain, "segment": account.segment,
        "segment_revenue": f"{account.segment_revenue:f}",
        "segmented_at": account.segmented_at.isoformat() if account.segmented_at else None,
        "segment_window_days": account.segment_window_days,
        "existing_customer": bool(getattr(account, "existing_customer", False)),
    }


class Command(SalesflowCommand):
    help = "Accounts: ABC segmentation by won revenue, lists, duplicate checks. Exit codes: 0 done, 1 bad input."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        p["segment"].add_argument("--window-days", dest="window_days", default=str(DEFAULT_WINDOW_DAYS), metavar="N",
                                  help=f"won deals closed in the N days up to --as-of (default {DEFAULT_WINDOW_DAYS})")
        p["segment"].add_argument("--a", dest="a_share", default=f"{DEFAULT_A_SHARE:f}", metavar="PERCENT",
                                  help=f"class A: the first PERCENT of revenue (default {DEFAULT_A_SHARE:f})")
        p["segment"].add_argument("--b", dest="b_share", default=f"{DEFAULT_B_SHARE:f}", metavar="PERCENT",
                                  help=f"class B: up to PERCENT of revenue (default {DEFAULT_B_SHARE:f})")
        p["segment"].add_argument("--as-of", dest="as_of", metavar="DATE",
                                  help="last day of the window (default today)")
        p["segment"].add_argument("--as", dest="as_user", metavar="USER",
                                  help="who runs it (default: the system); the revenue printed is then what "
                                       "that user may see")
        p["list"].add_argument("--segment", type=str.upper, metavar="A|B|C|-",
                               help="only this segment ('-' for not segmented)")
        p["list"].add_argument("--as-of", dest="as_of", metavar="DATE",
                               help="customer status as of this date (default today)")
        p["duplicates"].add_argument("company", metavar="COMPANY")
        p["duplicates"].add_argument("--email", default="", metavar="EMAIL")
        for name in ACTIONS:
            p[name].add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_segment(self, options: dict[str, Any]) -> None:
        from salesflow.records.services import get_user

        by = get_user(options["as_user"]) if options.get("as_user") else None
        summary = do_segment_accounts(by, window_days=parse_window_days(options["window_days"], "--window-days"),
                                      a_share=parse_share(options["a_share"], "--a"),
                                      b_share=parse_share(options["b_share"], "--b"),
                                      as_of=parse_as_of(options.get("as_of"), "--as-of"))
        data = summary.to_data()
        if by is not None:
            from salesflow.accounts.overview import ZERO, visible_segment_revenue

            revenue = visible_segment_revenue(by, summary.window)
            data["revenue"] = {segment: f"{amount:f}" for segment, amount in revenue.items()}
            data["total_revenue"] = f"{sum(revenue.values(), ZERO):f}"
        if options["json"]:
            self.emit_json(data)
            return
        window = data["window"]
        thresholds = data["thresholds"]
        self.stdout.write(f"{data['accounts']} account(s) segmented on won revenue {window['from']} – {window['to']} "
                          f"({window['days']} days), A ≤ {thresholds['a']} %, B ≤ {thresholds['b']} %")
        for segment in Account.SEGMENTS:
            self.stdout.write(f"  {segment}  {data['counts'][segment]:>6} account(s)  {data['revenue'][segment]:>16}")
        self.stdout.write(f"  total revenue {data['total_revenue']}; {data['changed']} segment(s) changed")

    def do_list(self, options: dict[str, Any]) -> None:
        query = Account.objects.with_customer_status(parse_as_of(options.get("as_of"), "--as-of"))
        segment = options.get("segment")
        if segment is not None:
            if segment not in (*Account.SEGMENTS, "-"):
                raise BadInput(f"--segment: one of A, B, C or '-' (not segmented) expected, got {segment!r}")
            query = query.filter(segment="" if segment == "-" else segment)
        rows = [account_row(account) for account in query.order_by("-segment_revenue", "name", "id")]
        if options["json"]:
            self.emit_json(rows)
            return
        if not rows:
            self.stdout.write("no accounts")
            return
        for row in rows:
            status = "existing" if row["existing_customer"] else "new"
            self.stdout.write(f"{row['id']:>6}  {row['segment'] or '-':<2} {row['segment_revenue']:>16}  {status:<8} "
                              f"{row['name']}")

    def do_duplicates(self, options: dict[str, Any]) -> None:
        matches = find_duplicates(options["company"], options["email"])
        if options["json"]:
            self.emit_json([match.to_data() for match in matches])
            return
        if not matches:
            self.stdout.write("no possible duplicates")
            return
        for match in matches:
            self.stdout.write(f"{match.link:<16} {'+'.join(match.matched_on):<12} {match.label}")
