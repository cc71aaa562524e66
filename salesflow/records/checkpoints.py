"""Signed checkpoints of the event chain, kept outside the database (ISO 27001 A.8.15).

A checkpoint is the chain head — ``seq``, ``hash`` — with the time it was taken and the identity
of the database, signed with an Ed25519 key the database does not hold, and appended as one JSON
line to a journal outside the database (optionally also sent to syslog). `verify_checkpoints`
then proves that every checkpointed event is still in the chain with the same hash and that the
chain still reaches the newest checkpoint: truncating the log or rewriting a checkpointed event is
detected even when the forger recomputed every hash and moved the chain head.

Configuration (environment, read when used):

- ``SALESFLOW_CHECKPOINT_KEY_FILE`` (PEM, PKCS#8 Ed25519 private key) or ``SALESFLOW_CHECKPOINT_KEY``
  (the PEM text itself). In development (``DEBUG``) a key is generated into ``var/checkpoint-key.pem``
  on first use; with DEBUG off one must be configured. Keep it apart from the database credentials.
- ``SALESFLOW_CHECKPOINT_PUBLIC_KEY_FILE``: verify with a public key only (a host that may not sign).
- ``SALESFLOW_CHECKPOINT_JOURNAL``: the journal file (or a directory: one ``<identity>.jsonl`` per
  database). Default: beside an SQLite file (``<file>.checkpoints.jsonl``), else
  ``var/checkpoints/<identity>.jsonl``.
- ``SALESFLOW_CHECKPOINT_SYSLOG``: also send each checkpoint to syslog (``/dev/log``, ``host`` or
  ``host:port`` for UDP).
- ``SALESFLOW_CHECKPOINT_INTERVAL``: seconds between the checkpoints scheduled jobs write (default 300).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import fcntl
import json
import logging
import logging.handlers
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from salesflow import verifier
from salesflow.records.eventlog import GENESIS
from salesflow.records.models import ChainHead, DatabaseIdentity, Event

KEY_FILE_VAR = "SALESFLOW_CHECKPOINT_KEY_FILE"
KEY_VAR = "SALESFLOW_CHECKPOINT_KEY"
PUBLIC_KEY_FILE_VAR = "SALESFLOW_CHECKPOINT_PUBLIC_KEY_FILE"
JOURNAL_VAR = "SALESFLOW_CHECKPOINT_JOURNAL"
SYSLOG_VAR = "SALESFLOW_CHECKPOINT_SYSLOG"
INTERVAL_VAR = "SALESFLOW_CHECKPOINT_INTERVAL"
DEFAULT_INTERVAL = 300
DEVELOPMENT_KEY = "checkpoint-key.pem"

log = logging.getLogger(__name__)


class CheckpointError(Exception):
    """A checkpoint cannot be written or read (no key, bad key, journal not writable)."""


class CheckpointRefused(CheckpointError):
    """The chain contradicts the newest checkpoint: signing its head would launder a rewrite."""


@dataclass
class CheckpointProblem:
    """Something the checkpoints say the chain no longer is; ``seq``: the first event concerned."""

    seq: int | None
    message: str
    line: int | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON-ready problem."""
        return {"seq": self.seq, "message": self.message, "line": self.line}

    def __str__(self) -> str:
        return self.message


# --- identity and journal -------------------------------------------------------------------------

def database_identity() -> str:
    """This database's identity (a UUID stored when it was created; created now if the row is missing)."""
    row = DatabaseIdentity.objects.filter(pk=1).first()
    if row is None:
        row, _ = DatabaseIdentity.objects.get_or_create(
            pk=1, defaults={"uuid": str(uuid.uuid4()), "created_at": datetime.datetime.now(datetime.UTC)})
    return row.uuid


def _sqlite_file() -> str | None:
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return name


def journal_path() -> Path:
    """The checkpoint journal of this database (see the module docstring for the rules)."""
    configured = os.environ.get(JOURNAL_VAR, "").strip()
    if configured:
        path = Path(configured)
        if configured.endswith(os.sep) or path.is_dir():
            return path / f"{database_identity()}.jsonl"
        return path
    sqlite_file = _sqlite_file()
    if sqlite_file:
        return Path(sqlite_file + ".checkpoints.jsonl")
    return Path(settings.VAR_DIR) / "checkpoints" / f"{database_identity()}.jsonl"


