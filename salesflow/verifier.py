"""Stand-alone verifier of an exported Salesflow event log (standard library plus ``cryptography``).

An auditor needs neither the database nor the application::

    python verifier.py events.csv --checkpoint events.csv.checkpoint.json --public-key events.csv.public-key.pem
    python -m salesflow.verifier events.csv          # the two files beside the export are found by name

It checks that

1. the checkpoint is signed (Ed25519) by the given public key — compare the key's fingerprint it
   prints with the one the operator published, a key shipped beside the export proves nothing alone;
2. the export is the whole log from event 1, gapless, each event linking to the one before
   (``prev_hash``) and each ``hash`` equal to SHA-256 of ``prev_hash`` plus the canonical JSON of the
   event's fields (exactly as Salesflow computes it);
3. the export reaches the checkpoint and its event at the checkpoint's ``seq`` carries the
   checkpoint's ``hash`` — so no checkpointed event was edited, removed or reordered, even by
   someone who recomputed every hash.

Exit code 0 when all holds, 1 naming the first problem (event ``seq`` or file line), 2 for bad use.
This file has no other Salesflow import on purpose: the audit pack ships a copy of it.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
CHECKPOINT_FORMAT = "salesflow-checkpoint/1"
#: The columns of ``salesflow export events`` the hash covers (plus prev_hash and hash).
EXPORT_COLUMNS = ("seq", "at", "record", "process", "process_version", "kind", "from_stage", "to_stage",
                  "activity", "approval", "actor", "actor_name", "role", "imported", "payload", "prev_hash", "hash")
_TEXT_FIELDS = ("process", "kind", "from_stage", "to_stage", "activity", "approval", "actor_name", "role")
_INT_FIELDS = ("record", "process_version", "actor")


def canonical_json(value: Any) -> str:
    """The serialisation Salesflow hashes and signs: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checkpoint_message(checkpoint: dict[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: every field but ``signature``, canonical JSON."""
    return canonical_json({key: value for key, value in checkpoint.items() if key != "signature"}).encode("utf-8")


def key_fingerprint(public_key: Any) -> str:
    """SHA-256 of the raw Ed25519 public key, hex (what checkpoints name as ``key``)."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_public_key(pem: bytes) -> Any:
    """An Ed25519 public key from PEM; ValueError when it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def signature_problem(checkpoint: dict[str, Any], public_key: Any) -> str:
    """Why a checkpoint's signature does not hold for ``public_key`` ("" when it does)."""
    from cryptography.exceptions import InvalidSignature

    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        return f"not a Salesflow checkpoint (format {checkpoint.get('format')!r})"
    fingerprint = key_fingerprint(public_key)
    if checkpoint.get("key") != fingerprint:
        return f"signed by key {str(checkpoint.get('key'))[:16]}…, not by the given key {fingerprint[:16]}…"
    try:
        signature = base64.b64decode(str(checkpoint.get("signature", "")), validate=True)
        public_key.verify(signature, checkpoint_message(checkpoint))
    except (InvalidSignature, ValueError):
        return "the signature does not match the checkpoint (forged or altered)"
    return ""


def timestamp_text(text: str) -> str:
    """An exported instant as hashed: UTC with microseconds and a Z."""
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hashed_fields(row: dict[str, str]) -> dict[str, Any]:
    """The fields of an exported event as Salesflow hashes them."""
    fields: dict[str, Any] = {name: row.get(name) or "" for name in _TEXT_FIELDS}
    for name in _INT_FIELDS:
        fields[name] = int(row[name]) if row.get(name) else None
    fields["seq"] = int(row["seq"])
    fields["at"] = timestamp_text(row["at"])
    fields["payload"] = json.loads(row["payload"]) if row.get("payload") else {}
    imported = (row.get("imported") or "").strip().lower()
    if imported not in ("true", "false", "1", "0", ""):
        raise ValueError(f"imported: expected true or false, got {row.get('imported')!r}")
    fields["imported"] = imported in ("true", "1")
    return fields


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash followed by the canonical JSON of the event's fields."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


@dataclass
class Report:
    """What the verifier found."""

    ok: bool = True
    events: int = 0
    problem: str = ""
    seq: int | None = None
    line: int | None = None
    checkpoint: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    uncovered: int = 0

    def fail(self, problem: str, seq: int | None = None, line: int | None = None) -> Report:
        """Mark the report failed with its first problem."""
        self.ok, self.problem, self.seq, self.line = False, problem, seq, line
        return self

    def to_data(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {"ok": self.ok, "events": self.events, "problem": self.problem, "seq": self.seq, "line": self.line,
                "checkpoint": {key: self.checkpoint.get(key) for key in ("seq", "hash", "time", "database")},
                "key": self.key, "events_after_checkpoint": self.uncovered}


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in EXPORT_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: not an event export (missing columns: {', '.join(missing)})")
        for row in reader:
            yield reader.line_num, row


def verify_export(path: Path, checkpoint: dict[str, Any], public_key: Any) -> Report:
    """Check an exported event log (CSV) against a signed checkpoint; the first problem fails it."""
    report = Report(checkpoint=checkpoint, key=key_fingerprint(public_key))
    problem = signature_problem(checkpoint, public_key)
    if problem:
        return report.fail(f"checkpoint: {problem}")
    if path.suffix.lower() != ".csv":
        return report.fail(f"{path.name}: the verifier reads CSV exports (salesflow export events -o events.csv)")
    target_seq, target_hash = int(checkpoint["seq"]), str(checkpoint["hash"])
    prev, expected, reached = GENESIS, 1, target_seq == 0
    try:
        for line, row in _rows(path):
            try:
                fields = hashed_fields(row)
            except (ValueError, KeyError, TypeError) as error:
                return report.fail(f"line {line}: cannot read the event ({error})", line=line)
            seq = fields["seq"]
            if seq != expected:
                what = "missing" if seq > expected else "out of order"
                return report.fail(f"event {expected} is {what} (line {line} holds event {seq}): the export is not "
                                   "the complete log (export without --as and filters) or events were removed",
                                   expected, line)
            if row["prev_hash"] != prev:
                return report.fail(f"event {seq} does not link to event {seq - 1} (prev_hash differs)", seq, line)
            if event_hash(prev, fields) != row["hash"]:
                return report.fail(f"event {seq} ({fields['kind']}) was altered: its content does not match its hash",
                                   seq, line)
            if seq == target_seq:
                if row["hash"] != target_hash:
                    return report.fail(f"event {seq} does not carry the checkpointed hash: an event up to {seq} was "
                                       "changed, removed or reordered and the later hashes recomputed", seq, line)
                reached = True
            prev, expected = row["hash"], expected + 1
            report.events += 1
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as error:
        return report.fail(f"{path.name}: {error}")
    if not reached:
        return report.fail(f"the export ends at event {expected - 1}, the checkpoint says the log reached event "
                           f"{target_seq}: events were removed (or the export is older than the checkpoint)",
                           expected)
    report.uncovered = report.events - target_seq
    return report


def _read_checkpoint(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("checkpoint"), dict):
        data = data["checkpoint"]
    if not isinstance(data, dict) or "seq" not in data or "hash" not in data:
        raise ValueError("not a checkpoint (needs seq, hash, signature)")
    return data


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m salesflow.verifier",
                                     description="Check an exported Salesflow event log (CSV) against a signed "
                                                 "checkpoint, without the database or the application.")
    parser.add_argument("export", type=Path, help="the event export (salesflow export events -o FILE.csv)")
    parser.add_argument("--checkpoint", type=Path, help="the checkpoint (default: EXPORT.checkpoint.json)")
    parser.add_argument("--public-key", type=Path, help="the Ed25519 public key, PEM (default: EXPORT.public-key.pem)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    checkpoint_path = args.checkpoint or args.export.with_name(args.export.name + ".checkpoint.json")
    key_path = args.public_key or args.export.with_name(args.export.name + ".public-key.pem")
    try:
        checkpoint = _read_checkpoint(checkpoint_path)
    except (OSError, ValueError) as error:
        print(f"error: {checkpoint_path}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return 2
    try:
        public_key = load_public_key(key_path.read_bytes())
    except (OSError, ValueError) as error:
        print(f"error: {key_path}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return 2
    if not args.export.is_file():
        print(f"error: {args.export}: no such file", file=sys.stderr)
        return 2
    report = verify_export(args.export, checkpoint, public_key)
    if args.json:
        print(json.dumps(report.to_data(), indent=2, ensure_ascii=False))
    if not report.ok:
        print(f"error: {report.problem}", file=sys.stderr)
        return 1
    if not args.json:
        print(f"ok: {report.events} events verified; event {checkpoint['seq']} matches the checkpoint of "
              f"{checkpoint.get('time')} signed by key {report.key}; {report.uncovered} later event(s) are not "
              "covered by the checkpoint")
    return 0


if __name__ == "__main__":
    sys.exit(main())
