"""Short handles a human can type: a unique id prefix, an exact email, or a unique name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crmcli.errors import Ambiguous, InvalidInput, NotFound
from crmcli.storage.db import Reader, Row

HANDLE_LENGTH = 8
_HEXISH = re.compile(r"^[0-9a-f][0-9a-f-]{3,35}$")


@dataclass(frozen=True)
class Entity:
    """How one kind of record is named and found."""

    name: str
    table: str
    names: tuple[str, ...]  # columns matched exactly, then as unique substrings
    email: str | None = None
    soft_delete: bool = True

    def label(self, row: Row) -> str:
        text = str(row.get(self.names[0]) or "")
        if self.email and row.get(self.email):
            text += f" <{row[self.email]}>"
        return text


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("user", "users", ("username", "name"), "email"),
        Entity("company", "companies", ("name", "domain")),
        Entity("contact", "contacts", ("name",), "email"),
        Entity("lead", "leads", ("name",), "email"),
        Entity("deal", "deals", ("name",)),
        Entity("activity", "activities", ("subject",)),
        Entity("product", "products", ("sku", "name")),
        Entity("quote", "quotes", ("number",)),
        Entity("pipeline", "pipelines", ("name",)),
        Entity("plan", "commission_plans", ("name",)),
        Entity("payment", "payments", ("reference",)),
        Entity("order", "orders", ("number",)),
        Entity("expense", "expenses", ("note",)),
    )
}
TABLE_ENTITY = {e.table: e.name for e in ENTITIES.values()}


def short(record_id: str) -> str:
    """The handle shown next to a record: the first characters of its UUID."""
    return record_id[:HANDLE_LENGTH]


def change_handle(change_id: str) -> str:
    """The handle shown next to a change: the last characters of its id. A change id begins
    with the time it was written (see ``storage.db.new_change_id``), so its end is what
    tells one change from the next; ``crm history --undo`` takes either end."""
    return change_id[-HANDLE_LENGTH:]


def contains_pattern(text: str, *, fold: bool = True) -> str:
    """A ``LIKE … ESCAPE '\\'`` pattern matching ``text`` anywhere (lower-cased by Python)."""
    escaped = (
        (text.lower() if fold else text)
        .replace("\\", "\\\\")
        .replace("%", "\\%")
        .replace("_", "\\_")
    )
    return f"%{escaped}%"


def resolve(
    reader: Reader,
    entity: str,
    handle: str,
    *,
    include_deleted: bool = False,
    where: str = "",
    params: tuple[object, ...] = (),
) -> Row:
    """Find the one record ``handle`` names; NotFound or Ambiguous (listing candidates)."""
    spec = ENTITIES[entity]
    text = handle.strip()
    if not text:
        raise InvalidInput(f"empty {entity} handle", hint="give an id prefix, an e-mail or a name")
    alive = "" if include_deleted or not spec.soft_delete else " AND deleted_at IS NULL"
    extra = f" AND ({where})" if where else ""
    cols = ", ".join(dict.fromkeys(("id", *spec.names, *((spec.email,) if spec.email else ()))))

    def find(condition: str, args: tuple[object, ...]) -> list[Row]:
        return reader.rows(
            f"SELECT {cols} FROM {spec.table} WHERE {condition}{alive}{extra} LIMIT 11",
            (*args, *params),
        )

    lowered = text.lower()
    candidates: list[Row] = []
    if _HEXISH.match(lowered):
        clause, args = reader.prefix_clause("id", lowered)
        candidates = find(clause, args)
    if not candidates and spec.email and "@" in text:
        candidates = find(f"lower({spec.email}) = lower(?)", (text,))
    for column in spec.names:
        if candidates:
            break
        # lower(?): the database folds both sides alike (SQLite's lower() is ASCII-only)
        candidates = find(f"lower({column}) = lower(?)", (text,))
    if not candidates:
        pattern = contains_pattern(lowered)
        for column in spec.names:
            candidates = find(f"lower({column}) LIKE ? ESCAPE '\\'", (pattern,))
            if candidates:
                break
    if not candidates and not text.isascii():
        candidates = _casefold_matches(reader, spec, text, f"{alive}{extra}", params, cols)
    if len(candidates) == 1:
        return reader.get(spec.table, candidates[0]["id"], include_deleted=include_deleted)
    if candidates:
        raise Ambiguous(entity, text, [f"{short(c['id'])}  {spec.label(c)}" for c in candidates])
    raise NotFound(f"no {entity} matches {text!r}", hint=_suggest(reader, spec, text, alive))


def _casefold_matches(
    reader: Reader,
    spec: Entity,
    text: str,
    conditions: str,
    params: tuple[object, ...],
    cols: str,
) -> list[Row]:
    """Names equal to (else containing) ``text`` in any case, for letters SQL cannot fold.

    SQLite's ``lower()`` and ``LIKE`` fold ASCII only, so ``öbb`` misses ``ÖBB Holding``.
    The rows are narrowed by the longest ASCII word of ``text`` when there is one, then
    compared with Python's full Unicode case folding.
    """
    folded = text.casefold()
    words = sorted(re.findall(r"[a-z0-9]{3,}", text.lower()), key=len, reverse=True)
    narrow = ""
    args: tuple[str, ...] = ()
    if words:
        pattern = contains_pattern(words[0])
        narrow = " AND (" + " OR ".join(f"lower({c}) LIKE ? ESCAPE '\\'" for c in spec.names) + ")"
        args = (pattern,) * len(spec.names)
    rows = reader.rows(
        f"SELECT {cols} FROM {spec.table} WHERE 1 = 1{narrow}{conditions}", (*args, *params)
    )
    for test in (str.__eq__, str.__contains__):
        found = [
            r
            for r in rows
            if any(r.get(c) and test(str(r[c]).casefold(), folded) for c in spec.names)
        ]
        if found:
            return found[:11]
    return []


def _suggest(reader: Reader, spec: Entity, text: str, alive: str) -> str | None:
    from rapidfuzz import fuzz, process  # only on the error path

    column = spec.names[0]
    names = [
        r[column]
        for r in reader.rows(f"SELECT {column} FROM {spec.table} WHERE 1 = 1{alive} LIMIT 200000")
        if r[column]
    ]
    best = process.extract(text, names, scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    if not best:
        return f"see: crm {spec.name} list"
    return "did you mean " + ", ".join(repr(name) for name, _, _ in best) + "?"