def _journal_is_per_database() -> bool:
    """True when the journal file is this database's alone (foreign lines there are a problem)."""
    configured = os.environ.get(JOURNAL_VAR, "").strip()
    return not configured or not (configured.endswith(os.sep) or Path(configured).is_dir())


def read_journal(path: Path | None = None) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """Every line of the journal as ``(line number, checkpoint or None when unreadable)``."""
    path = path or journal_path()
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return
    except OSError as error:
        raise CheckpointError(f"cannot read the checkpoint journal {path}: {error.strerror or error}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                data = None
            yield number, data if isinstance(data, dict) else None


def checkpoints(path: Path | None = None) -> list[dict[str, Any]]:
    """This database's checkpoints in journal order (other databases' lines are not read)."""
    identity = database_identity()
    return [data for _, data in read_journal(path) if data is not None and data.get("database") == identity]


def newest_checkpoint() -> dict[str, Any] | None:
    """The newest correctly signed checkpoint of this database, or None (a line someone appended to
    the journal without the key is passed over; `verify_checkpoints` reports it)."""
    mine = checkpoints()
    if not mine:
        return None
    try:
        key = public_key()
    except CheckpointError:
        return mine[-1]
    return next((data for data in reversed(mine) if not verifier.signature_problem(data, key)), None)


# --- keys -----------------------------------------------------------------------------------------

def _load_private(pem: bytes, where: str) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"{where}: not a PEM private key without password ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{where}: not an Ed25519 key")
    return key


def _development_key() -> Any:
    """The key in var/ (generated once; the file is created atomically, readable by its owner only)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(settings.VAR_DIR) / DEVELOPMENT_KEY
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        try:
            os.link(temporary, path)  # fails if another process was first: then its key is used
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        log.warning("generated a development checkpoint key in %s: configure %s in production", path, KEY_FILE_VAR)
    return _load_private(path.read_bytes(), str(path))


def private_key() -> Any:
    """The signing key: ``SALESFLOW_CHECKPOINT_KEY``, ``…_KEY_FILE``, or (DEBUG only) the development key."""
    text = os.environ.get(KEY_VAR, "").strip()
    if text:
        return _load_private(text.encode("utf-8"), KEY_VAR)
    file = os.environ.get(KEY_FILE_VAR, "").strip()
    if file:
        try:
            pem = Path(file).read_bytes()
        except OSError as error:
            raise CheckpointError(f"{KEY_FILE_VAR}: cannot read {file}: {error.strerror or error}") from None
        return _load_private(pem, f"{KEY_FILE_VAR} {file}")
    if settings.DEBUG:
        return _development_key()
    raise CheckpointError(f"no checkpoint key: set {KEY_FILE_VAR} (an Ed25519 private key, PEM) or {KEY_VAR}")


def public_key() -> Any:
    """The key checkpoints are verified with: ``SALESFLOW_CHECKPOINT_PUBLIC_KEY_FILE``, else the signing key's."""
    file = os.environ.get(PUBLIC_KEY_FILE_VAR, "").strip()
    if file:
        try:
            return verifier.load_public_key(Path(file).read_bytes())
        except (OSError, ValueError) as error:
            raise CheckpointError(f"{PUBLIC_KEY_FILE_VAR} {file}: {getattr(error, 'strerror', None) or error}") \
                from None
    return private_key().public_key()


def public_key_pem() -> str:
    """The public key checkpoints are verified with, PEM (for auditors and the audit pack)."""
    from cryptography.hazmat.primitives import serialization

    return public_key().public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


# --- writing --------------------------------------------------------------------------------------

