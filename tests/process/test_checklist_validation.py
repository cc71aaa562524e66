"""Checklist files are validated like processes: every problem as file:line: message with the bad value."""

from __future__ import annotations

import jsonschema

from salesflow.process.checklist import validate_checklist_paths
from salesflow.process.loader import load_yaml
from salesflow.process.schema import checklist_json_schema
from salesflow.quality.library import CHECKLIST_DIR, library_roles

BROKEN = """\
checklist: broken
title: {en: Broken, de: Kaputt}
version: 1
subject: supplier
responsible: nobody
pass_mark: 120
colour: red
sections:
  - id: s
    title: S
    questions:
      - {id: a, text: A, type: yes_no, scale: 5}
      - {id: a, text: B, type: scale}
      - {id: c, text: C, type: maybe, weight: -1}
"""


def _problems(tmp_path, text: str, roles=("sales_quality",)) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    _valid, problems = validate_checklist_paths([path], roles)
    return [str(problem).replace(str(path), "c.yaml") for problem in problems]


def test_schema_problems_name_line_and_value(tmp_path) -> None:
    problems = _problems(tmp_path, BROKEN)
    assert "c.yaml:4: subject: Input should be 'partner', 'user', 'account' or 'record' (got 'supplier')" in problems
    assert "c.yaml:6: pass_mark: Input should be less than or equal to 100 (got 120)" in problems
    assert "c.yaml:7: unknown key 'colour'" in problems
    assert any(p.startswith("c.yaml:14: sections[0].questions[2].type:") and "'maybe'" in p for p in problems)
    assert any(p.startswith("c.yaml:14: sections[0].questions[2].weight:") for p in problems)


def test_cross_checks_name_line(tmp_path) -> None:
    text = BROKEN.replace("subject: supplier", "subject: user").replace("pass_mark: 120", "pass_mark: 80") \
        .replace("colour: red\n", "").replace("type: maybe, weight: -1", "type: yes_no")
    assert _problems(tmp_path, text) == [
        "c.yaml:5: unknown role 'nobody' (known roles: sales_quality)",
        "c.yaml:11: question 'a': only scale questions have a scale",
        "c.yaml:12: duplicate question id 'a'",
        "c.yaml:12: question 'a': a scale question needs scale (the number of steps)",
    ]


def test_yaml_problems_and_non_checklists(tmp_path) -> None:
    assert _problems(tmp_path, "checklist: x\ntitle: [unclosed\n")[0].startswith("c.yaml:3: YAML syntax error")
    assert _problems(tmp_path, "process: lead\n") == ["c.yaml:1: not a checklist: the key 'checklist' is missing"]
    assert _problems(tmp_path, "- a\n") == ["c.yaml:1: a checklist file must be a YAML mapping (key: value)"]
    assert _problems(tmp_path, "a: &x [1]\nchecklist: *x\n")[0].startswith("c.yaml:")


def test_default_checklists_are_valid_bilingual_and_satisfy_the_schema() -> None:
    assert "sales_quality" in library_roles()
    assert library_roles()["sales_quality"] == {"en": "Sales process quality & audit",
                                                "de": "Vertriebsprozessqualität & Audit"}
    valid, problems = validate_checklist_paths([CHECKLIST_DIR], set(library_roles()))
    assert problems == []
    assert len(valid) == 6
    schema = checklist_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for parsed in valid:
        definition = parsed.definition
        assert set(definition.title) == {"en", "de"}
        for section in definition.sections:
            assert set(section.title) == {"en", "de"}, (parsed.file, section.id)
            for question in section.questions:
                assert set(question.text) == {"en", "de"}, (parsed.file, question.id)
        data, _lines = load_yaml(parsed.source)
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    data, _lines = load_yaml(valid[0].source)
    try:
        jsonschema.validate({**data, "colour": "red"}, schema, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepts an unknown key")


def test_an_oversized_file_is_refused_unread(tmp_path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    _valid, problems = validate_checklist_paths([path], {"sales_quality"})
    assert [str(problem) for problem in problems] == [f"{path}:0: larger than 1024 KB: not a checklist"]
