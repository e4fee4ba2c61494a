"""One exchange with the shared folder (``crm sync``) and the state around it.

A sync reads every other replica's new batch files, merges their operations in one
transaction (:mod:`crmcli.sync.merge`), then writes this replica's new operations as batch
files of its own. A fresh book joins from the newest snapshot instead of replaying every
operation; a replica with many batch files writes a snapshot and removes its own old files
the snapshot covers. Every step can be killed at any point: the database changes in one
transaction, the folder only gains whole files (temp name, fsync, rename), and the next sync
picks up where the last one stopped.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmcli import __version__, clock
from crmcli.bulk import rare_collections
from crmcli.errors import Conflict, InvalidInput, UserError
from crmcli.services.book import Book, ensure_default_user, stable_id
from crmcli.storage.db import Reader, to_json_value
from crmcli.storage.schema import HEAD, REVISIONS
from crmcli.sync import container, transport
from crmcli.sync.container import Incomplete, NeedsKey, Refused, TeamKey
from crmcli.sync.merge import COLUMNS, Merger, Op, local_changes, parse_op
from crmcli.sync.transport import FolderFile

SYNC_FORMAT = 1  # the batch/snapshot format this build writes and reads
BATCH_OPS = 20_000  # operations per batch file
SNAPSHOT_FIRST_OPS = 5_000  # a first sync with more local operations ships a snapshot
COMPACT_AFTER = 50  # own batch files in the folder before a snapshot compacts them
KEEP_AFTER_COMPACT = 10  # newest own batches kept after compaction (cheap catch-up)
MERGE_MMAP_BYTES = 1 << 32  # asked for while merging; SQLite caps it at its build's limit (2 GB)

META_REMOTE = "sync.remote"
META_KEY = "sync.key"
META_CURSOR = "sync.exported"  # the stamp of the last own operation shipped
META_SEQ = "sync.seq"  # the number of the last own file written
META_LAST = "sync.last_at"
META_JOINING = "sync.joining"  # a join from a snapshot file, to be completed on open
# replica-level facts a snapshot must not carry to another replica
LOCAL_META = ("replica_id", "hlc", "default_user", "demo_seed")


class SyncError(UserError):
    """Sync cannot go on."""


class KeyMismatch(Conflict):
    """This book's team key does not fit the folder."""


@dataclass(frozen=True)
class FileIssue:
    """A file of the folder that was not applied, and why."""

    name: str
    replica_id: str
    problem: str


@dataclass
class SyncReport:
    """What one ``crm sync`` did."""

    folder: str
    received: int = 0
    applied: int = 0
    already: int = 0
    waiting: int = 0
    conflicts: int = 0
    sent: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    joined_from: str | None = None
    refused: list[FileIssue] = field(default_factory=list)
    incomplete: list[FileIssue] = field(default_factory=list)
    newer: list[FileIssue] = field(default_factory=list)
    waiting_reasons: dict[str, int] = field(default_factory=dict)


# -- set-up --------------------------------------------------------------------------
def _require_sqlite(book: Book) -> None:
    if book.db.dialect != "sqlite":
        raise SyncError(
            "crm sync is for SQLite books (one per rep)",
            hint="a PostgreSQL book is already shared: everyone uses the same server",
        )


def _meta(book: Book) -> dict[str, str]:
    with book.read() as r:
        return {
            row["key"]: row["value"]
            for row in r.rows(
                "SELECT key, value FROM meta WHERE key LIKE 'sync.%' "
                "OR key IN ('replica_id', 'default_user')"
            )
        }


def _set_meta(book: Book, **values: str | None) -> None:
    with book.db.write(user=book.actor["username"]) as w:
        for key, value in values.items():
            name = "sync." + key if key not in LOCAL_META else key
            if value is None:
                w.execute("DELETE FROM meta WHERE key = ?", (name,))
            else:
                w.set_meta(name, value)


def _folder(book: Book, meta: dict[str, str], remote: str | None) -> Path:
    chosen = remote or meta.get(META_REMOTE)
    if not chosen:
        raise SyncError(
            "no sync folder yet", hint="name the team's shared folder: crm sync --remote FOLDER"
        )
    return transport.check_folder(Path(chosen))


def _key(meta: dict[str, str]) -> TeamKey | None:
    text = meta.get(META_KEY)
    return TeamKey.parse(text) if text else None