@contextlib.contextmanager
def _locked(path: Path) -> Iterator[Any]:
    """The journal opened for appending, under an exclusive lock (one checkpoint writer at a time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as error:
        raise CheckpointError(f"cannot write the checkpoint journal {path}: {error.strerror or error}") from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _head() -> tuple[int, str]:
    head = ChainHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head is not None else (0, GENESIS)


def _hash_at(seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    return Event.objects.filter(seq=seq).values_list("hash", flat=True).first()


def _check_extends(previous: dict[str, Any] | None, seq: int, digest: str) -> None:
    """Refuse to sign a head that contradicts the newest checkpoint or the events it names."""
    if _hash_at(seq) != digest:
        raise CheckpointRefused(f"the chain head (event {seq}) does not match event {seq} in the log: "
                                "run salesflow audit verify")
    if previous is None:
        return
    old_seq, old_hash = int(previous["seq"]), str(previous["hash"])
    if seq < old_seq:
        raise CheckpointRefused(f"the chain head is event {seq}, but the checkpoint of {previous.get('time')} "
                                f"reached event {old_seq}: events were removed — run salesflow audit verify")
    if _hash_at(old_seq) != old_hash:
        raise CheckpointRefused(f"event {old_seq} no longer carries the hash checkpointed at {previous.get('time')}: "
                                "the log was rewritten — run salesflow audit verify")


def _syslog(line: str) -> None:
    target = os.environ.get(SYSLOG_VAR, "").strip()
    if not target:
        return
    address: Any = target
    if not target.startswith("/"):
        host, _, port = target.partition(":")
        address = (host, int(port) if port.isdigit() else logging.handlers.SYSLOG_UDP_PORT)
    try:
        handler = logging.handlers.SysLogHandler(address=address)
    except OSError as error:
        raise CheckpointError(f"{SYSLOG_VAR}={target}: {error.strerror or error}") from None
    try:
        handler.emit(logging.LogRecord("salesflow.checkpoint", logging.INFO, __file__, 0, "salesflow-checkpoint %s",
                                       (line,), None))
    finally:
        handler.close()


def _make_durable() -> None:
    """On SQLite, sync the committed transactions to disk before their head is signed: with
    ``synchronous=NORMAL`` a commit is only synced at SQLite's next WAL checkpoint, and a checkpoint
    of events a power cut then undoes would look like removed events. A PASSIVE WAL checkpoint syncs
    the WAL without waiting for readers or blocking writers."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:  # inside a transaction: nothing to sync yet
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except DatabaseError as error:  # best effort: the signature does not depend on it
        log.warning("could not sync the SQLite WAL before a checkpoint: %s", error)


def _in_transaction() -> bool:
    """True inside a transaction that could still roll back (a test case's own outer block aside, as
    Django's ``atomic(durable=True)`` counts it)."""
    return connection.in_atomic_block and any(not getattr(block, "_from_testcase", False)
                                              for block in connection.atomic_blocks)


def write_checkpoint() -> dict[str, Any]:
    """Sign the current chain head and append it to the journal (and syslog); returns the checkpoint.

    Refuses (`CheckpointRefused`) when the head contradicts the newest checkpoint — a truncated or
    rewritten log is never signed. Raises `CheckpointError` without a key or a writable journal, and
    inside a transaction (only committed events may be signed: call it after the commit).
    """
    if _in_transaction():
        raise CheckpointError("a checkpoint signs committed events only: write it after the transaction")
    key = private_key()
    identity = database_identity()
    path = journal_path()
    with _locked(path) as handle:
        previous = newest_checkpoint()
        seq, digest = _head()
        _check_extends(previous, seq, digest)
        _make_durable()
        checkpoint = {"format": verifier.CHECKPOINT_FORMAT, "database": identity, "seq": seq, "hash": digest,
                      "time": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                      "key": verifier.key_fingerprint(key.public_key())}
        checkpoint["signature"] = base64.b64encode(key.sign(verifier.checkpoint_message(checkpoint))).decode("ascii")
        line = verifier.canonical_json(checkpoint)
        handle.seek(0, os.SEEK_END)
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    _syslog(line)
    return checkpoint


def interval_seconds() -> int:
    """``SALESFLOW_CHECKPOINT_INTERVAL`` (default 300 s)."""
    raw = os.environ.get(INTERVAL_VAR, "").strip()
    if not raw:
        return DEFAULT_INTERVAL
    if not raw.isdigit():
        raise CheckpointError(f"{INTERVAL_VAR} must be a number of seconds, got {raw!r}")
    return int(raw)


