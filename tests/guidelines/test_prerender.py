"""Guideline PDFs are rendered once per version and language: an approval keeps the other versions' cached files
unless it changes the process map they print, puts the approved version's PDFs into the cache in the
background, and worker processes render the same PDF as the calling process."""

from __future__ import annotations

import time

import pytest

from salesflow.guidelines import prerender, rendered_cache, services
from salesflow.guidelines.library_map import map_versions
from salesflow.guidelines.pdf_workers import pdfs_from_html
from salesflow.guidelines.render_pdf import pdf_from_html
from salesflow.records.models import ProcessVersion
from tests.guidelines.conftest import NEXT, PROCESS, version_text


def _keys_of_the_others() -> dict[str, str]:
    return {version.process.key: rendered_cache.cache_key(version, "pdf", "en")
            for version in map_versions() if version.process.key != PROCESS}


def _approve(cast, text: str) -> ProcessVersion:
    services.do_propose_version(text, cast.author, note="next version")
    services.do_submit_for_review(PROCESS, NEXT, cast.author)
    return services.do_approve_version(PROCESS, NEXT, cast.head)


def _previous(version: ProcessVersion) -> ProcessVersion:
    return ProcessVersion.objects.get(process=version.process, version=version.version - 1)


def test_an_approval_that_leaves_the_map_alone_keeps_the_other_versions_files(cast) -> None:
    before = _keys_of_the_others()
    assert len(before) >= 5
    version = _approve(cast, version_text(NEXT, proposal_probability=55))       # a probability: not on the map
    assert _keys_of_the_others() == before
    assert not prerender.map_changed(version, _previous(version))


def test_a_process_renamed_on_the_map_renders_the_other_guidelines_anew(cast) -> None:
    before = _keys_of_the_others()
    text = version_text(NEXT).replace('en: "Opportunity Management"', 'en: "Opportunity Handling"', 1)
    version = _approve(cast, text)
    after = _keys_of_the_others()
    assert sorted(key for key in before if before[key] != after[key]) == sorted(before)  # every map shows it
    assert prerender.map_changed(version, _previous(version))


@pytest.mark.django_db(transaction=True)
def test_an_approval_puts_the_versions_pdfs_into_the_cache(cast, settings, tmp_path) -> None:
    settings.SALESFLOW_PRERENDER_GUIDELINES = True
    settings.SALESFLOW_GUIDELINE_CACHE = str(tmp_path)
    version = _approve(cast, version_text(NEXT, proposal_probability=55))
    expected = {rendered_cache.path_of(version, "pdf", language) for language in prerender.languages()}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not all(path.exists() for path in expected):
        time.sleep(0.2)
    assert set(tmp_path.glob("*.pdf")) == expected            # this version only: the map did not change
    for path in expected:
        assert path.read_bytes().startswith(b"%PDF-")
    english = rendered_cache.path_of(version, "pdf", "en")
    assert rendered_cache.rendered(version, "pdf", "en").content == english.read_bytes()  # served from the cache


def test_worker_processes_render_what_the_calling_process_renders(settings) -> None:
    settings.SALESFLOW_PDF_WORKERS = 2
    pages = [f'<html lang="en"><body><h1>Page {number}</h1><svg xmlns="http://www.w3.org/2000/svg" width="90" '
             f'height="30"><text x="4" y="20" font-size="12">Step {number}</text></svg></body></html>'
             for number in (1, 2, 3)]
    assert list(pdfs_from_html(pages)) == [pdf_from_html(page) for page in pages]


def test_the_worker_job_renders_the_files_in_force_that_are_missing(cast, settings, tmp_path) -> None:
    """`salesflow worker`'s guideline_files job: what an approval did not render (a version loaded from the command
    line, a cache folder emptied) is rendered; files already there are left alone; the setting switches it off."""
    from django.utils import timezone

    from salesflow.ops import jobs

    settings.SALESFLOW_PRERENDER_GUIDELINES = True
    settings.SALESFLOW_GUIDELINE_CACHE = str(tmp_path)
    settings.LANGUAGES = [("en", "English")]
    versions = map_versions()
    target = next(version for version in versions if version.process.key == PROCESS)
    kept = {version.pk: rendered_cache.path_of(version, "pdf", "en") for version in versions if version != target}
    for path in kept.values():
        path.write_bytes(b"%PDF- rendered before")
    missing = rendered_cache.path_of(target, "pdf", "en")

    assert jobs.guideline_files(timezone.now()) == {"wanted": len(versions), "rendered": 1}
    assert missing.read_bytes().startswith(b"%PDF-1.")
    assert all(path.read_bytes() == b"%PDF- rendered before" for path in kept.values())
    assert jobs.guideline_files(timezone.now()) == {"wanted": len(versions), "rendered": 0}

    settings.SALESFLOW_PRERENDER_GUIDELINES = False
    missing.unlink()
    assert jobs.guideline_files(timezone.now()) == {"wanted": 0, "rendered": 0}
    assert not missing.exists()
