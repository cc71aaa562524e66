"""The library settings file: recognised by its key, validated with file:line, published as a JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from salesflow.engine.visibility import confidential_roles
from salesflow.process.validate import ProcessInvalid, parse_text, validate_library_texts, validate_paths
from tests.cli.run import run_cli

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "salesflow" / "library"
FOREIGN = Path(__file__).resolve().parent / "fixtures" / "foreign-bid-library"


def _library_sources(settings_text: str) -> list[tuple[str, str]]:
    process = (FOREIGN / "bid-procedure.yaml").read_text(encoding="utf-8")
    return [("bid-procedure.yaml", process), ("library-settings.yaml", settings_text)]


def test_the_default_library_has_settings_that_are_no_process() -> None:
    valid, problems = validate_paths([LIBRARY_DIR])
    assert problems == []
    assert "library-settings" not in {item.definition.process for item in valid}
    _valid, settings, problems = validate_library_texts(
        [(str(path), path.read_text(encoding="utf-8")) for path in sorted(LIBRARY_DIR.glob("*.yaml"))])
    assert problems == [] and settings is not None
    assert settings.settings.library_settings.access.read_only_roles == ["auditor"]


def test_an_unknown_role_is_named_with_file_and_line() -> None:
    text = "library_settings:\n  access:\n    oversight_roles: [bid_director, sales_director]\n"
    valid, settings, problems = validate_library_texts(_library_sources(text))
    assert settings is None and len(valid) == 1
    assert [str(problem) for problem in problems] == [
        "library-settings.yaml:3: unknown role 'sales_director': declare it under library_settings.roles "
        "or in a process of the library"]


def test_a_role_declared_in_the_settings_may_be_named() -> None:
    text = ("library_settings:\n  roles:\n    auditor: {title: {en: Auditor, de: Auditor}}\n"
            "  rights:\n    audit_pack: [auditor]\n")
    _valid, settings, problems = validate_library_texts(_library_sources(text))
    assert problems == [] and settings is not None
    assert settings.settings.library_settings.rights.grants()["audit_pack"] == {"auditor"}


def test_unknown_keys_and_bad_values_are_schema_problems_with_lines() -> None:
    text = "library_settings:\n  access:\n    oversight: [bid_director]\n  rights:\n    audit_pack: Bid Director\n"
    _valid, settings, problems = validate_library_texts(_library_sources(text))
    assert settings is None
    messages = [str(problem) for problem in problems]
    assert "library-settings.yaml:3: unknown key 'oversight' in library_settings.access" in messages
    assert any(message.startswith("library-settings.yaml:5: library_settings.rights.audit_pack") for message in messages)


def test_one_settings_file_per_library() -> None:
    text = "library_settings:\n  access:\n    oversight_roles: [bid_director]\n"
    sources = [*_library_sources(text), ("more-settings.yaml", text)]
    _valid, settings, problems = validate_library_texts(sources)
    assert settings is None
    assert [str(problem) for problem in problems] == [
        "more-settings.yaml:1: a library has one settings file; library-settings.yaml is another"]


def test_a_settings_file_is_not_taken_for_a_process() -> None:
    with pytest.raises(ProcessInvalid) as refused:
        parse_text("library_settings:\n  access: {}\n", "settings.yaml")
    assert str(refused.value).startswith("settings.yaml:1: this is a library settings file, not a process")


def test_the_published_schema_accepts_the_default_settings(capsys, monkeypatch) -> None:
    result = run_cli(capsys, monkeypatch, "process", "schema", "--library-settings")
    assert result.code == 0, result
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load((LIBRARY_DIR / "library-settings.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"library_settings": {"access": {"oversight": []}}}, schema,
                            cls=jsonschema.Draft202012Validator)
    process_schema = json.loads(run_cli(capsys, monkeypatch, "process", "schema").out)
    assert "see_confidential" in json.dumps(process_schema)


def test_confidential_roles_come_from_the_definition() -> None:
    definition = parse_text((LIBRARY_DIR / "opportunity-management.yaml").read_text(encoding="utf-8")).definition
    # responsible, gate deciders and their delegates, approvers of the competence catalog
    assert confidential_roles(definition) == {"head_of_sales", "kam", "managing_director"}
    # need-to-know roles are left out of what is derived …
    assert confidential_roles(definition, frozenset({"kam"})) == {"head_of_sales", "managing_director"}
    # … unless the process names them
    definition.rights.see_confidential = ["kam", "sales_support"]
    assert confidential_roles(definition, frozenset({"kam"})) == {
        "head_of_sales", "managing_director", "kam", "sales_support"}
