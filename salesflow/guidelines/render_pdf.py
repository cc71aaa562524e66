"""The guideline document as PDF, rendered by WeasyPrint from the print HTML (the flowchart stays vector SVG)."""

from __future__ import annotations

import logging

from salesflow.guidelines.document import GuidelineDocument
from salesflow.guidelines.render_html import render_html


class RendererMissing(RuntimeError):
    """WeasyPrint (or the Pango libraries it needs) is not installed."""


def render_pdf(doc: GuidelineDocument) -> bytes:
    """The guideline as PDF bytes."""
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):  # quiet: progress goes to the root logger
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: the Pango system libraries are missing
        raise RendererMissing(f"PDF rendering needs WeasyPrint and the Pango libraries "
                              f"(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core): {error}") from error
    document = HTML(string=render_html(doc, for_print=True))
    return document.write_pdf()
