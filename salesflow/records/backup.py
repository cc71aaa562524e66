"""Online backups that verify: ``salesflow backup FILE`` and ``salesflow restore FILE``.

A backup is one tar archive:

- ``manifest.json`` — format, when, which database (vendor), the chain head the snapshot ends at,
  and every other part with its size and SHA-256;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy of the live file, WAL
  included) or ``database.pgdump`` (``pg_dump --format=custom``, taken in an exported snapshot
  whose chain head the manifest names);
- ``checkpoints.journal`` — the signed checkpoint journal, when this installation keeps one
  (copied *before* the database snapshot, so every checkpoint it holds is inside the snapshot).

Documents are stored in the database and travel with it. The archive is written under a temporary
name beside FILE, flushed to disk and then renamed: a backup cut off half-way never carries the
final name, and `read_manifest` refuses a part whose size or SHA-256 differs from the manifest.

`restore` refuses a database that holds users, records or documents, checks the manifest, and
replaces the (empty) database with the snapshot; the caller then runs ``audit verify``.
"""

from __future__ import annotations

import datetime
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict
from salesflow.engine.state import EventDraft

FORMAT = "salesflow-backup/1"
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
POSTGRES_PART = "database.pgdump"
JOURNAL_PART = "checkpoints.journal"
CHUNK = 1024 * 1024


class BackupError(BadInput):
    """A backup cannot be written or read (the message names the file and what is wrong)."""


@dataclass
class Part:
    """One file of a backup archive."""

    name: str
    size: int
    sha256: str

    def to_data(self) -> dict[str, Any]:
        """As listed in the manifest."""
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass
class Manifest:
    """What a backup holds (``manifest.json``)."""

    vendor: str
    created_at: str
    head_seq: int
    head_hash: str
    parts: list[Part] = field(default_factory=list)
    format: str = FORMAT

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"format": self.format, "vendor": self.vendor, "created_at": self.created_at,
                "chain_head": {"seq": self.head_seq, "hash": self.head_hash},
                "parts": [part.to_data() for part in self.parts]}


def _digest(path: Path) -> Part:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return Part(path.name, size, sha.hexdigest())


def journal_path() -> Path | None:
    """The checkpoint journal of this database, when this installation keeps one (else None)."""
    try:
        from salesflow.records import checkpoints  # type: ignore[attr-defined]
    except ImportError:
        return None
    path = getattr(checkpoints, "journal_path", None)
    return Path(path()) if callable(path) else None


# --- PostgreSQL tools ------------------------------------------------------------------------------

def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(item) for item in re.findall(r"\d+", path)) or (0,)


def find_pg_tool(name: str) -> Path:
    """``pg_dump`` / ``pg_restore``: ``$SALESFLOW_PG_BINDIR``, then PATH, then the newest
    ``/usr/lib/postgresql/*/bin`` (as `salesflow.devtools.pgcluster` finds the server's tools)."""
    configured = os.environ.get("SALESFLOW_PG_BINDIR")
    if configured and (Path(configured) / name).exists():
        return Path(configured) / name
    found = shutil.which(name)
    if found:
        return Path(found)
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key, reverse=True):
        return Path(candidate)
    raise BackupError(f"{name} not found (install the PostgreSQL client tools, or set SALESFLOW_PG_BINDIR)")


