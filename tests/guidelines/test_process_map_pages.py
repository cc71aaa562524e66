"""The process map in the web interface, the CLI, the guideline documents and the audit pack (database library)."""

from __future__ import annotations

import base64
import datetime
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from salesflow.guidelines.audit_pack import build_audit_pack, zip_pack
from salesflow.guidelines.publish import Rendered, document_of, render_version
from salesflow.guidelines.render_html import render_html
from salesflow.records.models import Process, ProcessVersion
from salesflow.records.services import definition_of
from tests.guidelines.conftest import PROCESS

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _approved() -> list:
    """The definitions of the approved versions in the database (the default library after migrate)."""
    versions = [process.current_version() for process in Process.objects.order_by("key")]
    return [definition_of(version) for version in versions if version is not None]


def _handoffs(definitions: list) -> list:
    return [(definition, stage, handoff) for definition in definitions for stage, handoff in definition.handoffs()]


def _exit_code(*args: str) -> int:
    with pytest.raises(SystemExit) as raised:
        call_command(*args)
    return raised.value.code


def test_the_page_shows_every_approved_process_and_hand_off(cast) -> None:
    client = Client()
    client.force_login(cast.kam)
    definitions = _approved()
    assert definitions, "the test database holds the default library"
    page = client.get(reverse("process_map")).content.decode()
    assert "<svg" in page and 'class="process-map"' in page and "Hand-offs between processes" in page
    for definition in definitions:
        assert f'data-process="{definition.process}"' in page
    for _definition, _stage, handoff in _handoffs(definitions):
        assert f'data-handoff="{handoff.id}"' in page and handoff.title.get_text("en") in page
    german = client.get(reverse("process_map"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Prozesslandkarte" in german and "Übergaben zwischen Prozessen" in german
    for _definition, stage, _handoff in _handoffs(definitions):
        assert stage.display_title("de") in german


def test_the_page_is_linked_and_closed_to_visitors(cast) -> None:
    client = Client()
    assert client.get(reverse("process_map")).status_code == 302  # to the sign-in page
    client.force_login(cast.kam)
    assert reverse("process_map") in client.get(reverse("guidelines")).content.decode()
    assert reverse("process_map") in client.get(reverse("processes")).content.decode()
    response = client.get(reverse("process_map_svg"), {"language": "de"})
    assert response["Content-Type"] == "image/svg+xml"
    assert "Prozesslandkarte" in response.content.decode()
    ElementTree.fromstring(response.content)


def test_cli_writes_the_map(cast, tmp_path: Path, capsys) -> None:
    output = tmp_path / "map.svg"
    call_command("process", "map", "-o", str(output), "--lang", "de")
    root = ElementTree.fromstring(output.read_bytes())
    text = " ".join(root.itertext())
    definitions = _approved()
    for definition in definitions:
        assert definition.title_text("de") in " ".join(text.split()) or definition.process in text
    assert f"{len(definitions)} processes" in capsys.readouterr().out
    call_command("process", "map")
    assert capsys.readouterr().out.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="process-map"')


def test_cli_refuses_an_unwritable_path(cast, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _exit_code("process", "map", "-o", str(blocker / "map.svg")) == 1
    assert f"cannot write {blocker / 'map.svg'}" in capsys.readouterr().err


def test_cli_refuses_an_unknown_language() -> None:
    result = subprocess.run([sys.executable, "-m", "django", "process", "map", "--lang", "fr"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={"DJANGO_SETTINGS_MODULE": "salesflow.settings", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2  # a usage error (README: exit codes)
    assert "--lang" in result.stderr and "invalid choice: 'fr'" in result.stderr


def test_guideline_documents_include_the_map_with_this_process_highlighted(cast) -> None:
    version = Process.objects.get(key=PROCESS).current_version()
    doc = document_of(version, "de")
    assert doc.process_map is not None
    assert {box.key for box in doc.process_map.boxes} >= {definition.process for definition in _approved()}
    html = render_html(doc)
    assert '<h2 id="process-map">Prozesslandkarte</h2>' in html
    assert f'class="process highlight" id="map-{PROCESS}"' in html
    assert "Übergaben zwischen Prozessen" in html
    markdown = render_version(version, "md", "en", flowchart_href="g.flowchart.svg", map_href="g.process-map.svg")
    text = markdown.content.decode()
    assert "## Process map" in text and "![Process map](g.process-map.svg)" in text
    assert "| From process | Stage | Hand-off | To process | Fields passed |" in text
    for _definition, _stage, handoff in _handoffs(_approved()):
        assert handoff.title.get_text("en") in text
    assert markdown.process_map is not None and b'class="process highlight"' in markdown.process_map
    printed = render_html(doc, for_print=True)
    assert 'class="flow-part map-part"' in printed and '<img class="process-map"' in printed
    images = re.findall(r'<img class="process-map" alt="[^"]*" src="data:image/svg\+xml;base64,([^"]+)"', printed)
    drawn = base64.b64decode(images[0]).decode()                    # the map, scaled by its viewBox on the page
    assert 'class="process-map" data-width=' in drawn and f'class="process highlight" id="map-{PROCESS}"' in drawn


def test_render_command_writes_the_map_beside_the_markdown(cast, tmp_path: Path) -> None:
    output = tmp_path / "guideline.md"
    call_command("process", "render", PROCESS, "--format", "md", "-o", str(output))
    companion = tmp_path / "guideline.process-map.svg"
    assert companion.exists() and "(guideline.process-map.svg)" in output.read_text(encoding="utf-8")
    ElementTree.fromstring(companion.read_bytes())


def test_audit_pack_holds_the_process_map(cast, monkeypatch, settings, tmp_path: Path) -> None:
    # The stub PDF must not land in the session's guideline cache, where later tests would be served it.
    settings.SALESFLOW_GUIDELINE_CACHE = str(tmp_path / "guidelines")
    monkeypatch.setattr("salesflow.guidelines.publish.render_version",
                        lambda version, fmt, language="en", **kwargs: Rendered(b"%PDF-stub"))
    today = timezone.localdate()
    pack = build_audit_pack(today - datetime.timedelta(days=1), today, ("en", "de"))
    with zipfile.ZipFile(__import__("io").BytesIO(zip_pack(pack))) as archive:
        names = set(archive.namelist())
        assert {"process-map.svg", "process-map-de.svg"} <= names
        svg = archive.read("process-map.svg")
        assert 'href="process-map.svg"' in archive.read("index.html").decode()
    root = ElementTree.fromstring(svg)
    keys = {group.get("data-process") for group in root.iter("{http://www.w3.org/2000/svg}g")
            if group.get("data-process")}
    in_force = {version.process.key for version in ProcessVersion.objects.filter(status="approved")}
    assert keys >= in_force
