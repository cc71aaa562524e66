"""The process editor's helpers: the YAML source as a file, validation as you type, and the preview.

``POST /guidelines/propose/validate`` checks the text like ``salesflow process validate`` (and like
storing a proposal) and answers with the problems at their lines: an HTML fragment for the editor
(htmx), or JSON (``Accept: application/json``). ``POST /guidelines/propose/preview`` shows what a
proposal would change before it is submitted: the semantic diff against the version in force, the
flowchart and the guideline. Nothing is stored by either.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesflow.engine.errors import EngineError
from salesflow.guidelines import services
from salesflow.guidelines.diff import semantic_diff
from salesflow.guidelines.document import VersionInfo, build_document
from salesflow.guidelines.layout import build_layout
from salesflow.guidelines.library_map import approved_definitions
from salesflow.guidelines.render_html import document_body
from salesflow.guidelines.svg import render_svg
from salesflow.people import access
from salesflow.process.validate import ParsedProcess, Problem, validate_texts
from salesflow.records.services import definition_of

#: Largest text the editor validates (the propose form's limit).
MAX_TEXT = 512 * 1024


def _language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in ("en", "de") else "en"


def _editor_user(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user) or access.is_read_only(request.user):
        raise PermissionDenied(_("Only users who may propose guideline changes use the editor."))


def check_text(text: str) -> tuple[ParsedProcess | None, list[Problem]]:
    """Validate one process text as a proposal would be: the parsed process (None when invalid) and the problems."""
    if len(text.encode("utf-8")) > MAX_TEXT:
        return None, [Problem("<editor>", 1, _("The text is larger than 512 KiB."))]
    valid, problems = validate_texts([("<editor>", text)], services.known_processes(), services.library_in_force())
    return (valid[0] if valid and not problems else None), sorted(problems)


def _problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"line": problem.line, "message": problem.message} for problem in problems]


@login_required
@require_POST
def validate_view(request: HttpRequest) -> HttpResponse:
    """The problems of the posted ``text`` at their lines (HTML fragment, or JSON when asked for)."""
    _editor_user(request)
    parsed, problems = check_text(request.POST.get("text", ""))
    rows = _problem_rows(problems)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": parsed is not None, "problems": rows})
    definition = parsed.definition if parsed is not None else None
    return render(request, "guidelines/_validation.html", {
        "problems": rows, "definition": definition, "lines": ",".join(str(row["line"]) for row in rows)})


@login_required
@require_POST
def preview_view(request: HttpRequest) -> HttpResponse:
    """The semantic diff against the version in force, the flowchart and the guideline of the posted ``text``."""
    _editor_user(request)
    parsed, problems = check_text(request.POST.get("text", ""))
    language = _language()
    context: dict[str, Any] = {"problems": _problem_rows(problems), "lines": ",".join(str(p.line) for p in problems)}
    if parsed is None:
        return render(request, "guidelines/_preview.html", context)
    definition = parsed.definition
    current = None
    try:
        current = services.get_version(definition.process)
        current = current if current.status == "approved" else None
    except EngineError:
        current = None
    library = [item for item in approved_definitions() if item.process != definition.process] + [definition]
    info = VersionInfo(version=definition.version, status="draft", author=request.user.display_name,
                       change_note=request.POST.get("note", ""))
    doc = build_document(definition, info, language, library)
    svg = render_svg(build_layout(definition, language)).encode("utf-8")
    context.update(
        definition=definition, current=current,
        changes=semantic_diff(definition_of(current), definition, language) if current is not None else None,
        flowchart=base64.b64encode(svg).decode("ascii"), document_html=document_body(doc))
    return render(request, "guidelines/_preview.html", context)


@login_required
@require_GET
def source_download(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """A version's YAML source as loaded, as a file (the starting point of a change)."""
    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Guidelines are open to users holding a role."))
    try:
        version = services.get_version(key, number)
    except EngineError:
        from django.http import Http404

        raise Http404 from None
    response = HttpResponse(version.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}-v{version.version}.yaml"'
    return response
