"""The user administration pages: open to administrators only; every form is one recorded change."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from salesflow.people.models import User
from salesflow.people.services import do_add_user
from salesflow.people.tokens import create_token
from salesflow.records.models import Event
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(people) -> User:
    return do_add_user("ada", ["admin"], [], password=PASSWORD, first_name="Ada", last_name="Admin")


@pytest.fixture
def as_admin(admin, client_for) -> Client:
    return client_for(admin)


def test_only_administrators_see_and_use_the_pages(people, client_for, admin) -> None:
    for name in ("kam", "head", "auditor"):
        client = client_for(people[name])
        assert client.get("/users/").status_code == 403
        assert client.get("/users/kam/").status_code == 403
        assert client.post("/users/kam2/deactivate/").status_code == 403
        assert client.post("/users/kam2/password/").status_code == 403
        assert "/users/" not in client.get("/").content.decode()
    assert User.objects.get(username="kam2").is_active
    assert 'href="/users/"' in client_for(admin).get("/").content.decode()


def test_a_superuser_administers_without_the_admin_role(people, client_for) -> None:
    root = do_add_user("root", [], [], password=PASSWORD, is_superuser=True)
    assert client_for(root).get("/users/").status_code == 200


def test_list_shows_state_roles_and_filters(as_admin, people) -> None:
    page = as_admin.get("/users/").content.decode()
    assert "Kai Becker" in page and "Key Account Manager" in page
    User.objects.filter(username="kam2").update(is_active=False)
    inactive = as_admin.get("/users/?state=inactive").content.decode()
    assert "Lena Wolf" in inactive and "Kai Becker" not in inactive


def test_saving_the_check_boxes_grants_and_takes_away_in_one_event(as_admin, people) -> None:
    response = as_admin.post("/users/kam/", {"roles": ["kam", "bid_manager"], "teams": ["South"]})
    assert response.status_code == 302
    kam = User.objects.get(username="kam")
    assert sorted(kam.roles.values_list("id", flat=True)) == ["bid_manager", "kam"]
    assert list(kam.teams.values_list("name", flat=True)) == ["South"]
    event = Event.objects.get(kind="security.user_updated")
    assert event.actor_name == "Ada Admin"
    assert event.payload["before"] == {"roles": ["kam"], "teams": ["North"]}
    assert event.payload["after"] == {"roles": ["bid_manager", "kam"], "teams": ["South"]}
    assert "address" in event.payload
    history = as_admin.get("/users/kam/").content.decode().split('id="user-history"')[1]
    assert "Roles and teams changed" in history and "Ada Admin" in history
    assert "+bid_manager +South −North" in history
    assert "Roles and teams changed" not in as_admin.get("/users/kam2/").content.decode()


def test_an_unknown_role_in_the_form_is_refused(as_admin, people) -> None:
    response = as_admin.post("/users/kam/", {"roles": ["wizard"]})
    assert response.status_code == 400
    assert "wizard" in response.content.decode()
    assert not Event.objects.filter(kind="security.user_updated").exists()


def test_deactivate_signs_the_user_out_and_revokes_tokens(as_admin, people, client_for) -> None:
    kam_browser = client_for(people["kam"])
    _token, secret = create_token(people["kam"], "script")
    response = as_admin.post("/users/kam/deactivate/")
    assert response.status_code == 302
    assert kam_browser.get("/").status_code == 302
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/me").status_code == 401
    detail = as_admin.get("/users/kam/").content.decode()
    assert "Reactivate" in detail and "inactive" in detail
    assert as_admin.post("/users/kam/reactivate/").status_code == 302
    assert User.objects.get(username="kam").is_active


def test_an_administrator_cannot_deactivate_themselves(as_admin, admin) -> None:
    response = as_admin.post("/users/ada/deactivate/", follow=True)
    assert "cannot deactivate yourself" in response.content.decode()
    assert User.objects.get(username="ada").is_active


def test_one_time_password_is_shown_once_and_works_once(as_admin, people) -> None:
    response = as_admin.post("/users/kam/password/")
    assert response.status_code == 200
    password = re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    assert password not in as_admin.get("/users/kam/").content.decode()
    kam = User.objects.get(username="kam")
    assert kam.check_password(password) and kam.must_change_password
    assert Event.objects.get(kind="security.password_reset").payload["username"] == "kam"


def test_unknown_user_is_404(as_admin) -> None:
    assert as_admin.get("/users/ghost/").status_code == 404
    assert as_admin.post("/users/ghost/deactivate/").status_code == 404


def test_access_review_lets_an_administrator_revoke_a_role_and_deactivate(as_admin, people, client_for) -> None:
    page = as_admin.get("/review/access/").content.decode()
    assert "Take Key Account Manager away from Kai Becker" in page
    response = as_admin.post("/users/kam/roles/revoke/", {"role": "kam", "next": "/review/access/"})
    assert response.status_code == 302 and response["Location"] == "/review/access/"
    assert not User.objects.get(username="kam").roles.exists()
    response = as_admin.post("/users/kam2/deactivate/", {"next": "/review/access/"}, follow=True)
    assert "Lena Wolf was deactivated" in response.content.decode()
    assert not User.objects.get(username="kam2").is_active
    # The Head of Sales reviews but does not administer: no action buttons, no acting.
    head_page = client_for(people["head"]).get("/review/access/").content.decode()
    assert "Take Key Account Manager away" not in head_page and "Deactivate" not in head_page
    assert client_for(people["head"]).post("/users/bid/roles/revoke/", {"role": "bid_manager"}).status_code == 403


def test_german_pages(as_admin, people) -> None:
    as_admin.cookies["django_language"] = "de"
    page = as_admin.get("/users/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Benutzer" in page and "aktiv" in page
    detail = as_admin.get("/users/kam/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Rollen und Teams speichern" in detail and "Einmalpasswort" in detail and "Zugriffsverlauf" in detail
