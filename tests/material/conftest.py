"""Fixtures of the material tests: stock keepers and a requester, a small catalogue with stock in two places."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.conftest import cli  # noqa: F401 - the ``cli`` fixture
from tests.cli.run import CliResult


@pytest.fixture
def people(cli: Callable[..., CliResult]) -> dict[str, Any]:  # noqa: F811
    """A stock keeper (sales_ops), a marketing designer and a key account manager, added through the CLI."""
    from salesflow.people.models import User

    for name, role in {"olga": "sales_ops", "mara": "marketing", "kim": "kam"}.items():
        result = cli("user", "add", name, "--role", role, "--first-name", name.capitalize(), "--team", "North")
        assert result.code == 0, result
    return {user.username: user for user in User.objects.filter(username__in=["olga", "mara", "kim"])}


@pytest.fixture
def stocked(people: dict[str, Any]) -> dict[str, Any]:
    """Two items: brochures (reorder level 50) at Munich and Hamburg, caps (reorder level 10) at Munich."""
    from salesflow.material import services

    olga = people["olga"]
    services.do_add_item(olga, "BRO-PRODUCT", "Product brochure", "Produktbroschüre", "sales_kit", reorder_level=50)
    services.do_add_item(olga, "CAP-LOGO", "Cap with logo", "Kappe mit Logo", "representation", reorder_level=10)
    services.do_receive(olga, "BRO-PRODUCT", "Munich", 200)
    services.do_receive(olga, "BRO-PRODUCT", "Hamburg", 80)
    services.do_receive(olga, "CAP-LOGO", "Munich", 30)
    return people
