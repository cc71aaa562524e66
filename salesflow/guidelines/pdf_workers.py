"""Several guideline PDFs rendered side by side in worker processes (WeasyPrint holds the GIL: threads would not help).

The caller builds the print HTML (that needs the database); the workers only turn HTML into PDF bytes
(`render_pdf.pdf_from_html`, no database, no Django). They are forked from a ``forkserver`` that has imported
WeasyPrint once, so a worker starts in milliseconds and nothing of the caller's threads or connections is
copied into it. The number of workers is the setting ``SALESFLOW_PDF_WORKERS`` (default: the CPU count, at
most 4); 0 or 1, a single PDF, or a platform without process pools render in the calling process. As with
every multiprocessing start method but ``fork``, each worker imports the caller's main module: a script that
builds a pack needs the ``if __name__ == "__main__":`` guard (manage.py, the console script, gunicorn and
pytest have it); a pool that breaks anyway falls back to rendering in the calling process.

`PdfJobs` starts the work at once and hands the PDFs back in order when asked: the workers are started (and
warmed with a tiny page: fonts, Pango, the SVG text drawer) while the caller still builds the pages, the
biggest page goes first (the longest job does not end up alone at the end), and the caller can do other work
(the rest of the audit pack) while the workers render.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

from salesflow.guidelines.render_pdf import pdf_from_html, warm_up

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


def biggest_first(pages: list[str]) -> list[int]:
    """The order the pages are handed to the workers: the longest first (a page's length stands for its
    rendering time: the flowchart and map images are in it), so that the last job to start is a short one."""
    return sorted(range(len(pages)), key=lambda index: -len(pages[index]))


class PdfJobs:
    """The PDFs of up to ``expected`` print pages, rendered in worker processes from the moment they are known.

    ``PdfJobs(expected)`` starts and warms the workers; `render` hands them the pages (biggest first) and returns
    an iterator of the PDFs in the pages' order, each as soon as it is there; `close` stops the workers (also
    as a context manager). Without workers the iterator renders each page in the calling process when asked.
    """

    def __init__(self, expected: int) -> None:
        workers = worker_count(expected)
        context = _context() if workers > 1 else None
        self.pool: ProcessPoolExecutor | None = None
        self.broken = False
        if context is not None:
            try:
                self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
                for _number in range(workers):
                    self.pool.submit(warm_up)
            except (BrokenProcessPool, OSError) as error:  # no processes allowed
                log.warning("PDF workers could not start (%s); rendering here", error)
                self.close()

    def __enter__(self) -> PdfJobs:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (pages not started yet are dropped)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def render(self, pages: list[str]) -> Iterator[bytes]:
        """Start rendering ``pages``; the PDF of each, in order, as it is asked for."""
        futures: dict[int, Future[bytes]] = {}
        if self.pool is not None:
            try:
                for index in biggest_first(pages):
                    futures[index] = self.pool.submit(pdf_from_html, pages[index])
            except (BrokenProcessPool, OSError) as error:
                log.warning("PDF workers failed (%s); rendering the remaining PDFs here", error)
        return self._collect(pages, futures)

    def _collect(self, pages: list[str], futures: dict[int, Future[bytes]]) -> Iterator[bytes]:
        for index, page in enumerate(pages):
            yield self._result(futures.get(index), page, len(pages) - index)

    def _result(self, future: Future[bytes] | None, page: str, remaining: int) -> bytes:
        if future is not None and not self.broken:
            try:
                return future.result()
            except (BrokenProcessPool, OSError) as error:  # a worker killed (memory)
                self.broken = True
                log.warning("PDF workers failed (%s); rendering the remaining %d PDFs here", error, remaining)
        return pdf_from_html(page)


def pdfs_from_html(pages: list[str]) -> Iterator[bytes]:
    """The PDF of each print HTML page, in order, each as soon as it (and those before it) are done."""
    with PdfJobs(len(pages)) as jobs:
        yield from jobs.render(pages)


def started(pages_of: Callable[[], list[str]], expected: int) -> tuple[PdfJobs, Iterator[bytes]]:
    """Start the workers for ``expected`` pages, then build the pages (``pages_of``, while the workers warm up)
    and start rendering them: the jobs (to `close`) and the iterator of the PDFs in order."""
    jobs = PdfJobs(expected)
    try:
        return jobs, jobs.render(pages_of())
    except BaseException:
        jobs.close()
        raise
