"""``salesflow account create|edit|show|merge|contact-add|contact-edit``: output, refusals, audit verify after a merge."""

from __future__ import annotations

from typing import Any

from salesflow.accounts.models import Account, Contact
from salesflow.records import services as records
from salesflow.records.models import Event


def test_account_commands_and_audit_verify(cli: Any, people: dict[str, Any]) -> None:
    first = cli("account", "create", "Hansa Logistik GmbH", "--domain", "hansa-logistik.de", "--as", "kam", "--json")
    assert first.code == 0, first
    hansa = first.json()["id"]
    again = cli("accounts", "create", "HANSA Logistik", "--as", "kam")
    assert again.code == 1 and f"account {hansa} (Hansa Logistik GmbH) has the same name" in again.err, again
    second = cli("account", "create", "HANSA Logistik", "--allow-duplicate", "--as", "kam", "--json").json()["id"]
    contact = cli("account", "contact-add", second, "--last-name", "Ott", "--email", "ott@hansa-logistik.de",
                  "--as", "kam", "--json")
    assert contact.code == 0 and contact.json()["account"] == second, contact
    deal = records.do_create_record("opportunity-management", people["kam"], {"title": "Fleet"}, customer_id=second)

    refused = cli("account", "merge", hansa, second, "--as", "kam")
    assert refused.code == 4 and "may not merge accounts" in refused.err, refused
    assert cli("account", "edit", hansa, "--domain", "not a domain", "--as", "kam").code == 1
    merged = cli("account", "merge", hansa, second, "--as", "head")
    assert merged.code == 0, merged
    assert f"merged account {second} (HANSA Logistik) into {hansa} (Hansa Logistik GmbH): 1 record(s), 1 contact(s)" \
        in merged.out
    shown = cli("account", "show", hansa, "--as", "kam", "--json").json()
    assert [item["id"] for item in shown["records"]] == [deal.pk]
    assert [item["email"] for item in shown["contacts"]] == ["ott@hansa-logistik.de"]
    moved = cli("account", "contact-edit", Contact.objects.get().pk, "--account", "-", "--phone", "040 1", "--as", "kam")
    assert moved.code == 0 and "at account" not in moved.out, moved
    assert cli("account", "show", 999999).code == 1
    assert list(Account.objects.values_list("pk", flat=True)) == [hansa]

    verify = cli("audit", "verify", "--json")
    assert verify.code == 0, verify
    report = verify.json()
    assert report["accounts"] == {"ok": True, "checked": 3, "problems": 0, "listed": []}, report
    assert Event.objects.filter(kind="accounts_merged").count() == 1
