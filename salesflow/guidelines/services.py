"""Document-control actions on guideline versions; each is one transaction that writes its events, or nothing.

`do_propose_version` is the controlled way to change a process (``process load`` stays the bulk
path for a library whose files carry their own status). Every action appends to the hash-chained
event log, so the version history with its approvals is evidence by itself.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.guidelines import control
from salesflow.process.model import ProcessDefinition, Status
from salesflow.process.validate import ProcessInvalid, validate_texts
from salesflow.records import eventlog
from salesflow.records.library import default_library_keys
from salesflow.records.models import Acknowledgement, Process, ProcessVersion
from salesflow.records.services import NotFound, actorship, definition_of, get_process, sync_roles


def person_of(user: Any) -> control.Person:
    """The control rules' view of a user."""
    from salesflow.people import access

    return control.Person(user.pk, user.display_name, user.role_ids(), access.rights_of(user))


def known_processes() -> set[str]:
    """Process ids a ``depends_on`` may name: the default library and what the database holds."""
    return default_library_keys() | set(Process.objects.values_list("key", flat=True))


def library_in_force() -> dict[str, Any]:
    """The current approved definition of every stored process (what hand-offs into them may set)."""
    from salesflow.records.services import definition_of

    result = {}
    for process in Process.objects.all():
        version = process.current_version()
        if version is not None:
            result[process.key] = definition_of(version)
    return result


def get_version(process_key: str, version: int | str | None = None) -> ProcessVersion:
    """A version of a process (None: the current approved one, else the newest). Raises `NotFound`."""
    process = get_process(process_key)
    if version in (None, ""):
        found = process.current_version() or process.versions.order_by("-version").first()
    else:
        try:
            number = int(str(version).lstrip("v"))
        except ValueError:
            raise BadInput(f"a version is a number, got {version!r}") from None
        found = process.versions.filter(version=number).first()
    if found is None:
        raise NotFound(f"{process_key} has no version {version}" if version else f"{process_key} has no version")
    return found


def current_definition(process: Process) -> ProcessDefinition | None:
    """The definition of the process's approved version, if any."""
    current = process.current_version()
    return definition_of(current) if current else None


def _append(kind: str, by: Any | None, version: ProcessVersion, at: datetime.datetime, **payload: Any) -> None:
    eventlog.append([EventDraft(kind=kind, payload=payload)], actor=actorship(by), at=at,
                    process=version.process.key, process_version=version.version)


def do_propose_version(text: str, by: Any, file: str = "<proposal>", note: str = "",
                       at: datetime.datetime | None = None) -> ProcessVersion:
    """Validate a process YAML text and store it as a new ``draft`` version; nothing is stored when invalid.

    Raises `ProcessInvalid` with the same ``file:line: message`` problems as ``process validate``.
    The file's own ``guideline.status`` is not taken over: a proposal always starts as a draft.
    """
    at = at or timezone.now()
    valid, problems = validate_texts([(file, text)], known_processes(), library_in_force())
    if problems:
        raise ProcessInvalid(sorted(problems))
    parsed = valid[0]
    definition = parsed.definition
    with transaction.atomic():
        process = Process.objects.select_for_update().filter(key=definition.process).first()
        current = current_definition(process) if process else None
        existing = list(process.versions.values_list("version", flat=True)) if process else []
        control.check_propose(person_of(by), current, definition, existing)
        if process is None:
            process = Process.objects.create(key=definition.process, title=dict(definition.title),
                                             record_type=definition.record)
        elif process.record_type != definition.record:
            raise BadInput(f"{file}: {definition.process} runs {process.record_type} records, "
                           f"this version says {definition.record}")
        change_note = note.strip() or (definition.guideline.change_note.get_text("en")
                                       if definition.guideline.change_note else "")
        sha = hashlib.sha256(parsed.source.encode("utf-8")).hexdigest()
        version = ProcessVersion.objects.create(
            process=process, version=definition.version, source=parsed.source, definition=definition.to_data(),
            sha256=sha, status=Status.draft.value, author=by, author_name=by.display_name, change_note=change_note,
        )
        _append("process_version_proposed", by, version, at, sha256=sha, file=file, change_note=change_note)
    return version


def _locked(process_key: str, number: int | str) -> ProcessVersion:
    version = get_version(process_key, number)
    return ProcessVersion.objects.select_for_update().select_related("process").get(pk=version.pk)


