"""Guideline files are rendered once per version, format and language; drafts are never cached."""

from __future__ import annotations

import pytest

from salesflow.guidelines import publish, rendered_cache
from salesflow.records.models import ProcessVersion


@pytest.fixture
def renders(monkeypatch, settings, tmp_path):
    """The (version, format, language) renders really done; the cache in a fresh var dir."""
    settings.SALESFLOW_GUIDELINE_CACHE = str(tmp_path / "cache" / "guidelines")
    calls: list[tuple[int, str, str]] = []

    def fake(version, fmt, language="en", **_options):
        calls.append((version.version, fmt, language))
        return publish.Rendered(f"{version.status} {fmt} {language} #{len(calls)}".encode())

    monkeypatch.setattr(publish, "render_version", fake)
    return calls


def test_an_approved_version_is_rendered_once_per_format_and_language(db, renders, tmp_path):
    version = ProcessVersion.objects.filter(status="approved").first()
    first = rendered_cache.rendered(version, "pdf", "en").content
    assert rendered_cache.rendered(version, "pdf", "en").content == first
    assert len(renders) == 1
    assert rendered_cache.rendered(version, "pdf", "de").content != first        # German apart
    rendered_cache.rendered(version, "svg", "en")                                  # the flowchart apart
    rendered_cache.rendered(version, "svg", "en")
    assert [call[1:] for call in renders] == [("pdf", "en"), ("pdf", "de"), ("svg", "en")]
    assert len(list((tmp_path / "cache" / "guidelines").glob("*.pdf"))) == 2


def test_a_change_of_the_document_control_data_renders_anew(db, renders):
    version = ProcessVersion.objects.filter(status="approved").first()
    rendered_cache.rendered(version, "pdf", "en")
    version.status = "obsolete"                                                    # what the document prints
    assert rendered_cache.rendered(version, "pdf", "en").content.startswith(b"obsolete")
    assert len(renders) == 2


def test_drafts_are_never_cached(db, renders, tmp_path):
    version = ProcessVersion.objects.filter(status="approved").first()
    version.status = "draft"
    rendered_cache.rendered(version, "pdf", "en")
    rendered_cache.rendered(version, "pdf", "en")
    assert len(renders) == 2
    assert not (tmp_path / "cache").exists()


def test_the_german_file_carries_the_german_change_note(db):
    """The HTML (and PDF) download in German prints the version's German change note, not the English one."""
    version = ProcessVersion.objects.get(process__key="opportunity-management", status="approved")
    german = publish.render_version(version, "html", "de").content.decode()
    english = publish.render_version(version, "html", "en").content.decode()
    assert "Teil der gesamten Vertriebskette" in german and "part of the whole sales chain" not in german
    assert "part of the whole sales chain" in english
