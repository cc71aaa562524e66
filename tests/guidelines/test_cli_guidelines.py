"""`salesflow process propose|submit|approve|acknowledge|render|history` and their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from lxml import etree

from salesflow.records.models import ProcessVersion
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, SCHEMA_DIR, version_text

pytestmark = pytest.mark.django_db


def _exit_code(*args: str) -> int:
    with pytest.raises(SystemExit) as raised:
        call_command(*args)
    return raised.value.code


def test_propose_submit_approve_from_the_command_line(cast, tmp_path: Path, capsys) -> None:
    file = tmp_path / "om-v2.yaml"
    file.write_text(version_text(NEXT, proposal_probability=55), encoding="utf-8")
    call_command("process", "propose", str(file), "--as", "gl_author", "--note", "Proposal at 55 %")
    call_command("process", "submit", PROCESS, str(NEXT), "--as", "gl_author")
    assert _exit_code("process", "approve", PROCESS, str(NEXT), "--as", "gl_author") == 4  # not the responsible role
    assert _exit_code("process", "approve", PROCESS, str(NEXT), "--as", "gl_head", "--effective", "2030-13-01") == 1
    call_command("process", "approve", PROCESS, str(NEXT), "--as", "gl_head", "--effective", "2020-01-01")
    assert _exit_code("process", "approve", PROCESS, str(NEXT), "--as", "gl_head") == 5  # already approved
    version = ProcessVersion.objects.get(process__key=PROCESS, version=NEXT)
    assert (version.status, version.effective_date.isoformat()) == ("approved", "2020-01-01")
    capsys.readouterr()
    call_command("process", "history", PROCESS, "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [(row["version"], row["status"]) for row in rows] == [(CURRENT, "obsolete"), (NEXT, "approved")]
    assert rows[1]["approver"] == "gl_head" and rows[1]["change_note"] == "Proposal at 55 %"
    call_command("process", "acknowledge", PROCESS, "--as", "gl_kam")
    assert f"gl_kam acknowledged opportunity-management v{NEXT}" in capsys.readouterr().out


def test_invalid_proposal_exits_1_and_stores_nothing(cast, tmp_path: Path, capsys) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(version_text(NEXT).replace("decided_by: head_of_sales", "decided_by: nobody", 1), encoding="utf-8")
    assert _exit_code("process", "propose", str(file), "--as", "gl_author") == 1
    assert f"{file}:" in capsys.readouterr().err
    assert not ProcessVersion.objects.filter(version=NEXT).exists()
    assert _exit_code("process", "propose", str(tmp_path / "missing.yaml"), "--as", "gl_author") == 1


@pytest.mark.parametrize("fmt", ["html", "md", "svg", "bpmn"])
def test_render_writes_each_format(cast, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"guideline.{fmt}"
    call_command("process", "render", PROCESS, "--format", fmt, "--language", "de", "-o", str(output))
    content = output.read_text(encoding="utf-8")
    if fmt == "html":
        assert "Klassifizierung: Intern" in content and "<svg" in content
    elif fmt == "md":
        assert "# Opportunity-Management" in content and "(guideline.flowchart.svg)" in content
        assert (tmp_path / "guideline.flowchart.svg").read_text(encoding="utf-8").startswith("<svg")
    elif fmt == "svg":
        assert etree.fromstring(content.encode()).tag.endswith("svg")
    else:
        schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "BPMN20.xsd")))
        assert schema.validate(etree.fromstring(content.encode()))


def test_render_refuses_unknown_versions(cast, tmp_path: Path) -> None:
    assert _exit_code("process", "render", PROCESS, "--version", "9", "--format", "md", "-o",
                      str(tmp_path / "x.md")) == 1
