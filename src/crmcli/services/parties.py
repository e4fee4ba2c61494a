"""What leads, contacts and companies share: owners, field cleaning, list filters, output shape.

A field given as ``None`` is "not given"; an empty string clears an optional field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.services.handles import contains_pattern
from crmcli.services.records import public
from crmcli.services.tags import tags_for
from crmcli.services.users import find_owner, is_me
from crmcli.services.validate import (
    clean_domain,
    clean_email,
    clean_phone,
    clean_text,
    clean_url,
)
from crmcli.storage.db import Reader, Row

if TYPE_CHECKING:
    from crmcli.services.book import Book

Cleaner = Callable[[Any], Any]


def text(max_length: int, what: str) -> Cleaner:
    """A one-line text field."""
    return lambda value: clean_text(str(value), what=what, max_length=max_length) or None


def notes(value: Any) -> Any:
    return clean_text(str(value), what="notes", max_length=100_000, multiline=True) or None


def email(value: Any) -> Any:
    return clean_email(str(value)) if str(value).strip() else None


def phone(value: Any) -> Any:
    return clean_phone(str(value)) if str(value).strip() else None


def domain(value: Any) -> Any:
    return clean_domain(str(value)) if str(value).strip() else None


def url(value: Any) -> Any:
    return clean_url(str(value)) if str(value).strip() else None


def count(what: str) -> Cleaner:
    def check(value: Any) -> Any:
        if value is None or value == "":
            return None
        number = int(value)
        if number < 0:
            raise InvalidInput(f"{what} cannot be negative", hint="give 0 or more")
        return number

    return check


def clean_fields(
    spec: Mapping[str, Cleaner], values: Mapping[str, Any], *, required: Iterable[str] = ()
) -> dict[str, Any]:
    """Clean the given (not None) values with their field's cleaner; '' clears a field."""
    out: dict[str, Any] = {}
    unknown = set(values) - set(spec)
    if unknown:
        raise InvalidInput(
            f"unknown field(s): {', '.join(sorted(unknown))}", hint="see the fields with --help"
        )
    for key, value in values.items():
        if value is None:
            continue
        cleaned = spec[key](value) if value != "" else None
        if cleaned is None and key in required:
            raise InvalidInput(
                f"{key.replace('_', ' ')} cannot be empty",
                hint="give a value, or leave the option out",
            )
        out[key] = cleaned
    return out


def owner_id_for(reader: Reader, handle: str | None, *, default: str | None) -> str | None:
    """The owner id for a new record: the named rep, or ``default`` (the acting user)."""
    if handle is None:
        return default
    if handle.strip() == "":
        return None
    return str(find_owner(reader, handle)["id"])


def changed(values: Mapping[str, Any], row: Row, keys: Iterable[str]) -> dict[str, Any]:
    """The ``keys`` an edit sets to a new, non-empty value (what a duplicate check must see)."""
    return {k: values[k] for k in keys if values.get(k) and values[k] != row[k]}


def decode_list(raw: str | None) -> list[str]:
    """A JSON list column (``other_emails``) as a list."""
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return [raw]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def encode_list(values: Sequence[str]) -> str | None:
    return json.dumps(list(values), ensure_ascii=False) if values else None


# -- lists -------------------------------------------------------------------------------


@dataclass
class Query:
    """WHERE conditions and their parameters, built up filter by filter."""

    alias: str
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.where.append(f"{self.alias}.deleted_at IS NULL")

    def add(self, condition: str, *params: Any) -> None:
        self.where.append(condition)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.where)

    def fetch(
        self, reader: Reader, select: str, *, order: str, limit: int | None, offset: int = 0
    ) -> list[Row]:
        """``select`` rows matching the conditions, in ``order`` (ties by id), at most ``limit``
        after skipping ``offset`` (the TUI's pages)."""
        if offset < 0:
            raise InvalidInput("the offset cannot be negative", hint="start at 0")
        paging = " LIMIT ? OFFSET ?" if limit else (" LIMIT -1 OFFSET ?" if offset else "")
        args = (limit, offset) if limit else ((offset,) if offset else ())
        return reader.rows(
            f"{select} WHERE {self.sql} ORDER BY {order}, {self.alias}.id{paging}",
            (*self.params, *args),
        )


