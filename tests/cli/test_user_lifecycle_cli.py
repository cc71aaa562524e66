"""``salesflow user list|update|deactivate|reactivate|password``: users over their whole life, from the shell.

Every change is a security event with who, what, before and after, covered by ``audit verify``;
a deactivated user's API token answers 401 at once; a removed role stops giving its rights at once.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from salesflow.people.models import User
from salesflow.people.tokens import create_token
from salesflow.records import services
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def _events(kind: str) -> list[Event]:
    return list(Event.objects.filter(kind=f"security.{kind}").order_by("seq"))


def _api(secret: str, path: str):
    return Client(headers={"Authorization": f"Bearer {secret}"}).get(path)


@pytest.fixture
def admin(cli, staff) -> str:
    result = cli("user", "add", "ada", "--role", "admin", "--first-name", "Ada")
    assert result.code == 0, result
    return "ada"


def test_list_as_json_shows_state_roles_and_teams(cli, staff) -> None:
    assert cli("user", "add", "nora", "--role", "kam", "--team", "North").code == 0
    rows = {row["username"]: row for row in cli("user", "list", "--json").json()}
    assert rows["nora"]["roles"] == ["kam"] and rows["nora"]["teams"] == ["North"]
    assert rows["nora"]["active"] is True and rows["nora"]["must_change_password"] is False
    assert set(rows) >= set(staff) | {"nora"}
    text = cli("user", "list").out
    assert "nora" in text and "active" in text


def test_update_adds_and_removes_roles_and_teams_with_a_security_event(cli, staff) -> None:
    assert cli("user", "teams", "--create", "North").code == 0
    result = cli("user", "update", "kam", "--add-role", "bid_manager", "--add-team", "North", "--json")
    assert result.code == 0, result
    assert result.json()["roles"] == ["bid_manager", "kam"] and result.json()["teams"] == ["North"]
    result = cli("user", "update", "kam", "--remove-role", "bid_manager", "--remove-team", "North")
    assert result.code == 0, result
    assert "roles kam; teams none" in result.out
    first, second = _events("user_updated")
    assert first.payload["before"] == {"roles": ["kam"], "teams": []}
    assert first.payload["after"] == {"roles": ["bid_manager", "kam"], "teams": ["North"]}
    assert first.payload["username"] == "kam" and first.actor_name == "system"
    assert second.payload["roles_removed"] == ["bid_manager"] and second.payload["teams_removed"] == ["North"]
    assert cli("audit", "verify").code == 0


def test_unknown_role_or_team_is_refused_naming_the_value_and_nothing_changes(cli, staff) -> None:
    result = cli("user", "update", "kam", "--add-role", "kam", "--add-role", "wizard", "--add-team", "Atlantis")
    assert result.code == 1
    assert "unknown role(s): 'wizard'" in result.err and "unknown team(s): 'Atlantis'" in result.err
    assert "known roles:" in result.err
    assert sorted(User.objects.get(username="kam").roles.values_list("id", flat=True)) == ["kam"]
    assert _events("user_updated") == []


def test_update_needs_something_to_change_and_an_existing_user(cli, staff) -> None:
    assert cli("user", "update", "kam").code == 1
    result = cli("user", "update", "ghost", "--add-role", "kam")
    assert result.code == 1 and "unknown user 'ghost'" in result.err


def test_only_an_administrator_may_act_with_as(cli, staff, admin) -> None:
    refused = cli("user", "update", "kam2", "--remove-role", "kam", "--as", "head")
    assert refused.code == 4 and "may not administer users" in refused.err
    done = cli("user", "update", "kam2", "--remove-role", "kam", "--as", "ada")
    assert done.code == 0, done
    assert _events("user_updated")[-1].actor_name == "Ada"


def test_removing_a_role_takes_the_right_away_at_once(cli, staff) -> None:
    kam = User.objects.get(username="kam")
    record = services.do_create_record("opportunity-management", kam, {"title": "Grid", "account": "Nordwind",
                                                                       "amount": "1000"})
    _token, secret = create_token(kam, "script")
    assert _api(secret, f"/api/records/{record.pk}").status_code == 200
    assert cli("user", "update", "kam", "--remove-role", "kam").code == 0
    assert _api(secret, f"/api/records/{record.pk}").status_code == 404


def test_deactivate_stops_the_api_token_at_once_and_reactivate_restores_sign_in(cli, staff) -> None:
    kam = User.objects.get(username="kam")
    _token, secret = create_token(kam, "script")
    assert _api(secret, "/api/me").status_code == 200
    result = cli("user", "deactivate", "kam")
    assert result.code == 0, result
    assert _api(secret, "/api/me").status_code == 401
    event = _events("user_deactivated")[-1]
    assert event.payload["before"] == {"active": True} and event.payload["after"] == {"active": False}
    assert event.payload["tokens_revoked"] == 1
    again = cli("user", "deactivate", "kam")
    assert again.code == 5 and "already deactivated" in again.err
    assert cli("user", "reactivate", "kam").code == 0
    assert User.objects.get(username="kam").is_active
    assert _api(secret, "/api/me").status_code == 401  # the revoked token stays revoked
    assert [event.kind for event in Event.objects.filter(kind__startswith="security.user_")] == [
        "security.user_deactivated", "security.user_reactivated"]
    assert cli("audit", "verify").code == 0


def test_deactivate_ends_the_web_session_at_once(cli, staff) -> None:
    kam = User.objects.get(username="kam")
    browser = Client()
    browser.force_login(kam)
    assert browser.get("/").status_code == 200
    assert cli("user", "deactivate", "kam").code == 0
    assert _events("user_deactivated")[-1].payload["sessions_ended"] == 1
    response = browser.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_last_administrator_cannot_be_removed(cli, staff, admin) -> None:
    result = cli("user", "update", "ada", "--remove-role", "admin")
    assert result.code == 5 and "last administrator" in result.err
    assert cli("user", "deactivate", "ada").code == 5
    assert cli("user", "add", "bert", "--role", "admin").code == 0
    assert cli("user", "update", "ada", "--remove-role", "admin", "--as", "bert").code == 0
    refused = cli("user", "deactivate", "bert", "--as", "bert")
    assert refused.code == 5 and "yourself" in refused.err


def test_generated_one_time_password_is_printed_once_and_must_be_changed(cli, staff) -> None:
    result = cli("user", "password", "kam")
    assert result.code == 0, result
    password = result.out.strip().splitlines()[-1]
    kam = User.objects.get(username="kam")
    assert kam.check_password(password) and kam.must_change_password
    event = _events("password_reset")[-1]
    assert event.payload["one_time"] is True and event.payload["generated"] is True
    assert password not in json.dumps(event.payload)
    browser = Client()
    assert browser.post("/accounts/login/", {"username": "kam", "password": password}).status_code == 302
    response = browser.get("/records/")
    assert response.status_code == 302 and response["Location"].startswith("/account/password/")


def test_password_from_a_file_and_from_standard_input(cli, staff, tmp_path, monkeypatch) -> None:
    secret_file = tmp_path / "pw.txt"
    secret_file.write_text("Correct-Horse-Battery-9\n", encoding="utf-8")
    result = cli("user", "password", "kam", "--password-file", secret_file)
    assert result.code == 0 and "Correct-Horse" not in result.out
    assert User.objects.get(username="kam").check_password("Correct-Horse-Battery-9")
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Another-Long-Phrase-7\n")))
    assert cli("user", "password", "kam", "--password-file", "-").code == 0
    assert User.objects.get(username="kam").check_password("Another-Long-Phrase-7")


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the first line is empty"),
    (b"\xff\xfe\x00", "is not UTF-8 text"),
    (b"123\n", "This password is too short"),
])
def test_a_bad_password_file_is_refused_naming_it_and_nothing_changes(cli, staff, tmp_path, content,
                                                                      message) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    before = User.objects.get(username="kam").password
    result = cli("user", "password", "kam", "--password-file", bad)
    assert result.code == 1 and message in result.err
    if content:
        assert "bad.txt" in result.err or "password:" in result.err
    assert User.objects.get(username="kam").password == before
    assert _events("password_reset") == []


def test_a_missing_password_file_is_named(cli, staff, tmp_path) -> None:
    result = cli("user", "password", "kam", "--password-file", tmp_path / "nope.txt")
    assert result.code == 1 and "nope.txt: cannot read the password file" in result.err


def test_help_describes_the_commands(cli) -> None:
    result = cli("user", "--help")
    for action in ("update", "deactivate", "reactivate", "password", "teams"):
        assert action in result.out