def do_submit_for_review(process_key: str, number: int | str, by: Any, reviewer: Any | None = None,
                         at: datetime.datetime | None = None) -> ProcessVersion:
    """Send a draft to review (by its author or an editing role), optionally naming the reviewer."""
    at = at or timezone.now()
    with transaction.atomic():
        version = _locked(process_key, number)
        proposed = definition_of(version)
        current = current_definition(version.process)
        control.check_submit(person_of(by), version.status, version.author_id, current, proposed)
        if reviewer is not None:
            if control.approving_role(person_of(reviewer), current, proposed) is None:
                raise BadInput(f"the reviewer must hold {control.approvers_text(current, proposed)}")
            if reviewer.pk == version.author_id:
                raise BadInput("the author cannot review their own version")
            version.reviewer, version.reviewer_name = reviewer, reviewer.display_name
        version.status = Status.in_review.value
        version.submitted_at = at
        version.save(update_fields=["status", "submitted_at", "reviewer", "reviewer_name"])
        _append("process_version_submitted", by, version, at,
                reviewer=reviewer.username if reviewer is not None else None)
    return version


def do_approve_version(process_key: str, number: int | str, by: Any, effective: datetime.date | None = None,
                       note: str = "", at: datetime.datetime | None = None) -> ProcessVersion:
    """Approve a version in review (responsible role, not its author); the previously approved one becomes obsolete.

    Running records keep their version; new records start under this one. The roles the version
    names are asked to read it (see `salesflow.guidelines.training`). Its guideline PDFs are rendered into the
    cache in the background once this commits (`salesflow.guidelines.prerender`).
    """
    at = at or timezone.now()
    with transaction.atomic():
        version = _locked(process_key, number)
        process = Process.objects.select_for_update().get(pk=version.process_id)
        proposed = definition_of(version)
        previous = process.current_version()
        current = definition_of(previous) if previous else None
        role = control.check_approve(person_of(by), version.status, version.author_id, current,
                                     previous.version if previous else None, proposed)
        version.effective_date = effective or timezone.localdate(at)
        version.scheduled = version.effective_date > timezone.localdate(at)
        obsoleted = [] if version.scheduled else obsolete_before(process, version, at)
        version.status = Status.approved.value
        version.approver, version.approver_name = by, by.display_name
        if version.reviewer_id is None:
            version.reviewer, version.reviewer_name = by, by.display_name
        version.approved_at = at
        version.save(update_fields=["status", "approver", "approver_name", "reviewer", "reviewer_name",
                                    "approved_at", "effective_date", "scheduled"])
        process.title = dict(proposed.title)
        process.save(update_fields=["title"])
        sync_roles(proposed)
        from salesflow.guidelines.training import users_asked_to_read

        readers = list(users_asked_to_read(proposed))
        asked = sorted(user.username for user in readers)
        from salesflow.records.chain import notify_users

        notify_users(None, [user for user in readers if user.pk != by.pk], "acknowledge_requested", {
            "en": f"Please read: {proposed.title.get_text('en')} v{version.version} is approved, effective "
                  f"{version.effective_date.isoformat()}",
            "de": f"Bitte lesen: {proposed.title.get_text('de')} v{version.version} ist freigegeben, gültig ab "
                  f"{version.effective_date.isoformat()}",
            "link": f"/guidelines/{process.key}/v{version.version}/",
        }, at)
        _append("process_version_approved", by, version, at, role=role, obsoleted=obsoleted, sha256=version.sha256,
                effective_date=version.effective_date.isoformat(), note=note, asked_to_read=asked,
                scheduled=version.scheduled)
        from salesflow.guidelines.prerender import prerender_soon

        prerender_soon(version, previous)  # its PDFs into the cache once this commits
    return version


def obsolete_before(process: Process, version: ProcessVersion, at: datetime.datetime) -> list[int]:
    """Make the approved versions older than ``version`` obsolete (also one still waiting for its day); their numbers."""
    older = process.versions.filter(status=Status.approved.value, version__lt=version.version)
    numbers = sorted(older.values_list("version", flat=True))
    older.update(status=Status.obsolete.value, obsoleted_at=at)
    return numbers


