"""What ``crm sync status``, ``crm sync conflicts`` and ``crm sync resolve`` show and do."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from crmcli.errors import Ambiguous, InvalidInput, NotFound
from crmcli.services.book import Book
from crmcli.sync import transport
from crmcli.sync.engine import META_CURSOR, META_KEY, META_LAST, META_REMOTE, _meta


class ReplicaSeen(TypedDict):
    """Another replica, as its files in the folder show it."""

    replica_id: str
    user: str | None
    files: int
    last_file_at: str | None
    applied: int


class SyncStatus(TypedDict):
    """``crm sync status``."""

    remote: str | None
    reachable: bool
    encrypted: bool
    replica_id: str
    last_sync_at: str | None
    pending_out: int
    pending_in_files: int
    waiting_operations: int
    waiting_reasons: dict[str, int]
    conflicts_open: int
    refused: list[dict[str, str]]
    newer: list[dict[str, str]]
    replicas: list[ReplicaSeen]


def status(book: Book) -> SyncStatus:
    """Replicas seen, last sync, operations pending in and out, conflicts open."""
    meta = _meta(book)
    replica = meta.get("replica_id", "")
    remote = meta.get(META_REMOTE)
    with book.read() as r:
        pending_out = int(
            r.scalar(
                "SELECT count(*) FROM changes WHERE replica_id = ? AND hlc > ?",
                (replica, meta.get(META_CURSOR, "")),
            )
        )
        seen = {row["name"]: row for row in r.rows("SELECT * FROM sync_batches")}
        waiting: dict[str, int] = {
            row["reason"]: int(row["n"])
            for row in r.rows("SELECT reason, count(*) AS n FROM sync_pending GROUP BY reason")
        }
        open_conflicts = int(
            r.scalar("SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL")
        )
    replicas: dict[str, ReplicaSeen] = {}
    pending_in = 0
    reachable = False
    if remote and Path(remote).is_dir():
        reachable = True
        for f in transport.list_files(Path(remote)):
            if f.replica_id == replica:
                continue
            entry = replicas.setdefault(
                f.replica_id,
                {
                    "replica_id": f.replica_id,
                    "user": None,
                    "files": 0,
                    "last_file_at": None,
                    "applied": 0,
                },
            )
            entry["files"] += 1
            try:
                stamp = datetime.fromtimestamp(f.path.stat().st_mtime, UTC).isoformat(
                    timespec="seconds"
                )
            except OSError:
                stamp = None
            if stamp and (entry["last_file_at"] or "") < stamp:
                entry["last_file_at"] = stamp
            known = seen.get(f.name)
            if known and known["status"] == "applied":
                entry["applied"] += 1
            elif f.kind == "batch":
                pending_in += 1
    for name, row in seen.items():
        if row["replica_id"] in replicas and row["kind"] == "batch":
            user = _user_of(name, row)
            if user:
                replicas[row["replica_id"]]["user"] = user
    return {
        "remote": remote,
        "reachable": reachable,
        "encrypted": bool(meta.get(META_KEY)),
        "replica_id": replica,
        "last_sync_at": meta.get(META_LAST),
        "pending_out": pending_out,
        "pending_in_files": pending_in,
        "waiting_operations": sum(waiting.values()),
        "waiting_reasons": waiting,
        "conflicts_open": open_conflicts,
        "refused": [
            {"file": n, "problem": r["detail"] or ""}
            for n, r in seen.items()
            if r["status"] == "refused"
        ],
        "newer": [
            {"file": n, "problem": r["detail"] or ""}
            for n, r in seen.items()
            if r["status"] == "newer"
        ],
        "replicas": sorted(replicas.values(), key=lambda e: e["replica_id"]),
    }


def _user_of(_name: str, row: dict[str, Any]) -> str | None:
    """Who writes that replica's batches (noted from their headers when applied)."""
    return str(row["detail"]) if row["status"] == "applied" and row["detail"] else None


