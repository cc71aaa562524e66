"""The ISO 9001 sections of the audit pack: risks (6.1), satisfaction (9.1.2), audits (9.2), reviews (9.3), NCs (10.2).

Which sections exist, their clause, title and content come from the library settings' ``audit_pack``
section (`salesflow.process.library_settings.PackSection`): the risk register, the assessments of named
checklists, or the records of a kind (found by the processes' record kind, never by a process id). Each
record is shown with the fields its process declares, its stage history, the records linked to it, the
assessments made of it, the inputs frozen on it and the tasks given on it.

A section is built as its reader may see it (`Reader`): a record, assessment or risk entry the reader may
not see does not exist in the section — not in the lists, not in the counts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salesflow.process.library_settings import PackSection, PackSource

#: The languages every ISO section is written in.
LANGUAGES = ("en", "de")


def sections_of_library() -> list[PackSection]:
    """The ISO sections the library settings in force declare (in their order)."""
    from salesflow.people import access

    return list(access.policy().settings.audit_pack.sections)


def _visible_records(reader: Any) -> Any:
    from salesflow.people import access
    from salesflow.records.models import Record

    query = Record.objects.select_related("process", "process_version", "owner")
    return query if reader.user is None else access.visible_records(reader.user, query)


def _assessments(reader: Any) -> Any:
    from salesflow.quality.models import Assessment
    from salesflow.quality.services import visible_assessments

    query = Assessment.objects.select_related("checklist")
    return query if reader.user is None else visible_assessments(reader.user, query)


def _day(value: datetime.datetime | datetime.date | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime.datetime) else value).isoformat()


# --- 6.1 the risk register ------------------------------------------------------------------------

def _risks(section: PackSection, reader: Any, start: datetime.datetime, end: datetime.datetime,
           language: str) -> dict[str, Any]:
    from salesflow.records.models import Process
    from salesflow.risks.services import list_risks, register_summary, risk_data

    entries = [entry for entry in list_risks(reader.user) if entry.created_at < end]
    titles = {process.key: process.title_in(language) for process in Process.objects.all()}
    kinds = {"risk": _("Risk"), "opportunity": pgettext("risk register", "Opportunity")}
    statuses = {"open": _("open"), "treated": _("treated"), "closed": _("closed")}
    levels = {"high": _("high"), "medium": _("medium"), "low": _("low")}
    rows = []
    for entry in entries:
        row = risk_data(entry)
        row.update(process_title=titles.get(entry.process, entry.process), kind_title=kinds.get(entry.kind, entry.kind),
                   status_title=statuses.get(entry.status, entry.status),
                   level_title=levels.get(entry.level, entry.level),
                   owner_name=entry.owner.display_name if entry.owner else "")
        rows.append(row)
    summary = register_summary(entries)
    summary.pop("open", None)
    reviewed = sum(1 for entry in entries if entry.last_reviewed_at and start <= entry.last_reviewed_at < end)
    return {"entries": rows, "summary": {**summary, "reviewed_in_period": reviewed}}


# --- 9.1.2 assessments of named checklists ---------------------------------------------------------

def _assessment_row(assessment: Any, reader: Any, visible_ids: set[int]) -> dict[str, Any]:
    nc = assessment.nonconformity_id if assessment.nonconformity_id in visible_ids else None
    return {"id": assessment.pk, "checklist": assessment.checklist.key, "version": assessment.checklist.version,
            "date": assessment.date.isoformat(), "subject": {"kind": assessment.subject_kind,
                                                             "id": assessment.subject_id,
                                                             "label": assessment.subject_label},
            "assessor": assessment.assessor_name, "score_percent": str(assessment.score_percent),
            "passed": assessment.passed, "failed_critical": list(assessment.failed_critical), "nonconformity": nc}


def _nonconformity_ids(reader: Any, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(_visible_records(reader).filter(pk__in=ids).values_list("pk", flat=True))


def _assessments_section(section: PackSection, reader: Any, start: datetime.datetime, end: datetime.datetime,
                         language: str) -> dict[str, Any]:
    from salesflow.quality.models import ChecklistVersion

    last_day = (end - datetime.timedelta(days=1)).date()
    found = list(_assessments(reader).filter(checklist__key__in=section.checklists, date__gte=start.date(),
                                             date__lte=last_day).order_by("date", "id"))
    visible = _nonconformity_ids(reader, {item.nonconformity_id for item in found if item.nonconformity_id})
    checklists = []
    for key in section.checklists:
        mine = [item for item in found if item.checklist.key == key]
        newest = ChecklistVersion.objects.filter(key=key).order_by("-version").first()
        scores = [float(item.score_percent) for item in mine]
        checklists.append({
            "checklist": key, "title": newest.title_in(language) if newest else key,
            "subject": newest.subject if newest else "", "assessments": len(mine),
            "average_score": round(sum(scores) / len(scores), 1) if scores else None,
            "passed": sum(1 for item in mine if item.passed),
            "pass_rate_percent": round(100 * sum(1 for item in mine if item.passed) / len(mine), 1) if mine else None,
            "failed_critical": sum(1 for item in mine if item.failed_critical),
            "by_year": _by_year(mine),
            "items": [_assessment_row(item, reader, visible) for item in mine],
        })
    return {"checklists": checklists, "assessments": len(found)}


def _by_year(items: list[Any]) -> list[dict[str, Any]]:
    years: dict[int, list[float]] = {}
    for item in items:
        years.setdefault(item.date.year, []).append(float(item.score_percent))
    return [{"year": year, "assessments": len(scores), "average_score": round(sum(scores) / len(scores), 1)}
            for year, scores in sorted(years.items())]


# --- 9.2, 9.3, 10.2: records of a kind ------------------------------------------------------------

def _stage_history(record: Any, definition: Any, language: str) -> list[dict[str, Any]]:
    from salesflow.records.models import Event
    from salesflow.web.presenters import stage_title

    rows = []
    for event in Event.objects.filter(record=record, kind__in=("record_created", "stage_changed")).order_by("seq"):
        stage = event.to_stage
        rows.append({"stage": stage, "title": stage_title(definition, stage, language), "at": event.at,
                     "by": event.actor_name, "overridden": bool((event.payload or {}).get("overridden"))})
    return rows


def _links(record: Any, reader: Any, visible: Any, language: str) -> list[dict[str, Any]]:
    from salesflow.records.models import RecordLink
    from salesflow.records.services import definition_of
    from salesflow.web.presenters import stage_title

    others = {}
    for link in RecordLink.objects.filter(Q(source=record) | Q(target=record)).order_by("id"):
        other_id = link.target_id if link.source_id == record.pk else link.source_id
        others[other_id] = "to" if link.source_id == record.pk else "from"
    rows = []
    for other in visible.filter(pk__in=list(others)).order_by("id"):
        definition = definition_of(other.process_version)
        rows.append({"id": other.pk, "title": other.title, "kind": definition.record, "direction": others[other.pk],
                     "process": other.process.title_in(language), "stage": other.stage,
                     "stage_title": stage_title(definition, other.stage, language), "outcome": other.outcome or None})
    return rows


def _fields(record: Any, definition: Any, language: str) -> list[dict[str, Any]]:
    from salesflow.web.presenters import field_rows

    wanted = set(definition.fields) | {"owner"}
    return [{"name": row["name"], "title": row["title"], "value": row["display"]}
            for row in field_rows(definition, record, record.to_state(), language)
            if row["name"] in wanted and row["display"] not in ("—", "")]


def _frozen(record: Any, language: str) -> dict[str, Any] | None:
    from salesflow.quality import loop

    frozen = loop.frozen_inputs(record)
    if frozen is None:
        return None
    return {"seq": frozen["seq"], "at": frozen["at"], "stage": frozen["stage"],
            "inputs": [{"id": item["id"], "title": (item.get("title") or {}).get(language)
                        or (item.get("title") or {}).get("en") or item["id"], "error": item.get("error"),
                        "figures": loop.figures(item)} for item in frozen["inputs"]]}


def _tasks(record: Any) -> list[dict[str, Any]]:
    from salesflow.activities.models import TASK, Activity

    return [{"id": task.pk, "subject": task.subject, "owner": task.owner_name, "due": _day(task.due_date),
             "done": _day(task.done_at)}
            for task in Activity.objects.filter(record=record, kind=TASK).order_by("id")]


def _record_assessments(record: Any, reader: Any, visible: Any, language: str) -> list[dict[str, Any]]:
    found = list(_assessments(reader).filter(subject_kind="record", subject_id=record.pk).order_by("date", "id"))
    ncs = set(visible.filter(pk__in=[item.nonconformity_id for item in found if item.nonconformity_id])
              .values_list("pk", flat=True))
    return [{**_assessment_row(item, reader, ncs), "title": item.checklist.title_in(language)} for item in found]


def _records_section(section: PackSection, reader: Any, start: datetime.datetime, end: datetime.datetime,
                     language: str) -> dict[str, Any]:
    from salesflow.records.models import Process
    from salesflow.records.services import definition_of
    from salesflow.web.presenters import stage_title

    processes = list(Process.objects.filter(record_type=section.record).order_by("key"))
    visible = _visible_records(reader)
    records = list(visible.filter(process__in=processes, created_at__lt=end)
                   .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start)).order_by("created_at", "id"))
    rows, counts, order = [], {}, {}
    for record in records:
        definition = definition_of(record.process_version)
        title = stage_title(definition, record.stage, language)
        counts[title] = counts.get(title, 0) + 1
        ids = [stage.id for stage in definition.stages]
        order.setdefault(title, ids.index(record.stage) if record.stage in ids else len(ids))
        rows.append({
            "id": record.pk, "title": record.title, "process": record.process.key,
            "process_title": record.process.title_in(language), "version": record.process_version.version,
            "stage": record.stage, "stage_title": title, "outcome": record.outcome or None,
            "created": record.created_at, "closed": record.closed_at,
            "fields": _fields(record, definition, language), "stages": _stage_history(record, definition, language),
            "links": _links(record, reader, visible, language),
            "assessments": _record_assessments(record, reader, visible, language),
            "frozen_inputs": _frozen(record, language), "tasks": _tasks(record),
        })
    open_count = sum(1 for row in rows if not row["outcome"])
    by_stage = {title: counts[title] for title in sorted(counts, key=lambda title: (order[title], title))}
    return {"record": section.record, "processes": [process.key for process in processes], "records": rows,
            "summary": {"total": len(rows), "open": open_count, "closed": len(rows) - open_count,
                        "by_stage": by_stage}}


BUILDERS = {PackSource.risks: _risks, PackSource.assessments: _assessments_section,
            PackSource.records: _records_section}


def build_section(section: PackSection, reader: Any, start: datetime.datetime, end: datetime.datetime,
                  language: str = "en") -> dict[str, Any]:
    """One ISO section's content in ``language``, as ``reader`` (`audit_pack.Reader`) may see it."""
    with translation.override(language):
        content = BUILDERS[section.source](section, reader, start, end, language)
    return {"id": section.id, "clause": section.clause, "title": section.title.get_text(language),
            "source": section.source.value, "language": language, **content}


