"""The guideline document as PDF, rendered by WeasyPrint from the print HTML (the flowchart stays vector SVG).

The flowchart parts and the process map go in as SVG images (``render_html.svg_image``) and their text is
drawn a run at a time (`svg_text`); both leave the drawing as it was and take about half the time.
"""

from __future__ import annotations

import logging

from salesflow.guidelines.document import GuidelineDocument
from salesflow.guidelines.render_html import render_html


class RendererMissing(RuntimeError):
    """WeasyPrint (or the Pango libraries it needs) is not installed."""


def pdf_from_html(html: str) -> bytes:
    """PDF bytes of a print HTML page (no database: safe in a worker process)."""
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):  # quiet: progress goes to the root logger
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: the Pango system libraries are missing
        raise RendererMissing(f"PDF rendering needs WeasyPrint and the Pango libraries "
                              f"(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core): {error}") from error
    from salesflow.guidelines import svg_text

    svg_text.install()
    return HTML(string=html).write_pdf()


def render_pdf(doc: GuidelineDocument) -> bytes:
    """The guideline as PDF bytes."""
    return pdf_from_html(render_html(doc, for_print=True))
