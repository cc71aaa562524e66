"""The plain rows of the sales-process-management reports (`QualityRows`), as one reader may see them.

Assessments come from the checklists the library's ``monitoring`` settings name, restricted by
`salesflow.quality.services.visible_assessments`; 1:1 meetings by `salesflow.coaching.services.visible_meetings`;
the people with a manager to those whose coaching the reader may see (no reader: everything).
"""

from __future__ import annotations

from typing import Any

from salesflow.analytics.reports.base import QualityRows
from salesflow.people import access


def quality_rows(user: Any | None) -> QualityRows:
    """Assessments (loaded on first use), 1:1s and managers as ``user`` may see them (None: all)."""
    from salesflow.coaching.services import may_coach_view, visible_meetings
    from salesflow.people.models import User
    from salesflow.quality.models import Assessment
    from salesflow.quality.services import visible_assessments

    settings = access.policy().settings
    metrics = {key: metric for metric in ("mystery_shopping", "customer_satisfaction", "channel_satisfaction")
               for key in getattr(settings.monitoring, metric)}

    def assessments() -> list[dict[str, Any]]:
        query = Assessment.objects.filter(checklist__key__in=list(metrics)).select_related("checklist")
        if user is not None:
            query = visible_assessments(user, query)
        return [{"id": row.pk, "metric": metrics[row.checklist.key], "checklist": row.checklist.key,
                 "subject_kind": row.subject_kind, "subject_id": row.subject_id, "subject": row.subject_label,
                 "date": row.date, "score": float(row.score_percent), "passed": row.passed}
                for row in query.order_by("date", "id")]

    meetings = [{"manager_id": manager, "person_id": person, "date": date}
                for manager, person, date in visible_meetings(user).values_list("manager_id", "person_id", "date")]
    people = User.objects.filter(is_active=True, manager__isnull=False).select_related("manager")
    managers = {person.pk: person.manager_id for person in people
                if user is None or may_coach_view(user, person)}
    coaching = settings.coaching
    return QualityRows(load_assessments=assessments, meetings=meetings, managers=managers,
                       every_days=coaching.one_to_one_every_days, stalled_after_days=coaching.stalled_after_days)
