"""My work's section of open tasks: mine, due first; it waits for me (shown first) when one is due."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from salesflow.activities.services import activities_for
from salesflow.web.views.mywork import Section

#: Open tasks shown on My work at most.
LIMIT = 50


def tasks_section(user: Any, language: str) -> Section | None:
    """My open tasks (due date first); None when I hold no role."""
    if not getattr(user, "is_authenticated", False):
        return None
    query = activities_for(user, open_tasks=True, owner=user)
    total = query.count()
    if not total:
        return Section("tasks", "activities/my_work_tasks.html", [], total=0)
    today = timezone.localdate()
    items = []
    for task in query[:LIMIT]:
        items.append({"task": task, "overdue": bool(task.due_date and task.due_date < today),
                      "due_today": task.due_date == today})
    waiting = any(item["overdue"] or item["due_today"] for item in items)
    return Section("tasks", "activities/my_work_tasks.html", items, waiting=waiting, total=total,
                   shown=len(items))
