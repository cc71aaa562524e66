"""Account and contact forms in the browser (test client): create, edit, contacts, merge, the picker's search and
inline creation, and a record created with the picked account — refusals shown at their field."""

from __future__ import annotations

from typing import Any

from salesflow.accounts.models import Account, Contact
from salesflow.accounts.services import do_create_account
from salesflow.records.models import Event, Record


def test_create_edit_contact_merge(client_for: Any, people: dict[str, Any]) -> None:
    kam, head = client_for(people["kam"]), client_for(people["head"])
    created = kam.post("/accounts/new/", {"name": "Fjord Fisk AS", "domain": "fjordfisk.no"})
    fjord = Account.objects.get(name="Fjord Fisk AS")
    assert created.status_code == 302 and created["Location"] == f"/accounts/{fjord.pk}/"
    again = kam.post("/accounts/new/", {"name": "FJORD-FISK AS"})
    assert again.status_code == 400 and "has the same name" in again.content.decode()
    kam.post("/accounts/new/", {"name": "FJORD-FISK AS", "allow_duplicate": "on"})
    twin = Account.objects.get(name="FJORD-FISK AS")
    bad = kam.post(f"/accounts/{twin.pk}/edit/", {"name": "FJORD-FISK AS", "domain": "no domain"})
    assert bad.status_code == 400 and "a web domain such as example.com is expected" in bad.content.decode()
    assert kam.post(f"/accounts/{twin.pk}/contacts/new/", {"last_name": "Berg", "email": "berg@fjordfisk.no"}
                    ).status_code == 302
    contact = Contact.objects.get()
    assert kam.post(f"/accounts/contacts/{contact.pk}/edit/", {"last_name": "Berg", "email": "berg@fjordfisk.no",
                                                                "phone": "+47 22"}).status_code == 302
    page = kam.get(f"/accounts/{twin.pk}/").content.decode()
    assert f'/accounts/contacts/{contact.pk}/edit/' in page and "Merge a duplicate" not in page  # a KAM may not merge
    assert kam.get(f"/accounts/{fjord.pk}/merge/").status_code == 403
    assert client_for(people["auditor"]).get("/accounts/new/").status_code == 403

    choose = head.get(f"/accounts/{fjord.pk}/merge/").content.decode()
    assert f'value="{twin.pk}"' in choose  # the same-named account is offered
    for bad in ("9" * 40, "x", str(fjord.pk)):
        assert head.get(f"/accounts/{fjord.pk}/merge/", {"duplicate": bad}).status_code == 400
    preview = head.get(f"/accounts/{fjord.pk}/merge/", {"duplicate": twin.pk}).content.decode()
    assert "<dt>Contacts</dt><dd>1</dd>" in preview
    merged = head.post(f"/accounts/{fjord.pk}/merge/", {"duplicate": twin.pk, "confirm": "yes"})
    assert merged.status_code == 302
    assert list(Account.objects.values_list("name", flat=True)) == ["Fjord Fisk AS"]
    assert Contact.objects.get().account_id == fjord.pk
    # The merged account's address leads to the survivor.
    assert head.get(f"/accounts/{twin.pk}/")["Location"] == f"/accounts/{fjord.pk}/"
    assert Event.objects.filter(kind="accounts_merged").count() == 1


def test_picker_search_inline_create_and_record_link(client_for: Any, people: dict[str, Any]) -> None:
    kam = client_for(people["kam"])
    acme = do_create_account(people["kam"], "Acme Maschinenbau GmbH", "acme.de")
    form = kam.get("/records/new/?process=opportunity-management").content.decode()
    assert 'hx-get="/accounts/search/"' in form and 'name="customer"' in form
    found = kam.get("/accounts/search/", {"account": "maschinen"}).content.decode()
    assert f'data-account-id="{acme.pk}"' in found and "New account" in found
    exact = kam.get("/accounts/search/", {"account": "ACME Maschinenbau"}).content.decode()
    assert "New account" not in exact  # the same name exists: pick it
    made = kam.post("/accounts/quick/", {"account": "Zeta Werkzeuge"})
    zeta = Account.objects.get(name="Zeta Werkzeuge")
    assert made.status_code == 200 and f'data-picked-id="{zeta.pk}"' in made.content.decode()
    refused = kam.post("/accounts/quick/", {"account": "zeta werkzeuge"})
    assert refused.status_code == 400 and "has the same name" in refused.content.decode()

    kam.post("/records/new/", {"process": "opportunity-management", "title": "Press line", "owner": "kam",
                               "account": "Acme Maschinenbau GmbH", "customer": str(acme.pk), "currency": "EUR",
                               "classification": "internal"})
    record = Record.objects.get(title="Press line")
    assert record.customer_id == acme.pk
    page = kam.get(f"/accounts/{acme.pk}/").content.decode()
    assert "Press line" in page and f'/records/new/?customer={acme.pk}' in page
    prefilled = kam.get(f"/records/new/?customer={acme.pk}").content.decode()
    assert f'name="customer" id="id_customer" value="{acme.pk}"' in prefilled
    assert 'value="Acme Maschinenbau GmbH"' in prefilled
    assert "/records/new/?customer=" not in client_for(people["auditor"]).get(f"/accounts/{acme.pk}/").content.decode()
