"""Merge operations from other replicas into this one, field by field (SPEC §6).

The rules, all derived from the change log, so any order of arrival gives the same book:

- a field holds the value of the operation with the highest HLC ``(ms, counter, replica)``
  that set it (a create sets every field it carries); the current winner of a field is found
  in the log, never in a side table;
- a delete sets ``deleted_at`` (a tombstone), a restore clears it: the same rule;
- ``updated_at`` is the stated time of the record's latest operation;
- the losing value of two concurrent edits is kept in ``sync_conflicts``; an edit that raced
  a delete is reported there too (the edit is applied to the tombstone, so a restore shows
  it);
- two records claiming one unique value (SKU, username, quote number…) are both kept: the
  later claim is renamed ``value~<id>`` and the pair reported with a merge hint;
- an operation whose record or parent has not arrived, or whose clock is too far ahead,
  waits in ``sync_pending`` and is retried by the next sync.

Every applied operation is recorded in the local log with its origin id, HLC and replica.
"""

from __future__ import annotations

import bisect
import copy
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from crmcli import clock
from crmcli.storage import search_index
from crmcli.storage.db import (
    BULK_CACHE_KIB,
    BULK_ROWS,
    CACHE_KIB,
    SCHEMA_VERSION,
    Reader,
    Writer,
    dumps,
)
from crmcli.sync import rules

# A remote stamp may be at most this far ahead of our clock; operations beyond it wait
# (in sync_pending) until our clock catches up, so a machine whose clock runs days ahead
# cannot win every conflict for ever nor drag everyone's clock forward.
MAX_CLOCK_AHEAD_MS = 10 * 60 * 1000
CHUNK_OPS = 250  # operations applied under one savepoint (a run that fails: one by one)
CONFLICT_NAMESPACE = uuid.UUID("0b8a3c52-7a51-4f3e-9d1e-5c2f7d9e4a61")
COLUMNS = (
    "id",
    "hlc",
    "replica_id",
    "actor",
    "entity",
    "record_id",
    "op",
    "field",
    "old_value",
    "new_value",
    "at",
    "entered_at",
    "schema_version",
)
Op = tuple[Any, ...]  # one change-log row, in COLUMNS order
_ID, _HLC, _REPLICA, _ACTOR, _ENTITY, _RECORD, _OP, _FIELD, _OLD, _NEW, _AT = range(11)
_VERSION = 12


@dataclass
class MergeResult:
    """What one merge did."""

    applied: int = 0
    already: int = 0
    waiting: int = 0
    conflicts: int = 0
    waiting_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class TableInfo:
    """What sync needs to know of a table, read from the schema itself."""

    name: str
    columns: dict[str, str]  # name -> declared type
    parents: dict[str, str]  # foreign-key column -> referenced table
    unique: list[tuple[str, ...]]


