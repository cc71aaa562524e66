"""The audit pack built in the background: a thread per request, its progress and the zip in files.

`start` checks the period, writes the job's state (``<dir>/<job>.json``) and builds the pack in a thread of
the web process; the state holds who asked for it, how many files are done of how many expected, the part
of the pack the last one belongs to (``step``: a key of `SECTIONS`, shown in the reader's language) and, at the end, ``ready`` (the zip is ``<dir>/<job>.zip``) or ``failed`` with the message.
Files, not memory, so the progress page and the download work from every server process. Only the user who
started a job sees its state or downloads it. The directory is ``<var>/audit-packs`` (setting
``SALESFLOW_AUDIT_PACK_DIR``); packs older than a day are removed when a new one starts.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from salesflow.engine.errors import BadInput, EngineError

#: Finished packs are kept this long (seconds).
KEEP_SECONDS = 24 * 3600

#: The parts of the pack (the first folder of a file's path, or the file's name) → their name.
SECTIONS = {
    "guidelines": _("Guidelines"), "process-map": _("Process map"), "history": _("Version histories"),
    "training": _("Training matrix"), "access": _("Access review"), "adherence": _("Process adherence"),
    "iso": _("ISO 9001 sections"), "event-log": _("Event-log verification"), "index": _("Index of the pack"),
}


def section_of(path: str) -> str:
    """The part of the pack a file belongs to: ``training/training-matrix.html`` → ``training``."""
    if "/" in path:
        return path.split("/", 1)[0]
    return "process-map" if path.startswith("process-map") else path.rsplit(".", 1)[0]


def step_name(step: str) -> str:
    """The name of a part of the pack in the active language (anything else as it is)."""
    name = SECTIONS.get(step)
    return str(name) if name is not None else step


def jobs_dir() -> Path:
    """Where the jobs' states and zips are kept."""
    configured = getattr(settings, "SALESFLOW_AUDIT_PACK_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-packs"


def _write_state(job: str, state: dict[str, Any]) -> None:
    directory = jobs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(state, stream)
    os.replace(temporary, directory / f"{job}.json")


def _valid(job: str) -> bool:
    return job.isalnum() and len(job) == 32


def state_of(job: str, user: Any) -> dict[str, Any] | None:
    """The job's state for the user who started it (None: unknown, or someone else's)."""
    if not _valid(job):
        return None
    try:
        state = json.loads((jobs_dir() / f"{job}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if state.get("user_id") == user.pk else None


def zip_of(job: str, user: Any) -> Path | None:
    """The finished pack's zip for the user who started the job (None: not ready, unknown or someone else's)."""
    state = state_of(job, user)
    if state is None or state.get("state") != "ready":
        return None
    path = jobs_dir() / f"{job}.zip"
    return path if path.exists() else None


def _clean_up() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in jobs_dir().glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def start(date_from: datetime.date, date_to: datetime.date, user: Any, request: Any,
          languages: tuple[str, ...] = ("en",)) -> str:
    """Start building the pack in the background; return the job's id (a bad period raises `BadInput` at once)."""
    if date_to < date_from:
        raise BadInput(f"--to {date_to} is before --from {date_from}")
    job = secrets.token_hex(16)
    state: dict[str, Any] = {"user_id": user.pk, "state": "running", "done": 0, "expected": 1, "step": "",
                             "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
                             "languages": list(languages), "started": time.time()}
    jobs_dir().mkdir(parents=True, exist_ok=True)
    _clean_up()
    _write_state(job, state)
    # the security event names the client: keep what it reads of the request, not the request itself
    caller = SimpleNamespace(META={key: request.META.get(key) for key in ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR",
                                                                           "HTTP_USER_AGENT") if key in request.META})
    threading.Thread(target=_build, args=(job, state, date_from, date_to, user, caller, languages),
                     name=f"salesflow-audit-pack-{job[:8]}", daemon=True).start()
    return job


def _build(job: str, state: dict[str, Any], date_from: datetime.date, date_to: datetime.date, user: Any,
           caller: Any, languages: tuple[str, ...]) -> None:
    from django.db import connection

    from salesflow.guidelines.audit_pack import export_audit_pack

    last = [0.0]

    def progress(done: int, expected: int, path: str) -> None:
        if time.monotonic() - last[0] < 0.2:
            return
        last[0] = time.monotonic()
        _write_state(job, {**state, "done": done, "expected": expected, "step": section_of(path)})

    try:
        content = export_audit_pack(date_from, date_to, user, caller, languages, progress=progress)
        path = jobs_dir() / f"{job}.zip"
        handle, temporary = tempfile.mkstemp(dir=jobs_dir(), suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
        _write_state(job, {**state, "state": "ready", "done": 1, "expected": 1, "step": "",
                           "seconds": round(time.time() - state["started"], 1)})
    except EngineError as error:
        _write_state(job, {**state, "state": "failed", "message": str(error)})
    except Exception as error:  # noqa: BLE001 - the page shows that it failed; the log has the details
        import logging

        logging.getLogger("salesflow.audit_pack").exception("audit pack %s failed", job)
        _write_state(job, {**state, "state": "failed", "message": type(error).__name__})
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # this thread's own connection
