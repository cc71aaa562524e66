"""The guideline document as PDF, rendered by WeasyPrint from the print HTML (the flowchart stays vector SVG).

The flowchart parts and the process map go in as SVG images (``render_html.svg_image``) and their text is
drawn a run at a time (`svg_text`); both leave the drawing as it was and take about half the time.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from salesflow.guidelines.document import GuidelineDocument
from salesflow.guidelines.render_html import render_html

#: The WeasyPrint font configuration of each thread, kept from one PDF to the next: Pango's font map with the fonts
#: it has loaded and measured (a new one per document costs ~4 % of a guideline's rendering; the PDF is the same).
#: Per thread, as Pango's font map is not made for several threads at once (the web server renders in threads).
_fonts = threading.local()


def font_config() -> Any:
    """This thread's WeasyPrint ``FontConfiguration`` (made on first use)."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


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
    return HTML(string=html).write_pdf(font_config=font_config())


#: A tiny page drawn once by each worker before its first guideline: it loads the fonts (regular and bold), starts
#: Pango and the SVG text drawer while the calling process still builds the guidelines' pages.
WARM_UP_PAGE = ('<html lang="en"><head><style>body { font-family: "DejaVu Sans"; }</style></head><body><p>Warm '
                '<b>up</b></p><svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><text x="2" y="14" '
                'font-family="DejaVu Sans" font-size="11" font-weight="bold">up</text></svg></body></html>')


def warm_up() -> int:
    """Render `WARM_UP_PAGE` (in a worker process, before the real pages); its size in bytes."""
    return len(pdf_from_html(WARM_UP_PAGE))


def render_pdf(doc: GuidelineDocument) -> bytes:
    """The guideline as PDF bytes."""
    return pdf_from_html(render_html(doc, for_print=True))