def _pg_env() -> dict[str, str]:
    """The libpq environment naming the configured database (password never on a command line)."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                          ("NAME", "PGDATABASE")):
        if settings.get(key):
            env[variable] = str(settings[key])
    options = settings.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed (exit {result.returncode}): "
                          f"{message[-1] if message else 'no message'}")


# --- writing ------------------------------------------------------------------------------------

def _sqlite_snapshot(target: Path) -> tuple[int, str]:
    """Copy the live SQLite database with the online backup API; the chain head of the copy."""
    name = connection.settings_dict["NAME"]
    if str(name) == ":memory:" or "mode=memory" in str(name):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    if not Path(name).is_file():
        raise BackupError(f"the database {name} does not exist (run: salesflow migrate)")
    try:
        source = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=20)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one consistent snapshot
            row = copy.execute("SELECT seq, hash FROM records_chainhead WHERE id = 1").fetchone()
        finally:
            source.close()
            copy.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up the database {name}: {error}") from None
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def _postgres_snapshot(target: Path) -> tuple[int, str]:
    """``pg_dump --format=custom`` inside an exported snapshot; the chain head that snapshot holds."""
    import psycopg

    pg_dump = find_pg_tool("pg_dump")
    env = _pg_env()
    params = {key: value for key, value in (("host", env.get("PGHOST")), ("port", env.get("PGPORT")),
                                            ("user", env.get("PGUSER")), ("password", env.get("PGPASSWORD")),
                                            ("dbname", env.get("PGDATABASE"))) if value}
    try:
        with psycopg.connect(**params, autocommit=True) as holder:  # holds the snapshot while pg_dump reads it
            holder.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = holder.execute("SELECT pg_export_snapshot()").fetchone()[0]
            row = holder.execute("SELECT seq, hash FROM records_chainhead WHERE id = 1").fetchone()
            _run([str(pg_dump), "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                  f"--file={target}"], env)
            holder.execute("COMMIT")
    except psycopg.Error as error:
        hint = " (run: salesflow migrate)" if "does not exist" in str(error) else ""
        raise BackupError(f"cannot back up the database {params.get('dbname', '')}: "
                          f"{str(error).strip().splitlines()[0]}{hint}") from None
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_backup(path: Path) -> Manifest:
    """Write a backup archive of the configured database (and checkpoint journal) to ``path``."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a directory: name the backup file")
    if not path.parent.exists():
        raise BackupError(f"{path.parent} does not exist")
    work = Path(tempfile.mkdtemp(prefix=".salesflow-backup-", dir=path.parent))
    partial = path.parent / f".{path.name}.partial-{os.getpid()}"
    try:
        parts: list[Path] = []
        journal = journal_path()
        if journal is not None and journal.exists():  # first: every checkpoint copied lies inside the snapshot
            shutil.copyfile(journal, work / JOURNAL_PART)
            parts.append(work / JOURNAL_PART)
        vendor = connection.vendor
        if vendor == "sqlite":
            database = work / SQLITE_PART
            head = _sqlite_snapshot(database)
        elif vendor == "postgresql":
            database = work / POSTGRES_PART
            head = _postgres_snapshot(database)
        else:
            raise BackupError(f"backups of {vendor} databases are not supported (SQLite and PostgreSQL are)")
        parts.insert(0, database)
        manifest = Manifest(vendor, timezone.now().isoformat(), head[0], head[1], [_digest(item) for item in parts])
        (work / MANIFEST).write_text(json.dumps(manifest.to_data(), indent=2) + "\n", encoding="utf-8")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            archive.add(work / MANIFEST, MANIFEST)
            for item in parts:
                archive.add(item, item.name)
        _fsync(partial)
        os.replace(partial, path)
        _fsync(path.parent)
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def record_backup(path: Path, manifest: Manifest, user: Any | None = None) -> None:
    """Log the backup in the event log (``backup_written``: file, size, SHA-256, the chain head it ends at)."""
    _log("backup_written", path, manifest, {}, user)


def _log(kind: str, path: Path, manifest: Manifest, extra: dict[str, Any], user: Any | None) -> None:
    from salesflow.records import eventlog
    from salesflow.records.services import actorship

    archive = _digest(Path(path))
    payload = {"file": Path(path).name, "size": archive.size, "sha256": archive.sha256,
               "created_at": manifest.created_at, "vendor": manifest.vendor,
               "head_seq": manifest.head_seq, "head_hash": manifest.head_hash, **extra}
    with transaction.atomic():
        eventlog.append([EventDraft(kind=kind, role="system", payload=payload)], actor=actorship(user),
                        at=timezone.now())


# --- reading and restoring -------------------------------------------------------------------------

