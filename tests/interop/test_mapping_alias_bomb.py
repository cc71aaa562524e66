"""An import's mapping file is read within the YAML bounds: an alias bomb is file:line: YAML refused, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.conftest import counts, write_csv
from tests.process.yaml_bombs import RECURSIVE_MAPPING, nested_aliases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "line", "message"), [
    ("kind: records\nid: Ref\n" + nested_aliases().replace("process: laughs\n", ""), 8, "expands to more than"),
    (RECURSIVE_MAPPING, 3, "recursive alias *loop"),
    ("kind: records\nkind: events\n", 2, "duplicate key 'kind'"),
], ids=["nested", "recursive", "duplicate-key"])
@pytest.mark.parametrize("importer", ["csv", "hubspot"])
def test_a_bad_mapping_is_refused_with_its_line(cli, tmp_path: Path, text: str, line: int, message: str,
                                                importer: str) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text, encoding="utf-8")
    path = write_csv(tmp_path / "records.csv", ["Ref", "title"], [["R1", "Good"]])
    args = ["import", "csv", path, "--map", mapping] if importer == "csv" else \
        ["import", "hubspot", path, "--stage-map", mapping]
    before = counts()
    result = cli(*args)
    assert result.code == 1, result
    assert f"map.yaml:{line}:" in result.err and message in result.err, result.err
    assert "Traceback" not in result.err
    assert counts() == before
