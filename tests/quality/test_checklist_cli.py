"""``salesflow checklist validate|load|list|show|schema``: file:line problems, versions never rewritten."""

from __future__ import annotations

import json

import jsonschema

from salesflow.process.loader import load_yaml
from salesflow.quality.models import ChecklistVersion
from tests.quality.conftest import STORE_VISIT


def test_validate_reports_file_line_and_exits_1(cli, people, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(STORE_VISIT.replace("type: scale, scale: 5", "type: scale").replace("responsible: sales_quality",
                                                                                       "responsible: sales_boss"),
                    encoding="utf-8")
    result = cli("checklist", "validate", path)
    assert result.code == 1
    assert f"{path}:5: unknown role 'sales_boss'" in result.err
    assert f"{path}:13: question 'product': a scale question needs scale (the number of steps)" in result.err
    assert "2 problem(s) found; nothing was changed" in result.err


def test_load_is_all_or_nothing_and_never_rewrites_a_version(cli, people, tmp_path, store_visit_file) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("checklist: other\n", encoding="utf-8")
    result = cli("checklist", "load", store_visit_file, bad)
    assert result.code == 1 and not ChecklistVersion.objects.filter(key="store-visit").exists()
    assert cli("checklist", "load", store_visit_file, "--json").json()[0]["status"] == "added"
    store_visit_file.write_text(STORE_VISIT.replace("pass_mark: 80", "pass_mark: 70"), encoding="utf-8")
    result = cli("checklist", "load", store_visit_file)
    assert result.code == 1 and "already loaded with different content" in result.err
    store_visit_file.write_text(STORE_VISIT.replace("pass_mark: 80", "pass_mark: 70").replace("version: 1",
                                                                                              "version: 2"),
                                encoding="utf-8")
    assert cli("checklist", "load", store_visit_file).code == 0
    listed = {row["checklist"]: row for row in cli("checklist", "list", "--json").json()}
    assert listed["store-visit"]["version"] == 2 and listed["store-visit"]["pass_mark"] == "70"
    assert "pass_mark: 80" in cli("checklist", "show", "store-visit", "--version", "1").out


def test_schema_is_valid_and_an_outside_checklist_satisfies_it(cli) -> None:
    result = cli("checklist", "schema")
    assert result.code == 0
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    data, _lines = load_yaml(STORE_VISIT)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    bad = {**data, "subject": "supplier"}
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)
