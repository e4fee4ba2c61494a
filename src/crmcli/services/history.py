"""The audit trail: who changed what, when (stated and entered), and undo."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crmcli.errors import Ambiguous, InvalidInput, NotFound
from crmcli.services.book import Book
from crmcli.services.handles import ENTITIES, TABLE_ENTITY, change_handle, resolve, short
from crmcli.storage.db import Reader, Row

RECORD_ENTITIES = (
    "contact",
    "company",
    "lead",
    "deal",
    "activity",
    "quote",
    "product",
    "user",
    "pipeline",
    "plan",
    "payment",
    "order",
)


def find_any(reader: Reader, handle: str, *, entity: str | None = None) -> tuple[str, Row]:
    """Resolve a handle against one entity, or every entity when it names only one record."""
    names = (entity,) if entity else RECORD_ENTITIES
    found: list[tuple[str, Row]] = []
    for name in names:
        try:
            found.append((name, resolve(reader, name, handle, include_deleted=True)))
        except NotFound:
            continue
        except Ambiguous as exc:
            if entity:
                raise
            found.extend((name, {"id": c, "label": c}) for c in exc.candidates)
    if not found:
        raise NotFound(
            f"nothing matches {handle!r}", hint="use a handle from a list, e.g. crm deal list"
        )
    if len(found) > 1:
        raise Ambiguous(
            "record",
            handle,
            [
                f"{name} {short(row['id'])} {'' if 'label' in row else ENTITIES[name].label(row)}"
                for name, row in found
            ],
        )
    return found[0]


# Reference fields and how to name what they point at, for people reading history.
REFERENCES = {
    "owner_id": ("users", "username"),
    "user_id": ("users", "username"),
    "stage_id": ("stages", "name"),
    "from_stage_id": ("stages", "name"),
    "to_stage_id": ("stages", "name"),
    "pipeline_id": ("pipelines", "name"),
    "company_id": ("companies", "name"),
    "contact_id": ("contacts", "name"),
    "deal_id": ("deals", "name"),
    "lead_id": ("leads", "name"),
    "product_id": ("products", "sku"),
}


def _label(reader: Reader, changes: list[Row]) -> list[Row]:
    """Add ``old_label``/``new_label`` naming the records that reference fields point at."""
    wanted: dict[str, set[str]] = {}
    for change in changes:
        ref = REFERENCES.get(change["field"] or "")
        if ref:
            for value in (change["old"], change["new"]):
                if isinstance(value, str):
                    wanted.setdefault(ref[0], set()).add(value)
    names: dict[str, str] = {}
    for table, ids in wanted.items():
        column = next(c for t, c in REFERENCES.values() if t == table)
        names.update(reader.values_by_id(table, column, ids))
    for change in changes:
        if REFERENCES.get(change["field"] or ""):
            change["old_label"] = names.get(change["old"]) if change["old"] else None
            change["new_label"] = names.get(change["new"]) if change["new"] else None
        elif (change["field"] or "").endswith("_milli"):
            change["old_label"] = _amount(change["old"])
            change["new_label"] = _amount(change["new"])
    return changes


def _amount(value: Any) -> str | None:
    """A logged ``*_milli`` integer as people read it (``1250500`` → ``1250.50``)."""
    if not isinstance(value, int):
        return None
    amount = Decimal(value).scaleb(-3)
    return str(amount.quantize(Decimal("0.01")) if value % 10 == 0 else amount)


# How storage writes a time into the log (UTC, fixed width): decoded back into a datetime.
_LOGGED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def _decode(raw: str | None) -> Any:
    """A logged value as Python: JSON, with logged times as timezone-aware datetimes."""
    value = None if raw is None else json.loads(raw)
    if isinstance(value, str) and _LOGGED_TIME.match(value):
        return datetime.fromisoformat(value)
    return value


def _public(row: Row) -> Row:
    return {
        "id": row["id"],
        "handle": change_handle(row["id"]),
        "hlc": row["hlc"],
        "at": row["at"],
        "entered_at": row["entered_at"],
        "user": row["actor"],
        "via": row.get("origin"),  # "mcp": made by an AI assistant through `crm mcp serve`
        "entity": TABLE_ENTITY.get(row["entity"], row["entity"]),
        "record_id": row["record_id"],
        "record": short(row["record_id"]),
        "op": row["op"],
        "field": row["field"],
        "old": _decode(row["old_value"]),
        "new": _decode(row["new_value"]),
    }


def changes_where(
    reader: Reader, condition: str, params: Sequence[Any], *, limit: int, newest_first: bool = True
) -> list[Row]:
    """Change-log entries matching ``condition``, decoded and labelled: the one history query
    every view (``crm history``, ``deal show``, ``company show``) reads through."""
    order = "DESC" if newest_first else ""
    rows = reader.rows(
        f"SELECT changes.*, o.origin FROM changes "
        f"LEFT JOIN change_origins o ON o.change_id = changes.id "
        f"WHERE {condition} ORDER BY hlc {order} LIMIT ?",
        (*params, limit),
    )
    return _label(reader, [_public(c) for c in rows])


def record_history(
    book: Book, handle: str, *, entity: str | None = None, limit: int = 200
) -> tuple[str, Row, list[Row]]:
    """Every change of one record, oldest first."""
    with book.read() as r:
        name, record = find_any(r, handle, entity=entity)
        condition, params = "entity = ? AND record_id = ?", [ENTITIES[name].table, record["id"]]
        if name == "deal":  # a deal's splits are part of its story (who gets the credit)
            condition = (
                f"({condition}) OR (entity = 'deal_splits' AND record_id IN "
                "(SELECT id FROM deal_splits WHERE deal_id = ?))"
            )
            params.append(record["id"])
        changes = changes_where(r, condition, params, limit=limit, newest_first=False)
    return name, record, changes


def recent_changes(
    book: Book,
    *,
    user: str | None = None,
    entity: str | None = None,
    limit: int = 50,
    window: int | None = None,
) -> list[Row]:
    """The latest changes across the book, newest first.

    ``window``: look only among the book's newest ``window`` changes (the TUI's home: a
    rep with no recent change costs a bounded walk of the log, not all of it).
    """
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if window is not None:
        where.append(
            "hlc >= coalesce((SELECT hlc FROM changes ORDER BY hlc DESC LIMIT 1 OFFSET ?), '')"
        )
        params.append(max(0, window - 1))
    if user:
        where.append("actor = ?")
        params.append(user.lower())
    if entity:
        if entity not in ENTITIES:
            raise InvalidInput(f"unknown record kind {entity!r}", hint=", ".join(ENTITIES))
        where.append("entity = ?")
        params.append(ENTITIES[entity].table)
    with book.read() as r:
        return changes_where(r, " AND ".join(where), params, limit=limit)


_ENDING_WITH = "SELECT id FROM changes WHERE id LIKE ? LIMIT 3"  # a scan of its key index


def find_change(reader: Reader, handle: str) -> Row:
    """The change a handle names: the end of its id (what ``crm history`` shows), or its
    beginning (a whole id, or the prefix an older book's history showed)."""
    text = handle.strip().lower()
    if not re.fullmatch(r"[0-9a-f-]{1,36}", text):
        raise NotFound(f"no change {handle!r}", hint="see: crm history HANDLE")
    clause, args = reader.prefix_clause("id", text)
    ids = [r["id"] for r in reader.rows(f"SELECT id FROM changes WHERE {clause} LIMIT 3", args)]
    if len(text) < 36:
        # the end of an id is in no index: a scan of the log's keys (~0.1 s a million)
        ids += [r["id"] for r in reader.rows(_ENDING_WITH, ("%" + text,))]
    matches = sorted(set(ids))
    if not matches:
        raise NotFound(f"no change {handle!r}", hint="see: crm history HANDLE")
    if len(matches) > 1:
        raise Ambiguous("change", handle, matches)
    return reader.row("SELECT * FROM changes WHERE id = ?", (matches[0],))  # type: ignore[return-value]


def undo(book: Book, handle: str) -> Row:
    """Revert one change: restore a delete, set a field back, or soft-delete a creation."""
    with book.write() as w:
        change = find_change(w, handle)
        table, record_id = change["entity"], change["record_id"]
        if change["op"] == "delete":
            w.restore(table, record_id)
        elif change["op"] == "create":
            w.delete(table, record_id)
        elif change["op"] == "update":
            old = _decode(change["old_value"])
            current = w.get(table, record_id, include_deleted=True)
            w.update(table, record_id, {change["field"]: _coerce(current[change["field"]], old)})
        else:
            raise InvalidInput(
                f"a {change['op']} cannot be undone",
                hint="undo the change that came before or after it instead (crm history RECORD)",
            )
        return _public(change)


def _coerce(current: Any, old: Any) -> Any:
    """A decoded log value in the column's Python type (dates are logged as text)."""
    if isinstance(old, str) and isinstance(current, date) and not isinstance(current, datetime):
        return date.fromisoformat(old)
    return old
