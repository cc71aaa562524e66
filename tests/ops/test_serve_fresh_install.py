"""Done when: `salesflow serve` on a fresh `salesflow init` database, no DEBUG or SECRET_KEY set, serves the
login page with its CSS and JavaScript, a plain 404 and an ok /healthz (a real gunicorn in a subprocess)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .run import environment, fetch, free_port, salesflow, wait_until_up

pytestmark = pytest.mark.installation


def test_serve_on_a_fresh_installation(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (tmp_path / "password").write_text("Mountain-Lake-Sunrise-42\n")
    init = salesflow(var, "init", "--admin", "admin", "--email", "admin@example.com",
                     "--password-file", str(tmp_path / "password"), "--processes", "opportunity-management")
    assert init.returncode == 0, init.stderr
    assert (var / "secret_key").is_file()

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "salesflow.cli", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1"], env=environment(var), cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", server)
        status, _headers, body = fetch(f"{base}/accounts/login/")
        assert status == 200
        page = body.decode()
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
        assert any(item.endswith(".css") for item in assets) and any(item.endswith(".js") for item in assets)
        for asset in assets:
            status, headers, content = fetch(base + asset)
            assert status == 200 and content, asset
            assert ("css" if asset.endswith(".css") else "javascript") in headers["Content-Type"]

        status, _headers, body = fetch(f"{base}/no/such/page/")
        assert status == 404
        text = body.decode()
        for debug_marker in ("Traceback", "URLconf", "DEBUG = True", "Using the URLconf", "technical_404"):
            assert debug_marker not in text

        status, _headers, body = fetch(f"{base}/healthz")
        assert status == 200 and body.decode().splitlines()[0] == "ok"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
