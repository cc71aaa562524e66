"""The throttling and proxy settings are read from the environment and refused with the variable named."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesflow.config import env_int, env_networks


def test_networks_and_single_addresses() -> None:
    networks = env_networks("P", {"P": "10.0.0.0/8, 192.168.1.1 ,::1"})
    assert [str(network) for network in networks] == ["10.0.0.0/8", "192.168.1.1/32", "::1/128"]
    assert env_networks("P", {}) == []


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"SALESFLOW_TRUSTED_PROXIES: '10\.0\.0\.0/33'"):
        env_networks("SALESFLOW_TRUSTED_PROXIES", {"SALESFLOW_TRUSTED_PROXIES": "10.0.0.0/33"})


def test_whole_numbers_in_range() -> None:
    assert env_int("N", 5, environ={}) == 5
    assert env_int("N", 5, environ={"N": " 7 "}) == 7
    with pytest.raises(ImproperlyConfigured, match="N must be a whole number; got 'x'"):
        env_int("N", 5, environ={"N": "x"})
    with pytest.raises(ImproperlyConfigured, match="N must be between 1 and 10; got '0'"):
        env_int("N", 5, maximum=10, environ={"N": "0"})


def test_the_address_limit_must_stay_well_above_the_account_limit() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "SALESFLOW_SIGNIN_ACCOUNT_LIMIT": "10", "SALESFLOW_SIGNIN_ADDRESS_LIMIT": "10",
           "DJANGO_SETTINGS_MODULE": "salesflow.settings"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "SALESFLOW_SIGNIN_ADDRESS_LIMIT must be at least twice" in result.stderr
