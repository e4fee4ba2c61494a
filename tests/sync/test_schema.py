"""Sync is generic: every table of the schema syncs through the change log, no table left out.

The lead re-runs this after merging other issues' tables (quotes, orders, expenses, plans…):
rows are made up from the schema itself, so a new table needs no line here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import crmcli.models
from crmcli.storage.db import Writer
from crmcli.sync import rules
from crmcli.sync.engine import sync
from tests.sync.conftest import SYNCED_SKIP

TABLES = sorted(t for t in crmcli.models.metadata.tables if t not in SYNCED_SKIP)


def _value(kind: str, table: str, column: str) -> Any:
    kind = kind.upper()
    if "BOOL" in kind:
        return True
    if "INT" in kind:
        return 7
    if "DATETIME" in kind or "TIMESTAMP" in kind:
        return "2026-11-20T10:00:00.000000+00:00"
    if "DATE" in kind:
        return "2026-11-20"
    if "NUMERIC" in kind or "DECIMAL" in kind or "FLOAT" in kind or "REAL" in kind:
        return "1.5"
    return f"{column}-{uuid.uuid4().hex[:8]}"


def make_row(w: Writer, table: str, depth: int = 0, **given: Any) -> str:
    """Insert a plausible row into any table (parents first), through the Writer."""
    parents = {r["from"]: r["table"] for r in w.rows(f'PRAGMA foreign_key_list("{table}")')}
    values: dict[str, Any] = {}
    for col in w.rows(f'PRAGMA table_info("{table}")'):
        name = col["name"]
        if name in ("id", "created_at", "updated_at", "deleted_at") or name in given:
            continue
        if name in parents:
            if parents[name] == table or (not col["notnull"] and depth > 2):
                continue
            values[name] = make_row(w, parents[name], depth + 1)
        elif col["notnull"] or col["dflt_value"] is None:
            values[name] = _value(str(col["type"]), table, name)
    return str(w.insert(table, {**values, **given})["id"])


def _editable(w: Writer, table: str) -> str | None:
    parents = {r["from"] for r in w.rows(f'PRAGMA foreign_key_list("{table}")')}
    for col in w.rows(f'PRAGMA table_info("{table}")'):
        kind = str(col["type"]).upper()
        if (
            col["name"] not in parents
            and ("CHAR" in kind or "TEXT" in kind)
            and not col["name"].endswith(("_at", "_id"))
            and col["name"] != "id"
        ):
            return str(col["name"])
    return None


def test_the_schema_test_sees_the_tables_we_know() -> None:
    assert {
        "companies",
        "contacts",
        "deals",
        "activities",
        "tags",
        "products",
        "quotes",
        "payments",
    } <= set(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_every_table_syncs_create_edit_and_delete(replicas, tmp_path, table: str) -> None:
    a, b, _ = replicas
    folder = str(tmp_path / "team")
    with a.write() as w:
        record = make_row(w, table)
        column = _editable(w, table)
        if column:
            w.update(table, record, {column: f"edited-{uuid.uuid4().hex[:6]}"})
    sync(a, remote=folder)
    sync(b, remote=folder)
    with a.read() as r:
        expected = r.get(table, record)
    with b.read() as r:
        assert r.get(table, record) == expected
    with b.write() as w:
        w.delete(table, record)
    sync(b, remote=folder)
    sync(a, remote=folder)
    with a.read() as r:
        assert r.get(table, record, include_deleted=True)["deleted_at"] is not None


def test_rule_table_names_exist_in_the_schema() -> None:
    names = set(crmcli.models.metadata.tables)
    assert names >= rules.APPEND_ONLY
    assert set(rules.LOGICAL_UNIQUE) <= names
    assert set(rules.RENAME_COLUMN) <= names
    assert set(rules.MERGE_HINTS) <= names
    for table, column in rules.RENAME_COLUMN.items():
        assert column in crmcli.models.metadata.tables[table].c
    for table, columns in rules.LOGICAL_UNIQUE.items():
        assert set(columns) <= set(crmcli.models.metadata.tables[table].c.keys())
    assert {"changes", "meta", "sync_conflicts"} <= rules.INTERNAL_TABLES
