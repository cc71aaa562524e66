"""Web pages of checklists and assessments: the checklist list, the assessment form, an assessment's page.

Thin: parse the form, call `salesflow.quality.services.do_assess`, render. A refusal re-shows the form
with the message and the answers given.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from salesflow.engine.errors import BadInput, EngineError
from salesflow.engine.scoring import AnswersInvalid
from salesflow.people import access
from salesflow.process.checklist import ChecklistDefinition, QuestionType, Subject
from salesflow.quality import services
from salesflow.quality.models import ChecklistVersion, Evidence
from salesflow.web.i18n import localize
from salesflow.web.templatetags.salesflow_web import current_language

#: The most subjects offered in the form's choice list (beyond it, the id is typed).
MAX_CHOICES = 500


def _staff_only(user: Any) -> None:
    if not access.is_staff_member(user):
        raise Http404


def _subject_label(kind: str) -> str:
    return {Subject.partner.value: _("Partner"), Subject.account.value: _("Account"), Subject.user.value: _("Person"),
            Subject.record.value: _("Record")}.get(kind, kind)


@login_required
@require_GET
def checklist_list(request: HttpRequest) -> HttpResponse:
    """Every checklist of the library with its newest version, and the latest assessments you may see."""
    _staff_only(request.user)
    language = current_language()
    rows = []
    for version in services.current_checklists():
        definition = services.checklist_definition(version)
        rows.append({"version": version, "title": version.title_in(language), "subject": _subject_label(version.subject),
                     "questions": len(definition.questions()), "pass_mark": definition.pass_mark,
                     "may_assess": services.may_assess(request.user, version),
                     "responsible": _role_title(version.responsible, language)})
    rows.sort(key=lambda row: row["title"].casefold())
    recent = services.visible_assessments(request.user).select_related("checklist")[:50]
    return render(request, "quality/checklist_list.html", {
        "rows": rows, "recent": [{"assessment": item, "title": item.checklist.title_in(language),
                                  "subject": _subject_label(item.subject_kind)} for item in recent]})


def _role_title(role_id: str, language: str) -> str:
    from salesflow.people.models import Role

    role = Role.objects.filter(pk=role_id).first()
    return role.title_in(language) if role else role_id


def _subject_choices(kind: str, user: Any) -> list[tuple[str, str]]:
    if kind in (Subject.partner.value, Subject.account.value):
        from salesflow.accounts.models import Account

        return [(str(pk), name) for pk, name in Account.objects.order_by("name").values_list("pk", "name")[:MAX_CHOICES]]
    if kind == Subject.user.value:
        from salesflow.people.models import User

        people = User.objects.filter(is_active=True, roles__isnull=False).distinct().order_by("first_name", "username")
        return [(person.username, person.display_name) for person in people[:MAX_CHOICES]]
    records = access.visible_records(user).select_related("process").order_by("-updated_at")[:MAX_CHOICES]
    return [(str(record.pk), f"#{record.pk} {record.title}") for record in records]


def _sections(definition: ChecklistDefinition, language: str, answers: dict[str, str]) -> list[dict[str, Any]]:
    sections = []
    for section in definition.sections:
        questions = []
        for question in section.questions:
            if question.type == QuestionType.scale:
                options = [(str(step), str(step)) for step in range(1, (question.scale or 2) + 1)]
            else:
                options = [("yes", _("Yes")), ("no", _("No"))]
                if question.type == QuestionType.yes_no_partial:
                    options.insert(1, ("partial", _("Partly")))
            if question.na:
                options.append(("na", _("n/a")))
            questions.append({"id": question.id, "text": question.text.get_text(language), "options": options,
                              "weight": question.weight.normalize(), "critical": question.critical,
                              "scale": question.scale, "answer": answers.get(question.id, "")})
        sections.append({"id": section.id, "title": section.title.get_text(language), "questions": questions})
    return sections


def _question_problem(definition: ChecklistDefinition, problem: str, language: str) -> str:
    """A scoring refusal ``id: message`` with the question's text in front, for the form."""
    question_id, _sep, rest = problem.partition(": ")
    question = definition.question(question_id)
    return f"“{question.text.get_text(language)}” ({question_id}): {rest}" if question else problem


def _nonconformity_note(assessment: Any, definition: ChecklistDefinition) -> str:
    """Why no nonconformity was started, in the page's language."""
    note = assessment.nonconformity_note
    if not note:
        return ""
    if not definition.raises:
        return _("The checklist names no process for nonconformities.")
    if note.startswith("no nonconformity process is installed"):
        return _("No nonconformity process is installed (process %(process)s is not loaded).") % {
            "process": definition.raises}
    return note


