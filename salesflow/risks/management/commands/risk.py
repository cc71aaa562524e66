"""``salesflow risk add|list|show|update|review``: the risk and opportunity register (ISO 9001 6.1)."""

from __future__ import annotations

from typing import Any

from salesflow.cli_support import SalesflowCommand
from salesflow.records.services import get_user
from salesflow.risks import services
from salesflow.risks.models import KINDS, STATUSES


def _entry_options(parser: Any, required: bool) -> None:
    parser.add_argument("--title", required=required)
    parser.add_argument("--process", required=required, metavar="PROCESS", help="key of the process it belongs to")
    parser.add_argument("--likelihood", required=required, metavar="1-5")
    parser.add_argument("--impact", required=required, metavar="1-5")
    parser.add_argument("--kind", choices=KINDS, default=None if not required else "risk")
    parser.add_argument("--description")
    parser.add_argument("--treatment", help="how the risk is treated or the opportunity taken")
    parser.add_argument("--owner", metavar="USER", help="default: the user given with --as (add)")
    parser.add_argument("--review-date", dest="review_date", metavar="YYYY-MM-DD")


class Command(SalesflowCommand):
    help = ("The risk and opportunity register (ISO 9001 6.1): entries tied to a process, rated by likelihood × "
            "impact (1-5 each), with their treatment; every change is an event in the chain. Exit codes: 0 done, "
            "1 bad input, 4 not permitted, 5 conflict.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="Add a risk or an opportunity.")
        _entry_options(add, required=True)
        listing = sub.add_parser("list", help="List the entries, highest score first.")
        listing.add_argument("--process", metavar="PROCESS")
        listing.add_argument("--status", choices=STATUSES)
        show = sub.add_parser("show", help="Show one entry.")
        show.add_argument("id")
        update = sub.add_parser("update", help="Change an entry (only the options given).")
        update.add_argument("id")
        _entry_options(update, required=False)
        update.add_argument("--status", choices=STATUSES)
        review = sub.add_parser("review", help="Record that an entry was reviewed (e.g. in the management review).")
        review.add_argument("id")
        review.add_argument("--note", default="")
        for name, item in (("add", add), ("list", listing), ("show", show), ("update", update), ("review", review)):
            item.add_argument("--as", dest="as_user", required=name in ("add", "update", "review"), metavar="USER",
                              help="who acts" if name in ("add", "update", "review") else "who reads")
            item.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    @staticmethod
    def _values(options: dict[str, Any]) -> dict[str, Any]:
        return {name: options[name] for name in services.EDITABLE if options.get(name) is not None}

    def _print(self, entry: Any, options: dict[str, Any]) -> None:
        data = services.risk_data(entry)
        if options["json"]:
            self.emit_json(data)
            return
        self.stdout.write(f"{data['kind']} {data['id']} [{data['status']}] score {data['score']} ({data['level']}) "
                          f"{data['process']}: {data['title']}")

    def do_add(self, options: dict[str, Any]) -> None:
        self._print(services.do_add_risk(get_user(options["as_user"]), self._values(options)), options)

    def do_update(self, options: dict[str, Any]) -> None:
        self._print(services.do_update_risk(options["id"], get_user(options["as_user"]), self._values(options)),
                    options)

    def do_review(self, options: dict[str, Any]) -> None:
        self._print(services.do_review_risk(options["id"], get_user(options["as_user"]), options["note"]), options)

    def _reader(self, options: dict[str, Any]) -> Any | None:
        """The user reading (``--as``), or None: the administrator's view."""
        return get_user(options["as_user"]) if options.get("as_user") else None

    def do_show(self, options: dict[str, Any]) -> None:
        self._print(services.get_risk(options["id"], self._reader(options)), options)

    def do_list(self, options: dict[str, Any]) -> None:
        entries = services.list_risks(self._reader(options), options.get("process"), options.get("status"))
        if options["json"]:
            self.emit_json([services.risk_data(entry) for entry in entries])
            return
        for entry in entries:
            self._print(entry, options)
        if not entries:
            self.stdout.write("no entries")
