"""Web pages of guidelines and document control: the guideline, version history and diff, proposing,
review and approval, read acknowledgement, the training matrix, the process map and the audit-pack download.

Server-rendered templates extending ``base.html``. Every change goes through `services`; a
refusal of the rules becomes a message on the page, never a traceback.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesflow.engine.errors import EngineError
from salesflow.guidelines import control, pack_jobs, rendered_cache, services
from salesflow.guidelines.audit_pack import PACK_RIGHT, export_audit_pack
from salesflow.guidelines.diff import semantic_diff, side_by_side
from salesflow.guidelines.library_map import current_map
from salesflow.guidelines.process_map import render_map_svg
from salesflow.guidelines.publish import (
    CONTENT_TYPES,
    FORMATS,
    change_note_in,
    document_of,
    file_name,
)
from salesflow.guidelines.render_html import document_body
from salesflow.guidelines.retirement import do_reinstate_process, do_retire_process, may_retire
from salesflow.guidelines.training import pending_for, training_matrix
from salesflow.people import access
from salesflow.process.model import Status
from salesflow.process.validate import ProcessInvalid
from salesflow.records.models import Acknowledgement, Process, ProcessVersion
from salesflow.records.services import NotFound, definition_of

#: Roles that see the whole training matrix.
MATRIX_RIGHT = "training_matrix"
#: Largest YAML accepted by the propose form.
MAX_UPLOAD = 512 * 1024


def _language() -> str:
    return (get_language() or "en")[:2] if (get_language() or "en")[:2] in ("en", "de") else "en"


def _version_or_404(key: str, number: int | None = None) -> ProcessVersion:
    try:
        return services.get_version(key, number)
    except EngineError:
        raise Http404 from None


def _may_edit(user: Any, version: ProcessVersion) -> bool:
    if access.is_read_only(user):
        return False
    current = services.current_definition(version.process)
    return control.may_edit(services.person_of(user), current, definition_of(version))


def _may_approve(user: Any, version: ProcessVersion) -> bool:
    if access.is_read_only(user) or version.author_id == user.pk:
        return False
    current = services.current_definition(version.process)
    return control.approving_role(services.person_of(user), current, definition_of(version)) is not None


def _staff(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Guidelines are open to users holding a role."))


@login_required
@require_GET
def guideline_index(request: HttpRequest) -> HttpResponse:
    """Every process with its approved guideline, what waits for review, and what the user still has to read."""
    _staff(request)
    language = _language()
    rows = []
    for process in Process.objects.order_by("key"):
        current = process.current_version()
        pending = list(process.versions.filter(status__in=[Status.draft.value, Status.in_review.value])
                       .order_by("version"))
        acknowledged = bool(current and Acknowledgement.objects.filter(user=request.user,
                                                                      process_version=current).exists())
        rows.append({"process": process, "title": process.title_in(language), "current": current,
                     "pending": pending, "acknowledged": acknowledged})
    roles = request.user.role_ids()
    responsible = {row["current"].definition["guideline"]["responsible"] for row in rows if row["current"]}
    return render(request, "guidelines/index.html", {
        "rows": rows, "to_read": pending_for(request.user),
        "may_propose": not access.is_read_only(request.user)
        and (access.has_right(request.user, control.PROPOSE_RIGHT) or bool(roles & responsible)),
        "may_see_matrix": access.has_right(request.user, MATRIX_RIGHT),
        "may_pack": access.has_right(request.user, PACK_RIGHT),
    })


@login_required
@require_GET
def process_map_view(request: HttpRequest) -> HttpResponse:
    """All processes (their approved versions) and their hand-offs as one diagram, with the hand-off list."""
    _staff(request)
    language = _language()
    process_map = current_map(language)
    return render(request, "guidelines/process_map.html", {
        "svg": render_map_svg(process_map), "map": process_map, "language": language,
        "processes": [box for box in process_map.boxes if not box.missing],
    })


@login_required
@require_GET
def process_map_svg(request: HttpRequest) -> HttpResponse:
    """The process map as an SVG file; ``?language=de`` picks the language."""
    _staff(request)
    language = request.GET.get("language") or _language()
    if language not in ("en", "de"):
        language = "en"
    response = HttpResponse(render_map_svg(current_map(language)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="process-map-{language}.svg"'
    return response


@login_required
@require_GET
def guideline_detail(request: HttpRequest, key: str, number: int | None = None) -> HttpResponse:
    """A guideline version rendered in the page's language, with its document-control actions."""
    _staff(request)
    version = _version_or_404(key, number)
    language = _language()
    doc = document_of(version, language)
    definition = definition_of(version)
    asked = bool(request.user.role_ids() & set(definition.roles))
    acknowledgement = Acknowledgement.objects.filter(user=request.user, process_version=version).first()
    versions = list(version.process.versions.order_by("-version"))
    return render(request, "guidelines/detail.html", {
        "process": version.process, "version": version, "versions": versions, "doc": doc,
        "change_note": change_note_in(version, language),
        "document_html": document_body(doc), "formats": FORMATS,
        "language": language, "acknowledgement": acknowledgement,
        "may_acknowledge": version.status == Status.approved.value and acknowledgement is None and asked
        and not access.is_read_only(request.user),
        "may_submit": version.status == Status.draft.value and (version.author_id == request.user.pk
                                                                or _may_edit(request.user, version)),
        "may_approve": version.status == Status.in_review.value and _may_approve(request.user, version),
        "is_author": version.author_id == request.user.pk, "today": timezone.localdate(),
        "responsible": doc.metadata[0][1], "version_label": f"v{version.version}",
        "to_migrate": _records_to_migrate(request.user, version),
        "may_propose": not access.is_read_only(request.user),
        "may_retire": version.status == Status.approved.value and may_retire(version.process, request.user),
    })