def _check_team(folder: Path, key: TeamKey | None, *, create: bool) -> None:
    team = transport.read_team(folder)
    if team is None:
        if not create:
            return
        transport.write_team(
            folder,
            {
                "format": SYNC_FORMAT,
                "encrypted": key is not None,
                "key_id": key.key_id if key else None,
                "created_by": __version__,
            },
        )
        team = transport.read_team(folder) or {}
    if team.get("encrypted"):
        if key is None:
            raise SyncError(
                f"the team folder {folder} is encrypted and this book has no team key",
                hint="ask a teammate for the key, then: crm sync join --key crmkey-…",
            )
        if team.get("key_id") != key.key_id:
            raise KeyMismatch(
                "this book's team key is not the key of that folder",
                hint="check --remote, or join again with the right key: crm sync join --key …",
            )
    elif key is not None:
        raise KeyMismatch(
            f"the folder {folder} is not encrypted but this book syncs with a team key",
            hint="use the folder your team set up with crm sync init --encrypt",
        )


@dataclass(frozen=True)
class InitResult:
    """A folder set up for a team (the key is shown once, only here)."""

    folder: str
    encrypted: bool
    key: str | None


def init(book: Book, *, remote: str | None, encrypt: bool) -> InitResult:
    """Set up a shared folder for the team (and a team key with ``encrypt``)."""
    _require_sqlite(book)
    meta = _meta(book)
    folder = _folder(book, meta, remote)
    team = transport.read_team(folder)
    if team is not None:
        raise SyncError(
            f"{folder} is already a team folder"
            + (" (encrypted)" if team.get("encrypted") else ""),
            hint="teammates join it with crm sync --remote FOLDER"
            + (" after crm sync join --key …" if team.get("encrypted") else ""),
        )
    key = TeamKey.generate() if encrypt else None
    _check_team(folder, key, create=True)
    _set_meta(book, remote=str(folder), key=key.text if key else None)
    return InitResult(folder=str(folder), encrypted=key is not None, key=key.text if key else None)


def join(book: Book, *, key_text: str, remote: str | None) -> Path:
    """Store the team key a teammate passed on; checked against the folder when known."""
    _require_sqlite(book)
    key = TeamKey.parse(key_text)
    if key is None:
        raise InvalidInput(
            "that is not a crm team key", hint="it starts with crmkey- (copy it whole)"
        )
    meta = _meta(book)
    folder = _folder(book, meta, remote)
    _check_team(folder, key, create=False)
    _set_meta(book, remote=str(folder), key=key.text)
    return folder


# -- the exchange ----------------------------------------------------------------------
def sync(book: Book, *, remote: str | None = None) -> SyncReport:
    """Exchange operations with the shared folder (remembering it for next time)."""
    _require_sqlite(book)
    meta = _meta(book)
    folder = _folder(book, meta, remote)
    key = _key(meta)
    _check_team(folder, key, create=True)
    replica = meta.get("replica_id") or ""
    report = SyncReport(folder=str(folder))
    _finish_join(book, report)  # before anything asks who is acting: the rep's user is new
    if meta.get(META_REMOTE) != str(folder):
        _set_meta(book, remote=str(folder))
    transport.remove_stale_temps(folder, replica)
    files = transport.list_files(folder)
    if report.joined_from is None and _is_fresh(book):
        _join_from_snapshot(book, folder, files, key, replica, report)
    with rare_collections():  # a merge of thousands of operations makes no cycles
        _import(book, folder, files, key, replica, report)
    _export(book, folder, files, key, replica, report)
    _compact(book, folder, key, replica, report)
    _set_meta(book, last_at=to_json_value(clock.now()))
    return report


def _is_fresh(book: Book) -> bool:
    """A book that has never synced and holds nothing but what first use created."""
    with book.read() as r:
        if r.scalar("SELECT 1 FROM sync_batches LIMIT 1"):
            return False
        if r.meta(META_CURSOR):
            return False
        return (
            not r.scalar(
                "SELECT 1 FROM changes WHERE entity NOT IN ('users', 'pipelines', 'stages') LIMIT 1"
            )
            and int(r.scalar("SELECT count(*) FROM users")) <= 1
        )


def _seen(r: Reader) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in r.rows("SELECT * FROM sync_batches")}


