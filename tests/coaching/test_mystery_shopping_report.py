"""`salesflow report mystery-shopping --format json`: score by partner / rep / quarter, trend and pass rate, on three
assessments whose scores are computed by hand (see the answers in the conftest)."""

from __future__ import annotations

from tests.coaching.conftest import PARTNER_62_5, PARTNER_ALL_YES, REP_86_5


def test_scores_by_partner_rep_and_quarter(cli, people, partners, assess) -> None:
    nord = partners["nord"]
    assert assess("partner-mystery-shopping", f"partner:{nord.pk}", PARTNER_ALL_YES, "2026-01-10").score_percent == 100
    assert float(assess("partner-mystery-shopping", f"partner:{nord.pk}", PARTNER_62_5, "2026-04-10")
                 .score_percent) == 62.5
    assert float(assess("sales-force-mystery-shopping", "user:kam", REP_86_5, "2026-04-20").score_percent) == 86.5
    # not mystery shopping: a channel-satisfaction assessment does not count here
    assess("channel-satisfaction", f"partner:{nord.pk}", {"overall": 5, "training": 5, "material": "yes",
                                                          "presales": 5, "leads": "yes", "manager_contact": "yes"},
           "2026-02-01")

    result = cli("report", "mystery-shopping", "--format", "json")
    assert result.code == 0, result
    report = result.json()
    summary = report["summary"]
    assert summary["assessments"] == 3 and summary["passed"] == 2
    assert summary["score"] == 83.0                       # (100 + 62.5 + 86.5) / 3
    assert summary["pass_rate"] == 0.6667                 # 62.5 < pass mark 80
    assert summary["trend"] == -25.5                      # Q2 (62.5 + 86.5) / 2 = 74.5 − Q1 100
    assert summary["partners_score"] == 81.2 and summary["reps_score"] == 86.5
    periods = {(row["period"], row["group"]): row for row in report["tables"]["periods"]["rows"]}
    assert set(periods) == {("2026-Q1", "partner"), ("2026-Q2", "partner"), ("2026-Q2", "rep")}
    assert periods[("2026-Q2", "partner")]["score"] == 62.5 and periods[("2026-Q2", "partner")]["pass_rate"] == 0.0
    subjects = {row["subject"]: row for row in report["tables"]["subjects"]["rows"]}
    assert subjects["Fachhandel Nord GmbH"]["trend"] == -37.5 and subjects["Fachhandel Nord GmbH"]["last_score"] == 62.5
    assert subjects["Kai Becker"]["group"] == "rep" and subjects["Kai Becker"]["assessments"] == 1

    ranged = cli("report", "mystery-shopping", "--from", "2026-04-01", "--format", "json").json()
    assert ranged["summary"]["assessments"] == 2 and ranged["summary"]["trend"] is None

    csv = cli("report", "mystery-shopping", "--format", "csv", "--table", "subjects")
    assert csv.code == 0 and "Fachhandel Nord GmbH" in csv.out