def _records_to_migrate(user: Any, version: ProcessVersion) -> int:
    """Running records on earlier versions that ``user`` may move to ``version`` (0 unless it is in force)."""
    from salesflow.guidelines.migrate_views import may_migrate
    from salesflow.records.models import Record

    current = version.process.current_version()
    if current is None or current.pk != version.pk or not may_migrate(user):
        return 0
    return access.visible_records(user, Record.objects.filter(
        process=version.process, closed_at__isnull=True, process_version__version__lt=version.version)).count()


@login_required
@require_GET
def guideline_download(request: HttpRequest, key: str, number: int, fmt: str) -> HttpResponse:
    """A version as a file: pdf, html, md, svg (flowchart) or bpmn; ``?language=de`` picks the language."""
    _staff(request)
    if fmt not in FORMATS:
        raise Http404
    version = _version_or_404(key, number)
    language = request.GET.get("language") or _language()
    if language not in ("en", "de"):
        language = "en"
    rendered = rendered_cache.rendered(version, fmt, language)
    response = HttpResponse(rendered.content, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt in ("pdf", "svg", "html") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file_name(version, fmt, language)}"'
    return response


def _act(request: HttpRequest, key: str, number: int, run: Any, done: str) -> HttpResponse:
    target = reverse("guideline_version", args=[key, number])
    try:
        run()
    except EngineError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(target)


