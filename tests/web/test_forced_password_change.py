"""After a one-time password the user must choose their own password before anything else."""

from __future__ import annotations

import pytest
from django.test import Client

from salesflow.people.lifecycle import set_one_time_password
from salesflow.people.models import User
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db

NEW = "Kai-Own-Phrase-2026"


@pytest.fixture
def signed_in(people) -> tuple[Client, str]:
    _user, password = set_one_time_password("kam")
    client = Client()
    assert client.post("/accounts/login/", {"username": "kam", "password": password}).status_code == 302
    return client, password


def test_every_page_leads_to_the_password_change(signed_in) -> None:
    client, _password = signed_in
    for path in ("/", "/records/", "/board/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/account/password/?next={path}"
    page = client.get("/account/password/").content.decode()
    assert "You signed in with a one-time password" in page
    assert client.post("/records/new/", {}).status_code == 302


def test_session_calls_of_the_api_are_refused_until_changed(signed_in) -> None:
    client, password = signed_in
    response = client.get("/api/me")
    assert response.status_code == 403 and "one-time password" in response.json()["detail"]
    client.get("/account/password/")
    changed = client.post("/api/me/password", {"current_password": password, "new_password": NEW},
                          content_type="application/json", headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    assert changed.status_code == 200
    assert client.get("/api/me").status_code == 200


def test_sign_out_and_language_stay_reachable(signed_in) -> None:
    client, _password = signed_in
    assert client.post("/i18n/language/", {"language": "de", "next": "/"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_the_same_password_again_is_refused(signed_in) -> None:
    client, password = signed_in
    response = client.post("/account/password/", {"old_password": password, "new_password1": password,
                                                   "new_password2": password})
    assert response.status_code == 200
    assert "different from the current one" in response.content.decode()
    assert User.objects.get(username="kam").must_change_password


def test_changing_it_clears_the_duty_and_goes_where_the_user_was_going(signed_in) -> None:
    client, password = signed_in
    response = client.post("/account/password/?next=/records/", {"old_password": password, "new_password1": NEW,
                                                                 "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/records/"
    assert client.get("/records/").status_code == 200
    kam = User.objects.get(username="kam")
    assert not kam.must_change_password and kam.check_password(NEW)
    event = Event.objects.filter(kind="security.password_changed").get()
    assert event.payload["before"] == {"must_change_password": True}
    assert event.payload["after"] == {"must_change_password": False}


def test_an_offsite_next_is_ignored(signed_in) -> None:
    client, password = signed_in
    response = client.post("/account/password/?next=https://evil.example/", {
        "old_password": password, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_one_time_password_ends_existing_sessions(people) -> None:
    browser = Client()
    browser.force_login(people["kam"])
    assert browser.get("/").status_code == 200
    set_one_time_password("kam")
    assert browser.get("/").status_code == 302
    assert "/accounts/login/" in browser.get("/")["Location"]


def test_a_one_time_password_lifts_a_sign_in_lock(people, settings) -> None:
    settings.SALESFLOW_SIGNIN_ACCOUNT_LIMIT = 3
    for _ in range(3):
        Client().post("/accounts/login/", {"username": "kam", "password": "wrong"})
    _user, password = set_one_time_password("kam")
    assert Client().post("/accounts/login/", {"username": "kam", "password": password}).status_code == 302
    assert Event.objects.get(kind="security.password_reset").payload["lock_lifted"] is True
