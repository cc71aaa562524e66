"""API tokens authenticate as their user; revoked, expired, unknown or garbage tokens get 401 problem+json."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone

from salesflow.people.models import ApiToken
from salesflow.people.tokens import authenticate_token, create_token, revoke_token
from salesflow.records.models import Event
from tests.api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db


def test_a_valid_token_acts_as_its_user(people) -> None:
    _token, secret = create_token(people["kam"], "Script")
    response = Api(secret).get("/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == "kam"
    assert response.json()["roles"] == ["kam"]


@pytest.mark.parametrize("header", [
    None, "Bearer ", "Bearer sf_not-a-real-token", "Bearer garbage", "Basic a2FtOnNlY3JldA==",
    "Bearer sf_" + "x" * 500,
])
def test_missing_or_unknown_tokens_are_401(people, header) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = Api().client.get("/api/me", headers=headers)
    body = assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in body["detail"]


def test_a_revoked_token_is_401_and_its_use_is_logged(people) -> None:
    token, secret = create_token(people["kam"], "Script", by=people["kam"])
    revoke_token(people["kam"], token.pk, by=people["kam"])
    assert_problem(Api(secret).get("/api/records"), 401, "unauthenticated")
    refused = Event.objects.get(kind="security.token_refused")
    assert refused.payload["token_id"] == token.pk and refused.payload["reason"] == "revoked"


def test_an_expired_token_is_401(people) -> None:
    token, secret = create_token(people["kam"], "Short-lived", expires_at=timezone.now() + datetime.timedelta(hours=1))
    assert Api(secret).get("/api/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_problem(Api(secret).get("/api/me"), 401, "unauthenticated")


def test_a_deactivated_users_token_is_401(people) -> None:
    _token, secret = create_token(people["kam"], "Script")
    people["kam"].is_active = False
    people["kam"].save()
    assert_problem(Api(secret).get("/api/me"), 401, "unauthenticated")


def test_only_the_hash_of_the_secret_is_stored(people) -> None:
    token, secret = create_token(people["kam"], "Script")
    assert secret.startswith("sf_") and len(secret) >= 40
    token.refresh_from_db()
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get(pk=token.pk)]
    assert all(secret not in value for value in stored)
    assert not Event.objects.filter(payload__icontains=secret[8:]).exists()


def test_last_use_is_recorded_at_most_once_a_minute(people) -> None:
    token, secret = create_token(people["kam"], "Script")
    assert token.last_used_at is None
    assert authenticate_token(secret) == people["kam"]
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=1)


def test_creating_and_revoking_are_security_events(people) -> None:
    token, _secret = create_token(people["kam"], "CRM sync", by=people["kam"])
    created = Event.objects.get(kind="security.token_created")
    assert created.actor_id == people["kam"].pk
    assert created.payload["token_id"] == token.pk and created.payload["token_name"] == "CRM sync"
    assert created.payload["prefix"] == token.prefix
    revoke_token(people["kam"], token.pk, by=people["kam"])
    revoked = Event.objects.get(kind="security.token_revoked")
    assert revoked.actor_id == people["kam"].pk and revoked.payload["token_id"] == token.pk


def test_a_user_cannot_revoke_anothers_token(people) -> None:
    from salesflow.records.services import NotFound

    token, secret = create_token(people["kam"], "Script")
    with pytest.raises(NotFound):
        revoke_token(people["kam2"], token.pk, by=people["kam2"])
    assert authenticate_token(secret) == people["kam"]
