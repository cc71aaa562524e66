"""--dry-run reports what an import would do (and its problems) and writes nothing."""

from __future__ import annotations

import pytest

from tests.interop.conftest import counts, opportunity

pytestmark = pytest.mark.django_db


def test_dry_run_reports_counts_and_writes_nothing(cli, sf_export) -> None:
    folder = sf_export([opportunity("006O1", "A", "Qualification"), opportunity("006O2", "B", "Closed Won",
                                                                                 closed="1", won="1")])
    before = counts()
    result = cli("import", "salesforce", folder, "--dry-run", "--json")
    assert result.code == 0, result
    assert result.json()["dry_run"] is True
    assert result.json()["records"]["created"] == 2
    assert counts() == before


def test_dry_run_only_reports_unmapped_stages(cli, sf_export) -> None:
    folder = sf_export([opportunity("006O1", "A", "Qualification"), opportunity("006O2", "B", "Hand-shake")])
    before = counts()
    result = cli("import", "salesforce", folder, "--dry-run")
    assert result.code == 0, result
    assert "Unmapped stage 'Hand-shake' (Opportunity.csv row 3)" in result.out
    assert "a real import would fail" in result.out
    assert counts() == before