@contextmanager
def opened(path: Path) -> Iterator[tuple[Manifest, Path]]:
    """The backup's manifest and a folder holding its parts, each checked against the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    work = Path(tempfile.mkdtemp(prefix=".salesflow-restore-", dir=path.parent))
    try:
        try:
            with tarfile.open(path, "r:") as archive:
                names = archive.getnames()
                if MANIFEST not in names:
                    raise BackupError(f"{path}: not a Salesflow backup (no {MANIFEST})")
                manifest = _parse_manifest(path, archive.extractfile(MANIFEST).read())
                expected = {part.name for part in manifest.parts}
                unknown = set(names) - expected - {MANIFEST}
                if unknown:
                    raise BackupError(f"{path}: files not in the manifest: {', '.join(sorted(unknown))}")
                for part in manifest.parts:
                    if part.name not in names:
                        raise BackupError(f"{path}: {part.name} is missing (the backup is incomplete)")
                    member = archive.getmember(part.name)
                    if not member.isfile():
                        raise BackupError(f"{path}: {part.name} is not a file")
                    archive.extract(member, work, filter="data")
        except (tarfile.TarError, EOFError) as error:
            raise BackupError(f"{path}: the archive is damaged or cut off ({error})") from None
        for part in manifest.parts:
            found = _digest(work / part.name)
            if found.size != part.size:
                raise BackupError(f"{path}: {part.name} has {found.size} bytes, the manifest says {part.size} "
                                  "(the backup is incomplete)")
            if found.sha256 != part.sha256:
                raise BackupError(f"{path}: {part.name} does not match its SHA-256 in the manifest")
        yield manifest, work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _parse_manifest(path: Path, content: bytes) -> Manifest:
    try:
        data = json.loads(content)
        if data.get("format") != FORMAT:
            raise BackupError(f"{path}: unknown backup format {data.get('format')!r} (expected {FORMAT})")
        parts = [Part(str(item["name"]), int(item["size"]), str(item["sha256"])) for item in data["parts"]]
        head = data["chain_head"]
        manifest = Manifest(str(data["vendor"]), str(data["created_at"]), int(head["seq"]), str(head["hash"]), parts)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{path}: {MANIFEST} is not valid ({error})") from None
    for part in parts:
        if "/" in part.name or part.name.startswith(".") or part.name == MANIFEST:
            raise BackupError(f"{path}: {MANIFEST} names an invalid part {part.name!r}")
    return manifest


def held_data() -> dict[str, int]:
    """How many users, records and documents the configured database holds (tables not there yet: 0)."""
    from salesflow.people.models import User
    from salesflow.records.models import Document, Record

    tables = set(connection.introspection.table_names())
    return {label: model.objects.count() if model._meta.db_table in tables else 0
            for label, model in (("users", User), ("records", Record), ("documents", Document))}


def restore(path: Path) -> Manifest:
    """Restore a backup into the configured database, which must be empty (no users, records, documents)."""
    held = held_data()
    if any(held.values()):
        summary = ", ".join(f"{count} {label}" for label, count in held.items() if count)
        raise Conflict(f"the database is not empty ({summary}): restore only into an empty database "
                       "(a new SQLite file, or a new PostgreSQL database)")
    with opened(path) as (manifest, work):
        vendor = connection.vendor
        if manifest.vendor != vendor:
            raise BackupError(f"{path}: a {manifest.vendor} backup cannot be restored into a {vendor} database")
        if vendor == "sqlite":
            _restore_sqlite(work / SQLITE_PART)
        else:
            _restore_postgres(work / POSTGRES_PART)
        journal = journal_path()
        if journal is not None and (work / JOURNAL_PART).exists():
            if journal.exists() and journal.stat().st_size:
                stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
                journal.rename(journal.with_name(f"{journal.name}.before-restore-{stamp}"))
            journal.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / JOURNAL_PART, journal)
    return manifest


def _restore_sqlite(source_file: Path) -> None:
    name = connection.settings_dict["NAME"]
    connection.close()
    try:
        source = sqlite3.connect(source_file)
        target = sqlite3.connect(name, timeout=20)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot restore into the database {name}: {error}") from None


def _restore_postgres(dump: Path) -> None:
    connection.close()
    # --clean --if-exists: the tables a fresh `migrate` created (checked empty above) are replaced
    _run([str(find_pg_tool("pg_restore")), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={_pg_env().get('PGDATABASE', '')}", str(dump)],
         _pg_env())


def record_restore(path: Path, manifest: Manifest, verification: dict[str, Any]) -> None:
    """Log a restore that ``audit verify`` passed (``backup_restored``), in the restored database."""
    _log("backup_restored", path, manifest, {"verified": True, "verification": verification}, None)


def verify_in_scratch(path: Path, manifest: Manifest, scratch_url: str | None) -> dict[str, Any]:
    """The restore drill: ``salesflow restore`` of the backup into an empty scratch database, whose
    ``audit verify`` must pass; the result is logged here as ``backup_verified``. Returns the restore's JSON.

    The scratch database is ``scratch_url`` (an empty one), else made for the drill and removed after
    it: a new SQLite file in a temporary folder, or on PostgreSQL a new database on the same server
    (the database user needs the CREATEDB right).
    """
    folder = scratch_db = None
    if scratch_url is None:
        if manifest.vendor == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix=".salesflow-drill-", dir=Path(path).parent))
            scratch_url = f"sqlite:///{folder / 'drill.sqlite3'}"
        else:
            scratch_db, scratch_url = _create_scratch_database()
    try:
        data = _restore_elsewhere(path, scratch_url)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if scratch_db is not None:
            _admin_sql(f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')
    verification = data.get("verification") or {}
    summary = {"checked": verification.get("checked"), "head_seq": verification.get("head_seq"),
               "records": (verification.get("records") or {}).get("checked"),
               "documents": (verification.get("documents") or {}).get("checked")}
    _log("backup_verified", path, manifest, {"verified": True, "verification": summary}, None)
    return data


def _restore_elsewhere(path: Path, url: str) -> dict[str, Any]:
    import sys

    # The drill's database carries the live database's identity: its journal must never be the live one
    # (restore would set the live journal aside and put the backup's older copy in its place).
    with tempfile.TemporaryDirectory(prefix=".salesflow-drill-journal-") as journal_folder:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "salesflow.settings",
               "SALESFLOW_CHECKPOINT_JOURNAL": str(Path(journal_folder) / "drill.checkpoints.jsonl")}
        result = subprocess.run([sys.executable, "-m", "salesflow.cli", "restore", str(Path(path).resolve()),
                                 "--json"], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        raise BackupError(f"{path}: the restore drill failed: "
                          f"{message[-1].removeprefix('error: ') if message else f'exit {result.returncode}'}")
    return json.loads(result.stdout)


def _admin_sql(statement: str) -> None:
    import psycopg

    env = _pg_env()
    params = {key: value for key, value in (("host", env.get("PGHOST")), ("port", env.get("PGPORT")),
                                            ("user", env.get("PGUSER")), ("password", env.get("PGPASSWORD")),
                                            ("dbname", env.get("PGDATABASE"))) if value}
    try:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(statement)
    except psycopg.Error as error:
        raise BackupError(f"the restore drill needs a scratch database: {str(error).strip().splitlines()[0]} "
                          "(grant CREATEDB, or name an empty database with --verify-into URL)") from None


def _create_scratch_database() -> tuple[str, str]:
    """A new, empty PostgreSQL database on the configured server, and its DATABASE_URL."""
    from urllib.parse import urlsplit

    name = f"salesflow_drill_{os.getpid()}_{int(datetime.datetime.now(datetime.UTC).timestamp())}"
    _admin_sql(f'CREATE DATABASE "{name}"')
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
        raise BackupError("the restore drill needs DATABASE_URL (or --verify-into URL)")
    return name, urlsplit(base)._replace(path=f"/{name}").geturl()


#: Events that say a backup was restored and passed ``audit verify``.
VERIFIED_KINDS = ("backup_verified", "backup_restored")


def last_backups() -> dict[str, Any]:
    """The newest backup (``backup_written``) and the newest verified one (a restore drill's
    ``backup_verified``, or the ``backup_restored`` of a restore into this database), for the audit pack."""
    from salesflow.records.models import Event

    def latest(kinds: tuple[str, ...]) -> dict[str, Any] | None:
        event = Event.objects.filter(kind__in=kinds).order_by("-seq").first()
        if event is None:
            return None
        taken = str(event.payload.get("created_at", ""))
        return {"seq": event.seq, "kind": event.kind, "at": event.at.isoformat(),
                "when": event.at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "taken": f"{taken[:10]} {taken[11:16]} UTC" if len(taken) >= 16 else taken,
                "by": event.actor_name, **event.payload}

    return {"backup_written": latest(("backup_written",)), "verified": latest(VERIFIED_KINDS)}
