"""OCEL 2.0 export (JSON and SQLite): records, accounts and users as objects; events linked to all of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.records.models import Event, Record
from tests.interop.conftest import shared

pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL, dev extra) reads OCEL 2.0 for the check")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("suffix", ["json", "sqlite"])
def test_ocel_export_is_read_by_pm4py(cli, tmp_path: Path, suffix: str) -> None:
    assert cli("import", "salesforce", shared("salesforce/devedition")).code == 0
    target = tmp_path / f"log.{suffix}"
    result = cli("export", "ocel", "-o", target, "--json")
    assert result.code == 0, result
    record_events = Event.objects.filter(record__isnull=False).count()
    assert result.json()["events"] == record_events
    ocel = pm4py.read_ocel2_json(str(target)) if suffix == "json" else pm4py.read_ocel2_sqlite(str(target))
    assert len(ocel.events) == record_events
    types = ocel.objects["ocel:type"].value_counts().to_dict()
    accounts = Record.objects.exclude(account="").values("account").distinct().count()
    assert types == {"opportunity": Record.objects.count(), "account": accounts, "user": 1}
    qualifiers = set(ocel.relations["ocel:qualifier"])
    assert qualifiers == {"record", "account", "actor"}
    per_event = ocel.relations.groupby("ocel:eid").size()
    assert per_event.min() == 3  # every event: its record, the account and the user who acted
    assert len(ocel.o2o) == 2 * Record.objects.count()


def test_ocel_needs_json_or_sqlite(cli, tmp_path: Path) -> None:
    result = cli("export", "ocel", "-o", tmp_path / "log.xml")
    assert result.code == 1
    assert "OCEL 2.0 is written as .json or .sqlite" in result.err
