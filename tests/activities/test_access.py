"""Activities follow access: a user who may not see a record does not see its activities — in lists, counts,
the account page, the API, the CLI and a direct look-up."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from salesflow.activities import services
from salesflow.engine.errors import NotPermitted
from salesflow.people.tokens import create_token
from salesflow.records.services import NotFound
from tests.cli.run import run_cli


@pytest.fixture
def logged(team: dict[str, Any], opportunity: Any, secret: Any) -> dict[str, Any]:
    kam = team["kam"]
    return {
        "open": services.do_log_activity(kam, services.resolve_target(kam, record=opportunity.pk), "call",
                                         "Open call"),
        "secret": services.do_log_activity(kam, services.resolve_target(kam, record=secret.pk), "meeting",
                                           "Secret board meeting"),
        "secret_task": services.do_add_task(kam, services.resolve_target(kam, record=secret.pk), "Secret task"),
    }


def test_hidden_record_activities_do_not_exist_for_others(team: dict[str, Any], account: Any, secret: Any,
                                                          logged: dict[str, Any], capsys: Any, monkeypatch: Any) -> None:
    kam2 = team["kam2"]
    seen = list(services.activities_for(kam2, account=account.pk))
    assert [item.subject for item in seen] == ["Open call"]
    assert services.activities_for(team["kam"], account=account.pk).count() == 3
    assert services.activities_for(kam2, kind="task").count() == 0
    with pytest.raises(NotFound):
        services.get_activity(kam2, logged["secret"].pk)
    with pytest.raises(NotFound):
        services.resolve_target(kam2, record=secret.pk)
    with pytest.raises(NotFound):
        services.do_complete_task(kam2, logged["secret_task"].pk)
    with pytest.raises(NotPermitted):
        services.do_log_activity(team["auditor"], services.resolve_target(team["auditor"], account=account.pk),
                                 "note", "Auditors only read")

    # The API: neither listed nor counted, a direct read is 404.
    _token, secret_text = create_token(kam2, "t")
    api = Client(headers={"Authorization": f"Bearer {secret_text}"})
    page = api.get("/api/activities", {"account": account.pk}).json()
    assert page["count"] == 1 and [item["subject"] for item in page["items"]] == ["Open call"]
    assert api.get(f"/api/activities/{logged['secret'].pk}").status_code == 404
    assert api.post(f"/api/tasks/{logged['secret_task'].pk}/done", {}, content_type="application/json"
                    ).status_code == 404

    # The CLI (an export with --json): only what --as may see.
    result = run_cli(capsys, monkeypatch, "activity", "list", "--account", account.pk, "--as", "kam2", "--json")
    assert result.code == 0, result
    assert [item["subject"] for item in result.json()] == ["Open call"]

    # The account page.
    client = Client()
    client.force_login(kam2)
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Open call" in html and "Secret board meeting" not in html and "Secret task" not in html
    owner = Client()
    owner.force_login(team["kam"])
    assert "Secret board meeting" in owner.get(f"/accounts/{account.pk}/").content.decode()