def checkpoint_if_due(min_interval_seconds: int) -> dict[str, Any] | None:
    """Write a checkpoint when events were appended since the newest one and it is at least
    ``min_interval_seconds`` old (scheduled jobs and the worker call this); None when none was due."""
    newest = newest_checkpoint()
    seq, digest = _head()
    if newest is not None:
        if (int(newest["seq"]), newest["hash"]) == (seq, digest):
            return None
        taken = datetime.datetime.fromisoformat(str(newest["time"]).replace("Z", "+00:00"))
        if datetime.datetime.now(datetime.UTC) - taken < datetime.timedelta(seconds=min_interval_seconds):
            return None
    elif seq == 0:
        return None
    return write_checkpoint()


def checkpoint_after_bulk(stream: Any) -> dict[str, Any] | None:
    """End a command that appended many events with a checkpoint; a missing key is reported, not fatal."""
    try:
        checkpoint = write_checkpoint()
    except CheckpointError as error:
        stream.write(f"warning: no checkpoint written: {error}")
        return None
    stream.write(f"checkpoint: event {checkpoint['seq']} signed into {journal_path()}")
    return checkpoint


# --- verifying ------------------------------------------------------------------------------------

def verify_checkpoints() -> list[CheckpointProblem]:
    """Check the journal against the chain: signatures, identity, order, every checkpointed (seq, hash)
    still in the log, and the log reaching the newest checkpoint. Problems ordered by event."""
    path = journal_path()
    identity = database_identity()
    per_database = _journal_is_per_database()
    problems: list[CheckpointProblem] = []
    mine: list[tuple[int, dict[str, Any]]] = []
    key = None
    for number, data in read_journal(path):
        if data is None:
            problems.append(CheckpointProblem(None, f"{path} line {number} is not a checkpoint", number))
            continue
        if data.get("database") != identity:
            if per_database:
                problems.append(CheckpointProblem(
                    None, f"{path} line {number} is a checkpoint of database {data.get('database')}, but this "
                    f"database is {identity}: the identity was changed or the database replaced", number))
            continue
        if key is None:
            try:
                key = public_key()
            except CheckpointError as error:
                return [CheckpointProblem(None, f"cannot check the checkpoints' signatures: {error}")]
        problem = verifier.signature_problem(data, key)
        if problem:
            problems.append(CheckpointProblem(_int(data.get("seq")), f"{path} line {number}: {problem}", number))
            continue
        mine.append((number, data))
    problems.extend(_against_chain(path, mine))
    return sorted(problems, key=lambda item: (item.seq is None, item.seq or 0))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _against_chain(path: Path, mine: list[tuple[int, dict[str, Any]]]) -> list[CheckpointProblem]:
    problems: list[CheckpointProblem] = []
    if not mine:
        return problems
    end = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    hashes: dict[int, str] = {}
    wanted = sorted({int(data["seq"]) for _, data in mine if 0 < int(data["seq"]) <= end})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        hashes.update(Event.objects.filter(seq__in=chunk).values_list("seq", "hash"))
    good_seq, highest = 0, 0
    newest = max(mine, key=lambda item: int(item[1]["seq"]))
    for number, data in mine:
        seq, digest, time = int(data["seq"]), str(data["hash"]), data.get("time")
        if seq < highest:
            problems.append(CheckpointProblem(seq, f"{path} line {number}: the checkpoint of {time} names event "
                                              f"{seq}, an earlier one already event {highest}: the log was cut back "
                                              "and re-checkpointed", number))
        highest = max(highest, seq)
        if seq > end:
            continue
        actual = hashes.get(seq, GENESIS if seq == 0 else None)
        if actual != digest:
            problems.append(CheckpointProblem(
                seq, f"event {seq} does not carry the hash checkpointed at {time} ({path} line {number}): an event "
                f"from {good_seq + 1} to {seq} was changed, removed or reordered and the later hashes recomputed",
                number))
            break  # every later checkpoint differs too; the first names the earliest range
        good_seq = seq
    newest_seq = int(newest[1]["seq"])
    if newest_seq > end:
        problems.append(CheckpointProblem(
            end + 1, f"the log ends at event {end}, but the checkpoint of {newest[1].get('time')} ({path} line "
            f"{newest[0]}) says it reached event {newest_seq}: events {end + 1} to {newest_seq} were removed",
            newest[0]))
    return problems


