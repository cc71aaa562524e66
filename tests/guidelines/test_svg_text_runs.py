"""The flowcharts' SVG text drawn a run at a time (`salesflow.guidelines.svg_text`, WeasyPrint 70) puts the same
text at the same places as WeasyPrint's own drawer, which draws it letter by letter: plain, anchored in the
middle and at the end, bold, vertically centred, coloured."""

from __future__ import annotations

import importlib
import io

import pytest
from pypdf import PdfReader

from salesflow.guidelines import svg_text
from salesflow.guidelines.render_pdf import pdf_from_html

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120">'
       '<text x="10" y="20" font-size="12">Qualification</text>'
       '<text x="200" y="50" font-size="11" text-anchor="middle" font-weight="bold">Angebot / Preisangebot</text>'
       '<text x="390" y="80" font-size="10" text-anchor="end" dominant-baseline="central">Kundenfeedback erfassen'
       '</text><text x="10" y="110" font-size="9" fill="#555">nein: nacharbeiten</text></svg>')
HTML = ('<html lang="de"><body><img src="data:image/svg+xml;utf8,'
        + SVG.replace('"', "&quot;").replace("#", "%23") + '"></body></html>')


def _runs(pdf: bytes) -> list[tuple[str, float, float]]:
    """Each piece of text on the page with where it starts."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text, round(tm[4] * cm[0] + cm[4], 1), round(tm[5] * cm[3] + cm[5], 1)))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def test_runs_land_where_weasyprints_letters_land(monkeypatch) -> None:
    if not svg_text.install():
        pytest.skip("another WeasyPrint major version: its own drawer is used unchanged")
    whole = pdf_from_html(HTML)
    svg_module = importlib.import_module("weasyprint.svg")
    original = importlib.import_module("weasyprint.svg.text").text
    monkeypatch.setattr(svg_module, "text", original)
    monkeypatch.setattr(svg_module, "TAGS", {tag: original if drawer.__name__ == "text" else drawer
                                             for tag, drawer in svg_module.TAGS.items()})
    letters = pdf_from_html(HTML)
    assert whole != letters                                   # really drawn two ways
    assert [text for text, _x, _y in _runs(whole)] == ["Qualification", "Angebot / Preisangebot",
                                                         "Kundenfeedback erfassen", "nein: nacharbeiten"]
    assert _runs(whole) == _runs(letters)
