"""/metrics: Prometheus text for allowed addresses or the token, 403 for anyone else."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_metrics_from_localhost_in_prometheus_format() -> None:
    response = Client().get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "salesflow_up 1.0" in text
    assert "# TYPE salesflow_events gauge" in text


def test_metrics_refused_from_another_address() -> None:
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 403
    assert b"salesflow_" not in response.content


@override_settings(METRICS_TOKEN="s3cret-token-for-prometheus")
def test_metrics_with_the_token_from_anywhere() -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus").status_code == 200


@override_settings(METRICS_ALLOWED_IPS=["10.1.0.0/16"])
def test_metrics_allowed_network() -> None:
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


@override_settings(TRUST_PROXY_HEADERS=False)
def test_forwarded_for_is_ignored_without_a_trusted_proxy() -> None:
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 403
