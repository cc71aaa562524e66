"""Calibration: empirical win rate per stage with its Wilson interval, the Brier score and the suggested
probability, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from salesflow.analytics.reports.calibration import wilson_interval
from tests.analytics.build import Opportunity, report, rows_by


def test_calibration_per_stage(people):
    Opportunity(people, "kam", at=0).qualify(2).design(4).propose(6).win(8)       # A: won
    Opportunity(people, "kam", at=0).qualify(2).lose(4)                           # B: lost in solution design
    Opportunity(people, "kam2", at=0).lose(3)                                     # C: lost in qualification
    Opportunity(people, "kam2", at=0).qualify(2).design(4).lose(6)                # D: lost in proposal
    Opportunity(people, "mate", at=0).qualify(2).design(4).propose(6)             # E: open, not counted
    result = report("calibration")
    stages = rows_by(result, "stages", "stage")
    assert [(stages[s]["n"], stages[s]["won"]) for s in ("qualification", "solution_design", "proposal",
                                                         "negotiation")] == [(4, 1), (3, 1), (2, 1), (1, 1)]
    assert stages["qualification"]["win_rate"] == 0.25
    # suggested = (won + 10 × default) / (n + 10)
    assert [stages[s]["suggested_probability"] for s in ("qualification", "solution_design", "proposal",
                                                         "negotiation")] == [14, 31, 50, 82]
    # Wilson interval of 1 in 4 at 95 %
    z = 1.959963984540054
    centre = (0.25 + z * z / 8) / (1 + z * z / 4)
    half = z * math.sqrt(0.25 * 0.75 / 4 + z * z / 64) / (1 + z * z / 4)
    assert stages["qualification"]["ci_low"] == round(centre - half, 4)
    assert stages["qualification"]["ci_high"] == round(centre + half, 4)
    # Brier of the defaults over the 10 (record, stage) pairs: (0.81 + 3×0.01) + (0.49 + 2×0.09) + 2×0.25 + 0.04
    assert result.summary["pairs"] == 10
    assert result.summary["brier_default"] == 0.205


def test_wilson_interval_without_observations():
    assert wilson_interval(0, 0) == (None, None)
    low, high = wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and 0.6 < low < 0.8
