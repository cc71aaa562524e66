"""Calibration closes the loop: the guideline's responsible role (the Head of Sales in the default library) turns
the calibration's suggested probabilities into a draft version in one step (CLI and web); nobody else may; the
draft goes to document control like any change."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from salesflow.process.calibrate import with_probabilities
from salesflow.process.validate import parse_text
from salesflow.records.models import Event, ProcessVersion
from tests.analytics.build import PROCESS, Opportunity


@pytest.fixture
def closed(people, monkeypatch):
    import types

    from salesflow.guidelines import calibration
    from tests.analytics.build import day

    monkeypatch.setattr(calibration, "timezone", types.SimpleNamespace(now=lambda: day(100)))  # after the closes
    for _ in range(3):
        Opportunity(people, "kam").qualify(2).design(4).propose(6).win(10)
    Opportunity(people, "kam2").lose(3)


def test_rewrites_only_the_probabilities():
    from pathlib import Path

    source = Path("salesflow/library/opportunity-management.yaml").read_text(encoding="utf-8")
    text = with_probabilities(source, {"qualification": 37, "proposal": 61}, 9)
    parsed = parse_text(text).definition
    assert parsed.version == 9
    assert parsed.stage("qualification").probability == 37 and parsed.stage("proposal").probability == 61
    assert parsed.stage("negotiation").probability == 80
    changed = [(a, b) for a, b in zip(source.split("\n"), text.split("\n"), strict=True) if a != b]
    assert len(changed) == 3          # the version line and two probability lines, nothing else


def test_head_of_sales_creates_the_draft(closed, cli, people):
    refused = cli("process", "calibrate", PROCESS, "--as", "kam")
    assert refused.code == 4 and "responsible role" in refused.err
    result = cli("process", "calibrate", PROCESS, "--as", "head", "--json")
    assert result.code == 0, result
    draft = ProcessVersion.objects.get(process__key=PROCESS, status="draft")
    # qualification: 3 of the 4 records in it won → (3 + 10 × 10 %) / 14 = 29 %
    assert "qualification 10 → 29 % (n=4)" in draft.change_note
    assert draft.definition["stages"][0]["probability"] == 29
    assert Event.objects.filter(kind="process_version_proposed", process=PROCESS).count() == 1
    assert cli("process", "submit", PROCESS, str(draft.version), "--as", "head").code == 0
    assert cli("audit", "verify").code == 0


def test_web_button_only_for_the_responsible_role(closed, people):
    page = reverse("controlling_report", args=["calibration"]) + f"?process={PROCESS}"
    head, kam = Client(), Client()
    head.force_login(people["head"])
    kam.force_login(people["kam"])
    assert "controlling/calibrate/" not in kam.get(page).content.decode()
    assert "controlling/calibrate/" in head.get(page).content.decode()
    assert kam.post(reverse("controlling_calibrate", args=[PROCESS])).status_code == 302
    assert not ProcessVersion.objects.filter(status="draft").exists()
    response = head.post(reverse("controlling_calibrate", args=[PROCESS]))
    assert response.status_code == 302 and response["Location"].endswith(f"/processes/{PROCESS}/")
    assert ProcessVersion.objects.filter(status="draft").count() == 1
