"""A value longer than its database column is refused as file:row: column: too long …, never cut; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.records.models import Record
from tests.interop.conftest import HISTORY_HEADER, OPPORTUNITY_HEADER, counts, opportunity, write_csv
from tests.interop.test_import_error_matrix import HUBSPOT_HEADER

pytestmark = pytest.mark.django_db

LONG = "T" * 2001


def refused(cli, args: list[str], expected: str) -> str:
    before = counts()
    result = cli(*args)
    assert result.code == 1, result
    assert expected in result.err, result.err
    assert "Traceback" not in result.err
    assert counts() == before
    return result.err


def test_spreadsheet_refuses_a_five_megabyte_title(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: records\nid: Ref\ncolumns:\n  title: Name\n  stage: Phase\n", encoding="utf-8")
    path = write_csv(tmp_path / "records.csv", ["Ref", "Name", "Phase"],
                     [["R1", "Good", "Qualification"], ["R2", "x" * 5_000_000, "Qualification"]])
    err = refused(cli, ["import", "csv", path, "--map", mapping],
                  "records.csv:3: Name: too long: 5,000,000 characters, at most 2,000 fit ('xxxx")
    assert len(err) < 2000  # the message quotes the start of the value, not all of it
    assert not Record.objects.exists()


def test_spreadsheet_refuses_a_long_account_and_owner(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: records\nid: Ref\ncolumns:\n  title: Name\n  account: Company\n  owner: Owner\n",
                       encoding="utf-8")
    path = write_csv(tmp_path / "records.csv", ["Ref", "Name", "Company", "Owner"],
                     [["R1", "Good", "A" * 2001, "o" * 151]])
    err = refused(cli, ["import", "csv", path, "--map", mapping], "records.csv:2: Company: too long: 2,001 characters")
    assert "records.csv:2: Owner: too long: 151 characters, at most 150 fit" in err


def test_spreadsheet_events_refuse_a_long_record_id(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: events\ncolumns:\n  record: Case\n  at: When\n  stage: Stage\n", encoding="utf-8")
    path = write_csv(tmp_path / "events.csv", ["Case", "When", "Stage"],
                     [["c" * 256, "2025-01-02 10:00", "Qualification"]])
    refused(cli, ["import", "csv", path, "--map", mapping], "events.csv:2: Case: too long: 256 characters, at most 255")


def test_hubspot_refuses_a_long_deal_name_and_owner(cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "deals.csv", HUBSPOT_HEADER,
                     [["1", LONG, "Appointment Scheduled", "100", "2025-05-01", "2025-01-01", "J" * 151, ""]])
    err = refused(cli, ["import", "hubspot", path],
                  "deals.csv:2: Deal Name: too long: 2,001 characters, at most 2,000 fit")
    assert "deals.csv:2: Deal owner: too long: 151 characters, at most 150 fit" in err


def test_salesforce_refuses_long_names_accounts_and_users(cli, tmp_path: Path) -> None:
    folder = tmp_path / "sf"
    write_csv(folder / "Opportunity.csv", OPPORTUNITY_HEADER, [opportunity("006O1", LONG, "Qualification")])
    write_csv(folder / "OpportunityHistory.csv", HISTORY_HEADER, [])
    write_csv(folder / "Account.csv", ["Id", "Name", "Website"], [["001A1", "N" * 301, "acme.example"]])
    write_csv(folder / "User.csv", ["Id", "Username", "FirstName", "LastName", "Email"],
              [["005U1", "kim@acme.example", "K" * 151, "Seller", "kim@acme.example"]])
    err = refused(cli, ["import", "salesforce", folder],
                  "Opportunity.csv:2: Name: too long: 2,001 characters, at most 2,000 fit")
    assert "Account.csv:2: Name: too long: 301 characters, at most 300 fit" in err
    assert "User.csv:2: FirstName: too long: 151 characters, at most 150 fit" in err


def test_xes_refuses_a_long_title(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("activities:\n  offer: proposal\ntitle: title\n", encoding="utf-8")
    trace = (f'<trace><string key="concept:name" value="c1"/><string key="title" value="{LONG}"/>'
             '<event><string key="concept:name" value="offer"/>'
             '<date key="time:timestamp" value="2025-01-01T10:00:00Z"/></event></trace>')
    path = tmp_path / "log.xes"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?><log xmlns="http://www.xes-standard.org/">{trace}</log>',
                    encoding="utf-8")
    refused(cli, ["import", "xes", path, "--process", "opportunity-management", "--map", mapping],
            "title: trace 0 (case c1): too long: 2,001 characters, at most 2,000 fit")
