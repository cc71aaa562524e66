"""Guideline files (PDF, HTML, flowchart SVG, BPMN) rendered once per version and language, kept on disk.

A version's YAML never changes once it is submitted, but its document does in two ways: the document-control
block (status, approver, dates, change note) and the process map, which shows the approved version of every
process. The file name therefore holds a hash of everything the output is made of — the version's id and
SHA-256, the format and language, its document-control fields and (for PDF/HTML) a SHA-256 of what the
document prints of the map (its drawing with this process highlighted and the hand-off table). An approval
of another process renders a document anew only when it changes that map; the map is laid out once per
library state and language (`library_map.process_map_of`), so the key costs one query when it is known.
Drafts and versions in review are never cached (they are not fixed yet). The files live in
``<var>/cache/guidelines/`` (``SALESFLOW_VAR_DIR``); deleting the folder only costs the next render.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from salesflow.guidelines import publish
from salesflow.guidelines.library_map import map_versions, printed_map_digest
from salesflow.process.model import Status
from salesflow.records.models import ProcessVersion

if TYPE_CHECKING:
    from salesflow.guidelines.pdf_workers import PdfJobs

#: Formats worth caching (Markdown comes with companion files and is cheap).
CACHED_FORMATS = ("pdf", "html", "svg", "bpmn")
#: The statuses whose documents are fixed (until their status changes, which changes the key).
FIXED = (Status.approved.value, Status.obsolete.value)
#: Bump when a renderer changes its output, so older files are not served.
RENDERER_VERSION = 3  # 2: the German file carries the German change note; 3: SVG text drawn a run at a time


def cache_dir() -> Path:
    """Where the rendered files are kept (setting ``SALESFLOW_GUIDELINE_CACHE``, default ``<var>/cache/guidelines``)."""
    configured = getattr(settings, "SALESFLOW_GUIDELINE_CACHE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "cache" / "guidelines"


def printed_map(version: ProcessVersion, language: str) -> str:
    """A SHA-256 of the process map as the version's document prints it (the library in force, the version
    standing in for its own process)."""
    return printed_map_digest(map_versions(version), language, version.process.key)


def cache_key(version: ProcessVersion, fmt: str, language: str) -> str:
    """A hash of everything the rendered file depends on."""
    parts: dict[str, Any] = {"renderer": RENDERER_VERSION, "id": version.pk, "sha256": version.sha256,
                             "fmt": fmt, "language": language}
    if fmt in ("pdf", "html"):
        parts.update(status=version.status, author=version.author_name, approver=version.approver_name,
                     approved_at=version.approved_at, effective_date=version.effective_date,
                     note=version.change_note, map=printed_map(version, language))
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def cacheable(version: ProcessVersion, fmt: str) -> bool:
    """True when the version's file of ``fmt`` may be cached (approved or obsolete, a cached format)."""
    return fmt in CACHED_FORMATS and version.status in FIXED


def path_of(version: ProcessVersion, fmt: str, language: str) -> Path:
    """Where the version's file of ``fmt`` in ``language`` is kept."""
    key = cache_key(version, fmt, language)
    return cache_dir() / f"{version.process.key}-v{version.version}-{language}-{key}.{fmt}"


def _cached(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _keep(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only var dir: serve without caching


def rendered(version: ProcessVersion, fmt: str, language: str = "en") -> publish.Rendered:
    """`publish.render_version`, from the disk cache when this version was rendered before (drafts: always anew)."""
    if not cacheable(version, fmt):
        return publish.render_version(version, fmt, language)
    path = path_of(version, fmt, language)
    content = _cached(path)
    if content is not None:
        return publish.Rendered(content)
    result = publish.render_version(version, fmt, language)
    _keep(path, result.content)
    return result


def start_pdfs(items: list[tuple[ProcessVersion, str]]) -> tuple[PdfJobs, Iterator[bytes]]:
    """Start rendering the guideline PDFs of ``items`` (version, language) that are not in the cache, in worker
    processes (`pdf_workers.PdfJobs`); the jobs (``close`` them when done) and an iterator of every PDF in order,
    from the cache or as each is rendered (and kept). The caller may do other work before iterating."""
    from salesflow.guidelines.pdf_workers import started
    from salesflow.guidelines.render_html import render_html

    paths = [path_of(version, "pdf", language) if cacheable(version, "pdf") else None for version, language in items]
    found = [_cached(path) if path is not None else None for path in paths]
    missing = [index for index, content in enumerate(found) if content is None]
    jobs, fresh = started(lambda: [render_html(publish.document_of(*items[index]), for_print=True)
                                   for index in missing], len(missing))

    def in_order() -> Iterator[bytes]:
        for index, content in enumerate(found):
            if content is None:
                content = next(fresh)
                if paths[index] is not None:
                    _keep(paths[index], content)
            yield content

    return jobs, in_order()


def rendered_pdfs(items: list[tuple[ProcessVersion, str]]) -> Iterator[bytes]:
    """The guideline PDF of each (version, language), in order: from the cache, the missing ones rendered side by
    side in worker processes (`pdf_workers`) and kept; each is yielded as soon as it is there."""
    jobs, pdfs = start_pdfs(items)
    with jobs:
        yield from pdfs