def _range_end(text_value: str) -> tuple[str, datetime]:
    """An upper bound: a bare date means the whole day (``< next midnight``)."""
    when = clock.parse_when(text_value)
    local = clock.to_local(when)
    if local.time() == time(0) and ":" not in text_value:
        return "<", local + timedelta(days=1)
    return "<=", when


def acting_owner(book: Book, owner: str | None) -> str | None:
    """The acting user's id when a list filter says ``--owner me``, else None.

    Call it before opening the read: ``Book.actor`` runs its own query the first time.
    """
    return book.actor["id"] if is_me(owner) else None


def common_filters(
    q: Query,
    reader: Reader,
    table: str,
    *,
    actor_id: str | None = None,
    owner: str | None = None,
    source: str | None = None,
    tags: Sequence[str] = (),
    created_from: str | None = None,
    created_to: str | None = None,
    updated_from: str | None = None,
    updated_to: str | None = None,
) -> None:
    """The filters every people/companies list has: owner, source, tags, time ranges."""
    a = q.alias
    if owner is not None:
        if is_me(owner) and actor_id:
            q.add(f"{a}.owner_id = ?", actor_id)
        elif owner.strip().lower() in ("none", ""):
            q.add(f"{a}.owner_id IS NULL")
        else:
            q.add(f"{a}.owner_id = ?", find_owner(reader, owner, must_be_active=False)["id"])
    if source:
        q.add(f"lower({a}.source) = ?", source.strip().lower())
    for tag in tags:
        q.add(
            "EXISTS (SELECT 1 FROM tags t WHERE t.entity = ? AND t.record_id = "
            f"{a}.id AND t.name = ? AND t.deleted_at IS NULL)",
            table,
            tag.strip().lower(),
        )
    for column, lower, upper in (
        ("created_at", created_from, created_to),
        ("updated_at", updated_from, updated_to),
    ):
        if lower:
            q.add(f"{a}.{column} >= ?", clock.parse_when(lower))
        if upper:
            op, bound = _range_end(upper)
            q.add(f"{a}.{column} {op} ?", bound)


def search_filter(q: Query, columns: Sequence[str], term: str | None) -> None:
    """Free text over ``columns``: every word must appear in one of them."""
    if not term:
        return
    for word in term.split():
        # SQLite's lower() folds ASCII only: a word with other letters is also matched as
        # the database folds it, so `Öko` finds `Öko Bau` as well as `öko bau`.
        patterns = [contains_pattern(word)]
        if not word.isascii():
            patterns.append(contains_pattern(word, fold=False))
        tests = [f"lower({c}) LIKE lower(?) ESCAPE '\\'" for c in columns for _ in patterns]
        q.add("(" + " OR ".join(tests) + ")", *(p for _ in columns for p in patterns))


def order_by(sort: str | None, keys: Mapping[str, str], default: str) -> tuple[str, str, bool]:
    """``--sort name`` / ``--sort -created``: the SQL ORDER BY, the key and its direction."""
    raw = (sort or default).strip().lower()
    descending = raw.startswith("-")
    key = raw.lstrip("-+")
    if key.endswith((":desc", " desc")):
        descending, key = True, key[:-5]
    if key not in keys:
        raise InvalidInput(f"cannot sort by {key!r}", hint="sort by: " + ", ".join(sorted(keys)))
    direction = "DESC" if descending else "ASC"
    expression = keys[key]
    return f"{expression} {direction}", key, descending


def shape(reader: Reader, table: str, rows: list[Row]) -> list[Row]:
    """Rows as JSON/tables see them: ``handle``, ``tags``, lists decoded, internals dropped."""
    tagged = tags_for(reader, table, [r["id"] for r in rows])
    out = []
    for row in rows:
        item = public(row)
        item.pop("deleted_at", None)
        if not item.get("merged_into_id"):
            item.pop("merged_into_id", None)
        for key in ("other_emails", "other_phones"):
            if key in item:
                item[key] = decode_list(item[key])
        item["tags"] = tagged.get(row["id"], [])
        out.append(item)
    return out


class DryRun(Exception):
    """Raised inside a write transaction to roll it back after computing the outcome."""

    def __init__(self, result: Any) -> None:
        super().__init__("dry run")
        self.result = result
