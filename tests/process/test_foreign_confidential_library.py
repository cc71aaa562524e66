"""A foreign library whose process is ``confidential`` runs end to end through the CLI.

Another company's library (``fixtures/foreign-bid-library``): its own role names (``bid_director``,
``bid_writer``, ``estimator``), no teams, and its own library settings (a ``compliance_officer`` who
oversees and only reads). The Bid Director owns no record, yet she sees the writer's confidential
bids and decides every gate because the process says she decides them; a second writer does not see
them (need to know); the compliance officer sees them but cannot act.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.people import access
from salesflow.records.models import Event, LibrarySettingsVersion
from tests.cli.run import run_cli

pytestmark = pytest.mark.django_db

LIBRARY = Path(__file__).resolve().parent / "fixtures" / "foreign-bid-library"


@pytest.fixture
def cli(capsys, monkeypatch):
    return lambda *args: run_cli(capsys, monkeypatch, *args)


def test_the_bid_director_decides_every_gate_of_a_confidential_bid(cli) -> None:
    def ok(*args):
        result = cli(*args)
        assert result.code == 0, result
        return result

    validated = ok("process", "validate", LIBRARY).out
    assert "library-settings.yaml: ok (library settings)" in validated
    assert "bid-procedure v1, 5 stages" in validated
    loaded = ok("process", "load", LIBRARY).out
    assert "library-settings.yaml: library settings loaded" in loaded
    assert "bid-procedure v1 added" in loaded
    assert ok("process", "load", LIBRARY).out.count("unchanged") == 2  # loading again changes nothing
    assert Event.objects.filter(kind="library_settings_loaded").count() == 2  # the default's, then this one

    for name, role in (("director", "bid_director"), ("writer", "bid_writer"), ("writer2", "bid_writer"),
                       ("estimator", "estimator"), ("compliance", "compliance_officer")):
        ok("user", "add", name, "--role", role)

    bid = ok("record", "create", "bid-procedure", "--title", "Radar upgrade", "--field", "amount=2400000",
             "--as", "writer", "--json").json()
    rid = bid["id"]
    assert bid["classification"] == "confidential"

    # The director owns nothing and has no team, yet sees the bid; the other writer does not.
    assert ok("record", "show", rid, "--as", "director", "--json").json()["id"] == rid
    hidden = cli("record", "show", rid, "--as", "writer2")
    assert hidden.code == 1 and "not found" in hidden.err, hidden
    assert rid not in [row["id"] for row in ok("record", "list", "--as", "writer2", "--json").json()]
    assert rid in [row["id"] for row in ok("record", "list", "--as", "director", "--json").json()]
    # The library's oversight role reads it but may not act (read-only).
    assert ok("record", "show", rid, "--as", "compliance", "--json").json()["id"] == rid
    assert cli("record", "do", rid, "read_tender", "--as", "compliance").code == 4

    ok("record", "do", rid, "read_tender", "--as", "writer")
    by_writer = cli("record", "move", rid, "costing", "--as", "writer")  # the writer does not decide
    assert by_writer.code == 3 and "decided by Bid Director" in by_writer.err, by_writer
    moved = ok("record", "move", rid, "costing", "--as", "director", "--json").json()
    assert moved["decisions"]["screening"]["role"] == "bid_director"

    ok("record", "do", rid, "estimate", "--as", "estimator")
    moved = ok("record", "move", rid, "release", "--as", "director", "--json").json()
    assert moved["decisions"]["costing"]["role"] == "bid_director"

    assert cli("record", "do", rid, "submit_bid", "--as", "writer").code == 3  # not released yet
    ok("record", "approve", rid, "bid_release", "--as", "director")
    ok("record", "do", rid, "submit_bid", "--as", "writer")
    won = ok("record", "move", rid, "awarded", "--as", "director", "--json").json()
    assert (won["stage"], won["outcome"], won["decisions"]["release"]["role"]) == ("awarded", "won", "bid_director")

    assert ok("audit", "verify").out.startswith("ok: ")


def test_the_foreign_settings_replace_the_default_access(cli) -> None:
    default_oversight = access.policy().oversight_roles
    assert default_oversight  # the default library declares oversight roles
    assert cli("process", "load", LIBRARY).code == 0
    rules = access.policy()
    assert rules.oversight_roles == {"compliance_officer"}
    assert rules.read_only_roles == {"compliance_officer"}
    assert rules.rights["audit_pack"] == {"compliance_officer", "bid_director"}
    assert LibrarySettingsVersion.objects.count() == 2
    from salesflow.people.models import Role

    assert Role.objects.get(id="compliance_officer").title == {"en": "Compliance Officer",
                                                                "de": "Compliance-Beauftragte"}
