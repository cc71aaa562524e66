"""Logging work and tasks: each one transaction that writes the activity and its event, or nothing.

Targets are a record, an account or a contact (a record's customer and a contact's account are
kept with the activity, so the account page finds it). Access follows the record: a user who may
not see a record does not see its activities (`visible_activities`); accounts and contacts are
internal data every member of sales staff sees. Read-only users (auditors) log nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from salesflow.accounts.models import Account, Contact
from salesflow.activities.models import KINDS, LOGGED_KINDS, TASK, Activity
from salesflow.activities.parsing import ParsedActivity, parse_file
from salesflow.engine import authority
from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.people import access
from salesflow.records import eventlog
from salesflow.records.models import Record

User = get_user_model()

#: Event kinds of the activity log.
ACTIVITY_LOGGED = "activity_logged"
TASK_ADDED = "task_added"
TASK_DONE = "task_done"
TASK_REMINDED = "task_reminded"
EVENT_KINDS = (ACTIVITY_LOGGED, TASK_ADDED, TASK_DONE, TASK_REMINDED)
#: Longest call or meeting logged (minutes): one day.
MAX_MINUTES = 24 * 60


def _not_found(text: str) -> Exception:
    from salesflow.records.services import NotFound

    return NotFound(text)


# --- targets -------------------------------------------------------------------------------------

@dataclass
class Target:
    """What an activity is about: a record, an account, a contact (at least one)."""

    record: Record | None = None
    account: Account | None = None
    contact: Contact | None = None

    def label(self) -> str:
        """A short name for messages."""
        if self.record is not None:
            return f"record {self.record.pk}"
        if self.contact is not None:
            return f"contact {self.contact.pk}"
        return f"account {self.account.pk}" if self.account is not None else "nothing"


def _pk(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise BadInput(f"{name}: an id (a whole number) expected, got {value!r}") from None
    if pk < 1 or pk > 2**53:
        raise _not_found(f"{name} {value} not found")
    return pk


def resolve_target(user: Any, record: Any = None, account: Any = None, contact: Any = None,
                   lock: bool = False) -> Target:
    """The record, account and contact named by id, as ``user`` may see them. Raises NotFound / BadInput."""
    if not access.is_staff_member(user):
        raise NotPermitted("the activity log is for sales staff: your user holds no role")
    record_id, account_id, contact_id = _pk(record, "record"), _pk(account, "account"), _pk(contact, "contact")
    if record_id is None and account_id is None and contact_id is None:
        raise BadInput("name a record, an account or a contact the activity is about")
    target = Target()
    if record_id is not None:
        query = Record.objects.select_related("process", "process_version", "customer")
        found = query.filter(pk=record_id).first()
        if found is None or not access.can_view(user, found):
            raise _not_found(f"record {record_id} not found")
        target.record = found
        target.account = found.customer
    if contact_id is not None:
        target.contact = Contact.objects.select_related("account").filter(pk=contact_id).first()
        if target.contact is None:
            raise _not_found(f"contact {contact_id} not found")
        if target.account is None:
            target.account = target.contact.account
    if account_id is not None:
        found_account = Account.objects.filter(pk=account_id).first()
        if found_account is None:
            raise _not_found(f"account {account_id} not found")
        if target.account is not None and target.account.pk != found_account.pk:
            raise BadInput(f"account {account_id} is not the account of {target.label()} "
                           f"({target.account.name}, id {target.account.pk})")
        target.account = found_account
    if (target.contact is not None and target.account is not None and target.contact.account_id
            and target.contact.account_id != target.account.pk):
        raise BadInput(f"contact {target.contact.pk} does not belong to account {target.account.pk}")
    return target


# --- reading -------------------------------------------------------------------------------------

def visible_activities(user: Any, query: QuerySet | None = None) -> QuerySet:
    """The activities ``user`` may see: those of visible records and those of no record (staff only).

    ``user`` None is the administrator's view of everything (the CLI without ``--as``).
    """
    query = query if query is not None else Activity.objects.all()
    if user is None:  # the administrator's view (the CLI without --as)
        return query
    if not access.is_staff_member(user):
        return query.none()
    return query.filter(Q(record__isnull=True) | Q(record__in=access.visible_records(user).values("pk")))


def activities_for(user: Any, record: Any = None, account: Any = None, contact: Any = None, kind: str = "",
                   since: datetime.datetime | None = None, until: datetime.datetime | None = None,
                   open_tasks: bool = False, owner: Any = None) -> QuerySet:
    """Activities ``user`` may see, filtered: of a record, of an account (its records', contacts' and own),
    of a contact, of a kind, in a period, open tasks only, of an owner. Newest first."""
    query = visible_activities(user, Activity.objects.select_related("record", "account", "contact", "owner"))
    if record is not None:
        query = query.filter(record_id=_pk(record, "record"))
    if account is not None:
        pk = _pk(account, "account")
        query = query.filter(Q(account_id=pk) | Q(record__customer_id=pk) | Q(contact__account_id=pk))
    if contact is not None:
        query = query.filter(contact_id=_pk(contact, "contact"))
    if kind:
        if kind not in KINDS:
            raise BadInput(f"kind: one of {', '.join(KINDS)} expected, got {kind!r}")
        query = query.filter(kind=kind)
    if since is not None:
        query = query.filter(at__gte=since)
    if until is not None:
        query = query.filter(at__lt=until)
    if open_tasks:
        query = query.filter(kind=TASK, done_at__isnull=True)
    if owner is not None:
        query = query.filter(owner=owner)
    if open_tasks:
        return query.order_by("due_date", "id")
    return query.order_by("-at", "-id").distinct()


def logged_activities(user: Any, since: datetime.datetime | datetime.date,
                      until: datetime.datetime | datetime.date, viewer: Any | None = None) -> QuerySet:
    """The work ``user`` logged as done in [since, until): calls, meetings, e-mails, notes they own and tasks
    they completed in that period — for coaching to count. With ``viewer``: only what the viewer may see.

    Dates mean the start of that day in the current time zone.
    """
    start, end = _instant(since), _instant(until)
    query = Activity.objects.filter(owner=user).filter(
        Q(kind__in=LOGGED_KINDS, at__gte=start, at__lt=end) | Q(kind=TASK, done_at__gte=start, done_at__lt=end))
    return visible_activities(viewer, query) if viewer is not None else query


def _instant(value: datetime.datetime | datetime.date) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


def activity_data(activity: Activity) -> dict[str, Any]:
    """An activity as the API and ``--json`` show it."""
    return {
        "id": activity.pk, "kind": activity.kind, "subject": activity.subject, "body": activity.body,
        "at": activity.at, "duration_minutes": activity.duration_minutes, "outcome": activity.outcome,
        "next_step": activity.next_step, "participants": activity.participants,
        "record": activity.record_id, "account": activity.account_id, "contact": activity.contact_id,
        "owner": activity.owner.username if activity.owner else None, "owner_name": activity.owner_name,
        "logged_by": activity.logged_by_name, "due_date": activity.due_date, "remind_on": activity.remind_on,
        "done_at": activity.done_at, "done_by": activity.done_by_name or None,
        "source": activity.source or None, "source_id": activity.source_id or None,
    }


# --- writing -------------------------------------------------------------------------------------

def _refuse(user: Any) -> None:
    if not access.is_staff_member(user):
        raise NotPermitted("the activity log is for sales staff: your user holds no role")
    if access.is_read_only(user):
        raise NotPermitted(f"{user.display_name} has read-only access")


def _role(user: Any, record: Record | None) -> str:
    if record is None:
        return ""
    from salesflow.records import services

    definition = services.definition_of(record.process_version)
    return authority.first_role(services.actor_for(user), list(definition.roles)) or ""


def _append(target: Target, user: Any | None, kind: str, payload: dict[str, Any], at: datetime.datetime,
            role: str = "") -> None:
    from salesflow.records.services import actorship

    record = target.record
    payload = {**payload, "account": target.account.pk if target.account else None,
               "contact": target.contact.pk if target.contact else None}
    stage = record.stage if record is not None else ""
    eventlog.append([EventDraft(kind=kind, role=role, from_stage=stage, payload=payload)], actor=actorship(user),
                    at=at, record_id=record.pk if record else None,
                    process=record.process.key if record else "",
                    process_version=record.process_version.version if record else None)


def _text(value: Any, name: str, limit: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise BadInput(f"{name}: required")
    if len(text) > limit:
        raise BadInput(f"{name}: at most {limit} characters (got {len(text)})")
    if "\x00" in text:
        raise BadInput(f"{name}: contains a NUL character")
    return text


def parse_moment(value: Any, name: str = "at") -> datetime.datetime | None:
    """A date-time (ISO 8601; a date alone is the start of that day; no zone: the current one)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
    else:
        text = str(value).strip()
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise BadInput(f"{name}: a date-time YYYY-MM-DD HH:MM expected, got {text[:40]!r}") from None
    if moment.year < 1900:
        raise BadInput(f"{name}: a date after 1900 expected, got {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse_day(value: Any, name: str) -> datetime.date | None:
    """A date YYYY-MM-DD (None when empty)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        day = datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(f"{name}: a date YYYY-MM-DD expected, got {str(value)[:40]!r}") from None
    if day.year < 1900:
        raise BadInput(f"{name}: a date after 1900 expected, got {value!r}")
    return day


def _minutes(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise BadInput(f"duration: minutes (a whole number) expected, got {value!r}") from None
    if minutes < 0 or minutes > MAX_MINUTES:
        raise BadInput(f"duration: 0 to {MAX_MINUTES} minutes expected, got {minutes}")
    return minutes


def _owner(name: Any, user: Any, target: Target) -> Any:
    from salesflow.records.services import get_user

    owner = user if name in (None, "") else get_user(name)
    if target.record is not None and not access.can_view(owner, target.record):
        raise NotPermitted(f"{owner.username} may not see {target.label()}: choose an owner who may")
    if not access.is_staff_member(owner):
        raise BadInput(f"owner: {owner.username} holds no role")
    return owner


def _logged_payload(activity: Activity) -> dict[str, Any]:
    return {"activity": activity.pk, "type": activity.kind, "subject": activity.subject,
            "at": eventlog.timestamp_text(activity.at), "duration_minutes": activity.duration_minutes,
            "outcome": activity.outcome, "next_step": activity.next_step,
            "owner": activity.owner_id, "owner_name": activity.owner_name,
            "source": activity.source, "source_id": activity.source_id}


def do_log_activity(user: Any, target: Target, kind: str, subject: str, at: Any = None, duration: Any = None,
                    outcome: str = "", next_step: str = "", body: str = "", participants: str = "",
                    owner: Any = None, source: str = "", source_id: str = "",
                    now: datetime.datetime | None = None) -> Activity:
    """Log a call, meeting, e-mail or note (who, when, duration, outcome, next step) with its event."""
    _refuse(user)
    if kind not in LOGGED_KINDS:
        raise BadInput(f"kind: one of {', '.join(LOGGED_KINDS)} expected, got {kind!r}")
    now = now or timezone.now()
    moment = parse_moment(at) or now
    if moment > now + datetime.timedelta(days=1):
        raise BadInput(f"at: work is logged when it happened, not ahead ({moment:%Y-%m-%d %H:%M}); "
                       "plan it as a task")
    values = {"subject": _text(subject, "subject", 300, required=True), "body": _text(body, "notes", 20_000),
              "outcome": _text(outcome, "outcome", 500), "next_step": _text(next_step, "next step", 500),
              "participants": _text(participants, "participants", 5000)}
    minutes = _minutes(duration)
    with transaction.atomic():
        who = _owner(owner, user, target)
        activity = Activity.objects.create(
            kind=kind, at=moment, duration_minutes=minutes, record=target.record, account=target.account,
            contact=target.contact, owner=who, owner_name=who.display_name, logged_by=user,
            logged_by_name=user.display_name, created_at=now, source=source, source_id=source_id[:500], **values)
        _append(target, user, ACTIVITY_LOGGED, _logged_payload(activity), now, _role(user, target.record))
    return activity


def do_add_task(user: Any, target: Target, subject: str, due: Any = None, remind_on: Any = None,
                owner: Any = None, body: str = "", now: datetime.datetime | None = None) -> Activity:
    """Add a task (owner — default the user —, due date, reminder day) with its event."""
    _refuse(user)
    now = now or timezone.now()
    due_date, remind = parse_day(due, "due"), parse_day(remind_on, "remind")
    if remind is not None and due_date is not None and remind > due_date:
        raise BadInput(f"remind: the reminder ({remind}) must not be after the due date ({due_date})")
    text = _text(subject, "subject", 300, required=True)
    notes = _text(body, "notes", 20_000)
    with transaction.atomic():
        who = _owner(owner, user, target)
        task = Activity.objects.create(
            kind=TASK, subject=text, body=notes, at=now, record=target.record, account=target.account,
            contact=target.contact, owner=who, owner_name=who.display_name, logged_by=user,
            logged_by_name=user.display_name, created_at=now, due_date=due_date, remind_on=remind)
        _append(target, user, TASK_ADDED, {
            "activity": task.pk, "subject": text, "owner": who.pk, "owner_name": who.display_name,
            "due": due_date.isoformat() if due_date else None, "remind_on": remind.isoformat() if remind else None,
        }, now, _role(user, target.record))
        if who.pk != user.pk:
            _notify_owner(task, "task_assigned", {
                "en": f"{user.display_name} gave you a task: {text}" + (f" (due {due_date})" if due_date else ""),
                "de": f"{user.display_name} hat Ihnen eine Aufgabe gegeben: {text}"
                      + (f" (fällig am {due_date:%d.%m.%Y})" if due_date else "")}, now)
    return task


def get_activity(user: Any, activity_id: Any, lock: bool = False) -> Activity:
    """An activity ``user`` may see, by id. Raises NotFound."""
    pk = _pk(activity_id, "activity")
    query = Activity.objects.select_related("record", "record__process", "record__process_version", "account",
                                            "contact", "owner")
    if lock:
        query = query.select_for_update(of=("self",))  # PostgreSQL: no lock on the nullable side of a join
    found = visible_activities(user, query).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise _not_found(f"activity {activity_id} not found")
    return found


def may_complete(user: Any, task: Activity) -> bool:
    """The task's owner, who added it, the record's owner or a role that may edit the record."""
    if access.is_read_only(user) or not access.is_staff_member(user):
        return False
    if user.pk in (task.owner_id, task.logged_by_id):
        return True
    if task.record is None:
        return access.is_oversight(user)
    from salesflow.records import services

    definition = services.definition_of(task.record.process_version)
    return authority.editor_role(definition, task.record.to_state(), services.actor_for(user)) is not None


def do_complete_task(user: Any, task_id: Any, note: str = "", now: datetime.datetime | None = None) -> Activity:
    """Mark a task done (an event); a task done already is a conflict."""
    _refuse(user)
    now = now or timezone.now()
    text = _text(note, "note", 2000)
    with transaction.atomic():
        task = get_activity(user, task_id, lock=True)
        if task.kind != TASK:
            raise BadInput(f"activity {task.pk} is a {task.kind}, not a task")
        if task.done_at is not None:
            raise Conflict(f"task {task.pk} was done already ({task.done_by_name}, {task.done_at:%Y-%m-%d %H:%M})")
        if not may_complete(user, task):
            raise NotPermitted(f"only the task's owner ({task.owner_name}), who added it, or who may edit "
                               "the record may mark it done")
        task.done_at, task.done_by_name = now, user.display_name
        task.save(update_fields=["done_at", "done_by_name"])
        target = Target(task.record, task.account, task.contact)
        _append(target, user, TASK_DONE, {"activity": task.pk, "subject": task.subject, "note": text}, now,
                _role(user, task.record))
    return task


def do_import_file(user: Any, target: Target, name: str, data: bytes, owner: Any = None,
                   now: datetime.datetime | None = None) -> list[Activity]:
    """Log the e-mail (.eml) or the meetings (.ics) of a file; a bad file raises and writes nothing.

    An e-mail or event already imported to the same record, account or contact (same Message-ID / UID)
    is refused as a conflict. A contact of the target's account whose e-mail address takes part is set
    as the activity's contact when the target names none.
    """
    _refuse(user)
    parsed = parse_file(name, data)
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        for item in parsed:
            _refuse_duplicate(target, item, name)
            contact = target.contact or _contact_for(target, item)
            created.append(do_log_activity(
                user, Target(target.record, target.account, contact), item.kind, item.subject, at=item.at,
                duration=item.duration_minutes, body=item.body, participants=", ".join(item.participants)[:5000],
                owner=owner, source=item.source, source_id=item.source_id, now=now))
    return created


def _refuse_duplicate(target: Target, item: ParsedActivity, name: str) -> None:
    if not item.source_id:
        return
    query = Activity.objects.filter(source=item.source, source_id=item.source_id[:500])
    if target.record is not None:
        query = query.filter(record=target.record)
    elif target.contact is not None:
        query = query.filter(contact=target.contact, record__isnull=True)
    else:
        query = query.filter(account=target.account, record__isnull=True)
    first = query.first()
    if first is not None:
        raise Conflict(f"{name}: already imported to {target.label()} (activity {first.pk}, "
                       f"{item.source_id[:80]}); nothing was imported")


def _contact_for(target: Target, item: ParsedActivity) -> Contact | None:
    if target.account is None or not item.addresses:
        return None
    return Contact.objects.filter(account=target.account, email__in=[a for a in item.addresses if a]).first() \
        if any(item.addresses) else None


# --- reminders -----------------------------------------------------------------------------------

def _notify_owner(task: Activity, kind: str, message: dict[str, Any], at: datetime.datetime) -> list[Any]:
    from salesflow.records.chain import notify_users

    if task.owner is None or not task.owner.is_active:
        return []
    return notify_users(task.record, [task.owner], kind, message, at)


def do_send_task_reminders(today: datetime.date | None = None, at: datetime.datetime | None = None) -> int:
    """Remind the owner of every open task whose reminder day has come (once: an event, a notification, its
    e-mail through the outbox). Run by ``salesflow jobs run``; idempotent."""
    at = at or timezone.now()
    today = today or timezone.localdate(at)
    sent = 0
    due = Activity.objects.filter(kind=TASK, done_at__isnull=True, reminded_at__isnull=True, remind_on__lte=today)
    for pk in due.order_by("id").values_list("pk", flat=True):
        with transaction.atomic():
            task = Activity.objects.select_for_update(of=("self",)).select_related(
                "record", "record__process", "record__process_version", "account", "contact", "owner").filter(
                pk=pk, done_at__isnull=True, reminded_at__isnull=True).first()
            if task is None:
                continue
            task.reminded_at = at
            task.save(update_fields=["reminded_at"])
            target = Target(task.record, task.account, task.contact)
            _append(target, None, TASK_REMINDED, {"activity": task.pk, "subject": task.subject,
                                                   "owner": task.owner_id,
                                                   "due": task.due_date.isoformat() if task.due_date else None},
                    at, "system")
            where = f" — {task.record.title}" if task.record else (f" — {task.account.name}" if task.account else "")
            due_en = f" (due {task.due_date})" if task.due_date else ""
            due_de = f" (fällig am {task.due_date:%d.%m.%Y})" if task.due_date else ""
            _notify_owner(task, "task_reminder", {
                "en": f"Task reminder: {task.subject}{due_en}{where}",
                "de": f"Erinnerung an Ihre Aufgabe: {task.subject}{due_de}{where}",
                "due": task.due_date.isoformat() if task.due_date else None,
                "link": "/#tasks"}, at)
            sent += 1
    return sent
