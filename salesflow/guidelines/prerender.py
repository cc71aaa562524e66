"""Guideline PDFs rendered into the cache right after an approval, in the background.

An approved version's document is fixed, so its PDFs (in every language of the installation) can be
rendered before anyone asks: the download and the audit pack then read files. Putting a version in force
can also change the process map the other guidelines in force print (a new hand-off, a renamed process),
which changes their cache keys (`rendered_cache.printed_map`); only then are their PDFs rendered in the same
run. The run starts after the approval's transaction commits, in a thread of the process that approved
(the PDFs themselves in worker processes, `pdf_workers`); files already there are only read. The setting
``SALESFLOW_PRERENDER_GUIDELINES`` (default on) turns it off. The worker's ``guideline_files`` job
(`render_missing`) renders what an approval did not: versions loaded from the command line, versions that
came into force on schedule, a cache folder that was emptied.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import transaction

from salesflow.guidelines import rendered_cache
from salesflow.guidelines.library_map import map_digest, map_versions, process_map_of
from salesflow.records.models import ProcessVersion

log = logging.getLogger("salesflow.guidelines")


def languages() -> list[str]:
    """The languages guidelines are rendered in (the installation's languages)."""
    return [code for code, _name in settings.LANGUAGES]


def map_changed(version: ProcessVersion, previous: ProcessVersion | None) -> bool:
    """True when ``version`` in force (instead of ``previous``, the version it replaced) changes the process map
    of the library in any language."""
    if version.scheduled:
        return False  # in force later: the map in force is the one before
    after = map_versions(version)
    before = [item for item in after if item.process_id != version.process_id]
    if previous is not None:
        before = map_versions(previous)
    return any(map_digest(process_map_of(before, language), None) != map_digest(process_map_of(after, language), None)
               for language in languages())


def prerender(version: ProcessVersion, previous: ProcessVersion | None = None) -> int:
    """Render the PDFs of ``version`` into the cache, and those of the other versions in force when the approval
    changed the map they print; how many files were wanted (those already cached are only read)."""
    wanted = [version]
    if map_changed(version, previous):
        wanted += [other for other in map_versions() if other.pk != version.pk]
    items = [(item, language) for item in wanted if rendered_cache.cacheable(item, "pdf") for language in languages()]
    for _content in rendered_cache.rendered_pdfs(items):
        pass
    return len(items)


def render_missing() -> dict[str, int]:
    """Render the PDFs (every language) of the versions in force that are not in the cache yet — after a version
    was loaded from the command line, came into force on schedule, or the cache folder was emptied; the
    worker's ``guideline_files`` job. ``{"wanted": files in force, "rendered": files rendered now}``; with the
    setting ``SALESFLOW_PRERENDER_GUIDELINES`` off nothing is rendered before it is asked for."""
    if not getattr(settings, "SALESFLOW_PRERENDER_GUIDELINES", True):
        return {"wanted": 0, "rendered": 0}
    items = [(version, language) for version in map_versions() if rendered_cache.cacheable(version, "pdf")
             for language in languages()]
    missing = [(version, language) for version, language in items
               if not rendered_cache.path_of(version, "pdf", language).is_file()]
    for _content in rendered_cache.rendered_pdfs(missing):
        pass
    return {"wanted": len(items), "rendered": len(missing)}


def _run(version_id: int, previous_id: int | None) -> None:
    from django.db import connection

    try:
        versions = ProcessVersion.objects.select_related("process").in_bulk([version_id, previous_id or version_id])
        prerender(versions[version_id], versions.get(previous_id) if previous_id else None)
    except Exception:  # noqa: BLE001 - a download renders what the background could not; the log has why
        log.exception("rendering the guidelines after approving version %s failed", version_id)
    finally:
        connection.close()  # this thread's own connection


def prerender_soon(version: ProcessVersion, previous: ProcessVersion | None = None) -> None:
    """Once the current transaction commits, `prerender` in a background thread (``previous``: the version in
    force before; setting ``SALESFLOW_PRERENDER_GUIDELINES`` off: nothing)."""
    if not getattr(settings, "SALESFLOW_PRERENDER_GUIDELINES", True):
        return
    version_id, previous_id = version.pk, previous.pk if previous is not None else None

    def start() -> None:
        threading.Thread(target=_run, args=(version_id, previous_id), name=f"salesflow-prerender-{version_id}",
                         daemon=True).start()

    transaction.on_commit(start)
