"""``salesflow accounts …`` (also ``salesflow account …``): ABC segmentation, account lists, duplicate checks,
and accounts and contacts as records — create, edit, show, merge, add and edit contacts (each change an event)."""

from __future__ import annotations

from typing import Any

from salesflow.accounts import services as account_services
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
    "create": "Create an account (event account_created); a same-named account is refused unless --allow-duplicate.",
    "edit": "Change an account's name or domain (event account_changed).",
    "show": "One account: its fields, contacts and the records the --as user may see.",
    "merge": "Merge DUPLICATE into SURVIVOR: records, contacts, activities move; DUPLICATE is deleted "
             "(events customer_changed, accounts_merged; library right merge_accounts).",
    "contact-add": "Add a contact to an account (event contact_created).",
    "contact-edit": "Change a contact's fields or account (event contact_changed).",
}
CONTACT_OPTIONS = (("--first-name", "first_name"), ("--last-name", "last_name"), ("--email", "email"),
                   ("--phone", "phone"), ("--title", "title"))


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
    help = ("Accounts: ABC segmentation by won revenue, lists, duplicate checks; create, edit, show and merge accounts, "
            "add and edit contacts. Exit codes: 0 done, 1 bad input or not found, 4 not permitted.")

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
        p["create"].add_argument("name", metavar="NAME")
        p["create"].add_argument("--domain", default="", metavar="DOMAIN", help="the company's web domain")
        p["create"].add_argument("--allow-duplicate", dest="allow_duplicate", action="store_true",
                                 help="create it even when an account of the same name exists")
        p["edit"].add_argument("account", metavar="ID")
        p["edit"].add_argument("--name", metavar="NAME")
        p["edit"].add_argument("--domain", metavar="DOMAIN", help="'' clears it")
        p["show"].add_argument("account", metavar="ID")
        p["merge"].add_argument("survivor", metavar="SURVIVOR")
        p["merge"].add_argument("duplicate", metavar="DUPLICATE")
        p["contact-add"].add_argument("account", metavar="ACCOUNT_ID")
        p["contact-edit"].add_argument("contact", metavar="CONTACT_ID")
        p["contact-edit"].add_argument("--account", dest="move_to", metavar="ACCOUNT_ID",
                                       help="move the contact to this account ('-' for none)")
        for action in ("contact-add", "contact-edit"):
            for flag, dest in CONTACT_OPTIONS:
                p[action].add_argument(flag, dest=dest, metavar=dest.upper())
        for action in ("create", "edit", "show", "merge", "contact-add", "contact-edit"):
            p[action].add_argument("--as", dest="as_user", metavar="USER",
                                   help="who does it (default: the system); show: what that user may see")
        for name in ACTIONS:
            p[name].add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action'].replace('-', '_')}")(options)

    def _by(self, options: dict[str, Any]) -> Any:
        from salesflow.records.services import get_user

        return get_user(options["as_user"]) if options.get("as_user") else None

    def _print_account(self, data: dict[str, Any], options: dict[str, Any]) -> None:
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"account {data['id']}: {data['name']}" + (f" ({data['domain']})" if data["domain"] else ""))
        for contact in data.get("contacts", []):
            self.stdout.write(f"  contact {contact['id']:>6}  {contact['name']}  {contact['email']}".rstrip())
        for record in data.get("records", []):
            self.stdout.write(f"  record  {record['id']:>6}  {record['process']:<28} {record['stage']:<16} "
                              f"{record['title']}")

    def do_create(self, options: dict[str, Any]) -> None:
        account = account_services.do_create_account(self._by(options), options["name"], options["domain"],
                                                      allow_duplicate=options["allow_duplicate"], source="cli")
        self._print_account(account_services.account_detail(account, self._by(options)), options)

    def do_edit(self, options: dict[str, Any]) -> None:
        values = {key: options[key] for key in ("name", "domain") if options.get(key) is not None}
        if not values:
            raise BadInput("edit: name --name and/or --domain")
        account = account_services.do_update_account(self._by(options), options["account"], values)
        self._print_account(account_services.account_detail(account, self._by(options)), options)

    def do_show(self, options: dict[str, Any]) -> None:
        by = self._by(options)
        self._print_account(account_services.account_detail(account_services.get_account(options["account"]), by),
                            options)

    def do_merge(self, options: dict[str, Any]) -> None:
        by = self._by(options)
        result = account_services.do_merge_accounts(by, options["survivor"], options["duplicate"])
        data = result.to_data(account_services.visible_record_ids(by, result.records))
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"merged account {data['merged_id']} ({data['merged']}) into {data['account_id']} "
                          f"({data['account']}): {len(data['records'])} record(s), {len(data['contacts'])} contact(s), "
                          f"{len(data['activities'])} activity(ies) moved")

    def _contact_values(self, options: dict[str, Any]) -> dict[str, Any]:
        return {dest: options[dest] for _flag, dest in CONTACT_OPTIONS if options.get(dest) is not None}

    def _print_contact(self, contact: Any, options: dict[str, Any]) -> None:
        data = account_services.contact_data(contact)
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"contact {data['id']}: {data['name']} {data['email']}".rstrip()
                          + (f" at account {data['account']}" if data["account"] else ""))

    def do_contact_add(self, options: dict[str, Any]) -> None:
        contact = account_services.do_create_contact(self._by(options), options["account"],
                                                     self._contact_values(options))
        self._print_contact(contact, options)

    def do_contact_edit(self, options: dict[str, Any]) -> None:
        values = self._contact_values(options)
        if options.get("move_to") is not None:
            values["account"] = "" if options["move_to"] == "-" else options["move_to"]
        if not values:
            raise BadInput("contact-edit: name at least one of --first-name, --last-name, --email, --phone, --title, "
                           "--account")
        self._print_contact(account_services.do_update_contact(self._by(options), options["contact"], values), options)

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