@dataclass(frozen=True)
class ConflictView:
    """One conflict as ``crm sync conflicts`` lists it."""

    id: str
    handle: str
    kind: str
    entity: str
    record_id: str
    field: str | None
    kept: Any
    lost: Any
    mine: str  # which side is this replica's: kept|lost|none
    detected_at: str
    resolved_at: str | None
    hint: str | None

    def public(self) -> dict[str, Any]:
        return asdict(self)


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _view(row: dict[str, Any], replica: str) -> ConflictView:
    mine = (
        "kept"
        if row["kept_replica_id"] == replica
        else "lost"
        if row["lost_replica_id"] == replica
        else "none"
    )
    detected = row["detected_at"]
    resolved = row["resolved_at"]
    return ConflictView(
        id=row["id"],
        handle=row["id"][:8],
        kind=row["kind"],
        entity=row["entity"],
        record_id=row["record_id"],
        field=row["field"],
        kept=_decode(row["kept_value"]),
        lost=_decode(row["lost_value"]),
        mine=mine,
        detected_at=detected.isoformat() if hasattr(detected, "isoformat") else str(detected),
        resolved_at=None
        if resolved is None
        else resolved.isoformat()
        if hasattr(resolved, "isoformat")
        else str(resolved),
        hint=row["hint"],
    )


def conflicts(book: Book, *, include_resolved: bool = False) -> list[ConflictView]:
    """Conflicts the merges found (open ones, or all)."""
    replica = _meta(book).get("replica_id", "")
    where = "" if include_resolved else "WHERE resolved_at IS NULL"
    with book.read() as r:
        rows = r.rows(f"SELECT * FROM sync_conflicts {where} ORDER BY detected_at, id")
    return [_view(row, replica) for row in rows]


@dataclass(frozen=True)
class Resolution:
    """What ``crm sync resolve`` did."""

    conflict: ConflictView
    action: str


def resolve(book: Book, handle: str, *, keep: str) -> Resolution:
    """Settle a conflict: keep ``mine``, ``theirs``, or a VALUE of your own."""
    replica = _meta(book).get("replica_id", "")
    text = handle.strip().lower()
    if not text:
        raise InvalidInput("name a conflict", hint="list them with: crm sync conflicts")
    with book.read() as r:
        rows = r.rows("SELECT * FROM sync_conflicts WHERE id >= ? AND id < ?", (text, text + "~"))
    if not rows:
        raise NotFound(f"no conflict {handle!r}", hint="list them with: crm sync conflicts")
    if len(rows) > 1:
        raise Ambiguous("conflict", handle, [row["id"][:12] for row in rows])
    row = rows[0]
    view = _view(row, replica)
    if view.resolved_at:
        raise InvalidInput(f"conflict {view.handle} is already resolved")
    side = keep.strip().lower()
    with book.write() as w:
        action = "kept as it is"
        if view.kind == "field":
            if side in ("mine", "theirs"):
                take_lost = (side == "mine") == (view.mine == "lost")
                value = view.lost if take_lost else view.kept
            else:
                value = _value(keep)
            current = w.row(
                f"SELECT {view.field} AS v FROM {view.entity} WHERE id = ?", (view.record_id,)
            )
            if current is None:
                raise NotFound(f"the record of conflict {view.handle} is gone")
            if w.update(view.entity, view.record_id, {str(view.field): value}):
                action = f"{view.field} set to {value!r}"
        elif view.kind == "delete":
            if side not in ("mine", "theirs"):
                raise InvalidInput(
                    "an edit-versus-delete conflict takes --keep mine or --keep theirs"
                )
            deleter_is_me = view.mine == "kept"
            keep_deletion = (
                (side == "mine") == deleter_is_me if view.mine != "none" else side == "mine"
            )
            record = w.get(view.entity, view.record_id, include_deleted=True)
            if not keep_deletion and record.get("deleted_at"):
                w.restore(view.entity, view.record_id)
                action = "record restored with the edit"
            else:
                action = "deletion kept"
        elif side not in ("mine", "theirs"):  # unique: a new value for the renamed record
            column = (view.field or "").split(",")[0].strip()
            w.update(view.entity, str(view.lost), {column: keep.strip()})
            action = f"{column} of {str(view.lost)[:8]} set to {keep.strip()!r}"
        else:
            action = "both records kept"
        w.execute("UPDATE sync_conflicts SET resolved_at = ? WHERE id = ?", (w.entered_at, view.id))
    return Resolution(conflict=view, action=action)


def _value(text: str) -> Any:
    """A value typed on the command line: JSON when it parses (numbers, null), else text."""
    try:
        return json.loads(text)
    except ValueError:
        return text
