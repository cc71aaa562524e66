"""The production path from a built wheel in a clean virtual environment (not the source tree):
`init`, `serve` (login page with CSS and JavaScript, a plain 404, /healthz ok), `migrate`, `worker --once`.

The wheel is installed with ``--no-deps``; the environment finds the (large) dependencies through a
``.pth`` file pointing at the running interpreter's site-packages, so the test needs no network and
stays fast while every Salesflow file — code, templates, static files, migrations, the default
library, translations — comes from the wheel.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .run import fetch, free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.installation


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def test_install_from_wheel_and_run(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    base_env = {key: value for key, value in os.environ.items()
                if key not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "SECRET_KEY",
                               "ALLOWED_HOSTS", "EMAIL_URL", "SALESFLOW_BASE_URL"}}
    _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-w", str(dist),
          "-q"], base_env, tmp_path)
    wheels = list(dist.glob("salesflow-*.whl"))
    assert len(wheels) == 1

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base_env, tmp_path)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheels[0])], base_env, tmp_path)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base_env,
                     tmp_path).stdout.strip())
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    home = tmp_path / "srv"
    home.mkdir()
    env = {**base_env, "SALESFLOW_VAR_DIR": str(home / "var")}
    salesflow = str(venv / "bin" / "salesflow")
    where = _run([str(python), "-c", "import salesflow, sys; print(salesflow.__file__)"], env, home).stdout
    assert str(site) in where and str(ROOT) not in where  # the installed package, not the checkout

    (home / "pw").write_text("Harbour-Lights-Evening-77\n")
    _run([salesflow, "init", "--admin", "admin", "--email", "admin@example.com", "--password-file",
          str(home / "pw"), "--processes", "all"], env, home)
    port = free_port()
    server = subprocess.Popen([salesflow, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env,
                              cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", server)
        status, _headers, body = fetch(f"{base}/accounts/login/")
        assert status == 200
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', body.decode())
        assert assets and all(fetch(base + asset)[0] == 200 for asset in assets)
        status, _headers, body = fetch(f"{base}/no/such/page/")
        assert status == 404 and b"Traceback" not in body and b"URLconf" not in body
        status, _headers, body = fetch(f"{base}/healthz")
        assert status == 200 and body.startswith(b"ok\n")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    _run([salesflow, "migrate", "--noinput"], env, home)  # the upgrade path: nothing to do, nothing loaded
    once = _run([salesflow, "worker", "--once"], env, home)
    assert "schedules: ok" in once.stdout and "forecast_snapshot: ok" in once.stdout
