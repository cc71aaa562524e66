"""Guideline PDFs rendered in worker processes: the biggest page is handed out first, the PDFs come back in the
pages' order and equal what the calling process renders, the work starts before the caller asks for the first
PDF, and a font configuration kept from one PDF to the next leaves each PDF as a fresh one would be."""

from __future__ import annotations

import io
import threading
import time

from pypdf import PdfReader

from salesflow.guidelines import render_pdf
from salesflow.guidelines.pdf_workers import PdfJobs, biggest_first, pdfs_from_html
from salesflow.guidelines.render_pdf import font_config, pdf_from_html


def _page(number: int, paragraphs: int) -> str:
    body = "".join(f"<p>Paragraph {index} of step {number}, <b>bold</b> and plain.</p>" for index in range(paragraphs))
    return (f'<html lang="en"><body><h1>Step {number}</h1>{body}<svg xmlns="http://www.w3.org/2000/svg" width="90" '
            f'height="30"><text x="4" y="20" font-size="12">Label {number}</text></svg></body></html>')


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts whose font file is in the PDF."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for part in [font, *[item.get_object() for item in font.get("/DescendantFonts", [])]]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is not None and any(key in descriptor.get_object()
                                                  for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(part["/BaseFont"]).split("+")[-1])
    return names


def test_the_biggest_page_is_handed_out_first() -> None:
    pages = [_page(1, 2), _page(2, 40), _page(3, 1), _page(4, 9)]
    assert biggest_first(pages) == [1, 3, 0, 2]


def test_workers_return_every_pdf_in_the_pages_order(settings) -> None:
    settings.SALESFLOW_PDF_WORKERS = 2
    pages = [_page(1, 2), _page(2, 30), _page(3, 1), _page(4, 12)]
    with PdfJobs(len(pages)) as jobs:
        assert jobs.pool is not None
        pdfs = list(jobs.render(pages))
    assert pdfs == [pdf_from_html(page) for page in pages]
    for number, pdf in enumerate(pdfs, start=1):
        assert f"Step {number}" in _text(pdf) and f"Label {number}" in _text(pdf)
    assert list(pdfs_from_html(pages[:2])) == pdfs[:2]


def test_the_workers_render_before_the_first_pdf_is_asked_for(settings) -> None:
    """The audit pack collects its other files while the PDFs render: `render` starts the work, not iterating."""
    settings.SALESFLOW_PDF_WORKERS = 2
    pages = [_page(1, 3), _page(2, 3)]
    with PdfJobs(len(pages)) as jobs:
        pdfs = jobs.render(pages)
        deadline = time.monotonic() + 120
        while len(list((jobs.pool._pending_work_items or {}).values())) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not jobs.pool._pending_work_items     # every page rendered, none asked for yet
        assert [_text(pdf).split()[:2] for pdf in pdfs] == [["Step", "1"], ["Step", "2"]]


def test_a_kept_font_configuration_renders_what_a_fresh_one_renders() -> None:
    """One font configuration per thread serves every PDF: each still embeds its fonts, its text is extractable,
    and its bytes are those of a PDF rendered with a configuration of its own."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    first, second = _page(1, 3), '<html lang="de"><body><p style="font-weight: bold">Größe ÄÖÜ</p></body></html>'
    kept = [pdf_from_html(first), pdf_from_html(second)]
    fresh = [HTML(string=page).write_pdf(font_config=FontConfiguration()) for page in (first, second)]
    assert kept == fresh
    assert "Größe ÄÖÜ" in _text(kept[1])
    assert {"DejaVu-Serif", "DejaVu-Serif-Bold", "DejaVu-Sans"} <= _embedded_fonts(kept[0])   # body, <b>, SVG label
    assert _embedded_fonts(kept[1]) == {"DejaVu-Serif-Bold"}
    assert font_config() is font_config()
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(font_config()))
    thread.start()
    thread.join()
    assert other[0] is not font_config()                  # Pango's font map is not shared between threads


def test_a_worker_warms_up_on_a_tiny_page() -> None:
    assert render_pdf.warm_up() > 0
    assert "Warm up" in _text(pdf_from_html(render_pdf.WARM_UP_PAGE))
