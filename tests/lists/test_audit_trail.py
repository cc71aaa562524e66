"""The audit-trail browser: who may use it comes from the library's rights; it filters, pages and exports,
and never shows (or counts, or exports) an event of a record the reader may not see."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.people import access
from salesflow.records import services
from salesflow.records.models import Event, LibrarySettingsVersion

pytestmark = pytest.mark.django_db


def _seqs(response) -> list[int]:
    return [row["seq"] for row in response.context["rows"]]


def test_who_may_browse_comes_from_the_library_right(cast, client_for) -> None:
    for name in ("head", "auditor"):
        response = client_for(cast.users[name]).get(reverse("audit_trail"))
        assert response.status_code == 200 and 'href="/audit-trail/"' in response.content.decode()
    auditor = client_for(cast.users["auditor"])  # read-only, yet keeps saved filters of their own
    saved = auditor.post(reverse("saved_filter_save"), {"list": "audit", "name": "Exports", "kind": "security.export"})
    assert saved.status_code == 302 and saved["Location"] == "/audit-trail/?kind=security.export"
    assert "Exports" in auditor.get(saved["Location"]).content.decode()
    kam = client_for(cast.users["owner"])
    assert kam.get(reverse("audit_trail")).status_code == 403
    assert 'href="/audit-trail/"' not in kam.get(reverse("records")).content.decode()
    assert kam.get(reverse("audit_trail_export")).status_code == 403
    assert kam.get("/api/audit/events").status_code == 403

    current = LibrarySettingsVersion.objects.order_by("-id").first()
    data = {**current.data, "rights": {**current.data["rights"], "audit_trail": ["kam"]}}
    LibrarySettingsVersion.objects.create(source=current.source, data=data, sha256="test", loaded_at=current.loaded_at)
    access.forget_policy()
    assert kam.get(reverse("audit_trail")).status_code == 200
    assert client_for(cast.users["head"]).get(reverse("audit_trail")).status_code == 403


def test_events_of_hidden_records_are_neither_listed_counted_nor_exported(cast, client_for) -> None:
    strict = cast.records["strictly_confidential"]
    head = client_for(cast.users["head"])
    response = head.get(reverse("audit_trail"), {"record": strict.pk})
    assert response.status_code == 200 and response.context["total"] == 0
    everything = head.get(reverse("audit_trail"))
    shown = set(Event.objects.filter(seq__in=_seqs(everything)).values_list("record_id", flat=True))
    assert strict.pk not in shown and cast.records["confidential"].pk in shown
    assert everything.context["total"] == Event.objects.exclude(record_id=strict.pk).count()
    exported = head.get(reverse("audit_trail_export"), {"format": "csv"})
    records = {row["record"] for row in csv.DictReader(io.StringIO(exported.content.decode()))}
    assert str(strict.pk) not in records and str(cast.records["confidential"].pk) in records
    api = head.get("/api/audit/events", {"limit": 500}).json()
    assert api["count"] == everything.context["total"] + 1  # the export is an event of no record
    assert strict.pk not in {e["record"] for e in api["items"]}


def test_filters_by_user_record_process_kind_and_date(cast, client_for, people) -> None:
    auditor = client_for(cast.users["auditor"])
    record = cast.records["internal"]
    services.do_set_fields(record.pk, people["head"], {"amount": "150000"})
    by_user = auditor.get(reverse("audit_trail"), {"user": "head"})
    assert by_user.context["total"] >= 1
    assert set(Event.objects.filter(seq__in=_seqs(by_user)).values_list("actor_id", flat=True)) == {people["head"].pk}
    by_record = auditor.get(reverse("audit_trail"), {"record": record.pk, "kind": "field_changed"})
    assert [row["record"] for row in by_record.context["rows"]] == [record.pk]
    assert "150" in by_record.context["rows"][0]["text"]
    by_process = auditor.get(reverse("audit_trail"), {"process": "opportunity-management", "kind": "record_created"})
    assert by_process.context["total"] == 3  # four cast records, the strictly confidential one hidden
    today = timezone.localdate()
    assert auditor.get(reverse("audit_trail"), {"date_from": today.isoformat()}).context["total"] > 0
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert auditor.get(reverse("audit_trail"), {"date_to": yesterday}).context["total"] == 0
    bad = auditor.get(reverse("audit_trail"), {"date_from": today.isoformat(), "date_to": yesterday})
    assert bad.status_code == 400 and "date_to" in bad.content.decode()
    assert auditor.get(reverse("audit_trail"), {"user": "nobody"}).context["total"] == 0
    api = auditor.get("/api/audit/events", {"record": record.pk, "kind": "field_changed"}).json()
    assert [item["record"] for item in api["items"]] == [record.pk] and api["items"][0]["kind"] == "field_changed"


def test_pages_and_the_export_of_the_filtered_events_is_logged(cast, client_for, monkeypatch) -> None:
    from salesflow.lists import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    head = client_for(cast.users["head"])
    services.do_create_record("opportunity-management", cast.users["owner"], {"title": "One more"})
    first = head.get(reverse("audit_trail"), {"kind": "record_created"})
    second = head.get(reverse("audit_trail"), {"kind": "record_created", "page": 2})
    assert first.context["total"] == 4 and len(_seqs(first)) == 2 and len(_seqs(second)) == 2
    assert _seqs(first)[0] > _seqs(first)[1] > _seqs(second)[0]  # newest first
    assert 'rel="next"' in first.content.decode()
    filtered = {"kind": "record_created", "process": "opportunity-management"}
    total = head.get(reverse("audit_trail"), filtered).context["total"]
    exported = head.get(reverse("audit_trail_export"), {**filtered, "format": "xlsx"})
    assert exported.status_code == 200 and exported["Content-Disposition"].endswith('.xlsx"')
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    kinds = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(kinds) == total and set(kinds) == {"record_created"}
    event = Event.objects.filter(kind="security.export").last()
    assert event.actor_id == cast.users["head"].pk and event.payload["what"] == "audit_trail"
    assert event.payload["rows"] == total and event.payload["filters"] == filtered
    # The export is itself in the trail.
    assert head.get(reverse("audit_trail"), {"kind": "security.export"}).context["total"] == 1


def test_an_event_of_no_record_never_names_a_hidden_record_nor_an_address(cast, client_for) -> None:
    from salesflow.people.security import log_security_event

    strict, internal = cast.records["strictly_confidential"], cast.records["internal"]
    log_security_event("view_strictly_confidential", cast.users["owner"], via="api list",
                       record_ids=[strict.pk, internal.pk], count=2, address="192.0.2.7")
    head = client_for(cast.users["head"])
    item = head.get("/api/audit/events", {"kind": "security.view_strictly_confidential"}).json()["items"][0]
    assert item["record"] is None and item["payload"]["record_ids"] == [internal.pk] and item["payload"]["count"] == 1
    assert "address" not in item["payload"]
    page = head.get(reverse("audit_trail"), {"kind": "security.view_strictly_confidential"})
    assert f"[{internal.pk}]" in page.context["rows"][0]["text"] and str(strict.pk) not in page.context["rows"][0]["text"]
    owner_payload = Event.objects.get(kind="security.view_strictly_confidential").payload
    assert owner_payload["record_ids"] == [strict.pk, internal.pk]  # the stored event is unchanged


def test_event_kinds_are_named_in_the_readers_language(cast, client_for) -> None:
    """The kind filter and the kind column show a name per kind (German on German pages), not the raw id."""
    auditor = client_for(cast.users["auditor"])
    german = auditor.get(reverse("audit_trail"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<option value="record_created">Vorgang angelegt</option>' in german
    assert '<span title="record_created">Vorgang angelegt</span>' in german
    assert ">record_created<" not in german and "<code>" not in german
    english = auditor.get(reverse("audit_trail"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="record_created">Record created</option>' in english
    filtered = auditor.get(reverse("audit_trail"), {"kind": "record_created"}, HTTP_ACCEPT_LANGUAGE="de")
    assert '<option value="record_created" selected>Vorgang angelegt</option>' in filtered.content.decode()
    bad = auditor.get(reverse("audit_trail"), {"date_from": "31.12.2026"}, HTTP_ACCEPT_LANGUAGE="de")
    assert bad.status_code == 400 and "ein Datum JJJJ-MM-TT wird erwartet" in bad.content.decode()