def _coverage(seen: dict[str, dict[str, Any]]) -> dict[str, str]:
    """How far each replica's operations are known here without a hole."""
    have: dict[str, str] = {}
    for row in seen.values():
        if row["kind"] == "snapshot" and row["status"] == "applied" and row["detail"]:
            for replica, stamp in json.loads(row["detail"]).items():
                have[replica] = max(have.get(replica, ""), stamp)
    batches = sorted(
        (r for r in seen.values() if r["kind"] == "batch" and r["status"] == "applied"),
        key=lambda r: r["name"],
    )
    for row in batches:
        mine = have.get(row["replica_id"], "")
        if (row["prev_hlc"] or "") <= mine:
            have[row["replica_id"]] = max(mine, row["last_hlc"] or "")
    return have


def _newer(header: dict[str, Any]) -> str | None:
    version = header.get("format", 1)
    schema = header.get("schema")
    if (isinstance(version, int) and version > SYNC_FORMAT) or (schema and schema not in REVISIONS):
        return (
            f"written by crmcli {header.get('crm', '?')} (schema {schema}); this crmcli "
            f"{__version__} knows schema {HEAD}: upgrade crmcli to apply it"
        )
    return None


def _still_newer(f: FolderFile) -> bool:
    try:
        with f.path.open("rb") as handle:
            header, _ = container.read_header(handle)
    except (OSError, Incomplete):
        return True
    return _newer(header) is not None


def _read_batch(f: FolderFile, key: TeamKey | None) -> tuple[dict[str, Any], list[Op]]:
    with f.path.open("rb") as handle:
        header, chunks = container.read(handle, key=key, size=f.size)
        payload = b"".join(chunks)
    if header.get("kind") != "batch" or header.get("replica") != f.replica_id:
        raise Refused("its header does not match its name")
    if _newer(header):
        return header, []
    try:
        ops = [parse_op(item) for item in json.loads(payload)]
    except (ValueError, TypeError) as exc:
        raise Refused(f"its operations are damaged ({exc})") from exc
    if any(op[2] != f.replica_id for op in ops):
        raise Refused("it carries operations of another replica")
    return header, ops


def _import(
    book: Book,
    folder: Path,
    files: list[FolderFile],
    key: TeamKey | None,
    replica: str,
    report: SyncReport,
) -> None:
    with book.read() as r:
        seen = _seen(r)
    have = _coverage(seen)
    ops: list[Op] = []
    rows: list[dict[str, Any]] = []
    for f in files:
        if f.replica_id == replica or f.kind != "batch":
            continue
        known = seen.get(f.name)
        if known and known["status"] == "applied":
            continue
        if known and known["status"] == "refused" and known["size"] == f.size:
            report.refused.append(FileIssue(f.name, f.replica_id, known["detail"] or ""))
            continue
        if known and known["status"] == "newer" and _still_newer(f):
            # kept for when this crmcli is upgraded (the header is read again each time)
            report.newer.append(FileIssue(f.name, f.replica_id, known["detail"] or ""))
            continue
        try:
            header, batch = _read_batch(f, key)
        except (OSError, Incomplete) as exc:
            report.incomplete.append(FileIssue(f.name, f.replica_id, str(exc)))
            continue
        except NeedsKey as exc:  # not remembered: readable once the key is joined
            report.refused.append(FileIssue(f.name, f.replica_id, f"refused: {exc}"))
            continue
        except Refused as exc:
            issue = FileIssue(f.name, f.replica_id, f"refused: {exc}")
            report.refused.append(issue)
            rows.append(_row(f, "refused", issue.problem, 0, None, None))
            continue
        problem = _newer(header)
        if problem:
            report.newer.append(FileIssue(f.name, f.replica_id, problem))
            rows.append(_row(f, "newer", problem, int(header.get("count", 0)), None, None))
            continue
        prev, last = str(header.get("prev") or ""), str(header.get("last") or "")
        rows.append(_row(f, "applied", str(header.get("user") or ""), len(batch), prev, last))
        if last and last <= have.get(f.replica_id, ""):
            continue  # every operation in it is known here already (from a snapshot)
        report.received += len(batch)
        ops.extend(batch)
    # A replica whose older files were compacted away: its snapshot has what they held.
    pending = {**seen, **{row["name"]: row for row in rows}}
    have = _coverage(pending)
    holes: dict[str, str] = {}
    for row in pending.values():
        if row["kind"] == "batch" and row["status"] == "applied":
            prev = row["prev_hlc"] or ""
            if prev > have.get(row["replica_id"], ""):
                holes[row["replica_id"]] = min(holes.get(row["replica_id"], prev), prev)
    still_copying = {i.replica_id for i in report.incomplete}
    holes = {k: v for k, v in holes.items() if k not in still_copying}
    if holes:
        snap = _snapshot_ops(folder, files, key, replica, holes, have, report)
        if snap is not None:
            _name, snapshot_ops, covered, f = snap
            ops.extend(snapshot_ops)
            report.received += len(snapshot_ops)
            rows.append(_row(f, "applied", json.dumps(covered), len(snapshot_ops), None, None))
    if not ops and not rows and not _has_waiting(book):
        return
    with _merge_settings(book), book.write() as w:
        result = Merger(w).merge(ops)
        for row in rows:
            w.execute(
                "INSERT INTO sync_batches (name, replica_id, kind, status, detail, size, "
                "operations, prev_hlc, last_hlc, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET status = excluded.status, "
                "detail = excluded.detail, size = excluded.size, "
                "operations = excluded.operations, prev_hlc = excluded.prev_hlc, "
                "last_hlc = excluded.last_hlc, seen_at = excluded.seen_at",
                (
                    row["name"],
                    row["replica_id"],
                    row["kind"],
                    row["status"],
                    row["detail"],
                    row["size"],
                    row["operations"],
                    row["prev_hlc"],
                    row["last_hlc"],
                    w.entered_at,
                ),
            )
    report.applied += result.applied
    report.already += result.already
    report.waiting = result.waiting
    report.conflicts += result.conflicts
    report.waiting_reasons = result.waiting_reasons


