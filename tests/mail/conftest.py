"""Fixtures: a real SMTP server and the settings that point Salesflow at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from salesflow.people.services import do_add_user

from .smtp import SmtpServer

BASE_URL = "https://sales.example.com"


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        settings.EMAIL_ENABLED = True
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.SALESFLOW_BASE_URL = BASE_URL
        settings.MAIL_SEND_IN_BACKGROUND = False
        settings.DEFAULT_FROM_EMAIL = "Salesflow <salesflow@example.com>"
        yield server


@pytest.fixture
def team(db) -> dict:
    return {
        "kam": do_add_user("m_kam", ["kam"], ["North"], password="pw-m-1", email="kam@example.com",
                           first_name="Kim", last_name="Account"),
        "head": do_add_user("m_head", ["head_of_sales"], password="pw-m-1", email="head@example.com",
                            first_name="Hanna", last_name="Head"),
        "bid": do_add_user("bidmanager", ["bid_manager"], password="pw-m-1", email="bid@example.com"),
        "md": do_add_user("m_md", ["managing_director"], password="pw-m-1", email="md@example.com"),
    }
