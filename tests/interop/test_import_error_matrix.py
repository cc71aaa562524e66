"""Every importer, every kind of bad input: a clear message, exit 1, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.interop.conftest import HISTORY_HEADER, OPPORTUNITY_HEADER, counts, opportunity, write_csv

pytestmark = pytest.mark.django_db

CASES = ["wrong_encoding", "missing_column", "bad_date", "bad_number", "duplicate_id", "unknown_stage", "empty_file"]


# --- Salesforce ------------------------------------------------------------------------------------

def salesforce(case: str, tmp: Path) -> tuple[list[str], str]:
    folder = tmp / "sf"
    header = list(OPPORTUNITY_HEADER)
    good = opportunity("006O1", "Good", "Qualification")
    rows = [good]
    encoding = "utf-8"
    expect = {
        "wrong_encoding": "Opportunity.csv:1: the file is not UTF-8 text",
        "missing_column": "Opportunity.csv:1: missing required column(s): StageName",
        "bad_date": "Opportunity.csv:3: CloseDate: not a valid date: '2025-02-30'",
        "bad_number": "Opportunity.csv:3: Amount: a number is expected, got 'lots'",
        "duplicate_id": "Opportunity.csv:3: Id: duplicate id '006O1' (also in row 2)",
        "unknown_stage": "Opportunity.csv:3: StageName: stage 'Handshake' is not mapped",
        "empty_file": "Opportunity.csv: the file is empty",
    }[case]
    if case == "wrong_encoding":
        rows.append(opportunity("006O2", "Müller Büro", "Qualification"))
        encoding = "latin-1"
    elif case == "missing_column":
        header.remove("StageName")
        rows = [row[:2] + row[3:] for row in rows]
    elif case == "bad_date":
        rows.append(opportunity("006O2", "x", "Qualification", close="2025-02-30"))
    elif case == "bad_number":
        rows.append(opportunity("006O2", "x", "Qualification", amount="lots"))
    elif case == "duplicate_id":
        rows.append(opportunity("006O1", "again", "Qualification"))
    elif case == "unknown_stage":
        rows.append(opportunity("006O2", "x", "Handshake"))
    write_csv(folder / "Opportunity.csv", header, rows, encoding=encoding)
    write_csv(folder / "OpportunityHistory.csv", HISTORY_HEADER,
              [["008H1", "006O1", "005U1", "2025-01-02 09:00:00", "Qualification", "1000", "10", "2025-06-30"]])
    if case == "empty_file":
        (folder / "Opportunity.csv").write_bytes(b"")
    return ["import", "salesforce", str(folder)], expect


# --- HubSpot ---------------------------------------------------------------------------------------

HUBSPOT_HEADER = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner",
                  'Date entered "Appointment Scheduled (Sales Pipeline)"']


def hubspot(case: str, tmp: Path) -> tuple[list[str], str]:
    header = list(HUBSPOT_HEADER)
    rows = [["1", "Good", "Appointment Scheduled", "100", "2025-05-01", "2025-01-01", "Jo Doe", "2025-01-01"]]
    encoding = "utf-8"
    expect = {
        "wrong_encoding": "deals.csv:1: the file is not UTF-8 text",
        "missing_column": "deals.csv:1: missing required column(s): Deal Stage",
        "bad_date": "deals.csv:3: Close Date: not a valid date: '2025-13-01'",
        "bad_number": "deals.csv:3: Amount: a number is expected, got '1.000,00 €'",
        "duplicate_id": "deals.csv:3: Record ID: duplicate id '1' (also in row 2)",
        "unknown_stage": "deals.csv:3: Deal Stage: stage 'Handshake' is not mapped",
        "empty_file": "deals.csv: the file is empty",
    }[case]
    bad = ["2", "Bad", "Appointment Scheduled", "100", "2025-05-01", "2025-01-01", "Jo Doe", ""]
    if case == "wrong_encoding":
        bad[1] = "Müller"
        encoding = "latin-1"
    elif case == "missing_column":
        header.remove("Deal Stage")
        rows = [row[:2] + row[3:] for row in rows]
        bad = bad[:2] + bad[3:]
    elif case == "bad_date":
        bad[4] = "2025-13-01"
    elif case == "bad_number":
        bad[3] = "1.000,00 €"
    elif case == "duplicate_id":
        bad[0] = "1"
    elif case == "unknown_stage":
        bad[2] = "Handshake"
    path = write_csv(tmp / "deals.csv", header, [*rows, bad], encoding=encoding)
    if case == "empty_file":
        path.write_bytes(b"")
    return ["import", "hubspot", str(path)], expect


# --- generic spreadsheet ---------------------------------------------------------------------------

def spreadsheet(case: str, tmp: Path) -> tuple[list[str], str]:
    mapping = tmp / "map.yaml"
    mapping.write_text("kind: records\nid: Ref\ncolumns:\n  title: Name\n  stage: Phase\n  amount: Value\n"
                       "  close_date: Close\n", encoding="utf-8")
    header = ["Ref", "Name", "Phase", "Value", "Close"]
    rows = [["R1", "Good", "Qualification", "100", "2025-05-01"]]
    bad = ["R2", "Bad", "Proposal", "200", "2025-06-01"]
    encoding = "utf-8"
    expect = {
        "wrong_encoding": "records.csv:1: the file is not UTF-8 text",
        "missing_column": "records.csv:1: missing column 'Phase' (mapped to stage",
        "bad_date": "records.csv:3: Close: not a valid date: '2025-06-31'",
        "bad_number": "records.csv:3: Value: a number is expected, got 'two hundred'",
        "duplicate_id": "records.csv:3: Ref: duplicate id 'R1' (also in row 2)",
        "unknown_stage": "records.csv:3: Phase: stage 'Handshake' is not a stage of opportunity-management",
        "empty_file": "records.csv: the file is empty",
    }[case]
    if case == "wrong_encoding":
        bad[1] = "Müller"
        encoding = "latin-1"
    elif case == "missing_column":
        header.remove("Phase")
        rows = [row[:2] + row[3:] for row in rows]
        bad = bad[:2] + bad[3:]
    elif case == "bad_date":
        bad[4] = "2025-06-31"
    elif case == "bad_number":
        bad[3] = "two hundred"
    elif case == "duplicate_id":
        bad[0] = "R1"
    elif case == "unknown_stage":
        bad[2] = "Handshake"
    path = write_csv(tmp / "records.csv", header, [*rows, bad], encoding=encoding)
    if case == "empty_file":
        path.write_bytes(b"")
    return ["import", "csv", str(path), "--map", str(mapping)], expect


# --- XES -------------------------------------------------------------------------------------------

def xes(case: str, tmp: Path) -> tuple[list[str], str]:
    mapping = tmp / "map.yaml"
    mapping.write_text("activities:\n  start: qualification\n  offer: proposal\namount: amount\n", encoding="utf-8")

    def trace(case_id: str, amount: str = "100", when: str = "2025-01-02T10:00:00Z", activity: str = "offer",
              stamp: bool = True) -> str:
        stamp_xml = f'<date key="time:timestamp" value="{when}"/>' if stamp else ""
        return (f'<trace><string key="concept:name" value="{case_id}"/><string key="amount" value="{amount}"/>'
                f'<event><string key="concept:name" value="start"/>'
                f'<date key="time:timestamp" value="2025-01-01T10:00:00Z"/></event>'
                f'<event><string key="concept:name" value="{activity}"/>{stamp_xml}</event></trace>')

    good = trace("c1")
    expect = {
        "wrong_encoding": "log.xes:1: not well-formed XML",
        "missing_column": "trace 1 (case c2), event 1 has no time:timestamp",
        "bad_date": "trace 1 (case c2), event 1 has a bad time:timestamp 'yesterday'",
        "bad_number": "amount: trace 1 (case c2): a number is expected, got 'lots'",
        "duplicate_id": "trace 1: duplicate case id 'c1' (also trace 0)",
        "unknown_stage": "activity 'haggle' (1 event(s)) is not mapped",
        "empty_file": "log.xes: the file is empty",
    }[case]
    bad = {"wrong_encoding": trace("Müller"), "missing_column": trace("c2", stamp=False),
           "bad_date": trace("c2", when="yesterday"), "bad_number": trace("c2", amount="lots"),
           "duplicate_id": trace("c1"), "unknown_stage": trace("c2", activity="haggle"), "empty_file": ""}[case]
    text = f'<?xml version="1.0" encoding="UTF-8"?><log xmlns="http://www.xes-standard.org/">{good}{bad}</log>'
    path = tmp / "log.xes"
    path.write_bytes(text.encode("latin-1" if case == "wrong_encoding" else "utf-8"))
    if case == "empty_file":
        path.write_bytes(b"")
    return ["import", "xes", str(path), "--process", "opportunity-management", "--map", str(mapping)], expect


IMPORTERS: dict[str, Callable[[str, Path], tuple[list[str], str]]] = {
    "salesforce": salesforce, "hubspot": hubspot, "csv": spreadsheet, "xes": xes}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("importer", list(IMPORTERS))
def test_bad_input_is_reported_clearly_and_nothing_is_written(cli, tmp_path: Path, importer: str, case: str) -> None:
    args, expected = IMPORTERS[importer](case, tmp_path)
    before = counts()
    result = cli(*args)
    assert result.code == 1, result
    assert expected in result.err, result
    assert "Traceback" not in result.err
    assert counts() == before
