"""Duplicate detection for leads, contacts and companies.

* **Duplicate** (certain): the same e-mail address (case-insensitive, also among a contact's
  other addresses), the same phone number (both in E.164), or for companies the same domain.
  A duplicate e-mail is always refused (it is how people are found); a duplicate phone or
  domain is refused unless ``force`` (switchboards and subsidiaries share them).
* **Likely duplicate**: a name similar to one at the same company — rapidfuzz
  ``token_sort_ratio`` of the lower-cased names at or above :data:`NAME_THRESHOLD` — or,
  for companies, a similar company name anywhere. Refused unless ``force``; the CLI asks
  on a terminal instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crmcli.errors import InvalidInput
from crmcli.services.handles import contains_pattern, short
from crmcli.storage.db import Reader, Row

# token_sort_ratio is word-order insensitive: "Lovelace, Ada" vs "Ada Lovelace" scores 100,
# "Ada Lovelace" vs "Ada Lovelance" 96, "Ada Lovelace" vs "Ada Byron" 57.
NAME_THRESHOLD = 90


class Duplicate(InvalidInput):
    """That record already exists."""

    def __init__(self, message: str, *, matches: Sequence[Match], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.matches = list(matches)


class LikelyDuplicate(InvalidInput):
    """A record with a similar name already exists."""

    def __init__(self, message: str, *, matches: Sequence[Match]) -> None:
        super().__init__(message, hint="pass --force to add it anyway")
        self.matches = list(matches)


@dataclass(frozen=True)
class Match:
    """An existing record that looks like the new one, and why."""

    id: str
    name: str
    reason: str  # email | phone | domain | name
    score: int = 100

    @property
    def certain(self) -> bool:
        return self.reason != "name"

    def describe(self) -> str:
        why = f"similar name ({self.score}%)" if self.reason == "name" else f"same {self.reason}"
        return f"{short(self.id)} {self.name} ({why})"


def similar(a: str, b: str) -> int:
    from rapidfuzz import fuzz, utils  # 15 ms, only when adding records

    return round(fuzz.token_sort_ratio(a, b, processor=utils.default_process))


def _best_names(name: str, rows: list[Row], exclude_id: str | None) -> list[Match]:
    out = []
    for row in rows:
        if row["id"] == exclude_id:
            continue
        score = similar(name, row["name"])
        if score >= NAME_THRESHOLD:
            out.append(Match(row["id"], row["name"], "name", score))
    return sorted(out, key=lambda m: -m.score)[:5]


def contact_matches(
    reader: Reader,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    company_id: str | None,
    exclude_id: str | None = None,
) -> list[Match]:
    """Existing contacts that look like this one."""
    found: list[Match] = []
    if email:
        # other_emails is a JSON list: the quoted address, with LIKE's wildcards escaped
        # (an underscore is common in addresses and would match any character).
        rows = reader.rows(
            "SELECT id, name FROM contacts WHERE deleted_at IS NULL AND (lower(email) = lower(?) "
            "OR (other_emails IS NOT NULL AND lower(other_emails) LIKE ? ESCAPE '\\'))",
            (email, contains_pattern(f'"{email}"')),
        )
        found += [Match(r["id"], r["name"], "email") for r in rows if r["id"] != exclude_id]
    if phone:
        rows = reader.rows(
            "SELECT id, name FROM contacts WHERE deleted_at IS NULL AND phone = ?", (phone,)
        )
        found += [Match(r["id"], r["name"], "phone") for r in rows if r["id"] != exclude_id]
    if name and company_id:
        rows = reader.rows(
            "SELECT id, name FROM contacts WHERE deleted_at IS NULL AND company_id = ?",
            (company_id,),
        )
        found += _best_names(name, rows, exclude_id)
    return _unique(found)


def lead_matches(
    reader: Reader,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    company_name: str | None,
    exclude_id: str | None = None,
) -> list[Match]:
    """Open (not converted) leads that look like this one."""
    found: list[Match] = []
    alive = "deleted_at IS NULL AND status <> 'converted'"
    if email:
        rows = reader.rows(
            f"SELECT id, name FROM leads WHERE {alive} AND lower(email) = lower(?)", (email,)
        )
        found += [Match(r["id"], r["name"], "email") for r in rows if r["id"] != exclude_id]
    if phone:
        rows = reader.rows(f"SELECT id, name FROM leads WHERE {alive} AND phone = ?", (phone,))
        found += [Match(r["id"], r["name"], "phone") for r in rows if r["id"] != exclude_id]
    if name and company_name:
        rows = reader.rows(
            f"SELECT id, name FROM leads WHERE {alive} AND lower(company_name) = lower(?)",
            (company_name,),
        )
        found += _best_names(name, rows, exclude_id)
    return _unique(found)


def company_matches(
    reader: Reader, *, name: str | None, domain: str | None, exclude_id: str | None = None
) -> list[Match]:
    """Existing companies with the same domain or a similar name."""
    found: list[Match] = []
    if domain:
        rows = reader.rows(
            "SELECT id, name FROM companies WHERE deleted_at IS NULL AND lower(domain) = lower(?)",
            (domain,),
        )
        found += [Match(r["id"], r["name"], "domain") for r in rows if r["id"] != exclude_id]
    if name:
        from rapidfuzz import fuzz, process, utils

        rows = reader.rows("SELECT id, name FROM companies WHERE deleted_at IS NULL")
        best = process.extract(
            name,
            {r["id"]: r["name"] for r in rows if r["id"] != exclude_id},
            scorer=fuzz.token_sort_ratio,
            processor=utils.default_process,
            score_cutoff=NAME_THRESHOLD,
            limit=5,
        )
        found += [Match(key, choice, "name", round(score)) for choice, score, key in best]
    return _unique(found)


def _unique(matches: list[Match]) -> list[Match]:
    seen: dict[str, Match] = {}
    for m in matches:
        if m.id not in seen or (m.certain and not seen[m.id].certain):
            seen[m.id] = m
    return list(seen.values())


def check(matches: Sequence[Match], *, entity: str, force: bool) -> None:
    """Refuse a duplicate (an e-mail one always), a likely one unless ``force``."""
    by_email = [m for m in matches if m.reason == "email"]
    if by_email:
        raise Duplicate(
            f"a {entity} with that e-mail already exists: "
            + "; ".join(m.describe() for m in by_email),
            matches=by_email,
            hint=f"edit it (crm {entity} edit {short(by_email[0].id)}) instead of adding another",
        )
    if force:
        return
    certain = [m for m in matches if m.certain]
    if certain:
        raise Duplicate(
            f"a {entity} with the same {certain[0].reason} already exists: "
            + "; ".join(m.describe() for m in certain),
            matches=certain,
            hint="pass --force to add it anyway",
        )
    if matches:
        raise LikelyDuplicate(
            f"possible duplicate {entity}: " + "; ".join(m.describe() for m in matches),
            matches=matches,
        )
