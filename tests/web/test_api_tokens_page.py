"""The account page lists, creates and revokes one's API tokens (salesflow.people.tokens)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.people.tokens import authenticate_token, create_token, tokens_of
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


def test_creating_a_token_shows_its_secret_once(people, client_for) -> None:
    client = client_for(people["kam"])
    response = client.post(reverse("token_create"), {"name": "CRM sync"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    assert authenticate_token(secret) == people["kam"]
    [token] = tokens_of(people["kam"])
    assert token.name == "CRM sync"
    page = client.get(reverse("account")).content.decode()
    assert "CRM sync" in page and secret not in page
    assert Event.objects.filter(kind="security.token_created", actor_id=people["kam"].pk).exists()


def test_a_token_needs_a_name(people, client_for) -> None:
    response = client_for(people["kam"]).post(reverse("token_create"), {"name": ""})
    assert response.status_code == 400
    assert not tokens_of(people["kam"]).exists()


def test_revoking_ones_own_token_and_not_anothers(people, client_for) -> None:
    token, secret = create_token(people["kam"], "Script", by=people["kam"])
    other = client_for(people["kam2"]).post(reverse("token_revoke", args=[token.pk]))
    assert other.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client_for(people["kam"]).post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and authenticate_token(secret) is None
    assert "revoked" in client_for(people["kam"]).get(reverse("account")).content.decode()


def test_review_counts_active_tokens(people, client_for) -> None:
    create_token(people["kam"], "One", by=people["kam"])
    revoked, _secret = create_token(people["kam"], "Two", by=people["kam"])
    client_for(people["kam"]).post(reverse("token_revoke", args=[revoked.pk]))
    rows = {row["username"]: row for row in client_for(people["head"]).get(reverse("access_review")).context["rows"]}
    assert rows["kam"]["tokens"] == 1 and rows["kam2"]["tokens"] == 0
