"""Import HubSpot's deals export (``.csv`` or ``.xlsx``).

Columns (matched ignoring case): ``Record ID`` (or ``Deal ID``; required), ``Deal Name`` (required),
``Deal Stage`` (required), ``Amount``, ``Close Date``, ``Create Date``, ``Last Modified Date``,
``Deal owner`` (a name: an inactive placeholder user ``hubspot-<name>`` unless a user of that name
exists), ``Pipeline``, ``Associated Company`` (the account: found by an earlier import's link or by its
normalised name, else created; ``Associated Company IDs`` — HubSpot's company id — links it across renames),
and any ``Date entered "<stage>"
(<pipeline>)`` columns: each filled one becomes an imported stage event at that date. Stages are
mapped by the default map of HubSpot's standard pipeline, extended by ``--stage-map``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from salesflow.accounts.models import normalise_name
from salesflow.engine.errors import BadInput
from salesflow.interop import parsing
from salesflow.interop.engine import ImportSummary, ImportWriter, UserSpec, fingerprint, run_import
from salesflow.interop.generic import RecordIn, StepIn, link_accounts, write_records
from salesflow.interop.lengths import too_long
from salesflow.interop.mapping import HUBSPOT_STAGES, load_maps
from salesflow.interop.problems import DEFAULT_LIMIT, ImportFailed, Problems
from salesflow.interop.tabular import SheetError, cell, open_sheet
from salesflow.records.services import definition_of, get_process

SYSTEM = "hubspot"
_ENTERED = re.compile(r"^date entered\s+(?P<rest>.+)$", re.IGNORECASE)
_PIPELINE = re.compile(r"\s*\([^()]*\)$")


def entered_stage_label(header: str) -> str | None:
    """The stage label of a ``Date entered "<stage> (<pipeline>)"`` column, or None for other columns."""
    match = _ENTERED.match(" ".join(header.split()))
    if match is None:
        return None
    rest = match.group("rest").strip().strip('"').strip()
    return _PIPELINE.sub("", rest).strip().strip('"').strip() or None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:120] or "unknown"


def import_hubspot(path: str | Path, process: str = "opportunity-management", stage_map: str | Path | None = None,
                   *, dry_run: bool = False, skip_invalid: bool = False, currency: str = "EUR",
                   problem_limit: int = DEFAULT_LIMIT) -> ImportSummary:
    """Import a HubSpot deals export; returns the summary or raises `ImportFailed` (nothing written)."""
    file = Path(path)
    version = get_process(process).current_version()
    if version is None:
        raise BadInput(f"process {process} has no approved version: approve one before importing")
    definition = definition_of(version)
    maps = load_maps(stage_map, definition, HUBSPOT_STAGES)
    problems = Problems()
    records: dict[str, RecordIn] = {}
    users: dict[str, UserSpec] = {}
    try:
        sheet = open_sheet(file)
        name = sheet.name
        missing = [label for label, options in (("Record ID", ("Record ID", "Deal ID", "Deal Id", "hs_object_id")),
                                                ("Deal Name", ("Deal Name",)), ("Deal Stage", ("Deal Stage",)))
                   if sheet.index(*options) is None]
        if sheet.duplicate_headers():
            problems.add_fatal(name, f"duplicate column(s): {', '.join(sheet.duplicate_headers())}", row=1)
        if missing:
            problems.add_fatal(name, f"missing required column(s): {', '.join(missing)} (the columns are: "
                               f"{', '.join(sheet.header)})", row=1)
        entered: list[tuple[int, str, str]] = []  # position, header, stage id
        for position, header in enumerate(sheet.header):
            label = entered_stage_label(header)
            if label is not None:
                entered.append((position, header, maps.stages.get(label) or ""))
        if not problems.fatal:
            column = {key: sheet.index(*options) for key, options in {
                "id": ("Record ID", "Deal ID", "Deal Id", "hs_object_id"), "name": ("Deal Name",),
                "stage": ("Deal Stage",), "amount": ("Amount",), "close": ("Close Date",),
                "created": ("Create Date", "Created Date"), "modified": ("Last Modified Date",),
                "owner": ("Deal owner", "Deal Owner", "HubSpot Owner"), "pipeline": ("Pipeline",),
                "company": ("Associated Company", "Company name", "Associated Company (Primary)"),
                "company_id": ("Associated Company IDs", "Associated Company ID", "Associated Company IDs (Primary)",
                               "Company ID"),
                "currency": ("Currency", "Deal currency code")}.items()}
            rows_of: dict[str, int] = {}
            for number, cells in sheet.rows:
                before = len(problems)

                def get(key: str, cells: list[Any] = cells) -> Any:
                    return cell(cells, column[key])

                deal = str(get("id") or "")
                if not deal:
                    problems.add(name, number, "Record ID", "a deal id is required")
                elif deal in rows_of:
                    problems.add(name, number, "Record ID", f"duplicate id {deal!r} (also in row {rows_of[deal]})")
                title = str(get("name") or "")
                if not title:
                    problems.add(name, number, "Deal Name", "a deal name is required")
                for key, label, kind in (("id", "Record ID", "external_id"), ("name", "Deal Name", "title"),
                                         ("company", "Associated Company", "account"),
                                         ("owner", "Deal owner", "first_name")):  # first and last name: one cell
                    if message := too_long(get(key), kind):
                        problems.add(name, number, label, message)
                raw_stage = str(get("stage") or "")
                stage = maps.stages.get(raw_stage) if raw_stage else None
                if not raw_stage:
                    problems.add(name, number, "Deal Stage", "a stage is required")
                elif stage is None:
                    problems.add(name, number, "Deal Stage", f"stage {raw_stage!r} is not mapped to a stage of "
                                 f"{process} (--stage-map FILE)")
                values: dict[str, Any] = {}
                for key, label, parser in (("amount", "Amount", parsing.parse_money),
                                           ("close", "Close Date", lambda raw: parsing.parse_date(raw).isoformat()),
                                           ("created", "Create Date", parsing.parse_datetime),
                                           ("modified", "Last Modified Date", parsing.parse_datetime)):
                    raw = get(key)
                    values[key] = None
                    if not parsing.blank(raw):
                        try:
                            values[key] = parser(raw)
                        except ValueError as error:
                            problems.add(name, number, label, str(error))
                steps: list[StepIn] = []
                for position, header, entered_stage in entered:
                    raw = cell(cells, position)
                    if parsing.blank(raw):
                        continue
                    if not entered_stage:
                        problems.add(name, number, header, "the stage of this column is not mapped (--stage-map FILE)")
                        continue
                    try:
                        at = parsing.parse_datetime(raw)
                    except ValueError as error:
                        problems.add(name, number, header, str(error))
                        continue
                    steps.append(StepIn(f"{deal}|{header}|{at.isoformat()}", at, stage=entered_stage,
                                        source={"column": header}))
                row_currency = str(get("currency") or currency).upper()
                if len(row_currency) != 3 or not row_currency.isalpha():
                    problems.add(name, number, "Currency", f"a three-letter currency code is expected, got "
                                 f"{row_currency!r}")
                if len(problems) != before or stage is None:
                    continue
                rows_of[deal] = number
                owner_name = str(get("owner") or "")
                owner = None
                if owner_name:
                    owner = f"owner:{owner_name}"
                    first, _, last = owner_name.partition(" ")
                    users.setdefault(owner, UserSpec(owner, f"hubspot-{_slug(owner_name)}", first, last))
                for step in steps:
                    step.actor = owner
                company = str(get("company") or "").strip()
                company_id = str(get("company_id") or "").split(";")[0].strip()
                account_ref = (f"company:{company_id}" if company_id else
                               f"name:{normalise_name(company)}" if normalise_name(company) else "")
                records[deal] = RecordIn(
                    external_id=deal, title=title, stage=stage, amount=values["amount"], currency=row_currency,
                    close_date=values["close"], owner=owner, account=company, account_ref=account_ref,
                    created_at=values["created"], updated_at=values["modified"], steps=steps,
                    fingerprint=fingerprint([title, raw_stage, values["amount"], values["close"], owner_name,
                                             get("company"), row_currency]),
                    source={"system": SYSTEM, "deal_id": deal, "stage": raw_stage, "pipeline": str(get("pipeline") or "")})
            if not records and not problems:
                problems.add_fatal(name, "the file has no deals")
    except SheetError as error:
        problems.add_fatal(error.file, error.message, row=error.row)
    if problems.fatal or (problems and not skip_invalid and not dry_run):
        raise ImportFailed(problems.items, f"{len(problems)} problem(s) found; nothing was written",
                           limit=problem_limit)
    summary = ImportSummary(SYSTEM, process)
    summary.skipped = list(problems.items)

    def work() -> None:
        writer = ImportWriter(SYSTEM, process, summary)
        link_accounts(writer, list(records.values()))
        write_records(writer, list(records.values()), list(users.values()), record_kind="deal")
    return run_import(work, summary, dry_run)
