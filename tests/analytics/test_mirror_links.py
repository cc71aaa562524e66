"""The DuckDB mirror keeps the links between records (added ones by id, all again after a removal) and the
record's customer and process kind; a mirror file of an older version is rebuilt."""

from __future__ import annotations

import duckdb

from salesflow.accounts.models import Account
from salesflow.analytics.source import DuckMirror
from salesflow.records.models import Record, RecordLink
from tests.analytics.build import day
from tests.analytics.chain import Chain, load_processes


def test_links_are_loaded_incrementally(people):
    load_processes()
    chain = Chain(people)
    lead, opportunity, order = chain.lead(0), chain.create("opp", 1), chain.create("order", 2)
    account = Account.objects.create(name="Alpen Solar GmbH", created_at=day(0))
    Record.objects.filter(pk=opportunity).update(customer=account)
    mirror = DuckMirror()
    mirror.sync()
    chain.link(lead, opportunity, "opportunity", 1)              # a link without a new event
    assert mirror.sync() == 0
    assert mirror.raw.execute("SELECT source_id, target_id, kind FROM records_recordlink").fetchall() == [
        (lead, opportunity, "opportunity")]
    chain.link(opportunity, order, "order", 2)
    mirror.sync()
    assert mirror.raw.execute("SELECT count(*) FROM records_recordlink").fetchone()[0] == 2
    RecordLink.objects.filter(kind="opportunity").delete()
    mirror.sync()
    assert mirror.raw.execute("SELECT kind FROM records_recordlink").fetchall() == [("order",)]
    kinds = dict(mirror.raw.execute("SELECT record_id, record_kind FROM norm_records").fetchall())
    assert (kinds[lead], kinds[opportunity], kinds[order]) == ("lead", "opportunity", "order")
    customers = dict(mirror.raw.execute("SELECT record_id, customer_id FROM norm_records").fetchall())
    assert (customers[lead], customers[opportunity]) == (None, account.pk)


def test_a_mirror_file_of_an_older_version_is_rebuilt(people, tmp_path):
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute("CREATE TABLE records_record (id BIGINT, stage VARCHAR)")
    old.execute("CREATE TABLE records_process (id BIGINT, \"key\" VARCHAR)")
    old.close()
    load_processes()
    Chain(people).lead(0)
    mirror = DuckMirror(str(path))
    assert mirror.sync() > 0
    columns = {row[0] for row in mirror.raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'records_record'").fetchall()}
    assert {"customer_id", "values", "outcome"} <= columns
    assert mirror.raw.execute("SELECT count(*) FROM norm_records WHERE record_kind = 'lead'").fetchone()[0] == 1