@contextmanager
def _merge_settings(book: Book) -> Iterator[None]:
    """Connection settings for the merge's write transaction (set before its BEGIN, put
    back after).

    - ``temp_store = MEMORY``: the merge applies its operations under savepoints, and
      SQLite first copies every page a savepoint changes that was already changed earlier
      in the transaction (the indexes' inner pages, above all) to a sub-journal, a
      temporary file past 64 KiB: ~365,000 writes, 730 MB, for a 10,000-operation merge
      into the benchmark book with a savepoint per operation. In memory it is a copy,
      emptied at each release. SQLite picks the sub-journal's home when the write
      transaction begins.
    - ``mmap_size``: the merge's look-ups (known ids, each record's log, parents) read
      tens of thousands of scattered pages; mapped, they cost no read(2) and no page-cache
      copy each. Only for the merge: a mapped file turns a disk error into a signal.
    """
    raw = book.db.raw
    mapped = raw.execute("PRAGMA mmap_size").fetchone()[0]
    raw.execute("PRAGMA temp_store = MEMORY")
    raw.execute(f"PRAGMA mmap_size = {MERGE_MMAP_BYTES}")
    try:
        yield
    finally:
        raw.execute("PRAGMA temp_store = DEFAULT")
        raw.execute(f"PRAGMA mmap_size = {int(mapped)}")


def _has_waiting(book: Book) -> bool:
    with book.read() as r:
        return bool(r.scalar("SELECT 1 FROM sync_pending LIMIT 1"))


def _row(
    f: FolderFile, status: str, detail: str | None, count: int, prev: str | None, last: str | None
) -> dict[str, Any]:
    return {
        "name": f.name,
        "replica_id": f.replica_id,
        "kind": f.kind,
        "status": status,
        "detail": detail,
        "size": f.size,
        "operations": count,
        "prev_hlc": prev,
        "last_hlc": last,
    }


# -- snapshots -------------------------------------------------------------------------
def _snapshot_headers(
    files: list[FolderFile], key: TeamKey | None, replica: str, report: SyncReport
) -> list[tuple[dict[str, Any], FolderFile]]:
    found = []
    for f in files:
        if f.kind != "snapshot" or f.replica_id == replica:
            continue
        try:
            with f.path.open("rb") as handle:
                header, _ = container.read_header(handle)
        except (OSError, Incomplete):
            continue
        problem = _newer(header)
        if problem:
            report.newer.append(FileIssue(f.name, f.replica_id, problem))
            continue
        found.append((header, f))
    found.sort(key=lambda item: str(item[0].get("hlc", "")), reverse=True)
    return found