def do_put_versions_in_force(today: datetime.date, at: datetime.datetime | None = None) -> list[ProcessVersion]:
    """The scheduled job: each version approved for a day that has come becomes the one new records start under.

    The versions it replaces become obsolete; one ``process_version_in_force`` event per version.
    Idempotent: a version is put in force once.
    """
    at = at or timezone.now()
    done = []
    with transaction.atomic():
        due = (ProcessVersion.objects.select_for_update().select_related("process")
               .filter(status=Status.approved.value, scheduled=True, effective_date__lte=today)
               .order_by("process__key", "version"))
        for version in due:
            obsoleted = obsolete_before(version.process, version, at)
            version.scheduled = False
            version.save(update_fields=["scheduled"])
            _append("process_version_in_force", None, version, at, effective_date=version.effective_date.isoformat(),
                    obsoleted=obsoleted)
            done.append(version)
    return done


def do_return_to_draft(process_key: str, number: int | str, by: Any, note: str,
                       at: datetime.datetime | None = None) -> ProcessVersion:
    """Send a version in review back to draft with the reviewer's note (responsible role)."""
    at = at or timezone.now()
    if not note.strip():
        raise BadInput("returning a version needs a note saying what to change")
    with transaction.atomic():
        version = _locked(process_key, number)
        control.check_return(person_of(by), version.status, current_definition(version.process),
                             definition_of(version))
        version.status = Status.draft.value
        version.reviewer, version.reviewer_name = by, by.display_name
        version.save(update_fields=["status", "reviewer", "reviewer_name"])
        _append("process_version_returned", by, version, at, note=note.strip())
    return version


def do_acknowledge(process_key: str, user: Any, number: int | str | None = None,
                   at: datetime.datetime | None = None) -> Acknowledgement:
    """Record that ``user`` read a version (default: the current approved one); repeating it changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        version = get_version(process_key, number)
        if version.status != Status.approved.value:
            raise Conflict(f"only the approved version can be acknowledged ({process_key} v{version.version} is "
                           f"{version.status})")
        existing = Acknowledgement.objects.filter(user=user, process_version=version, kind="read").first()
        if existing is not None:
            return existing
        acknowledgement = Acknowledgement.objects.create(user=user, process_version=version, kind="read", at=at,
                                                         recorded_by=user, recorded_by_name=user.display_name)
        _append("guideline_acknowledged", user, version, at, user=user.username)
    return acknowledgement


def do_record_training(process_key: str, trainee: Any, by: Any, number: int | str | None = None, note: str = "",
                       at: datetime.datetime | None = None) -> Acknowledgement:
    """Record that ``trainee`` was trained on a version (by the responsible role or Sales Ops / Quality)."""
    at = at or timezone.now()
    with transaction.atomic():
        version = get_version(process_key, number)
        if version.status != Status.approved.value:
            raise Conflict(f"trainings are recorded on the approved version ({process_key} v{version.version} is "
                           f"{version.status})")
        control.check_record_training(person_of(by), definition_of(version))
        acknowledgement, created = Acknowledgement.objects.get_or_create(
            user=trainee, process_version=version, kind="trained",
            defaults={"at": at, "recorded_by": by, "recorded_by_name": by.display_name, "note": note},
        )
        if created:
            _append("guideline_training_recorded", by, version, at, user=trainee.username, note=note)
    return acknowledgement


def do_set_acknowledgement_required(process_key: str, required: bool, by: Any, days: int | None = None,
                                    at: datetime.datetime | None = None) -> Process:
    """Turn the 'current acknowledgement required before acting' setting of a process on or off."""
    at = at or timezone.now()
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=get_process(process_key).pk)
        current = current_definition(process)
        person = person_of(by)
        if not (control.PROPOSE_RIGHT in person.rights or (current and current.guideline.responsible in person.roles)):
            raise NotPermitted("changing the acknowledgement setting needs the guideline's responsible role "
                               f"{current.guideline.responsible if current else ''} or the library right "
                               f"{control.PROPOSE_RIGHT}")
        process.require_acknowledgement = required
        if days is not None:
            if days < 0:
                raise BadInput("days must be 0 or more")
            process.acknowledgement_days = days
        process.save(update_fields=["require_acknowledgement", "acknowledgement_days"])
        eventlog.append([EventDraft(kind="process_setting_changed", payload={
            "require_acknowledgement": required, "acknowledgement_days": process.acknowledgement_days})],
            actor=actorship(by), at=at, process=process.key)
    return process
