"""``salesflow process validate|schema|show|list``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from salesflow.process.loader import load_yaml

pytestmark = pytest.mark.django_db

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"


def test_validate_the_default_library(cli) -> None:
    result = cli("process", "validate", LIBRARY_FILE)
    assert result.code == 0, result
    version = load_yaml(LIBRARY_FILE.read_text(encoding="utf-8"))[0]["version"]
    assert result.out.strip() == f"{LIBRARY_FILE}: ok (opportunity-management v{version}, 6 stages)"


def test_validate_a_directory(cli) -> None:
    result = cli("process", "validate", LIBRARY_FILE.parent)
    assert result.code == 0, result


def test_validate_a_bad_file(cli, tmp_path) -> None:
    text = LIBRARY_FILE.read_text(encoding="utf-8").replace("decided_by: head_of_sales", "decided_by: boss", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    line = next(number for number, row in enumerate(text.splitlines(), 1) if "decided_by: boss" in row)
    result = cli("process", "validate", bad)
    assert result.code == 1, result
    assert f"{bad}:{line}: unknown role 'boss'" in result.err
    assert "1 problem(s) found" in result.err
    assert "Traceback" not in result.err


def test_validate_a_missing_file(cli, tmp_path) -> None:
    result = cli("process", "validate", tmp_path / "nope.yaml")
    assert result.code == 1
    assert "cannot read file" in result.err


def test_schema_is_a_valid_json_schema_the_library_satisfies(cli) -> None:
    result = cli("process", "schema")
    assert result.code == 0, result
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    data, _lines = load_yaml(LIBRARY_FILE.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "colour": "red"}, schema, cls=jsonschema.Draft202012Validator)


def test_show_json_has_the_keys_of_the_yaml(cli) -> None:
    result = cli("process", "show", "opportunity-management", "--json")
    assert result.code == 0, result
    shown = result.json()
    data, _lines = load_yaml(LIBRARY_FILE.read_text(encoding="utf-8"))
    # Every key of the file; keys the file leaves out are shown with their empty default.
    assert set(data) <= set(shown)
    assert {key: shown[key] for key in set(shown) - set(data) if shown[key]} == {}
    assert [stage["id"] for stage in shown["stages"]] == [stage["id"] for stage in data["stages"]]


def test_show_source_prints_the_file(cli) -> None:
    result = cli("process", "show", "opportunity-management", "--source")
    assert result.out == LIBRARY_FILE.read_text(encoding="utf-8")


def test_show_unknown_process(cli) -> None:
    result = cli("process", "show", "sales-planning")
    assert result.code == 1
    assert "unknown process 'sales-planning'" in result.err


def test_list_json(cli) -> None:
    result = cli("process", "list", "--json")
    assert result.code == 0, result
    rows = result.json()
    assert "opportunity-management" in [row["id"] for row in rows]
    row = next(row for row in rows if row["id"] == "opportunity-management")
    version = load_yaml(LIBRARY_FILE.read_text(encoding="utf-8"))[0]["version"]
    assert (row["record"], row["current_version"], row["records"]) == ("opportunity", version, 0)
    assert row["versions"] == [{"version": version, "status": "approved"}]
