"""The guideline document in English and German: sections, prose from the process, HTML and Markdown."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from salesflow.guidelines.document import VersionInfo, build_document
from salesflow.guidelines.render_html import render_html
from salesflow.guidelines.render_md import render_md
from salesflow.process.validate import read_file
from tests.guidelines.conftest import FORBIDDEN_NAMES, LIBRARY_FILE


@pytest.fixture(scope="module")
def definition():
    return read_file(LIBRARY_FILE).definition


def test_english_prose_follows_the_process(definition) -> None:
    doc = build_document(definition, VersionInfo(1, "approved"), "en")
    text = doc.all_text()
    assert "Every opportunity starts in the phase “Qualification” with a default probability of 10 %" in text
    assert "Head of Sales decides: “Is the opportunity qualified?”" in text
    assert "The decision can be delegated to Key Account Manager" in text
    assert "Yes: The opportunity moves on to the phase “Requirement Analysis / Solution Design” (30 %)" in text
    assert "up to 50 000 EUR: Key Account Manager" in text.replace("\u202f", " ")
    assert "The phase should be completed within 30 days." in text
    assert "“Inform the customer” must be done" in text
    assert [row[0] for row in doc.metadata[:6]] == ["Responsible", "Associated process", "Status", "Class",
                                                     "Goal and purpose", "Scope"]
    letters = {row.activity: dict(zip(doc.raci_roles, row.letters, strict=True)) for row in doc.raci_rows}
    assert letters["Organise the solution design"]["Bid Manager"] == "R"
    assert letters["Organise the solution design"]["Head of Sales"] == "A"
    assert letters["Organise the solution design"]["Sales Support"] == "C"


def test_german_document_is_german(definition) -> None:
    doc = build_document(definition, VersionInfo(1, "approved", effective_date=None), "de")
    text = doc.all_text()
    assert [row[0] for row in doc.metadata[:6]] == ["Verantwortlich", "Zugehöriger Prozess", "Status", "Klasse",
                                                     "Ziel und Zweck", "Geltungsbereich"]
    assert doc.metadata[2][1] == "Freigegeben" and doc.classification_label == "Klassifizierung: Intern"
    assert "Jede Opportunity beginnt in der Phase „Qualifizierung“ mit einer Standardwahrscheinlichkeit von 10 %" in text
    assert "Vertriebsleiter entscheidet: „Ist die Opportunity qualifiziert?“" in text
    assert "Die Phase soll innerhalb von 30 Tagen abgeschlossen sein." in text
    for english in ("The phase should", "decides:", "Responsible"):
        assert english not in text
    assert {phase.title for phase in doc.phases} >= {"Qualifizierung", "Gewonnen", "Verloren"}


@pytest.mark.parametrize("language", ["en", "de"])
def test_html_and_markdown_hold_every_section(definition, language: str) -> None:
    doc = build_document(definition, VersionInfo(3, "in_review"), language)
    page = lxml_html.fromstring(render_html(doc))
    headings = [heading.text_content() for heading in page.iter("h2")]
    for key in ("metadata", "responsibilities", "process_description", "raci", "io", "flowchart"):
        assert doc.t(key) in headings
    assert page.find(".//svg") is not None or "<svg" in render_html(doc)
    markdown = render_md(doc, "flow.svg")
    assert f"# {doc.title}" in markdown and "![" in markdown and "(flow.svg)" in markdown
    assert f"| **{doc.t('responsible')}** |" in markdown
    for text in (render_html(doc).lower(), markdown.lower()):
        assert not [name for name in FORBIDDEN_NAMES if name in text]