def add_iso_sections(pack: Any, reader: Any, start: datetime.datetime, end: datetime.datetime,
                     context: dict[str, Any]) -> list[dict[str, Any]]:
    """Add every ISO section of the library to ``pack`` (JSON data, an HTML page per language); the index rows."""
    rows = []
    for section in sections_of_library():
        base = f"iso/{section.clause}-{section.id}"
        pages = {}
        for language in LANGUAGES:
            content = build_section(section, reader, start, end, language)
            if language == LANGUAGES[0]:
                pack.add(f"{base}.json", f"ISO 9001 {section.clause}: {content['title']} (data)",
                         _json(content), "data")
                rows.append({"clause": section.clause, "title": content["title"], "data": f"{base}.json",
                             "count": _count(content)})
            path = f"{base}.{language}.html"
            with translation.override(language):
                html = render_to_string("guidelines/pack/iso_section.html",
                                        {**context, "section": content, "language": language,
                                         "other_languages": [(code, f"{section.clause}-{section.id}.{code}.html")
                                                             for code in LANGUAGES if code != language]})
            pack.add(path, f"ISO 9001 {section.clause}: {content['title']} ({language})", html)
            pages[language] = path
        rows[-1]["pages"] = pages
    return rows


def _count(content: dict[str, Any]) -> int:
    if content["source"] == PackSource.risks.value:
        return len(content["entries"])
    if content["source"] == PackSource.assessments.value:
        return int(content["assessments"])
    return len(content["records"])


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
