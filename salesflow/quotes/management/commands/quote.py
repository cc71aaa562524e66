"""``salesflow quote create|revise|show|pdf|html|accept|reject``: quotes on records and the offer document."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand
from salesflow.engine.errors import BadInput
from salesflow.quotes import document, services
from salesflow.records.services import get_user


def _date(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"--valid-until: expected a date YYYY-MM-DD, got {value[:30]!r}") from None


class Command(SalesflowCommand):
    help = ("Quotes on records: line items from the product catalogue (or free text) with quantity, discount and "
            "line total; versions (a revision needs approval again); the offer document as PDF or HTML; the "
            "customer's acceptance or rejection.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="Create a quote (version 1) on a record.")
        create.add_argument("record", metavar="RECORD")
        self._line_options(create)
        create.add_argument("--language", choices=document.LANGUAGES, default="en",
                            help="the customer's language of the offer document (default en)")
        revise = sub.add_parser("revise", help="Revise a quote: a new version (its approval is needed again).")
        revise.add_argument("quote", metavar="QUOTE")
        self._line_options(revise, required=False)
        show = sub.add_parser("show", help="Show a quote's current (or a given) version.")
        show.add_argument("quote", metavar="QUOTE")
        show.add_argument("--version", type=int, metavar="N")
        show.add_argument("--as", dest="as_user", metavar="USER", help="show as this user (their visibility)")
        show.add_argument("--json", action="store_true")
        for name, what in (("pdf", "PDF"), ("html", "HTML")):
            out = sub.add_parser(name, help=f"Write the offer document as {what}.")
            out.add_argument("quote", metavar="QUOTE")
            out.add_argument("-o", "--output", required=True, metavar=f"FILE.{name}")
            out.add_argument("--language", choices=document.LANGUAGES,
                             help="default: the customer's language of the quote")
            out.add_argument("--version", type=int, metavar="N")
            out.add_argument("--as", dest="as_user", metavar="USER")
        for name, what in (("accept", "accepted"), ("reject", "rejected (with the reason)")):
            answer = sub.add_parser(name, help=f"Record that the customer {what} the sent offer.")
            answer.add_argument("quote", metavar="QUOTE")
            answer.add_argument("--reason", default="", required=name == "reject", metavar="TEXT")
            answer.add_argument("--as", dest="as_user", required=True, metavar="USER")
            answer.add_argument("--json", action="store_true")

    def _line_options(self, parser: Any, required: bool = True) -> None:
        parser.add_argument("--line", action="extend", nargs="+", default=[], metavar="SKU:QTY[:DISCOUNT]",
                            help="a product line at its catalogue price, discount in percent (repeat per line)")
        parser.add_argument("--text", action="extend", nargs="+", default=[], metavar="TEXT:QTY:PRICE[:DISCOUNT]",
                            help="a free-text line at its own unit price")
        parser.add_argument("--valid-until", metavar="YYYY-MM-DD", help="default: the library's validity in days")
        parser.add_argument("--tax-rate", metavar="PERCENT", help="default: the library's tax rate")
        parser.add_argument("--payment-terms", metavar="TEXT", help="default: the library's payment terms")
        parser.add_argument("--currency", metavar="CODE", help="default: the record's currency")
        parser.add_argument("--note", default="", metavar="TEXT", help="what changed (kept with the version)")
        parser.add_argument("--as", dest="as_user", required=True, metavar="USER")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def _user(self, options: dict[str, Any]) -> Any:
        if options.get("as_user"):
            return get_user(options["as_user"])
        from salesflow.people.models import User

        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("give --as USER", returncode=1)
        return user

    @staticmethod
    def _lines(options: dict[str, Any]) -> list[services.LineInput]:
        return [*(services.parse_line(spec) for spec in options["line"]),
                *(services.parse_text_line(spec) for spec in options["text"])]

    @staticmethod
    def _terms(options: dict[str, Any]) -> services.Terms:
        return services.Terms(valid_until=_date(options.get("valid_until")), tax_rate=options.get("tax_rate"),
                              payment_terms=options.get("payment_terms"), currency=options.get("currency"),
                              note=options.get("note") or "")

    def do_create(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        version = services.do_create_quote(options["record"], user, self._lines(options), self._terms(options),
                                           options["language"])
        self._print(version.quote, version, options)

    def do_revise(self, options: dict[str, Any]) -> None:
        user = get_user(options["as_user"])
        version = services.do_revise_quote(options["quote"], user, self._lines(options) or None, self._terms(options))
        self._print(version.quote, version, options)

    def _version(self, options: dict[str, Any]) -> tuple[Any, Any]:
        quote = services.get_quote(options["quote"], self._user(options))
        number = options.get("version") or quote.current_version
        version = quote.versions.filter(version=number).first()
        if version is None:
            raise BadInput(f"--version: quote {quote.number} has versions "
                           f"{', '.join(str(v) for v in quote.versions.values_list('version', flat=True))}")
        return quote, version

    def do_show(self, options: dict[str, Any]) -> None:
        quote, version = self._version(options)
        self._print(quote, version, options)

    def _print(self, quote: Any, version: Any, options: dict[str, Any]) -> None:
        data = services.quote_data(quote, version)
        if options.get("json"):
            self.emit_json(data)
            return
        state = "approved" if data["approved"] else "not approved"
        self.stdout.write(f"{quote.number} (quote {quote.pk}) version {version.version} on record {quote.record_id} — "
                          f"{data['status']}, {state}")
        for line in version.lines:
            self.stdout.write(f"  {line['position']:>3} {line['sku'] or '-':<18} {line['description']['en'][:40]:<40} "
                              f"{line['quantity']:>8} {line['unit']:<6} × {line['unit_price']:>12} "
                              f"−{line['discount_percent']:>5} % = {line['line_total']:>14}")
        self.stdout.write(f"  total {data['total']} {data['currency']} + tax {data['tax_rate']} % {data['tax_amount']}"
                          f" = {data['total_with_tax']} {data['currency']}; largest discount "
                          f"{data['max_discount_percent']} %; valid until {data['valid_until']}")

    def _write(self, options: dict[str, Any], kind: str) -> None:
        quote, version = self._version(options)
        language = options.get("language") or quote.language
        target = Path(options["output"])
        if not target.parent.is_dir():
            raise BadInput(f"-o: no such directory {str(target.parent)!r}")
        if kind == "pdf":
            target.write_bytes(document.render_offer_pdf(version, language))
        else:
            target.write_text(document.render_offer_html(version, language, for_print=True), encoding="utf-8")
        self.stdout.write(f"wrote {target} ({quote.number} version {version.version}, {language})")

    def do_pdf(self, options: dict[str, Any]) -> None:
        self._write(options, "pdf")

    def do_html(self, options: dict[str, Any]) -> None:
        self._write(options, "html")

    def do_accept(self, options: dict[str, Any]) -> None:
        self._answer(options, True)

    def do_reject(self, options: dict[str, Any]) -> None:
        self._answer(options, False)

    def _answer(self, options: dict[str, Any], accepted: bool) -> None:
        quote = services.do_answer(options["quote"], get_user(options["as_user"]), accepted, options["reason"])
        if options.get("json"):
            self.emit_json(services.quote_data(quote))
            return
        self.stdout.write(f"{quote.number} version {quote.current_version}: {quote.status}")
