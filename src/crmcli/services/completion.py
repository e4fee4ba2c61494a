"""Handles for shell completion: names and e-mails that start with what was typed.

Completion runs at every Tab, so it reads a page through the case-folded name and e-mail
indexes (``lower(name)``, ``lower(email)``) and never creates or migrates a book.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmcli.services.handles import ENTITIES
from crmcli.storage.db import Database, Reader

COMPLETED = ("deal", "contact", "company", "lead", "user")
# Columns offered per entity, in order: the first is the name, the others its aliases.
_COLUMNS = {
    "deal": ("name",),
    "contact": ("name", "email"),
    "company": ("name", "domain"),
    "lead": ("name", "email"),
    "user": ("username", "email", "name"),
}
LIMIT = 50
# Stored lower-case already (and indexed as they are).
_STORED_LOWER = frozenset({"username", "domain"})


@dataclass(frozen=True)
class Candidate:
    """One completion: the text to insert and a description shells may show beside it."""

    value: str
    help: str


def candidates(reader: Reader, entity: str, typed: str, *, limit: int = LIMIT) -> list[Candidate]:
    """Live records of ``entity`` whose name or e-mail starts with ``typed`` (any case),
    up to ``limit`` per column."""
    spec = ENTITIES[entity]
    columns = _COLUMNS[entity]
    lowered = str(reader.scalar("SELECT lower(?)", (typed,)))  # folded as the index is
    alive = " AND active = ?" if entity == "user" else ""
    out: dict[str, Candidate] = {}
    for column in columns:
        expr = column if column in _STORED_LOWER else f"lower({column})"
        clause, args = reader.prefix_clause(expr, lowered)
        rows = reader.rows(
            f"SELECT {', '.join(dict.fromkeys((*spec.names, *columns)))} FROM {spec.table} "
            f"WHERE {clause} AND deleted_at IS NULL{alive} ORDER BY {expr} LIMIT ?",
            (*args, *((True,) if alive else ()), limit),
        )
        for row in rows:
            value = row[column]
            if value and value not in out:
                others = [str(row[c]) for c in columns if c != column and row.get(c)]
                out[value] = Candidate(value, " · ".join(others))
    return sorted(out.values(), key=lambda c: c.value.lower())


def complete_handles(target: str, entity: str, typed: str) -> list[Candidate]:
    """Candidates from the book at ``target``; nothing when no book exists there yet."""
    if "://" not in target and not Path(target).expanduser().is_file():
        return []
    db = Database.connect(target)
    try:
        with db.read() as reader:
            return candidates(reader, entity, typed)
    finally:
        db.close()