@login_required
@require_POST
def version_submit(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """Send a draft to review."""
    return _act(request, key, number, lambda: services.do_submit_for_review(key, number, request.user),
                _("The version is now in review."))


@login_required
@require_POST
def version_approve(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """Approve a version in review (responsible role, not the author)."""
    effective = None
    text = request.POST.get("effective_date", "").strip()
    if text:
        try:
            effective = datetime.date.fromisoformat(text)
        except ValueError:
            messages.error(request, _("The effective date must be a date (YYYY-MM-DD)."))
            return redirect("guideline_version", key, number)
    note = request.POST.get("note", "")
    return _act(request, key, number,
                lambda: services.do_approve_version(key, number, request.user, effective, note),
                _("The version is approved; the previous version is obsolete."))


@login_required
@require_POST
def version_return(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """Send a version in review back to draft with a note."""
    note = request.POST.get("note", "")
    return _act(request, key, number, lambda: services.do_return_to_draft(key, number, request.user, note),
                _("The version is back in draft."))


@login_required
@require_POST
def process_retire(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """Retire the process (no new records) or reinstate it; the responsible role decides."""
    if request.POST.get("reinstate"):
        return _act(request, key, number, lambda: do_reinstate_process(key, request.user, request.POST.get("reason", "")),
                    _("The process is reinstated: new records may start again."))
    return _act(request, key, number, lambda: do_retire_process(key, request.user, request.POST.get("reason", "")),
                _("The process is retired: no new records; running records finish under their version."))


@login_required
@require_POST
def version_acknowledge(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """Confirm having read a version."""
    return _act(request, key, number, lambda: services.do_acknowledge(key, request.user, number),
                _("Thank you: your acknowledgement is recorded."))


@login_required
@require_GET
def guideline_history(request: HttpRequest, key: str) -> HttpResponse:
    """The versions of a process with their document-control data, and a form to compare two."""
    _staff(request)
    process = Process.objects.filter(key=key).first()
    if process is None:
        raise Http404
    versions = list(process.versions.order_by("-version"))
    for item in versions:
        item.change_note_shown = change_note_in(item, _language())
    return render(request, "guidelines/history.html", {"process": process, "versions": versions,
                                                       "title": process.title_in(_language())})


@login_required
@require_GET
def guideline_diff(request: HttpRequest, key: str) -> HttpResponse:
    """Side by side: the semantic changes between two versions, then the YAML sources line by line."""
    _staff(request)
    try:
        old = services.get_version(key, request.GET.get("from") or None)
        new = services.get_version(key, request.GET.get("to") or None)
    except EngineError as error:
        if isinstance(error, NotFound):
            raise Http404 from None
        messages.error(request, str(error))
        return redirect("guideline_history", key)
    language = _language()
    changes = semantic_diff(definition_of(old), definition_of(new), language)
    return render(request, "guidelines/diff.html", {
        "process": old.process, "old": old, "new": new, "changes": changes,
        "rows": side_by_side(old.source, new.source), "title": old.process.title_in(language),
        "versions": list(old.process.versions.order_by("-version")),
    })


@login_required
@require_http_methods(["GET", "POST"])
def guideline_propose(request: HttpRequest) -> HttpResponse:
    """Paste or upload a process YAML; it is validated like ``process validate`` and stored as a draft."""
    _staff(request)
    if access.is_read_only(request.user):
        raise PermissionDenied(_("Auditors read guidelines; they do not propose them."))
    language = _language()
    processes = []
    for process in Process.objects.order_by("key"):
        version = process.current_version() or process.versions.order_by("-version").first()
        if version is not None:
            processes.append({"key": process.key, "title": process.title_in(language), "version": version.version})
    context: dict[str, Any] = {"text": "", "note": "", "problems": [], "error": "", "processes": processes,
                               "base": None}
    initial = request.GET.get("from")
    if request.method == "GET" and initial:
        try:
            base = services.get_version(initial)
            context.update(text=base.source, base=base)
        except EngineError:
            pass
    if request.method == "POST":
        text = request.POST.get("text", "")
        upload = request.FILES.get("file")
        name = "<pasted>"
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                context["error"] = _("The file is larger than 512 KiB.")
                return render(request, "guidelines/propose.html", context, status=400)
            try:
                text = upload.read().decode("utf-8-sig")
                name = upload.name
            except UnicodeDecodeError:
                context["error"] = _("The file is not UTF-8 text.")
                return render(request, "guidelines/propose.html", context, status=400)
        note = request.POST.get("note", "")
        context.update(text=text, note=note)
        if not text.strip():
            context["error"] = _("Paste the process YAML or choose a file.")
            return render(request, "guidelines/propose.html", context, status=400)
        try:
            version = services.do_propose_version(text, request.user, file=name, note=note)
        except ProcessInvalid as invalid:
            context["problems"] = [str(problem) for problem in invalid.problems]
            return render(request, "guidelines/propose.html", context, status=400)
        except EngineError as error:
            context["error"] = str(error)
            return render(request, "guidelines/propose.html", context, status=409 if error.code == "conflict" else 403)
        messages.success(request, _("Version %(v)s is stored as a draft. Submit it for review when it is ready.")
                         % {"v": version.version})
        return redirect("guideline_version", version.process.key, version.version)
    return render(request, "guidelines/propose.html", context)


@login_required
@require_GET
def training_view(request: HttpRequest) -> HttpResponse:
    """The training matrix: who has read the current version of each process, who is overdue."""
    _staff(request)
    if not access.has_right(request.user, MATRIX_RIGHT):
        raise PermissionDenied(_("Your roles do not include the right to see the training matrix."))
    matrix = training_matrix()
    return render(request, "guidelines/training.html", {"matrix": matrix, "counts": matrix.counts(),
                                                        "language": _language()})


def _pack_job_state(request: HttpRequest, job: str) -> dict[str, Any]:
    if not access.has_right(request.user, PACK_RIGHT):
        raise PermissionDenied(_("Your roles do not include the right to build the audit pack."))
    state = pack_jobs.state_of(job, request.user)
    if state is None:
        raise Http404
    state["percent"] = min(100, round(100 * state["done"] / max(state["expected"], 1)))
    state["step_name"] = pack_jobs.step_name(str(state.get("step") or ""))
    return state


@login_required
@require_GET
def audit_pack_job(request: HttpRequest, job: str) -> HttpResponse:
    """The progress of an audit pack being built in the background (the status part refreshes itself)."""
    state = _pack_job_state(request, job)
    template = "guidelines/_audit_pack_status.html" if request.headers.get("HX-Request") \
        else "guidelines/audit_pack_job.html"
    return render(request, template, {"job": job, "state": state})


@login_required
@require_GET
def audit_pack_download(request: HttpRequest, job: str) -> HttpResponse:
    """The finished pack's zip (only for the user who started it)."""
    from django.http import FileResponse

    state = _pack_job_state(request, job)
    path = pack_jobs.zip_of(job, request.user)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, content_type="application/zip",
                        filename=f"audit-pack-{state['date_from']}-{state['date_to']}.zip")


@login_required
@require_http_methods(["GET", "POST"])
def audit_pack_view(request: HttpRequest) -> HttpResponse:
    """Choose a period and download the audit evidence pack (zip with a SHA-256 manifest)."""
    if not access.has_right(request.user, PACK_RIGHT):
        raise PermissionDenied(_("Your roles do not include the right to build the audit pack."))
    today = timezone.localdate()
    context: dict[str, Any] = {"date_from": today.replace(month=1, day=1).isoformat(), "date_to": today.isoformat(),
                               "pack_languages": ["en"], "error": ""}
    from salesflow.guidelines.iso_sections import sections_of_library

    language = translation.get_language() or "en"
    context["iso_sections"] = [(section.clause, section.title.get_text(language[:2]))
                               for section in sections_of_library()]
    if request.method == "POST":
        context.update(date_from=request.POST.get("date_from", ""), date_to=request.POST.get("date_to", ""),
                       pack_languages=[item for item in request.POST.getlist("language") if item in ("en", "de")] or ["en"])
        try:
            date_from = datetime.date.fromisoformat(context["date_from"])
            date_to = datetime.date.fromisoformat(context["date_to"])
            if request.POST.get("background"):
                job = pack_jobs.start(date_from, date_to, request.user, request, tuple(context["pack_languages"]))
                return redirect("audit_pack_job", job=job)
            content = export_audit_pack(date_from, date_to, request.user, request, tuple(context["pack_languages"]))
        except ValueError:
            context["error"] = _("Both dates are needed (YYYY-MM-DD).")
        except EngineError as error:
            context["error"] = str(error)
        else:
            response = HttpResponse(content, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="audit-pack-{date_from}-{date_to}.zip"'
            return response
        return render(request, "guidelines/audit_pack.html", context, status=400)
    return render(request, "guidelines/audit_pack.html", context)
