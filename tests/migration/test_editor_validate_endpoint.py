"""The editor's validation endpoint answers with the validator's messages at their lines; preview and download."""

from __future__ import annotations

from django.test import Client

from tests.migration.conftest import LIBRARY_FILE, PROCESS, TARGET, target_text


def test_validate_endpoint_returns_line_numbered_messages(setup) -> None:
    client = Client()
    client.force_login(setup.ops)
    text = LIBRARY_FILE.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad_line = next(number for number, line in enumerate(lines, 1) if line.strip() == "probability: 50")
    broken = text.replace("    probability: 50\n", "    probability: 150\n", 1)
    url = "/guidelines/propose/validate"
    answer = client.post(url, {"text": broken}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    data = answer.json()
    assert data["ok"] is False
    assert any(problem["line"] == bad_line and "150" in problem["message"] for problem in data["problems"]), data
    fine = client.post(url, {"text": target_text()}, HTTP_ACCEPT="application/json").json()
    assert fine == {"ok": True, "problems": []}
    # the fragment the editor swaps in (htmx): each problem with its line, the lines listed for the gutter
    fragment = client.post(url, {"text": broken}).content.decode()
    assert f'data-goto-line="{bad_line}"' in fragment and f'data-lines="{bad_line}"' in fragment
    # the auditor reads guidelines, does not edit them
    client.force_login(setup.auditor)
    assert client.post(url, {"text": broken}).status_code == 403


def test_preview_shows_the_semantic_diff_flowchart_and_guideline_and_download_gives_the_yaml(setup) -> None:
    client = Client()
    client.force_login(setup.ops)
    text = target_text().replace(f"version: {TARGET}\n", f"version: {TARGET + 1}\n", 1).replace(
        "    probability: 60\n", "    probability: 65\n", 1)
    page = client.post("/guidelines/propose/preview", {"text": text}).content.decode()
    assert f"v{TARGET} to v{TARGET + 1}" in page and "65" in page and 'id="preview-changes"' in page
    assert "data:image/svg+xml;base64," in page and "guideline-doc" in page
    download = client.get(f"/guidelines/{PROCESS}/v{TARGET}/yaml/")
    assert download.status_code == 200 and download["Content-Disposition"].endswith(f'-v{TARGET}.yaml"')
    assert download.content.decode() == target_text()
