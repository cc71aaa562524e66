"""``python -m benchmarks.profile_api``: where the time of one API stage move goes (cProfile), before and after.

On a throw-away PostgreSQL cluster (`salesflow.devtools.pgcluster`) with records prepared as for the API
benchmark, ``POST /api/records/{id}/move`` is sent ``--requests`` times straight into Django's WSGI handler
(no network, no gunicorn: what the server process itself spends), once with ``CONN_MAX_AGE=0`` (a new database
connection per request: *before*) and once with persistent connections (*after*). Prints the mean ms per
request and the functions with the most cumulative time per request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from typing import Any

from salesflow.devtools import pgcluster


def _environ(record_id: int, token: str) -> dict[str, Any]:
    body = json.dumps({"stage": "solution_design"}).encode()
    return {"REQUEST_METHOD": "POST", "PATH_INFO": f"/api/records/{record_id}/move", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json", "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {token}", "wsgi.errors": sys.stderr}


def _send(handler: Any, record_id: int, token: str) -> None:
    statuses: list[str] = []
    response = handler(_environ(record_id, token), lambda status, _headers: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished: closes the database connection when CONN_MAX_AGE is 0
    if not statuses[0].startswith("200"):
        raise RuntimeError(f"record {record_id}: {statuses[0]}")


def profile(requests: int, top: int) -> str:
    """Profile the requests before and after; return the printed text."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from benchmarks import scenarios
    from salesflow.people.tokens import create_token
    from salesflow.records import demo

    users = demo.create_users()
    _token, secret = create_token(users["head"], "benchmark")
    template = scenarios.prepare_template(users)
    handler = WSGIHandler()
    lines = []
    for name, max_age in (("before: CONN_MAX_AGE=0", 0), ("after: CONN_MAX_AGE=300", 300)):
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = max_age
        warm, ids = scenarios.clone_records(template, 5), scenarios.clone_records(template, requests)
        connection.close()
        for record_id in warm:
            _send(handler, record_id, secret)
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for record_id in ids:
            _send(handler, record_id, secret)
        profiler.disable()
        elapsed = (time.perf_counter() - start) * 1000 / requests
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(top)
        lines += [f"== {name}: {elapsed:.1f} ms per request (in the WSGI handler, {requests} requests, profiled) ==",
                  text.getvalue()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Start a throw-away cluster, profile, print."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, metavar="N", help="profiled requests (default 200)")
    parser.add_argument("--top", type=int, default=25, metavar="N", help="functions printed (default 25)")
    args = parser.parse_args(argv)
    cluster = pgcluster.start_cluster(dbname="salesflow_profile")
    try:
        import os

        os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
        from benchmarks.worker import setup_django

        setup_django(cluster.create_database())
        print(profile(args.requests, args.top))
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
