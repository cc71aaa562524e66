"""`salesflow init`: the first administrator and the chosen processes, no demo data, once only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesflow.engine.errors import BadInput, Conflict
from salesflow.ops.installation import do_initialise, parse_process_choice
from salesflow.ops.models import Installation
from salesflow.records.models import Process, Record

from .run import salesflow

PASSWORD = "Mountain-Lake-Sunrise-42"


@pytest.mark.installation
def test_init_on_an_empty_database_installs_only_the_chosen_processes(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    result = salesflow(var, "init", "--admin", "ada", "--email", "ada@example.com", "--password-file",
                       str(tmp_path / "pw"), "--processes", "lead-management,opportunity-management")
    assert result.returncode == 0, result.stderr
    assert "administrator ada <ada@example.com>" in result.stdout and PASSWORD not in result.stdout
    listing = salesflow(var, "process", "list", "--json")
    assert sorted(row["id"] for row in json.loads(listing.stdout)) == [
        "lead-management", "opportunity-management"]

    again = salesflow(var, "init", "--admin", "bob", "--email", "bob@example.com")
    assert again.returncode == 5 and "initialised already" in again.stderr
    upgrade = salesflow(var, "migrate", "--noinput")
    assert upgrade.returncode == 0
    listing = salesflow(var, "process", "list", "--json")
    assert len(json.loads(listing.stdout)) == 2  # migrating loads no process by itself any more


@pytest.mark.installation
def test_generated_password_is_printed_once(tmp_path: Path) -> None:
    result = salesflow(tmp_path / "var", "init", "--admin", "ada", "--email", "ada@example.com",
                       "--processes", "none")
    assert result.returncode == 0, result.stderr
    assert "password of ada (shown once" in result.stdout
    assert "processes: none" in result.stdout


@pytest.mark.installation
@pytest.mark.parametrize(("args", "message"), [
    (["--processes", "opportunity-management,nope"], "unknown process nope"),
    (["--email", "not-an-address"], "--email"),
    (["--password-file", "/no/such/file"], "--password-file /no/such/file"),
])
def test_bad_input_changes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    base = {"--admin": "ada", "--email": "ada@example.com"}
    argv = ["init"]
    for key, value in base.items():
        if key not in args:
            argv += [key, value]
    result = salesflow(tmp_path / "var", *argv, *args)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "salesflow.sqlite3").exists()


@pytest.mark.installation
def test_weak_password_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("password\n")
    result = salesflow(tmp_path / "var", "init", "--admin", "ada", "--email", "ada@example.com",
                       "--password-file", str(tmp_path / "pw"))
    assert result.returncode == 1 and "password:" in result.stderr


@pytest.mark.django_db
def test_init_on_a_migrated_database_retires_what_was_not_chosen() -> None:
    assert Process.objects.count() > 1  # migrating an uninitialised database loaded the default library
    admin, installed = do_initialise("ada", "ada@example.com", PASSWORD, ["opportunity-management"])
    assert installed == ["opportunity-management"]
    active = set(Process.objects.filter(retired_at__isnull=True).values_list("key", flat=True))
    assert active == {"opportunity-management"}
    definition_role = "head_of_sales"  # the responsible role the shipped opportunity guideline names
    assert {"admin", definition_role} <= set(admin.role_ids())
    assert admin.check_password(PASSWORD)
    assert Record.objects.count() == 0 and Installation.objects.get().admin_name == "ada"
    with pytest.raises(Conflict):
        do_initialise("bob", "bob@example.com", PASSWORD, [])


def test_process_choice() -> None:
    known = {"a", "b"}
    assert parse_process_choice("all", known) == ["a", "b"]
    assert parse_process_choice("none", known) == []
    assert parse_process_choice(" b , a,b", known) == ["a", "b"]
    with pytest.raises(BadInput, match="unknown process c"):
        parse_process_choice("a,c", known)
