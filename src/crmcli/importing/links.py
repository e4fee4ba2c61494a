"""Batched look-ups an import needs: owners, companies, key matches and duplicate candidates.

One query per batch and rule (``IN (…)`` lists over indexed columns), never one per row:
that is what keeps a 100,000-row import near the speed of its validators.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmcli.errors import InvalidInput, NotFound
from crmcli.storage.db import Reader, Row

CHUNK = 500  # values per IN (...) list, well under every driver's parameter limit


def rows_where_in(
    reader: Reader, table: str, expression: str, values: Iterable[Any], *, columns: str = "*"
) -> list[Row]:
    """Live rows of ``table`` whose ``expression`` is one of ``values`` (chunked)."""
    wanted = sorted({v for v in values if v is not None and v != ""})
    out: list[Row] = []
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        out += reader.rows(
            f"SELECT {columns} FROM {table} WHERE deleted_at IS NULL "
            f"AND {expression} IN ({', '.join('?' * len(part))})",
            part,
        )
    return out


class Owners:
    """Every user, loaded once: an owner column may give a username, an e-mail or a name."""

    def __init__(self, reader: Reader) -> None:
        self._by_key: dict[str, Row] = {}
        for user in reader.rows(
            "SELECT id, username, email, name, active FROM users WHERE deleted_at IS NULL"
        ):
            for key in (user["name"], user["email"], user["username"]):
                if key:
                    self._by_key[str(key).strip().lower()] = user

    def find(self, text: str) -> str:
        """The id of the active rep ``text`` names."""
        user = self._by_key.get(text.strip().lower())
        if user is None:
            raise NotFound(
                f"unknown owner {text!r}",
                hint="add the rep first (crm user add), or map the column away with --map",
            )
        if not user["active"]:
            raise InvalidInput(
                f"owner {user['username']!r} is inactive",
                hint="reactivate them (crm user edit --active) or map the owner to another rep",
            )
        return str(user["id"])


class Companies:
    """Companies found by id, external id, domain or name, cached across batches."""

    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}
        self.by_domain: dict[str, str] = {}
        self.by_external: dict[str, str] = {}
        self.ids: set[str] = set()

    def load(
        self,
        reader: Reader,
        *,
        names: Iterable[str] = (),
        domains: Iterable[str] = (),
        externals: Iterable[str] = (),
        ids: Iterable[str] = (),
    ) -> None:
        """Fetch what the batch names and the cache lacks (one query per kind)."""
        columns = "id, name, domain, external_id, created_at"
        found: list[Row] = []
        names = {n.lower() for n in names if n and n.lower() not in self.by_name}
        if names:
            found += rows_where_in(reader, "companies", "lower(name)", names, columns=columns)
        domains = {d.lower() for d in domains if d and d.lower() not in self.by_domain}
        if domains:
            found += rows_where_in(reader, "companies", "lower(domain)", domains, columns=columns)
        externals = {e for e in externals if e and e not in self.by_external}
        if externals:
            found += rows_where_in(reader, "companies", "external_id", externals, columns=columns)
        ids = {i for i in ids if i and i not in self.ids}
        if ids:
            found += rows_where_in(reader, "companies", "id", ids, columns=columns)
        # The oldest company wins a shared name or domain (as lead conversion does).
        for row in sorted(found, key=lambda r: str(r["created_at"]), reverse=True):
            self.remember(row)

    def remember(self, row: Row) -> None:
        self.ids.add(row["id"])
        self.by_name[str(row["name"]).lower()] = row["id"]
        if row.get("domain"):
            self.by_domain[str(row["domain"]).lower()] = row["id"]
        if row.get("external_id"):
            self.by_external[str(row["external_id"])] = row["id"]