class Schema:
    """The tables of this replica, introspected once per merge (generic over the schema)."""

    def __init__(self, w: Writer) -> None:
        self.w = w
        self._tables: dict[str, TableInfo | None] = {}
        names = {r["name"] for r in w.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.names = {n for n in names if n not in rules.INTERNAL_TABLES and "_fts" not in n}

    def table(self, name: str) -> TableInfo | None:
        if name not in self._tables:
            self._tables[name] = self._load(name) if name in self.names else None
        return self._tables[name]

    def _load(self, name: str) -> TableInfo | None:
        columns = {
            r["name"]: str(r["type"]).upper() for r in self.w.rows(f'PRAGMA table_info("{name}")')
        }
        if "id" not in columns:
            return None  # not a record table (an index or a virtual table's shadow)
        parents = {r["from"]: r["table"] for r in self.w.rows(f'PRAGMA foreign_key_list("{name}")')}
        unique: list[tuple[str, ...]] = []
        for index in self.w.rows(f'PRAGMA index_list("{name}")'):
            if not index["unique"] or index["origin"] == "pk" or index.get("partial"):
                continue
            cols = [r["name"] for r in self.w.rows(f'PRAGMA index_info("{index["name"]}")')]
            if cols and all(c is not None for c in cols):
                unique.append(tuple(cols))
        return TableInfo(name, columns, parents, unique)


def parse_op(values: Sequence[Any]) -> Op:
    """An operation from a batch, checked for shape (a damaged one raises ValueError)."""
    if len(values) != len(COLUMNS):
        raise ValueError("an operation has the wrong number of fields")
    op = tuple(values)
    for i in (_ID, _HLC, _REPLICA, _ENTITY, _RECORD, _OP, _AT):
        if not isinstance(op[i], str):
            raise ValueError("an operation is damaged")
    if len(op[_HLC]) < 20 or not op[_HLC][:13].isdigit():
        raise ValueError("an operation has a bad clock stamp")
    return op


class Merger:
    """Applies a set of foreign operations (plus those still waiting) in one transaction."""

    def __init__(self, w: Writer) -> None:
        self.w = w
        self.schema = Schema(w)
        self.result = MergeResult()
        self.now_ms = int(clock.now().timestamp() * 1000)
        self._history: dict[tuple[str, str], list[Op]] = {}
        self._values: dict[str, dict[str, Any]] = {}
        self._exists: set[tuple[str, str]] = set()
        self._rows: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._log: list[Op] = []  # applied operations not yet written to the change log
        self._max_seen = ""

    # -- the run ---------------------------------------------------------------------
    def merge(self, incoming: Iterable[Op]) -> MergeResult:
        ops: dict[str, Op] = {}
        waiting_before: set[str] = set()
        for row in self.w.rows("SELECT change_id, body FROM sync_pending"):
            ops[row["change_id"]] = tuple(json.loads(row["body"]))
            waiting_before.add(row["change_id"])
        for op in incoming:
            ops.setdefault(op[_ID], op)
        big = len(ops) >= BULK_ROWS
        if big:  # the indexes a large merge touches stay in memory between operations
            self.w.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            # the search index is brought up to date once, after every operation (see
            # search_index.Pending: per operation, FTS5 would write a segment each time)
            with search_index.deferred(self.w):
                return self._merge(ops, waiting_before)
        finally:
            if big:
                self.w.execute(f"PRAGMA cache_size = -{CACHE_KIB}")

    def _merge(self, ops: dict[str, Op], waiting_before: set[str]) -> MergeResult:
        known = self._known_ids(list(ops))
        self._prefetch([op for op in ops.values() if op[_ID] not in known])
        ordered = sorted(ops.values(), key=lambda o: o[_HLC])
        for start in range(0, len(ordered), CHUNK_OPS):
            run = ordered[start : start + CHUNK_OPS]
            if self._guarded(run, known, waiting_before) is None:
                continue
            for op in run:  # again, each under its own savepoint, to find the one rejected
                error = self._guarded([op], known, waiting_before)
                if error is not None:
                    self._wait(op, f"this book cannot hold it yet: {str(error)[:120]}")
        self._observe()
        return self.result

    def _guarded(
        self, run: list[Op], known: set[str], waiting_before: set[str]
    ) -> sqlite3.DatabaseError | None:
        """Apply a run of operations under one savepoint. When the book's schema rejects one,
        undo the run, and what this merge remembers of it, and return the error.

        One savepoint per operation cost ~20% of a 10,000-operation merge, and operations
        the schema rejects are rare (a newer build's records, a unique value taken
        meanwhile): runs are applied whole, and only a failed run one operation at a time.
        """
        before = (copy.deepcopy(self.result), set(known), list(self._log))
        self.w.execute("SAVEPOINT sync_run")
        try:
            for op in run:
                self._take(op, known, waiting_before)
        except sqlite3.DatabaseError as exc:
            self.w.execute("ROLLBACK TO sync_run")
            self.w.execute("RELEASE sync_run")
            # what the run wrote to the log was rolled back with it: the operations applied
            # before the run are unlogged again, and are logged now, because the cached
            # rows, histories and parents are dropped (they may hold what was just undone)
            # and read again from the book, log included, as needed
            self.result, was_known, self._log = before
            known.clear()
            known.update(was_known)
            self._rows.clear()
            self._history.clear()
            self._exists.clear()
            self._flush()
            return exc
        self.w.execute("RELEASE sync_run")
        return None

    def _take(self, op: Op, known: set[str], waiting_before: set[str]) -> None:
        """One operation: skipped when already here, else applied or set waiting."""
        if op[_ID] in known:
            self.result.already += op[_ID] not in waiting_before
            if op[_ID] in waiting_before:
                self._unwait(op)
            return
        reason = self._apply(op)
        if reason is not None:
            self._wait(op, reason)
            return
        known.add(op[_ID])
        self.result.applied += 1
        if op[_ID] in waiting_before:
            self._unwait(op)

    def _wait(self, op: Op, reason: str) -> None:
        """Keep an operation this book cannot apply yet (``sync_pending``), with why."""
        self.result.waiting += 1
        self.result.waiting_reasons[reason] = self.result.waiting_reasons.get(reason, 0) + 1
        self.w.execute(
            "INSERT INTO sync_pending (change_id, hlc, reason, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (change_id) DO UPDATE SET reason = excluded.reason",
            (op[_ID], op[_HLC], reason, json.dumps(list(op))),
        )

    # -- look-ups in bulk (a merge of thousands of operations) ------------------------
    def _chunks(self, ids: Iterable[str]) -> Iterator[list[str]]:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):
            yield wanted[start : start + 500]

    def _prefetch(self, ops: list[Op]) -> None:
        """Read the records, their logs and their parents for all operations at once."""
        by_table: dict[str, set[str]] = {}
        for op in ops:
            by_table.setdefault(op[_ENTITY], set()).add(op[_RECORD])
        parents: dict[str, set[str]] = {}
        for name, ids in by_table.items():
            table = self.schema.table(name)
            if table is None:
                continue
            found: set[str] = set()
            for part in self._chunks(ids):
                for row in self.w.rows(
                    f"SELECT * FROM {name} WHERE id IN ({', '.join('?' * len(part))})", part
                ):
                    self._rows[(name, row["id"])] = row
                    found.add(row["id"])
            for record_id in ids - found:
                self._rows[(name, record_id)] = None
            for part in self._chunks(found):
                for record_id in part:
                    self._history[(name, record_id)] = []
                for values in self.w.execute(
                    f"SELECT {', '.join(COLUMNS)} FROM changes WHERE entity = ? "
                    f"AND record_id IN ({', '.join('?' * len(part))}) ORDER BY hlc",
                    (name, *part),
                ).fetchall():
                    self._history[(name, values[_RECORD])].append(tuple(values))
        for op in ops:
            table = self.schema.table(op[_ENTITY])
            if table is None or op[_OP] != "create" or not table.parents:
                continue
            values = self._op_values(op)
            if isinstance(values, dict):
                for column, parent in table.parents.items():
                    if values.get(column) is not None:
                        parents.setdefault(parent, set()).add(values[column])
        for parent, ids in parents.items():
            for part in self._chunks(ids):
                for row in self.w.rows(
                    f"SELECT id FROM {parent} WHERE id IN ({', '.join('?' * len(part))})", part
                ):
                    self._exists.add((parent, row["id"]))

    def _row(self, table: str, record_id: str) -> dict[str, Any] | None:
        key = (table, record_id)
        if key not in self._rows:
            self._rows[key] = self.w.row(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
        return self._rows[key]

    def _unwait(self, op: Op) -> None:
        self.w.execute("DELETE FROM sync_pending WHERE change_id = ?", (op[_ID],))

    def _known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            known.update(
                r["id"]
                for r in self.w.rows(
                    f"SELECT id FROM changes WHERE id IN ({', '.join('?' * len(part))})", part
                )
            )
        return known

    def _observe(self) -> None:
        self._flush()  # a local write follows (or the merge ends): the log must be whole
        if self._max_seen:
            self.w.observe_hlc(self._max_seen)

    # -- one operation ---------------------------------------------------------------
    def _apply(self, op: Op) -> str | None:
        """Apply one operation; None when done, else why it has to wait."""
        if int(op[_VERSION] or 1) > SCHEMA_VERSION:
            return f"written by a newer crmcli (operation format {op[_VERSION]})"
        if int(op[_HLC][:13]) > self.now_ms + MAX_CLOCK_AHEAD_MS:
            return "its clock is ahead of ours by more than 10 minutes"
        table = self.schema.table(op[_ENTITY])
        kind = op[_OP]
        if table is None or kind not in ("create", "update", "delete", "restore"):
            # a kind of record or operation this build does not hold: kept in history only
            self._record(op)
            return None
        row = self._row(table.name, op[_RECORD])
        if kind == "create":
            values = self._op_values(op)
            if not isinstance(values, dict):
                self._record(op)
                return None
            if row is None:
                return self._create(op, table, values)
            fields = {k: v for k, v in values.items() if k != "id"}
        elif row is None:
            return "its record has not arrived yet"
        elif kind == "update":
            if op[_FIELD] not in table.columns:
                self._record(op)
                return None
            fields = {op[_FIELD]: self._json(op[_NEW])}
        elif kind == "delete":
            fields = {"deleted_at": self._json(op[_NEW])}
        else:
            fields = {"deleted_at": None}
        return self._fields(op, table, row, fields)

    def _create(self, op: Op, table: TableInfo, values: dict[str, Any]) -> str | None:
        insert = {k: v for k, v in values.items() if k in table.columns}
        insert["id"] = op[_RECORD]
        missing = self._missing_parent(table, insert)
        if missing:
            return missing
        renamed: list[tuple[str, Any, Any]] = []
        if table.name not in rules.APPEND_ONLY:
            outcome = self._claim_unique(op, table, op[_RECORD], insert, set(insert))
            if isinstance(outcome, str):
                return outcome
            renamed = outcome
        if renamed:
            insert["updated_at"] = self.w.at  # the rename below is the latest operation
        self._record(op, insert=insert)
        self._exists.add((table.name, op[_RECORD]))
        self._rows[(table.name, op[_RECORD])] = dict(insert)
        if renamed:
            self._observe()  # our rename must be stamped after the operation it renames
        for column, old, new in renamed:
            self.w.log(table.name, op[_RECORD], "update", field_name=column, old=old, new=new)
        if renamed:
            self._history.pop((table.name, op[_RECORD]), None)  # read again, with our renames
        else:
            self._history[(table.name, op[_RECORD])] = [op]
        if table.name in rules.LOGICAL_UNIQUE:
            self._logical_unique(op, table, insert)
        return None

    def _fields(
        self, op: Op, table: TableInfo, row: dict[str, Any], fields: dict[str, Any]
    ) -> str | None:
        history = self._history_of(table.name, op[_RECORD])
        assign: dict[str, Any] = {}
        conflicts: list[tuple[Op, Op, str, Any, Any]] = []
        for name, value in fields.items():
            if name not in table.columns or name in ("id", "updated_at"):
                continue
            winner = self._winner(history, name)
            if winner is None or op[_HLC] > winner[0][_HLC]:
                assign[name] = value
                if winner is not None and self._concurrent(
                    op, winner[0], name, value, winner[1], op_wins=True
                ):
                    conflicts.append((op, winner[0], name, value, winner[1]))
            elif self._concurrent(op, winner[0], name, value, winner[1], op_wins=False):
                conflicts.append((winner[0], op, name, winner[1], value))
        missing = self._missing_parent(table, assign)
        if missing:
            return missing
        renamed: list[tuple[str, Any, Any]] = []
        if assign and table.name not in rules.APPEND_ONLY:
            merged = {**row, **assign}
            outcome = self._claim_unique(op, table, op[_RECORD], merged, set(assign))
            if isinstance(outcome, str):
                return outcome
            renamed = outcome
            for column, _old, new in renamed:
                assign[column] = new
        latest = history[-1][_HLC] if history else ""
        if renamed:
            assign["updated_at"] = self.w.at
        elif op[_HLC] > latest:
            if op[_OP] == "create":
                assign["updated_at"] = fields.get("updated_at", op[_AT])
            else:
                assign["updated_at"] = op[_AT]
        for kept, lost, name, kept_value, lost_value in conflicts:
            self._conflict(
                "field", table.name, op[_RECORD], name, kept, lost, kept_value, lost_value
            )
        self._delete_races(op, table, row, history, fields)
        self._record(op, assign=assign)
        row.update(assign)
        bisect.insort(history, op, key=lambda change: change[_HLC])  # the log stays in HLC order
        if renamed:
            self._observe()  # our rename must be stamped after the operation it renames
        for column, old, new in renamed:
            self.w.log(table.name, op[_RECORD], "update", field_name=column, old=old, new=new)
        if renamed:
            self._history.pop((table.name, op[_RECORD]), None)
        if table.name in rules.LOGICAL_UNIQUE and assign:
            self._logical_unique(op, table, {**row, **assign})
        return None

    def _record(self, op: Op, **effect: Any) -> None:
        self._max_seen = max(self._max_seen, op[_HLC])
        self.w.apply_foreign(op, **effect, log=False)
        self._log.append(op)

    def _flush(self) -> None:
        """Write the applied operations to the change log (in id order: one pass over its
        primary key), before anything reads the log from the database again."""
        self._log.sort(key=lambda op: op[_ID])
        self.w.log_foreign(self._log)
        self._log = []

    # -- the change log as the source of truth ---------------------------------------
    def _history_of(self, table: str, record_id: str) -> list[Op]:
        key = (table, record_id)
        if key not in self._history:
            self._history[key] = [
                tuple(r[c] for c in COLUMNS)
                for r in self.w.rows(
                    f"SELECT {', '.join(COLUMNS)} FROM changes "
                    "WHERE entity = ? AND record_id = ? ORDER BY hlc",
                    key,
                )
            ]
        return self._history[key]

    def _op_values(self, op: Op) -> Any:
        cached = self._values.get(op[_ID]) if op[_ID] else None
        if cached is None:
            cached = self._json(op[_NEW])
            if op[_ID] and isinstance(cached, dict):
                self._values[op[_ID]] = cached
        return cached

    @staticmethod
    def _json(text: str | None) -> Any:
        return None if text is None else json.loads(text)

    def _winner(self, history: list[Op], name: str) -> tuple[Op, Any] | None:
        """The operation whose value the field holds now, and that value."""
        for change in reversed(history):
            kind = change[_OP]
            if kind == "update" and change[_FIELD] == name:
                return change, self._json(change[_NEW])
            if kind == "create":
                values = self._op_values(change)
                if isinstance(values, dict) and name in values:
                    return change, values[name]
            elif name == "deleted_at" and kind in ("delete", "restore"):
                return change, self._json(change[_NEW]) if kind == "delete" else None
        return None

    def _concurrent(
        self, op: Op, winner: Op, name: str, value: Any, winner_value: Any, *, op_wins: bool
    ) -> bool:
        """Did these two edits of one field race (neither made on top of the other)?"""
        if name in rules.BOOKKEEPING or name == "deleted_at":
            return False
        if op[_REPLICA] == winner[_REPLICA] or value == winner_value:
            return False
        later, earlier_value = (op, winner_value) if op_wins else (winner, value)
        if later[_OP] == "update" and later[_OLD] is not None:
            return bool(self._json(later[_OLD]) != earlier_value)
        return later[_OP] == "create" or (later[_OLD] is None and earlier_value is not None)

    # -- parents, uniqueness, deletes ------------------------------------------------
    def _missing_parent(self, table: TableInfo, values: dict[str, Any]) -> str | None:
        for column, parent in table.parents.items():
            value = values.get(column)
            if value is None or (parent, value) in self._exists:
                continue
            if self.w.row(f"SELECT 1 AS found FROM {parent} WHERE id = ?", (value,)) is None:
                return f"waiting for a {parent} record that has not arrived yet"
            self._exists.add((parent, value))
        return None

    def _claim_unique(
        self, op: Op, table: TableInfo, record_id: str, values: dict[str, Any], changed: set[str]
    ) -> list[tuple[str, Any, Any]] | str:
        """Resolve collisions on the table's unique constraints; returns our own renames."""
        renamed: list[tuple[str, Any, Any]] = []
        for columns in table.unique:
            if not changed.intersection(columns):
                continue
            key = [values.get(c) for c in columns]
            if any(v is None for v in key):
                continue
            where = " AND ".join(f"{c} = ?" for c in columns)
            other = self.w.row(
                f"SELECT * FROM {table.name} WHERE {where} AND id <> ?", (*key, record_id)
            )
            if other is None:
                continue
            column = self._rename_column(table, columns)
            if column is None:
                return f"its {', '.join(columns)} collides with record {other['id'][:8]}"
            if (table.name, other["id"]) not in self._history:
                self._flush()  # its log may hold operations of this merge
            other_winner = self._winner(self._history_of(table.name, other["id"]), column)
            other_stamp = other_winner[0][_HLC] if other_winner else ""
            if op[_HLC] > other_stamp:  # ours is the later claim: ours is renamed
                new = f"{values[column]}~{record_id[:8]}"
                renamed.append((column, values[column], new))
                values[column] = new
                loser, keeper = record_id, other["id"]
            else:
                new = f"{other[column]}~{other['id'][:8]}"
                self._observe()  # the local rename must be stamped after what we received
                self.w.update(table.name, other["id"], {column: new})
                self._history.pop((table.name, other["id"]), None)
                self._rows.pop((table.name, other["id"]), None)
                loser, keeper = other["id"], record_id
            self._unique_conflict(table, columns, keeper, loser, key)
        return renamed

    @staticmethod
    def _rename_column(table: TableInfo, columns: tuple[str, ...]) -> str | None:
        chosen = rules.RENAME_COLUMN.get(table.name)
        if chosen in columns:
            return chosen
        for column in reversed(columns):
            kind = table.columns.get(column, "")
            if (
                column not in table.parents
                and not column.endswith("_id")
                and ("CHAR" in kind or "TEXT" in kind)
            ):
                return column
        return None

    def _unique_conflict(
        self, table: TableInfo, columns: Sequence[str], keeper: str, loser: str, key: list[Any]
    ) -> None:
        hint = rules.MERGE_HINTS.get(table.name, rules.DEFAULT_HINT).format(
            kept=keeper[:8], other=loser[:8], entity=table.name, columns=", ".join(columns)
        )
        self._insert_conflict(
            self._conflict_id("unique", table.name, *sorted((keeper, loser)), *columns),
            kind="unique",
            entity=table.name,
            record_id=loser,
            field_name=", ".join(columns),
            kept=dumps(keeper),
            lost=dumps(loser),
            change_id="",
            kept_change_id=None,
            kept_replica=None,
            lost_replica=None,
            hint=f"both kept; {' / '.join(str(v) for v in key)} was claimed twice — {hint}",
        )

    def _logical_unique(self, op: Op, table: TableInfo, values: dict[str, Any]) -> None:
        for column in rules.LOGICAL_UNIQUE.get(table.name, ()):
            value = values.get(column)
            if not isinstance(value, str) or not value or values.get("deleted_at"):
                continue
            for other in self.w.rows(
                f"SELECT id FROM {table.name} WHERE lower({column}) = ? AND id <> ? "
                "AND deleted_at IS NULL",
                (value.lower(), op[_RECORD]),
            ):
                self._unique_conflict(table, (column,), other["id"], op[_RECORD], [value])

    def _delete_races(
        self,
        op: Op,
        table: TableInfo,
        row: dict[str, Any],
        history: list[Op],
        fields: dict[str, Any],
    ) -> None:
        """Report an edit that raced a delete (the edit is kept on the tombstone)."""
        if op[_OP] == "delete":
            for change in reversed(history):
                if change[_HLC] <= op[_HLC]:
                    break
                if change[_OP] == "update" and change[_REPLICA] != op[_REPLICA]:
                    self._delete_conflict(table, op, change)
                    return
        elif op[_OP] in ("update", "create") and row.get("deleted_at"):
            winner = self._winner(history, "deleted_at")
            if (
                winner is not None
                and winner[0][_OP] == "delete"
                and winner[0][_REPLICA] != op[_REPLICA]
                and op[_HLC] > winner[0][_HLC]
                and set(fields) - rules.BOOKKEEPING - {"deleted_at"}
            ):
                self._delete_conflict(table, winner[0], op)

    def _delete_conflict(self, table: TableInfo, delete: Op, edit: Op) -> None:
        self._insert_conflict(
            self._conflict_id("delete", delete[_ID]),
            kind="delete",
            entity=table.name,
            record_id=delete[_RECORD],
            field_name=edit[_FIELD],
            kept=dumps("deleted"),
            lost=dumps("edited"),
            change_id=edit[_ID],
            kept_change_id=delete[_ID],
            kept_replica=delete[_REPLICA],
            lost_replica=edit[_REPLICA],
            hint=f"edited by {edit[_ACTOR]} while {delete[_ACTOR]} deleted it; "
            "the edit is kept on the deleted record",
        )

    def _conflict(
        self,
        kind: str,
        entity: str,
        record_id: str,
        name: str,
        kept: Op,
        lost: Op,
        kept_value: Any,
        lost_value: Any,
    ) -> None:
        self._insert_conflict(
            self._conflict_id(kind, lost[_ID], kept[_ID], name),
            kind=kind,
            entity=entity,
            record_id=record_id,
            field_name=name,
            kept=dumps(kept_value),
            lost=dumps(lost_value),
            change_id=lost[_ID],
            kept_change_id=kept[_ID],
            kept_replica=kept[_REPLICA],
            lost_replica=lost[_REPLICA],
            hint=None,
        )

    @staticmethod
    def _conflict_id(*parts: str) -> str:
        return str(uuid.uuid5(CONFLICT_NAMESPACE, ":".join(parts)))

    def _insert_conflict(
        self,
        conflict_id: str,
        *,
        kind: str,
        entity: str,
        record_id: str,
        field_name: str | None,
        kept: str | None,
        lost: str | None,
        change_id: str,
        kept_change_id: str | None,
        kept_replica: str | None,
        lost_replica: str | None,
        hint: str | None,
    ) -> None:
        cursor = self.w.execute(
            "INSERT INTO sync_conflicts (id, change_id, entity, record_id, field, kept_value, "
            "lost_value, detected_at, kind, kept_change_id, kept_replica_id, lost_replica_id, "
            "hint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (
                conflict_id,
                change_id,
                entity,
                record_id,
                field_name,
                kept,
                lost,
                self.w.entered_at,
                kind,
                kept_change_id,
                kept_replica,
                lost_replica,
                hint,
            ),
        )
        self.result.conflicts += max(cursor.rowcount, 0)


def local_changes(w: Reader, *, replica_id: str, after: str, limit: int) -> list[Op]:
    """This replica's own operations after the stamp ``after`` (what export ships)."""
    return [
        tuple(r[c] for c in COLUMNS)
        for r in w.rows(
            f"SELECT {', '.join(COLUMNS)} FROM changes WHERE replica_id = ? AND hlc > ? "
            "ORDER BY hlc LIMIT ?",
            (replica_id, after, limit),
        )
    ]