def export_evidence(target: Path) -> list[Path]:
    """Write the newest checkpoint and the public key beside an export (``<file>.checkpoint.json``,
    ``<file>.public-key.pem``) for `salesflow.verifier`; nothing when there is no checkpoint or key."""
    checkpoint = newest_checkpoint()
    if checkpoint is None:
        return []
    try:
        pem = public_key_pem()
    except CheckpointError:
        return []
    written = [target.with_name(target.name + ".checkpoint.json"), target.with_name(target.name + ".public-key.pem")]
    written[0].write_text(json.dumps(checkpoint, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written[1].write_text(pem, encoding="utf-8")
    return written


def fresh_checkpoint() -> dict[str, Any] | None:
    """A checkpoint of the current head for an export or pack (written now when a key is at hand,
    else the newest one); None when there is neither."""
    try:
        return write_checkpoint()
    except CheckpointError:  # no key here, or a contradicting log: the newest checkpoint tells the auditor
        return newest_checkpoint()


def checkpoint_summary() -> dict[str, Any]:
    """The journal checked against the chain, for the audit pack: count, newest, problems."""
    try:
        problems = [problem.to_data() for problem in verify_checkpoints()]
        mine = checkpoints()
    except CheckpointError as error:
        return {"ok": False, "count": 0, "newest": None, "problems": [{"seq": None, "message": str(error)}]}
    newest = mine[-1] if mine else None
    return {"ok": not problems, "count": len(mine), "problems": problems,
            "newest": {key: newest.get(key) for key in ("seq", "hash", "time", "key")} if newest else None}


def pack_evidence() -> list[tuple[str, str, str]]:
    """The audit pack's checkpoint files ``(path, title, text)``: the newest checkpoint (written now when a
    key is at hand), the check of every checkpoint against the chain, the public key and the stand-alone
    verifier with how to run it."""
    checkpoint = fresh_checkpoint()
    summary = [("event-log/checkpoint-verification.json", "Event-log checkpoints checked against the chain",
                json.dumps(checkpoint_summary(), indent=2, ensure_ascii=False) + "\n")]
    if checkpoint is None:
        return [("event-log/checkpoint.json", "Newest signed checkpoint of the event log",
                 json.dumps({"checkpoint": None, "note": "no checkpoint has been written for this database"},
                            indent=2) + "\n"), *summary]
    files = [*summary, ("event-log/checkpoint.json", "Newest signed checkpoint of the event log",
              json.dumps(checkpoint, indent=2, ensure_ascii=False) + "\n")]
    try:
        files.append(("event-log/public-key.pem", "Public key the checkpoints are signed with (Ed25519)",
                      public_key_pem()))
    except CheckpointError:
        pass
    files.append(("event-log/verifier.py", "Stand-alone verifier (Python standard library + cryptography)",
                  Path(verifier.__file__).read_text(encoding="utf-8")))
    files.append(("event-log/VERIFY.txt", "How to verify the event log without Salesflow", _VERIFY_TEXT.format(
        seq=checkpoint["seq"], time=checkpoint["time"], key=checkpoint["key"])))
    return files


_VERIFY_TEXT = """Verifying the event log without the database or the application
================================================================

checkpoint.json is the newest checkpoint of the event log: event {seq}, signed at {time}
with the Ed25519 key whose SHA-256 fingerprint is
    {key}
Compare that fingerprint with the one the operator published (salesflow audit checkpoint --public-key
prints the key); a key shipped in the same zip proves nothing on its own.

1. Ask for a complete export of the event log made after {time}:
       salesflow export events -o events.csv
2. Run (Python 3.11+, pip install cryptography):
       python verifier.py events.csv --checkpoint checkpoint.json --public-key public-key.pem
   Exit code 0: every event up to {seq} is exactly as checkpointed and the chain is unbroken.
   Exit code 1: the first problem is named (event number or file line).
"""
