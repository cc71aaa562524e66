"""The rendered PDF guideline of the default Opportunity Management process names every role, stage and probability,
and prints the classification on every page, in English and in German."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from salesflow.guidelines.document import VersionInfo, build_document
from salesflow.guidelines.render_pdf import render_pdf
from salesflow.process.validate import read_file
from tests.guidelines.conftest import FORBIDDEN_NAMES, LIBRARY_FILE

CLASSIFICATION = {"en": "Classification: Internal", "de": "Klassifizierung: Intern"}


@pytest.fixture(scope="module")
def definition():
    return read_file(LIBRARY_FILE).definition


@pytest.fixture(scope="module", params=["en", "de"])
def rendered(request, definition) -> tuple[str, bytes, list[str]]:
    info = VersionInfo(1, "approved", author="Quinn Quality", approver="Helena Hoffmann")
    pdf = render_pdf(build_document(definition, info, request.param))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return request.param, pdf, pages


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_is_a_pdf_of_several_pages(rendered) -> None:
    _language, pdf, pages = rendered
    assert pdf.startswith(b"%PDF-")
    assert len(pages) >= 5


def test_names_every_role_stage_and_probability(rendered, definition) -> None:
    language, _pdf, pages = rendered
    text = _flat(" ".join(pages))
    for role in definition.roles.values():
        assert role.title.get_text(language) in text
    for stage in definition.stages:
        assert stage.display_title(language) in text
        assert f"{stage.probability} %" in text


def test_metadata_table_as_the_seeds_show_it(rendered) -> None:
    language, _pdf, pages = rendered
    first = _flat(pages[0])
    labels = {"en": ["Responsible Head of Sales", "Associated process Sales", "Status Approved", "Class Internal",
                     "Goal and purpose Manage and edit opportunities", "Scope Sales & Business Development",
                     "Approved by Helena Hoffmann"],
              "de": ["Verantwortlich Vertriebsleiter", "Zugehöriger Prozess Vertrieb", "Status Freigegeben",
                     "Klasse Intern", "Ziel und Zweck Opportunities verwalten und bearbeiten",
                     "Geltungsbereich Vertrieb & Business Development", "Freigegeben von Helena Hoffmann"]}
    for line in labels[language]:
        assert line in first


def test_classification_on_every_page(rendered) -> None:
    language, _pdf, pages = rendered
    for number, page in enumerate(pages, start=1):
        assert CLASSIFICATION[language] in _flat(page), f"page {number}"


def test_never_names_the_seeds_company_or_person(rendered) -> None:
    _language, _pdf, pages = rendered
    text = " ".join(pages).lower()
    assert not [name for name in FORBIDDEN_NAMES if name in text]
