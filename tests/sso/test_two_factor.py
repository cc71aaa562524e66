"""TOTP second factor: enforced by role, asked after the password, not asked of SSO sessions, API refuses."""

from __future__ import annotations

import base64
import time

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from salesflow.people.services import do_add_user
from salesflow.records.models import Event

from .test_sso_settings import COMPLETE
from .totp import code

pytestmark = pytest.mark.django_db


def _secret(device: TOTPDevice) -> str:
    return base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")


def _signed_in(username: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": "pw-2fa-1"})
    return client


def test_required_role_must_set_up_before_anything(settings) -> None:
    settings.REQUIRE_2FA_ROLES = ["head_of_sales"]
    do_add_user("hanna", ["head_of_sales"], password="pw-2fa-1")
    do_add_user("kim", ["kam"], password="pw-2fa-1")
    assert _signed_in("kim").get("/").status_code == 200  # not required of a KAM
    client = _signed_in("hanna")
    response = client.get("/records/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/?next=%2Frecords%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"totp-qr" in page.content
    device = TOTPDevice.objects.get(user__username="hanna", confirmed=False)
    assert client.post("/account/2fa/", {"code": "000000", "next": "/records/"}).status_code == 400
    time.sleep(1.1)  # django-otp throttles: after a wrong code the next try waits (1 s, 2 s, 4 s …)
    done = client.post("/account/2fa/", {"code": code(_secret(device)), "next": "/records/"})
    assert done.status_code == 302 and done["Location"] == "/records/"
    assert client.get("/records/").status_code == 200
    assert Event.objects.filter(kind="security.2fa_enabled").count() == 1
    # it cannot be turned off while the role requires it
    client.post("/account/2fa/disable/", {"code": code(_secret(device), 1)})
    assert TOTPDevice.objects.filter(user__username="hanna", confirmed=True).exists()


def test_a_device_means_the_code_is_asked_after_the_password() -> None:
    user = do_add_user("ola", ["kam"], password="pw-2fa-1")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = _signed_in("ola")
    response = client.get("/")
    assert response["Location"].startswith("/account/2fa/verify/")
    api = client.get("/api/me")
    assert api.status_code == 403 and api.json()["error"] == "second_factor_required"
    assert client.post("/account/2fa/verify/", {"code": "123456", "next": "/"}).status_code == 400
    assert Event.objects.filter(kind="security.2fa_failed").count() == 1
    time.sleep(1.1)
    assert client.post("/account/2fa/verify/", {"code": code(_secret(device)), "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200


def test_sso_sessions_are_not_asked(settings) -> None:
    settings.REQUIRE_2FA_ROLES = ["kam"]
    for key, value in COMPLETE.items():
        setattr(settings, key, value)
    settings.AUTHENTICATION_BACKENDS = ["salesflow.sso.backend.SalesflowOIDCBackend",
                                        "django.contrib.auth.backends.ModelBackend"]
    user = do_add_user("sofia", ["kam"], password="pw-2fa-1")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").status_code == 302
    session = client.session
    session[BACKEND_SESSION_KEY] = "salesflow.sso.backend.SalesflowOIDCBackend"
    session.save()
    assert client.get("/").status_code == 200


def test_turning_it_off_needs_a_code() -> None:
    user = do_add_user("otto", ["kam"], password="pw-2fa-1")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = _signed_in("otto")
    client.post("/account/2fa/verify/", {"code": code(_secret(device)), "next": "/"})
    client.post("/account/2fa/disable/", {"code": "000000"})
    assert TOTPDevice.objects.filter(user=user).exists()
    time.sleep(1.1)
    client.post("/account/2fa/disable/", {"code": code(_secret(device), 1)})
    assert not TOTPDevice.objects.filter(user=user).exists()
