"""``salesflow record …``: create records and take them through their process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from salesflow.cli_support import SalesflowCommand, parse_assignments
from salesflow.people import access
from salesflow.records import services
from salesflow.records.models import Record
from salesflow.records.redaction import reader_payloads

ACTIONS = {
    "create": "Create a record of a process; prints the new id.",
    "show": "Show a record with its stage, probability, gate checklist.",
    "set": "Change fields: salesflow record set ID name=value … --as USER.",
    "do": "Complete an activity.",
    "decide": "Answer the current stage's gate decision (yes or no).",
    "approve": "Grant an approval (competence catalog).",
    "request-approval": "Ask for an approval: the competence catalog's role for the record's amount is notified.",
    "refuse": "Refuse an approval with a written reason: the requester and the owner are notified.",
    "request-decision": "Ask for the current stage's decision: the deciding role (or its delegate) is notified.",
    "move": "Move the record to a stage (gates are enforced).",
    "probability": "Override the win probability in the current stage with a reason (or 'default').",
    "delegate": "Delegate gate decisions to a user (or revoke them).",
    "consult": "Ask a Consulted role of an activity (RACI): its holders are notified and see it on My work.",
    "answer": "Answer an open consultation request on an activity (as a holder of the role asked).",
    "consultations": "The record's consultation requests, open and answered.",
    "list": "List records.",
    "events": "The record's timeline from the event log.",
    "links": "The record's links and the whole chain it belongs to (lead → opportunity → order …).",
    "link": "Link two records by hand (--kind, default related).",
    "unlink": "Remove a link set by hand.",
    "attach": "Add a document (a contract …) to a record; the same name again is its next version.",
    "documents": "List a record's documents and versions.",
}


class Command(SalesflowCommand):
    help = ("Create records and take them through their process. Exit codes: 0 done, 1 bad input, "
            "3 gate or requirement unmet, 4 not permitted, 5 conflict.")


    @staticmethod
    def _in_corporate(data: dict[str, Any]) -> str:
        """`` (= 90000.00 EUR at 0.9 of 2027-01-05)`` for an amount in another currency (or that no rate exists)."""
        from salesflow.currency.services import to_corporate
        from salesflow.currency.settings import corporate_currency

        corporate = corporate_currency()
        if data["amount"] is None or data["currency"] == corporate:
            return ""
        found = to_corporate(data["amount"], data["currency"])
        if found is None:
            return f" (no exchange rate {data['currency']} → {corporate}: not in the totals)"
        return f" (= {found.converted:f} {corporate} at {found.rate.normalize():f} of {found.date.isoformat()})"
    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        p["create"].add_argument("process", metavar="PROCESS")
        p["create"].add_argument("--title", required=True)
        p["create"].add_argument("--field", action="append", default=[], metavar="NAME=VALUE")
        p["create"].add_argument("--owner", metavar="USER", help="default: the user given with --as")
        p["create"].add_argument("--from", dest="link_from", metavar="ID",
                                 help="start it linked to this record (e.g. an RFP from its opportunity)")
        p["create"].add_argument("--customer", metavar="ACCOUNT_ID", help="the customer account's id")
        p["show"].add_argument("id")
        p["set"].add_argument("id")
        p["set"].add_argument("assignments", nargs="+", metavar="NAME=VALUE")
        p["do"].add_argument("id")
        p["do"].add_argument("activity", metavar="ACTIVITY")
        p["decide"].add_argument("id")
        p["decide"].add_argument("answer", choices=["yes", "no"])
        p["approve"].add_argument("id")
        p["approve"].add_argument("approval", metavar="APPROVAL")
        p["request-approval"].add_argument("id")
        p["request-approval"].add_argument("approval", metavar="APPROVAL")
        p["refuse"].add_argument("id")
        p["refuse"].add_argument("approval", metavar="APPROVAL")
        p["refuse"].add_argument("--reason", required=True, metavar="TEXT", help="why the approval is refused")
        p["request-decision"].add_argument("id")
        p["move"].add_argument("id")
        p["move"].add_argument("stage", metavar="STAGE")
        p["move"].add_argument("--override", metavar="REASON", help="override unmet requirements (authorised roles)")
        p["move"].add_argument("--account", metavar="ACCOUNT_ID",
                               help="hand-offs of the stage entered use this existing account (default: match or create)")
        p["probability"].add_argument("id")
        p["probability"].add_argument("value", metavar="PERCENT", help="0-100, or 'default'")
        p["probability"].add_argument("--reason")
        p["delegate"].add_argument("id")
        target = p["delegate"].add_mutually_exclusive_group(required=True)
        target.add_argument("--to", metavar="USER")
        target.add_argument("--revoke", action="store_true")
        p["delegate"].add_argument("--stage", action="append", default=None, metavar="STAGE",
                                   help="limit to the decision of this stage (repeatable; default: all)")
        p["consult"].add_argument("id")
        p["consult"].add_argument("activity", metavar="ACTIVITY")
        p["consult"].add_argument("--role", required=True, metavar="ROLE", help="a consulted role of the activity")
        p["consult"].add_argument("--question", default="", help="what you would like to know")
        p["answer"].add_argument("id")
        p["answer"].add_argument("activity", metavar="ACTIVITY")
        p["answer"].add_argument("--role", metavar="ROLE", help="the role asked (default: the one you hold)")
        p["answer"].add_argument("--answer", required=True, dest="text", metavar="TEXT")
        p["consultations"].add_argument("id")
        p["consultations"].add_argument("--open", action="store_true", help="only those not answered yet")
        p["list"].add_argument("--process")
        p["list"].add_argument("--stage")
        p["list"].add_argument("--owner", metavar="USER")
        p["list"].add_argument("--limit", type=int, default=1000)
        p["events"].add_argument("id")
        p["links"].add_argument("id")
        for name in ("link", "unlink"):
            p[name].add_argument("id")
            p[name].add_argument("other", metavar="OTHER_ID")
        p["link"].add_argument("--kind", default="related")
        p["attach"].add_argument("id")
        p["attach"].add_argument("file", metavar="FILE")
        p["attach"].add_argument("--name", help="document name (default: the file's name)")
        p["attach"].add_argument("--note", default="")
        p["documents"].add_argument("id")
        for name in ("show", "list", "events", "links", "documents"):
            p[name].add_argument("--as", dest="as_user", metavar="USER",
                                 help="read as this user: only what they may see (default: everything)")
        for name in ("link", "unlink", "attach"):
            p[name].add_argument("--as", dest="as_user", required=True, metavar="USER", help="who acts")
        for name in ("create", "set", "do", "decide", "approve", "move", "probability", "delegate", "consult",
                     "answer", "request-approval", "refuse", "request-decision"):
            p[name].add_argument("--as", dest="as_user", required=True, metavar="USER", help="who acts")
            p[name].add_argument("--expect-version", type=int, metavar="N",
                                 help="refuse (exit 5) if the record changed since version N")
        for name in ("do", "decide", "approve", "request-approval", "request-decision"):
            p[name].add_argument("--note", default="")
        for name in ACTIONS:
            p[name].add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action'].replace('-', '_')}")(options)

    # --- helpers ---------------------------------------------------------------------------------

    def _user(self, options: dict[str, Any]) -> Any:
        return services.get_user(options["as_user"])

    def _id(self, options: dict[str, Any]) -> int:
        return services.get_record(options["id"]).pk

    def _print_record(self, record: Record, options: dict[str, Any]) -> None:
        record = services.get_record(record.pk)
        data = services.record_data(record)
        if options.get("json"):
            self.emit_json(data)
            return
        probability = f"{data['probability']}%"
        if data["probability_override"] is not None:
            probability += f" (override; stage default {data['stage_probability']}%)"
        lines = [
            f"#{data['id']} {data['title']}",
            f"  process      {data['process']} v{data['process_version']}",
            f"  stage        {data['stage']} ({data['stage_title']}), probability {probability}",
            f"  owner        {data['owner'] or '-'}",
            f"  amount       {data['amount'] or '-'} {data['currency']}{self._in_corporate(data)}",
            f"  account      {data['account'] or '-'}",
            f"  close date   {data['close_date'] or '-'}",
            f"  class        {data['classification']}",
        ]
        for name, value in sorted(data["fields"].items()):
            lines.append(f"  {name:<12} {value}")
        if data["gate"]:
            lines.append("  gate:")
            for row in data["gate"]:
                lines.append(f"    [{'x' if row['met'] else ' '}] {row['kind']} {row['id']}")
        if data["next_stages"]:
            lines.append(f"  moves to     {', '.join(data['next_stages'])}")
        for row in services.consultation_rows(record, only_open=True):
            lines.append(f"  asked        {row['role']} on {row['activity']} by {row['requested_by']} (open)")
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _number(value: Any, flag: str) -> int | None:
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise CommandError(f"{flag}: a numeric id expected, got {value!r}") from None

    def _expect(self, options: dict[str, Any]) -> int | None:
        return options.get("expect_version")

    # --- actions ---------------------------------------------------------------------------------

    def do_create(self, options: dict[str, Any]) -> None:
        user = self._user(options)
        fields = parse_assignments(options["field"])
        fields["title"] = options["title"]
        if options.get("owner"):
            fields["owner"] = options["owner"]
        record = services.do_create_record(options["process"], user, fields,
                                           link_from=self._number(options.get("link_from"), "--from"),
                                           customer_id=self._number(options.get("customer"), "--customer"))
        if options["json"]:
            self._print_record(record, options)
        else:
            self.stdout.write(str(record.pk))

    def _reader(self, options: dict[str, Any]) -> Any | None:
        """The user reading (``--as``), or None: the administrator's view of everything."""
        return services.get_user(options["as_user"]) if options.get("as_user") else None

    def _read(self, options: dict[str, Any]) -> Record:
        """The record ``id`` as the reader may see it ("not found" when hidden from them)."""
        return services.get_record(options["id"], self._reader(options))

    def do_show(self, options: dict[str, Any]) -> None:
        self._print_record(self._read(options), options)

    def do_set(self, options: dict[str, Any]) -> None:
        record = services.do_set_fields(self._id(options), self._user(options),
                                        parse_assignments(options["assignments"]), self._expect(options))
        self._print_record(record, options)

    def do_do(self, options: dict[str, Any]) -> None:
        record = services.do_complete_activity(self._id(options), self._user(options), options["activity"],
                                               options["note"], self._expect(options))
        self._print_record(record, options)

    def do_decide(self, options: dict[str, Any]) -> None:
        record = services.do_decide(self._id(options), self._user(options), options["answer"], options["note"],
                                    self._expect(options))
        self._print_record(record, options)

    def do_approve(self, options: dict[str, Any]) -> None:
        record = services.do_approve(self._id(options), self._user(options), options["approval"], options["note"],
                                     self._expect(options))
        self._print_record(record, options)

    def do_request_approval(self, options: dict[str, Any]) -> None:
        record = services.do_request_approval(self._id(options), self._user(options), options["approval"],
                                              options["note"], self._expect(options))
        self._print_record(record, options)

    def do_refuse(self, options: dict[str, Any]) -> None:
        record = services.do_refuse_approval(self._id(options), self._user(options), options["approval"],
                                             options["reason"], self._expect(options))
        self._print_record(record, options)

    def do_request_decision(self, options: dict[str, Any]) -> None:
        record = services.do_request_decision(self._id(options), self._user(options), options["note"],
                                              self._expect(options))
        self._print_record(record, options)

    def do_move(self, options: dict[str, Any]) -> None:
        record_id = self._id(options)
        handoff_options = {}
        if options.get("account"):
            account_id = self._number(options["account"], "--account")
            definition = services.definition_of(services.get_record(record_id).process_version)
            if definition.has_stage(options["stage"]):
                handoff_options = {handoff.id: {"account_id": account_id}
                                   for handoff in definition.stage(options["stage"]).handoffs if handoff.account}
        record = services.do_move(record_id, self._user(options), options["stage"], options.get("override"),
                                  self._expect(options), handoff_options=handoff_options)
        self._print_record(record, options)

    def do_probability(self, options: dict[str, Any]) -> None:
        raw = options["value"].strip().rstrip("%")
        if raw == "default":
            value = None
        else:
            try:
                value = int(raw)
            except ValueError:
                raise CommandError(f"probability: a whole number 0-100 or 'default' expected, got {raw!r}") from None
        record = services.do_set_probability(self._id(options), self._user(options), value, options.get("reason"),
                                             self._expect(options))
        self._print_record(record, options)

    def do_delegate(self, options: dict[str, Any]) -> None:
        record = services.do_delegate(self._id(options), self._user(options),
                                      None if options["revoke"] else options["to"], options.get("stage"),
                                      self._expect(options))
        self._print_record(record, options)

    def do_consult(self, options: dict[str, Any]) -> None:
        request = services.do_consult(self._id(options), self._user(options), options["activity"], options["role"],
                                      options["question"], self._expect(options))
        self._print_consultation(request, options)

    def do_answer(self, options: dict[str, Any]) -> None:
        request = services.do_answer_consultation(self._id(options), self._user(options), options["activity"],
                                                  options.get("role"), options["text"], self._expect(options))
        self._print_consultation(request, options)

    def do_consultations(self, options: dict[str, Any]) -> None:
        record = services.get_record(options["id"])
        rows = services.consultation_rows(record, only_open=options["open"])
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            state = f"answered by {row['answered_by']}: {row['answer']}" if row["answered_at"] else "open"
            self.stdout.write(f"{row['activity']:<24} {row['role']:<16} asked by {row['requested_by']} "
                              f"{row['requested_at'][:16]}  {state}")

    def _print_consultation(self, request: Any, options: dict[str, Any]) -> None:
        data = services.consultation_data(request)
        if options["json"]:
            self.emit_json(data)
            return
        if data["answered_at"]:
            self.stdout.write(f"#{data['record']} {data['activity']}: {data['role']} answered by "
                              f"{data['answered_by']}: {data['answer']}")
        else:
            self.stdout.write(f"#{data['record']} {data['activity']}: {data['role']} asked by {data['requested_by']}"
                              f" (open until answered)")

    def do_list(self, options: dict[str, Any]) -> None:
        query = Record.objects.select_related("process", "owner").order_by("id")
        reader = self._reader(options)
        if reader is not None:
            query = access.visible_records(reader, query)
        if options.get("process"):
            query = query.filter(process=services.get_process(options["process"]))
        if options.get("stage"):
            query = query.filter(stage=options["stage"])
        if options.get("owner"):
            query = query.filter(owner=services.get_user(options["owner"]))
        rows = [{
            "id": record.pk, "process": record.process.key, "title": record.title, "stage": record.stage,
            "amount": f"{record.amount:f}" if record.amount is not None else None, "currency": record.currency,
            "owner": record.owner.username if record.owner else None, "account": record.account,
            "close_date": record.close_date.isoformat() if record.close_date else None,
        } for record in query[: options["limit"]]]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['id']:>6}  {row['process']:<24} {row['stage']:<16} {row['amount'] or '-':>14} "
                              f"{row['owner'] or '-':<12} {row['title']}")

    def do_events(self, options: dict[str, Any]) -> None:
        record = self._read(options)
        events = list(record.events.order_by("seq"))
        payloads = reader_payloads(events, self._reader(options))
        rows = [{
            "seq": event.seq, "at": event.at.isoformat(), "kind": event.kind, "from_stage": event.from_stage,
            "to_stage": event.to_stage, "activity": event.activity, "approval": event.approval,
            "actor": event.actor_name, "role": event.role, "payload": payloads[event.seq], "imported": event.imported,
        } for event in events]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            what = row["activity"] or row["approval"] or (f"{row['from_stage']} → {row['to_stage']}"
                                                          if row["to_stage"] else row["from_stage"])
            self.stdout.write(f"{row['seq']:>7}  {row['at'][:19]}  {row['kind']:<22} {what:<36} "
                              f"{row['actor']} ({row['role']})")

    def do_links(self, options: dict[str, Any]) -> None:
        from salesflow.records.chain import chain_of, links_of

        record = self._read(options)
        links = [{"kind": link.kind, "direction": link.direction, "record": link.record.pk,
                  "process": link.record.process.key, "title": link.record.title, "stage": link.record.stage,
                  "handoff": link.handoff or None} for link in links_of(record, self._reader(options))]
        chain = [{"record": item.pk, "process": item.process.key, "title": item.title, "stage": item.stage,
                  "outcome": item.outcome or None} for item in chain_of(record, self._reader(options))]
        if options["json"]:
            self.emit_json({"record": record.pk, "links": links, "chain": chain})
            return
        for link in links:
            arrow = "→" if link["direction"] == "out" else "←"
            self.stdout.write(f"{arrow} {link['kind']:<14} #{link['record']:<6} {link['process']:<24} "
                              f"{link['stage']:<16} {link['title']}")
        if len(chain) > 1:
            self.stdout.write("chain: " + " · ".join(f"#{item['record']} {item['process']} ({item['stage']})"
                                                     for item in chain))

    def do_link(self, options: dict[str, Any]) -> None:
        from salesflow.records.chain import do_link_records

        link = do_link_records(self._id(options), self._number(options["other"], "OTHER_ID"), self._user(options),
                               options["kind"])
        if options["json"]:
            self.emit_json({"source": link.source_id, "target": link.target_id, "kind": link.kind})
        else:
            self.stdout.write(f"linked #{link.source_id} → #{link.target_id} ({link.kind})")

    def do_unlink(self, options: dict[str, Any]) -> None:
        from salesflow.records.chain import do_unlink_records

        do_unlink_records(self._id(options), self._number(options["other"], "OTHER_ID"), self._user(options))
        if options["json"]:
            self.emit_json({"unlinked": [int(options["id"]), int(options["other"])]})
        else:
            self.stdout.write(f"unlinked #{options['id']} → #{options['other']}")

    def do_attach(self, options: dict[str, Any]) -> None:
        import mimetypes
        from pathlib import Path

        from salesflow.records.chain import MAX_DOCUMENT_BYTES, do_add_document

        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise CommandError(f"{path}: larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read file: {error.strerror or error}") from None
        name = options.get("name") or path.name
        document = do_add_document(self._id(options), self._user(options), name, content,
                                   mimetypes.guess_type(name)[0] or "", options["note"])
        data = {"document": document.pk, "name": document.name, "version": document.version,
                "sha256": document.sha256, "size": document.size}
        if options["json"]:
            self.emit_json(data)
        else:
            self.stdout.write(f"{document.name} v{document.version} ({document.size} bytes, sha256 {document.sha256})")

    def do_documents(self, options: dict[str, Any]) -> None:
        record = self._read(options)
        rows = [{"name": item.name, "version": item.version, "size": item.size, "sha256": item.sha256,
                 "by": item.uploaded_by_name, "at": item.at.isoformat(), "note": item.note}
                for item in record.documents.defer("content").order_by("name", "version")]
        if options["json"]:
            self.emit_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['name']:<40} v{row['version']:<3} {row['size']:>10}  {row['at'][:19]}  {row['by']}")
