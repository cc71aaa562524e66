"""CSV logs as people have them: separator, encoding, day-first dates found out; a bad row named by its line."""

from __future__ import annotations

import pytest

from salesflow.analytics.logs import analyze_file, read_log
from salesflow.engine.errors import BadInput

ROWS = [("1", "Anfrage prüfen", "31.12.2026 17:30"), ("1", "Angebot", "02.01.2027 09:00"),
        ("2", "Anfrage prüfen", "01.01.2027 08:00")]


@pytest.mark.parametrize(("separator", "encoding"), [(";", "cp1252"), (",", "utf-8-sig"), ("\t", "utf-8"),
                                                     ("|", "cp1252")])
def test_separator_and_encoding_are_found_out(tmp_path, separator, encoding):
    path = tmp_path / "vorgaenge.csv"
    lines = [separator.join(("Vorgang", "Schritt", "Zeit"))] + [separator.join(row) for row in ROWS]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    result = analyze_file(path, case="Vorgang", activity="Schritt", timestamp="Zeit")
    assert (result["cases"], result["events"]) == (2, 3)
    assert result["activities"] == {"Anfrage prüfen": 2, "Angebot": 1}
    assert result["dfg"][0]["mean_seconds"] == 39.5 * 3600   # 31.12. 17:30 → 02.01. 09:00, day-first


def test_forced_format_and_bad_rows(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case;activity;timestamp\n1;a;12/01/2026 10:00\n1;b;12/02/2026 10:00\n", encoding="utf-8")
    with pytest.raises(BadInput, match="day-first or month-first"):
        read_log(path)
    table = read_log(path, timestamp_format="%m/%d/%Y %H:%M")
    assert table.column("timestamp")[1].as_py().day == 2
    with pytest.raises(BadInput, match=r"line 2, column 'timestamp'"):
        read_log(path, timestamp_format="%d.%m.%Y %H:%M")
    path.write_text("case;activity;timestamp\n1;a;31.12.2026 17:30\n1;b;02.01.2027 09:00;x\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"line 3: 4 cells where the header has 3"):
        read_log(path)


def test_analyze_of_a_file_does_not_import_django(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n1,a,2026-01-01T10:00:00Z\n1,b,2026-01-01T11:00:00Z\n", encoding="utf-8")
    code = ("import sys, json\nfrom salesflow.cli import main\ntry:\n    main(['analyze', sys.argv[1], '--format', 'json'])\n"
            "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ibis', 'duckdb'))))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2], check=True)
    assert '"cases": 1' in done.stdout
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