@contextmanager
def _opened_snapshot(f: FolderFile, key: TeamKey | None, beside: Path) -> Iterator[Path]:
    """The snapshot decrypted and verified into a temporary SQLite file (removed after)."""
    temp = beside.with_name(f".{beside.name}.join-{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    try:
        with f.path.open("rb") as handle, temp.open("xb") as out:
            _, chunks = container.read(handle, key=key, size=f.size)
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        yield temp
    finally:
        temp.unlink(missing_ok=True)


def _snapshot_ops(
    folder: Path,
    files: list[FolderFile],
    key: TeamKey | None,
    replica: str,
    holes: dict[str, str],
    have: dict[str, str],
    report: SyncReport,
) -> tuple[str, list[Op], dict[str, str], FolderFile] | None:
    """Operations a compacted replica no longer has as batches, read from a snapshot."""
    for header, f in _snapshot_headers(files, key, replica, report):
        coverage = header.get("coverage") or {}
        if not all(str(coverage.get(r, "")) >= stamp for r, stamp in holes.items()):
            continue
        try:
            with _opened_snapshot(f, key, folder / f.name) as path:
                conn = sqlite3.connect(path)
                try:
                    ops: list[Op] = []
                    for source in holes:
                        ops.extend(
                            tuple(row)
                            for row in conn.execute(
                                f"SELECT {', '.join(COLUMNS)} FROM changes "
                                "WHERE replica_id = ? AND hlc > ? ORDER BY hlc",
                                (source, have.get(source, "")),
                            )
                        )
                finally:
                    conn.close()
        except (OSError, Incomplete):
            report.incomplete.append(FileIssue(f.name, f.replica_id, "still being copied"))
            return None
        except (Refused, NeedsKey, sqlite3.DatabaseError) as exc:
            report.refused.append(FileIssue(f.name, f.replica_id, f"refused: {exc}"))
            continue
        covered = {r: str(coverage[r]) for r in holes}
        return f.name, ops, covered, f
    return None


def _join_from_snapshot(
    book: Book,
    folder: Path,
    files: list[FolderFile],
    key: TeamKey | None,
    replica: str,
    report: SyncReport,
) -> None:
    """A fresh book becomes a copy of the newest snapshot (keeping its own identity)."""
    from crmcli.storage.migrate import ensure_schema

    db = book.db
    assert db.path is not None
    username = book.actor["username"]
    mine = _meta(book)
    for header, f in _snapshot_headers(files, key, replica, report):
        try:
            with _opened_snapshot(f, key, db.path) as path:
                _check_snapshot_file(path)
                # The fresh file is replaced whole (one write of the book, like a backup),
                # then opened again.
                db.close()
                for suffix in ("-wal", "-shm"):
                    Path(f"{db.path}{suffix}").unlink(missing_ok=True)
                path.chmod(0o600)
                path.replace(db.path)
                container.fsync_dir(db.path.parent)
                db.reopen()
        except (OSError, Incomplete):
            if db.raw is None:
                db.reopen()
            report.incomplete.append(FileIssue(f.name, f.replica_id, "still being copied"))
            return
        except (Refused, NeedsKey, sqlite3.DatabaseError) as exc:
            if db.raw is None:
                db.reopen()
            report.refused.append(FileIssue(f.name, f.replica_id, f"refused: {exc}"))
            continue
        ensure_schema(db)  # a snapshot from an older build is upgraded like any old file
        coverage = {str(k): str(v) for k, v in (header.get("coverage") or {}).items()}
        with db.write(user=username) as w:
            for name, value in mine.items():
                w.set_meta(name, value)
            ensure_default_user(w, username, role="rep")
            if coverage:
                w.observe_hlc(max(coverage.values()))
            w.execute(
                "INSERT INTO sync_batches (name, replica_id, kind, status, detail, size, "
                "operations, seen_at) VALUES (?, ?, 'snapshot', 'applied', ?, ?, 0, ?)",
                (f.name, f.replica_id, json.dumps(coverage), f.size, w.entered_at),
            )
        book._actor = None  # the acting user's row was replaced by the snapshot's
        report.joined_from = f.name
        return


def _check_snapshot_file(path: Path) -> None:
    """A decrypted snapshot is a crm database of a schema this build knows."""
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    if found is None or found[0] not in REVISIONS:
        raise Refused(f"it holds schema {found[0] if found else '?'}, unknown to this crmcli")


def join_new_book(target: str, *, remote: str, username: str) -> str | None:
    """A rep's first ``crm sync --remote`` on a book that does not exist yet: the newest
    snapshot becomes the file (no schema to create, no history to replay).

    Returns the snapshot's name, or None when there is none to use (encrypted teams join
    with ``crm sync join --key`` first, and then take the in-place path).
    """

    path = Path(target).expanduser()
    if "://" in target or path.exists():
        return None
    folder = transport.check_folder(Path(remote))
    team = transport.read_team(folder) or {}
    if team.get("encrypted"):
        return None
    report = SyncReport(folder=str(folder))
    for header, f in _snapshot_headers(transport.list_files(folder), None, "", report):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            with _opened_snapshot(f, None, path) as temp:
                _check_snapshot_file(temp)
                conn = sqlite3.connect(temp)
                try:
                    facts = {
                        "replica_id": str(uuid.uuid4()),
                        "default_user": stable_id("user", username),
                        META_REMOTE: str(folder),
                        META_JOINING: json.dumps(
                            {
                                "name": f.name,
                                "replica": f.replica_id,
                                "size": f.size,
                                "coverage": header.get("coverage") or {},
                                "user": username,
                            }
                        ),
                    }
                    conn.executemany(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", facts.items()
                    )
                    conn.commit()
                finally:
                    conn.close()
                temp.chmod(0o600)
                temp.replace(path)  # never over an existing file: checked above
                container.fsync_dir(path.parent)
        except (OSError, Incomplete, Refused, NeedsKey, sqlite3.DatabaseError):
            continue
        return f.name
    return None


def _finish_join(book: Book, report: SyncReport) -> None:
    """Complete a join begun by ``join_new_book``: the rep's user, the clock, the record."""

    with book.read() as r:
        raw = r.meta(META_JOINING)
    if not raw:
        return
    joining = json.loads(raw)
    username = str(joining["user"])
    coverage = {str(k): str(v) for k, v in joining["coverage"].items()}
    with book.db.write(user=username) as w:
        ensure_default_user(w, username, role="rep")
        if coverage:
            w.observe_hlc(max(coverage.values()))
        w.execute(
            "INSERT INTO sync_batches (name, replica_id, kind, status, detail, size, "
            "operations, seen_at) VALUES (?, ?, 'snapshot', 'applied', ?, ?, 0, ?) "
            "ON CONFLICT (name) DO NOTHING",
            (
                joining["name"],
                joining["replica"],
                json.dumps(coverage),
                joining["size"],
                w.entered_at,
            ),
        )
        w.execute("DELETE FROM meta WHERE key = ?", (META_JOINING,))
    book._actor = None
    report.joined_from = str(joining["name"])


def write_snapshot(
    book: Book, folder: Path, key: TeamKey | None, replica: str, seq: int
) -> tuple[str, dict[str, str]] | None:
    """Write a snapshot of this book into the folder; returns its name and coverage."""
    db = book.db
    assert db.path is not None
    name = transport.snapshot_name(replica, seq)
    if (folder / name).exists():
        return None
    temp = db.path.with_name(f".{db.path.name}.snapshot-{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    try:
        db.raw.execute("VACUUM INTO ?", (str(temp),))
        conn = sqlite3.connect(temp)
        try:
            marks = ", ".join("?" * len(LOCAL_META))
            conn.execute(
                f"DELETE FROM meta WHERE key IN ({marks}) OR key LIKE 'sync.%'", LOCAL_META
            )
            for table in ("sync_conflicts", "sync_batches", "sync_pending"):
                conn.execute(f"DELETE FROM {table}")
            conn.commit()
            coverage = {
                str(r): str(h)
                for r, h in conn.execute(
                    "SELECT replica_id, max(hlc) FROM changes GROUP BY replica_id"
                )
            }
        finally:
            conn.close()
        header = {
            "kind": "snapshot",
            "format": SYNC_FORMAT,
            "schema": HEAD,
            "crm": __version__,
            "replica": replica,
            "seq": seq,
            "coverage": coverage,
            "hlc": max(coverage.values(), default=""),
            "created": to_json_value(clock.now()),
        }

        def fill(handle: Any) -> None:
            container.write(handle, header, _file_chunks(temp), key=key, codec="zstd")

        transport.write_atomically(folder, name, fill)
    finally:
        temp.unlink(missing_ok=True)
    return name, coverage


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(container.FRAME):
            yield chunk


# -- export and compaction -------------------------------------------------------------
def _own_state(
    book: Book, folder: Path, files: list[FolderFile], key: TeamKey | None, replica: str
) -> tuple[str, int]:
    """(last stamp shipped, last file number), trusting the folder over a killed sync."""
    meta = _meta(book)
    cursor = meta.get(META_CURSOR, "")
    seq = int(meta.get(META_SEQ, "0") or 0)
    own = [f for f in files if f.replica_id == replica and f.kind == "batch"]
    if own and own[-1].seq > seq:
        # a sync was killed after renaming its file into place, before it noted so
        with own[-1].path.open("rb") as handle:
            header, _ = container.read_header(handle)
        cursor = max(cursor, str(header.get("last") or ""))
        seq = own[-1].seq
    snaps = [f.seq for f in files if f.replica_id == replica and f.kind == "snapshot"]
    return cursor, max([seq, *snaps])


def _export(
    book: Book,
    folder: Path,
    files: list[FolderFile],
    key: TeamKey | None,
    replica: str,
    report: SyncReport,
) -> None:
    cursor, seq = _own_state(book, folder, files, key, replica)
    username = book.actor["username"]
    with book.read() as r:
        waiting = int(
            r.scalar(
                "SELECT count(*) FROM changes WHERE replica_id = ? AND hlc > ?", (replica, cursor)
            )
        )
    if not waiting:
        return
    if not cursor and waiting > SNAPSHOT_FIRST_OPS:
        # A big book's first sync: one snapshot instead of a replay of its whole history.
        written = write_snapshot(book, folder, key, replica, seq + 1)
        if written is not None:
            name, coverage = written
            report.written.append(name)
            report.sent += waiting
            _set_meta(book, exported=coverage.get(replica, ""), seq=str(seq + 1))
            return
    while True:
        with book.read() as r:
            ops = local_changes(r, replica_id=replica, after=cursor, limit=BATCH_OPS)
        if not ops:
            return
        seq += 1
        header = {
            "kind": "batch",
            "format": SYNC_FORMAT,
            "schema": HEAD,
            "crm": __version__,
            "replica": replica,
            "user": username,
            "seq": seq,
            "prev": cursor,
            "first": ops[0][1],
            "last": ops[-1][1],
            "count": len(ops),
            "created": to_json_value(clock.now()),
        }
        payload = json.dumps(
            [[to_json_value(v) for v in op] for op in ops], ensure_ascii=False
        ).encode()

        def fill(handle: Any, header: dict[str, Any] = header, payload: bytes = payload) -> None:
            container.write(handle, header, container.chunked(payload), key=key)

        name = transport.batch_name(replica, seq)
        transport.write_atomically(folder, name, fill)
        cursor = ops[-1][1]
        _set_meta(book, exported=cursor, seq=str(seq))
        report.written.append(name)
        report.sent += len(ops)


def _compact(
    book: Book, folder: Path, key: TeamKey | None, replica: str, report: SyncReport
) -> None:
    """Past COMPACT_AFTER own batch files: a snapshot, then remove what it covers."""
    files = transport.list_files(folder)
    own = [f for f in files if f.replica_id == replica and f.kind == "batch"]
    if len(own) <= COMPACT_AFTER:
        return
    seq = max(f.seq for f in files if f.replica_id == replica)
    written = write_snapshot(book, folder, key, replica, seq)
    if written is None:
        return
    name, coverage = written
    report.written.append(name)
    covered_to = coverage.get(replica, "")
    removable = own[:-KEEP_AFTER_COMPACT]
    for f in removable:
        with f.path.open("rb") as handle:
            header, _ = container.read_header(handle)
        if str(header.get("last") or "~") <= covered_to:
            f.path.unlink(missing_ok=True)
            report.removed.append(f.name)
    for f in files:  # our own older snapshots: the new one covers everything they did
        if f.replica_id == replica and f.kind == "snapshot" and f.name != name:
            f.path.unlink(missing_ok=True)
            report.removed.append(f.name)
