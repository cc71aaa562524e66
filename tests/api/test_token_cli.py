"""``salesflow user token NAME`` prints a new token alone on its last line; the token works; --revoke ends it."""

from __future__ import annotations

import pytest

from salesflow.people.models import ApiToken
from salesflow.records.models import Event
from tests.api.conftest import Api, assert_problem
from tests.cli.run import run_cli

pytestmark = pytest.mark.django_db


def test_the_token_is_alone_on_the_last_line_and_works(people, capsys, monkeypatch) -> None:
    result = run_cli(capsys, monkeypatch, "user", "token", "kam", "--name", "Nightly export")
    assert result.code == 0, result
    secret = result.out.rstrip("\n").splitlines()[-1]
    assert secret.startswith("sf_") and " " not in secret
    response = Api(secret).get("/api/me")
    assert response.status_code == 200 and response.json()["username"] == "kam"
    token = ApiToken.objects.get(user=people["kam"])
    assert token.name == "Nightly export" and token.expires_at is None
    event = Event.objects.get(kind="security.token_created")
    assert event.actor_name == "system" and event.payload["username"] == "kam"


def test_revoking_from_the_command_line(people, capsys, monkeypatch) -> None:
    secret = run_cli(capsys, monkeypatch, "user", "token", "kam").out.splitlines()[-1]
    token = ApiToken.objects.get(user=people["kam"])
    result = run_cli(capsys, monkeypatch, "user", "token", "kam", "--revoke", token.pk)
    assert result.code == 0, result
    assert_problem(Api(secret).get("/api/me"), 401)
    again = run_cli(capsys, monkeypatch, "user", "token", "kam", "--revoke", token.pk)
    assert again.code == 5, again  # conflict: already revoked


def test_expiring_tokens_and_bad_input(people, capsys, monkeypatch) -> None:
    result = run_cli(capsys, monkeypatch, "user", "token", "kam", "--expires-in-days", "30")
    assert result.code == 0, result
    assert ApiToken.objects.get(user=people["kam"]).expires_at is not None
    assert run_cli(capsys, monkeypatch, "user", "token", "nobody").code == 1
    bad = run_cli(capsys, monkeypatch, "user", "token", "kam", "--expires-in-days", "0")
    assert bad.code == 1 and "Traceback" not in bad.err
