"""The ``salesflow forecast`` actions of the forecast submissions: submit, adjust, rollup, lock, team, accuracy."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError

ACTIONS = {
    "submit": "Submit your own call for a period: commit and best case (with a note).",
    "adjust": "Adjust a team's forecast (its manager or above) or, without --team, the organisation's (Head of Sales).",
    "rollup": "The roll-up per team and owner: weighted, submitted, adjusted and final commit, with the notes.",
    "lock": "Freeze the week's figures at the weekly forecast call (day and time in the library settings).",
    "team": "Set a team's parent team and manager (the sales hierarchy).",
    "accuracy": "Who forecasts better: each submitter, each manager and the system, over the locked weeks.",
}


def add_parsers(sub: Any) -> None:
    """Add the actions' parsers to the ``forecast`` command's subparsers."""
    p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
    for name in ("submit", "adjust"):
        p[name].add_argument("--period", required=True, metavar="PERIOD", help="2027-Q1, 2027-01 or 2027")
        p[name].add_argument("--commit", required=True, metavar="AMOUNT", help="in the corporate currency")
        p[name].add_argument("--as", dest="as_user", required=True, metavar="USER")
        p[name].add_argument("--json", action="store_true")
    p["submit"].add_argument("--best-case", dest="best_case", required=True, metavar="AMOUNT")
    p["submit"].add_argument("--note", default="", metavar="TEXT")
    p["adjust"].add_argument("--team", metavar="TEAM", help="default: the whole organisation")
    p["adjust"].add_argument("--best-case", dest="best_case", metavar="AMOUNT")
    p["adjust"].add_argument("--note", required=True, metavar="TEXT", help="why (required)")
    p["rollup"].add_argument("--period", metavar="PERIOD", help="default: this quarter")
    p["rollup"].add_argument("--as", dest="as_user", metavar="USER", help="as USER may see it (default: all)")
    p["rollup"].add_argument("--json", action="store_true")
    p["lock"].add_argument("--at", metavar="WHEN", help="as if now were WHEN (default: now)")
    p["lock"].add_argument("--period", action="append", metavar="PERIOD", help="default: this and next quarter")
    p["lock"].add_argument("--json", action="store_true")
    p["team"].add_argument("name", metavar="TEAM")
    p["team"].add_argument("--parent", metavar="TEAM", help="the team above it")
    p["team"].add_argument("--no-parent", dest="no_parent", action="store_true", help="make it a top team")
    p["team"].add_argument("--manager", metavar="USER")
    p["team"].add_argument("--as", dest="as_user", metavar="USER", help="who sets it (needs assign_managers)")
    p["accuracy"].add_argument("--period", metavar="PERIOD", help="default: every locked period that has ended")
    p["accuracy"].add_argument("--json", action="store_true")


def _money(value: Any) -> str:
    return "–" if value is None else f"{float(value):,.0f}".replace(",", " ")


def handle(command: Any, action: str, options: dict[str, Any]) -> None:
    """Run one action (``command`` prints)."""
    from salesflow.analytics.options import parse_instant
    from salesflow.analytics.periods import parse_period
    from salesflow.forecasting import locks, services
    from salesflow.records.services import get_user

    user = get_user(options["as_user"]) if options.get("as_user") else None
    if action == "submit":
        item = services.do_submit(user, options["period"], options["commit"], options["best_case"], options["note"])
        data = {"period": item.period, "owner": item.owner.username, "commit": float(item.commit),
                "best_case": float(item.best_case), "note": item.note, "event_seq": item.event_seq}
        _print(command, options, data, f"{item.owner.username} submits {item.period}: commit {_money(item.commit)}, "
                                       f"best case {_money(item.best_case)}")
    elif action == "adjust":
        item = services.do_adjust(user, options["period"], options.get("team"), options["commit"], options["note"],
                                  options.get("best_case"))
        scope = item.team.name if item.team else "the organisation"
        data = {"period": item.period, "team": item.team.name if item.team else None, "commit": float(item.commit),
                "best_case": float(item.best_case) if item.best_case is not None else None, "note": item.note,
                "by": item.adjusted_by.username, "event_seq": item.event_seq}
        _print(command, options, data, f"{item.adjusted_by.username} adjusts {scope} {item.period}: commit "
                                       f"{_money(item.commit)} ({item.note})")
    elif action == "rollup":
        data = services.to_json(services.rollup_data(options.get("period"), user))
        if options["json"]:
            command.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        command.stdout.write(f"Forecast roll-up {data['period']} ({data['currency']})")
        command.stdout.write(f"{'':<28}{'weighted':>14}{'submitted':>14}{'adjusted':>14}{'final':>14}  notes")
        for row in data["rows"]:
            name = "  " * row["depth"] + row["name"]
            notes = "; ".join(f"{note['by']}: {note['text']}" for note in row["notes"])
            command.stdout.write(f"{name:<28}{_money(row['weighted']):>14}{_money(row['submitted_commit']):>14}"
                                 f"{_money(row['adjusted_commit']):>14}{_money(row['final_commit']):>14}  {notes}")
    elif action == "lock":
        periods = [parse_period(text) for text in options["period"]] if options.get("period") else None
        done = locks.do_lock(parse_instant(options.get("at"), "--at"), periods)
        data = [{"period": lock.period, "week": lock.week.isoformat(), "locked_at": lock.locked_at.isoformat()}
                for lock in done]
        if options["json"]:
            command.stdout.write(json.dumps(data, indent=2))
        else:
            for item in data:
                command.stdout.write(f"{item['period']} locked at {item['locked_at']}")
            if not data:
                command.stdout.write("nothing to lock: this week's call is locked already")
    elif action == "team":
        if options.get("parent") and options.get("no_parent"):
            raise CommandError("give --parent or --no-parent, not both", returncode=1)
        team = services.do_set_team(user, options["name"], options.get("parent"), options.get("manager"),
                                    clear_parent=options.get("no_parent", False))
        command.stdout.write(f"{team.name}: parent {team.parent.name if team.parent else '–'}, "
                             f"manager {team.manager.username if team.manager else '–'}")
    else:
        data = locks.accuracy(options.get("period"))
        if options["json"]:
            command.stdout.write(json.dumps(data, indent=2))
            return
        command.stdout.write(f"Forecast accuracy over {', '.join(data['periods']) or 'no ended period'}")
        for row in data["rows"]:
            mape = f"{100 * row['mape']:.1f} %" if row["mape"] is not None else "–"
            bias = f"{100 * row['bias']:+.1f} %" if row["bias"] is not None else "–"
            command.stdout.write(f"{row['kind']:<16}{row['who']:<20} forecasts {row['forecasts']:>3}  MAPE {mape:>8}"
                                 f"  bias {bias:>8}")


def _print(command: Any, options: dict[str, Any], data: dict[str, Any], text: str) -> None:
    if options.get("json"):
        command.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        command.stdout.write(text)