@login_required
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, key: str) -> HttpResponse:
    """The assessment form of a checklist (its newest version): subject, date, answers, notes, evidence."""
    _staff_only(request.user)
    version = ChecklistVersion.objects.filter(key=key).order_by("-version").first()
    if version is None:
        raise Http404
    language = current_language()
    definition = services.checklist_definition(version)
    answers: dict[str, str] = {}
    errors: list[str] = []
    status = 200
    values = {"subject": request.GET.get("subject", "")[:200], "date": timezone.localdate().isoformat(), "notes": ""}
    if request.method == "POST":
        values = {"subject": request.POST.get("subject", "").strip()[:200],
                  "date": request.POST.get("date", "").strip()[:40], "notes": request.POST.get("notes", "")}
        answers = {question.id: request.POST.get(f"q-{question.id}", "")[:40] for question in definition.questions()}
        uploads = request.FILES.getlist("evidence")
        too_big = [upload.name for upload in uploads if (upload.size or 0) > services.MAX_EVIDENCE_BYTES]
        files = [] if too_big else [services.EvidenceFile(upload.name, upload.read(), upload.content_type or "")
                                    for upload in uploads[:services.MAX_EVIDENCE_FILES + 1]]
        try:
            if too_big:
                raise BadInput(_("%(name)s: larger than %(mb)s MB.")
                               % {"name": too_big[0], "mb": services.MAX_EVIDENCE_BYTES // (1024 * 1024)})
            assessment = services.do_assess(
                version.key, request.user, f"{version.subject}:{values['subject']}", answers,
                date=values["date"] or None, notes=values["notes"], evidence=files, version=version.version)
        except AnswersInvalid as refused:
            errors = [_question_problem(definition, problem, language) for problem in refused.problems]
            status = 400
        except EngineError as refused:
            errors = [localize(refused.message)]
            status = 403 if refused.code == "not_permitted" else 404 if refused.code == "not_found" else 400
        else:
            return redirect("assessment", assessment_id=assessment.pk)
    return render(request, "quality/assess.html", {
        "version": version, "title": version.title_in(language), "definition": definition,
        "subject_label": _subject_label(version.subject), "choices": _subject_choices(version.subject, request.user),
        "sections": _sections(definition, language, answers), "values": values, "errors": errors,
        "may_assess": services.may_assess(request.user, version),
        "responsible": _role_title(version.responsible, language),
        "max_mb": services.MAX_EVIDENCE_BYTES // (1024 * 1024),
    }, status=status)


@login_required
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """One assessment: score, result, failed critical questions, the answers by section, notes and evidence."""
    try:
        assessment = services.get_assessment(assessment_id, request.user)
    except EngineError:
        raise Http404 from None
    language = current_language()
    definition = services.checklist_definition(assessment.checklist)
    sections = _sections(definition, language, {key: str(value) for key, value in assessment.answers.items()})
    labels = {"yes": _("Yes"), "no": _("No"), "partial": _("Partly"), "na": _("n/a")}
    for section in sections:
        for question in section["questions"]:
            answer = question["answer"]
            question["shown"] = f"{answer} / {question['scale']}" if question["scale"] and answer != "na" \
                else labels.get(answer, answer)
            question["failed"] = question["id"] in assessment.failed_critical
    return render(request, "quality/assessment.html", {
        "assessment": assessment, "title": assessment.checklist.title_in(language), "sections": sections,
        "subject_label": _subject_label(assessment.subject_kind), "pass_mark": definition.pass_mark,
        "evidence": list(assessment.evidence.all()),
        "nonconformity_note": _nonconformity_note(assessment, definition),
    })


@login_required
@require_GET
def evidence_download(request: HttpRequest, assessment_id: int, evidence_id: int) -> HttpResponse:
    """An evidence file of an assessment you may see."""
    try:
        assessment = services.get_assessment(assessment_id, request.user)
    except EngineError:
        raise Http404 from None
    item = Evidence.objects.filter(assessment=assessment, pk=evidence_id).first()
    if item is None:
        raise Http404
    response = HttpResponse(bytes(item.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{item.name.replace(chr(34), "")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["POST"])
def actions_to_tasks(request: HttpRequest, record_id: int) -> HttpResponse:
    """Turn a record's actions (e.g. a management review's) into tasks of the people named, then back to it."""
    from django.contrib import messages
    from django.urls import reverse

    from salesflow.quality.review_actions import do_actions_to_tasks
    from salesflow.records.services import NotFound

    try:
        created = do_actions_to_tasks(record_id, request.user)
    except NotFound:
        raise Http404 from None
    except EngineError as refusal:
        messages.error(request, localize(refusal.message))
    else:
        messages.success(request, _("%(count)s action(s) became tasks on their owners' My work.")
                         % {"count": len(created)})
    return redirect(reverse("record", args=[record_id]) + "#review-actions")
