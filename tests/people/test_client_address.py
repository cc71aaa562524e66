"""The client address behind trusted proxies (SALESFLOW_TRUSTED_PROXIES) and nowhere else."""

from __future__ import annotations

import ipaddress

from salesflow.people.addresses import client_address

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128")]


class Request:
    def __init__(self, remote: str, forwarded: str | None = None) -> None:
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address(Request("10.0.0.5", "1.2.3.4"), proxies=[]) == "10.0.0.5"


def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address() -> None:
    assert client_address(Request("203.0.113.9", "1.2.3.4"), proxies=PROXIES) == "203.0.113.9"


def test_the_address_before_the_trusted_proxy_is_used() -> None:
    assert client_address(Request("10.0.0.5", "198.51.100.7"), proxies=PROXIES) == "198.51.100.7"


def test_a_forged_left_part_of_the_header_is_not_believed() -> None:
    """The client wrote "1.1.1.1" itself; the proxy appended the address it saw."""
    request = Request("10.0.0.5", "1.1.1.1, 198.51.100.7, 10.0.0.9")
    assert client_address(request, proxies=PROXIES) == "198.51.100.7"


def test_garbage_in_the_header_stops_the_walk() -> None:
    assert client_address(Request("10.0.0.5", "1.1.1.1, not-an-ip"), proxies=PROXIES) == "10.0.0.5"


def test_ipv6_and_ports() -> None:
    assert client_address(Request("::1", "[2001:db8::1]:4711"), proxies=PROXIES) == "2001:db8::1"
    assert client_address(Request("10.0.0.5", "198.51.100.7:5555"), proxies=PROXIES) == "198.51.100.7"


def test_settings_are_used_by_default(settings) -> None:
    settings.SALESFLOW_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    assert client_address(Request("127.0.0.1", "192.0.2.44")) == "192.0.2.44"
    settings.SALESFLOW_TRUSTED_PROXIES = []
    assert client_address(Request("127.0.0.1", "192.0.2.44")) == "127.0.0.1"
