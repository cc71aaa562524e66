"""Gunicorn run in-process with Salesflow's WSGI application."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

#: Defaults a config file or the command line may change.
DEFAULTS: dict[str, Any] = {
    "worker_class": "gthread",
    "threads": 4,
    "timeout": 60,
    "graceful_timeout": 30,
    "keepalive": 5,
    "accesslog": "-",
    "errorlog": "-",
    "forwarded_allow_ips": "127.0.0.1,::1",
    "max_requests": 2000,
    "max_requests_jitter": 200,
}


class SalesflowServer(BaseApplication):
    """Gunicorn with options from a dict (and an optional config file under them)."""

    def __init__(self, options: dict[str, Any], config_file: str | None = None) -> None:
        self.options = options
        self.config_file = config_file
        super().__init__()

    def load_config(self) -> None:
        for key, value in DEFAULTS.items():
            self.cfg.set(key, value)
        if self.config_file:
            self.load_config_from_file(self.config_file)
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from salesflow.wsgi import application

        return application


def run_gunicorn(options: dict[str, Any], config_file: str | None = None) -> None:
    """Serve until stopped (SIGTERM / SIGINT)."""
    SalesflowServer(options, config_file).run()
