"""A write load for the backup tests: ``python -m tests.records.backup_load`` appends records, field
changes, activities and documents to the database of ``DATABASE_URL`` and prints ``ack RECORD VERSION``
after each committed action, until standard input is closed. ``python -m tests.records.backup_load PAUSE``
waits PAUSE seconds between actions (a steady load that does not outrun a slow reader)."""

from __future__ import annotations

import os
import select
import sys
import time

#: The load stops by itself after this many seconds (a test that forgot to close stdin).
LIMIT_SECONDS = 600


def main() -> None:
    """Run the load until stdin closes (or `LIMIT_SECONDS` have passed)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    django.setup()
    from salesflow.people.models import User
    from salesflow.people.services import do_add_user
    from salesflow.records import chain, services

    kam = User.objects.filter(username="load-kam").first() or do_add_user("load-kam", ["kam"], [])
    pause = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    deadline = time.monotonic() + LIMIT_SECONDS
    print("ready", flush=True)
    step = 0
    while time.monotonic() < deadline:
        if select.select([sys.stdin], [], [], pause)[0] and not sys.stdin.readline():
            return
        step += 1
        record = services.do_create_record("opportunity-management", kam,
                                           {"title": f"Load {step}", "amount": str(1000 + step)})
        record = services.do_set_fields(record.pk, kam, {"close_date": "2027-06-30"})
        record = services.do_complete_activity(record.pk, kam, "risk_analysis")
        if step % 5 == 0:
            chain.do_add_document(record.pk, kam, f"offer-{step}.txt", f"offer {step}".encode())
            record.refresh_from_db()
        print(f"ack {record.pk} {record.version}", flush=True)


if __name__ == "__main__":
    main()
