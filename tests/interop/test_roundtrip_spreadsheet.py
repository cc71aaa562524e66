"""Our data → CSV / xlsx → import → the same records."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from salesflow.records import services
from salesflow.records.models import Record
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db

COMPARED = ("title", "stage", "owner_id", "account", "amount", "currency", "close_date", "classification",
            "probability_override", "values", "created_at")


@pytest.fixture
def originals(db):
    people = add_people()
    made = []
    for number, (stage, amount) in enumerate([("qualification", "1000"), ("solution_design", "25000.50"),
                                              ("qualification", None)]):
        record = services.do_create_record("opportunity-management", people["kam"], {
            "title": f"Round trip {number} – Grüße, \"quotes\" and\nnewline", "account": "Acme GmbH",
            "amount": amount, "close_date": "2025-12-31" if amount else None, "budget": "9000", "type": "new_business",
            "classification": "confidential"})
        if stage != "qualification":
            services.do_set_fields(record.pk, people["head"], {"decision_date": "2025-11-30"})
            services.do_move(record.pk, people["head"], stage, override_reason="round-trip test")
        if number == 0:
            services.do_set_probability(record.pk, people["kam"], 25, "customer signalled budget")
        made.append(Record.objects.get(pk=record.pk))
    return made


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_records(cli, originals, tmp_path: Path, fmt: str) -> None:
    exported = tmp_path / f"records.{fmt}"
    assert cli("export", "records", "-o", exported).code == 0
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: records\nid: id\nsystem: round-trip\n", encoding="utf-8")
    result = cli("import", "csv", exported, "--map", mapping, "--json")
    assert result.code == 0, result
    assert result.json()["records"]["created"] == len(originals)
    imported = Record.objects.exclude(pk__in=[record.pk for record in originals]).order_by("created_at", "pk")
    for original, copy in zip(sorted(originals, key=lambda item: (item.created_at, item.pk)), imported, strict=True):
        for name in COMPARED:
            expected, got = getattr(original, name), getattr(copy, name)
            if name == "created_at" and fmt == "xlsx":  # Excel keeps milliseconds
                assert abs(got - expected) <= datetime.timedelta(milliseconds=1)
                continue
            assert got == expected, name
    again = cli("import", "csv", exported, "--map", mapping, "--json")
    assert again.json()["records"]["unchanged"] == len(originals)
