"""Several guideline PDFs rendered side by side in worker processes (WeasyPrint holds the GIL: threads would not help).

The caller builds the print HTML (that needs the database); the workers only turn HTML into PDF bytes
(`render_pdf.pdf_from_html`, no database, no Django). They are forked from a ``forkserver`` that has imported
WeasyPrint once, so a worker starts in milliseconds and nothing of the caller's threads or connections is
copied into it. The number of workers is the setting ``SALESFLOW_PDF_WORKERS`` (default: the CPU count, at
most 4); 0 or 1, a single PDF, or a platform without process pools render in the calling process. As with
every multiprocessing start method but ``fork``, each worker imports the caller's main module: a script that
builds a pack needs the ``if __name__ == "__main__":`` guard (manage.py, the console script, gunicorn and
pytest have it); a pool that breaks anyway falls back to rendering in the calling process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

from salesflow.guidelines.render_pdf import pdf_from_html

log = logging.getLogger("salesflow.guidelines")
#: Imported once by the fork server, before any worker is forked from it.
PRELOAD = ["salesflow.guidelines.render_pdf", "weasyprint"]
MAX_DEFAULT_WORKERS = 4


def worker_count(jobs: int) -> int:
    """How many worker processes render ``jobs`` PDFs (1: render in the calling process)."""
    configured = getattr(settings, "SALESFLOW_PDF_WORKERS", None)
    wanted = int(configured) if configured is not None else min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS)
    return max(1, min(wanted, jobs))


def _context() -> multiprocessing.context.BaseContext | None:
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:  # no fork server on this platform
        return None
    context.set_forkserver_preload(PRELOAD)
    return context


def pdfs_from_html(pages: list[str]) -> Iterator[bytes]:
    """The PDF of each print HTML page, in order, each as soon as it (and those before it) are done."""
    workers = worker_count(len(pages))
    context = _context() if workers > 1 else None
    if context is None:
        yield from (pdf_from_html(page) for page in pages)
        return
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for content in pool.map(pdf_from_html, pages):
                done += 1
                yield content
    except (BrokenProcessPool, OSError) as error:  # a worker killed (memory) or no processes allowed
        log.warning("PDF workers failed (%s); rendering the remaining %d PDFs here", error, len(pages) - done)
        yield from (pdf_from_html(page) for page in pages[done:])
