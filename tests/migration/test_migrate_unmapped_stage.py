"""A running record whose stage the target no longer has must be mapped: refused by name, nothing changed."""

from __future__ import annotations

from salesflow.records.models import Event, Record
from tests.migration.conftest import CURRENT, PROCESS, TARGET


def test_unmapped_stage_is_refused_naming_the_stage_and_records(cli, setup) -> None:
    before = (Event.objects.count(), list(Record.objects.order_by("id").values_list("stage", "process_version_id")))
    stuck = setup.records["negotiation"].pk
    for dry in ((), ("--dry-run",)):
        result = cli("process", "migrate", PROCESS, "--to", str(TARGET), *dry, "--as", setup.head.username)
        assert result.code == 1, result
        assert "negotiation" in result.err and f"#{stuck}" in result.err and "--map" in result.err
        assert "nothing was changed" in result.err and "Traceback" not in result.err
    bad = cli("process", "migrate", PROCESS, "--to", str(TARGET), "--map", "negotiation=nowhere",
              "--as", setup.head.username)
    assert bad.code == 1 and "nowhere" in bad.err
    closing = cli("process", "migrate", PROCESS, "--to", str(TARGET), "--map", "negotiation=won",
                  "--as", setup.head.username)
    assert closing.code == 1 and "outcome" in closing.err
    malformed = cli("process", "migrate", PROCESS, "--to", str(TARGET), "--map", "negotiation",
                    "--as", setup.head.username)
    assert malformed.code == 1 and "OLD=NEW" in malformed.err
    after = (Event.objects.count(), list(Record.objects.order_by("id").values_list("stage", "process_version_id")))
    assert after == before
    assert set(Record.objects.values_list("process_version__version", flat=True)) == {CURRENT}
