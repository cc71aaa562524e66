"""Guideline files (PDF, HTML, flowchart SVG, BPMN) rendered once per version and language, kept on disk.

A version's YAML never changes once it is submitted, but its document does in two ways: the document-control
block (status, approver, dates, change note) and the process map, which shows the approved version of every
process. The file name therefore holds a hash of everything the output is made of — the version's id and
SHA-256, the format and language, its document-control fields and (for PDF/HTML) the ids of the approved
versions on the map. Drafts and versions in review are never cached (they are not fixed yet). The files live
in ``<var>/cache/guidelines/`` (``SALESFLOW_VAR_DIR``); deleting the folder only costs the next render.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from salesflow.guidelines import publish
from salesflow.process.model import Status
from salesflow.records.models import ProcessVersion

#: Formats worth caching (Markdown comes with companion files and is cheap).
CACHED_FORMATS = ("pdf", "html", "svg", "bpmn")
#: The statuses whose documents are fixed (until their status changes, which changes the key).
FIXED = (Status.approved.value, Status.obsolete.value)
#: Bump when a renderer changes its output, so older files are not served.
RENDERER_VERSION = 2  # 2: the German file carries the German change note


def cache_dir() -> Path:
    """Where the rendered files are kept (setting ``SALESFLOW_GUIDELINE_CACHE``, default ``<var>/cache/guidelines``)."""
    configured = getattr(settings, "SALESFLOW_GUIDELINE_CACHE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "cache" / "guidelines"


def _map_versions() -> list[int]:
    """Ids of the approved versions in force (what the process map of a document shows)."""
    return sorted(ProcessVersion.objects.filter(status=Status.approved.value, scheduled=False)
                  .values_list("id", flat=True))


def cache_key(version: ProcessVersion, fmt: str, language: str) -> str:
    """A hash of everything the rendered file depends on."""
    parts: dict[str, Any] = {"renderer": RENDERER_VERSION, "id": version.pk, "sha256": version.sha256,
                             "fmt": fmt, "language": language}
    if fmt in ("pdf", "html"):
        parts.update(status=version.status, author=version.author_name, approver=version.approver_name,
                     approved_at=version.approved_at, effective_date=version.effective_date,
                     note=version.change_note, map=_map_versions())
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def cacheable(version: ProcessVersion, fmt: str) -> bool:
    """True when the version's file of ``fmt`` may be cached (approved or obsolete, a cached format)."""
    return fmt in CACHED_FORMATS and version.status in FIXED


def rendered(version: ProcessVersion, fmt: str, language: str = "en") -> publish.Rendered:
    """`publish.render_version`, from the disk cache when this version was rendered before (drafts: always anew)."""
    if not cacheable(version, fmt):
        return publish.render_version(version, fmt, language)
    path = cache_dir() / f"{version.process.key}-v{version.version}-{language}-{cache_key(version, fmt, language)}.{fmt}"
    try:
        return publish.Rendered(path.read_bytes())
    except OSError:
        pass
    result = publish.render_version(version, fmt, language)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(result.content)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only var dir: serve without caching
    return result
