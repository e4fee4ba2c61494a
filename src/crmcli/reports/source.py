"""Where a report's deals come from: the book as it stands, or as it stood on a past day.

``--as-of DAY`` rebuilds every deal as it was at the end of that day (in the user's zone)
from the change log: a field's value then is the *old* value of its first change stated
after that moment, or its current value when nothing changed since. Deals created later
are left out; a deal deleted since is back (and one deleted then and restored since is
out). Stage reach comes from ``stage_history`` rows stated up to that moment. All of it is
one CTE, so each report's SQL is the same for "now" and "then".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from crmcli.reports.filters import day_end
from crmcli.services.currency import AMOUNT, day_last_instant
from crmcli.storage.db import Reader

# The deal columns the reports read; each is rebuilt from the change log for --as-of.
COLUMNS = (
    "stage_id",
    "pipeline_id",
    "status",
    "owner_id",
    "company_id",
    AMOUNT,
    "currency",
    "probability",
    "forecast_category",
    "expected_close",
    "closed_at",
    "lost_reason",
    "competitor",
)
_INTEGER = {AMOUNT, "probability"}


@dataclass(frozen=True)
class DealSource:
    """A ``deals``-shaped CTE body (``sql``, ``params``) and the moment it describes."""

    sql: str
    params: tuple[Any, ...]
    cut: datetime | None  # None: now
    day: date  # the day open deals convert at

    @property
    def cte(self) -> str:
        """``WITH d AS (…) `` for a report's SQL.

        Now: not materialised, so each use reads ``deals`` through its own index (SQLite
        would otherwise copy the whole table once per statement); as of a day: rebuilt once.
        """
        hint = "NOT MATERIALIZED " if self.cut is None else "MATERIALIZED "
        return f"WITH d AS {hint}({self.sql}) "

    @property
    def rate_at(self) -> datetime:
        """The instant open deals convert at (the end of ``day``)."""
        return day_last_instant(self.day)

    def history_clause(self, alias: str) -> tuple[str, tuple[Any, ...]]:
        """The condition keeping stage-history rows stated up to the moment."""
        if self.cut is None:
            return f"{alias}.deleted_at IS NULL", ()
        return f"{alias}.deleted_at IS NULL AND {alias}.at < ?", (self.cut,)


def _json_value(reader: Reader, expr: str, column: str) -> str:
    """The SQL scalar held by a change-log JSON value."""
    if reader.dialect == "sqlite":
        return f"json_extract({expr}, '$')"
    text = f"({expr}::jsonb #>> '{{}}')"
    if column in _INTEGER:
        return f"CAST({text} AS BIGINT)"
    if column == "expected_close":
        return f"CAST({text} AS DATE)"
    if column == "closed_at":
        return f"CAST({text} AS TIMESTAMPTZ)"
    return text


def deal_source(reader: Reader, *, as_of: date | None, today: date) -> DealSource:
    """The deals a report reads: alive now, or as they were at the end of ``as_of``."""
    listed = ", ".join(COLUMNS)
    if as_of is None:
        return DealSource(
            sql=f"SELECT id, created_at, {listed} FROM deals WHERE deleted_at IS NULL",
            params=(),
            cut=None,
            day=today,
        )
    cut = day_end(as_of)
    pivots = ",\n".join(
        f"MAX(CASE WHEN field = '{c}' THEN 1 ELSE 0 END) AS has_{c}, "
        f"MAX(CASE WHEN field = '{c}' THEN old_value END) AS old_{c}"
        for c in COLUMNS
    )
    rebuilt = ",\n".join(
        f"CASE WHEN f.has_{c} = 1 THEN {_json_value(reader, f'f.old_{c}', c)} ELSE d.{c} END AS {c}"
        for c in COLUMNS
    )
    fields = ", ".join(f"'{c}'" for c in COLUMNS)
    sql = f"""
SELECT d.id, d.created_at, {rebuilt}
FROM deals d
LEFT JOIN (
    SELECT record_id, {pivots}
    FROM (
        SELECT record_id, field, old_value,
               ROW_NUMBER() OVER (PARTITION BY record_id, field ORDER BY at, hlc) AS rn
        FROM changes
        WHERE entity = 'deals' AND op = 'update' AND at >= ? AND field IN ({fields})
    ) later
    WHERE rn = 1
    GROUP BY record_id
) f ON f.record_id = d.id
LEFT JOIN (
    SELECT record_id, op FROM (
        SELECT record_id, op,
               ROW_NUMBER() OVER (PARTITION BY record_id ORDER BY at, hlc) AS rn
        FROM changes
        WHERE entity = 'deals' AND op IN ('delete', 'restore') AND at >= ?
    ) life WHERE rn = 1
) l ON l.record_id = d.id
WHERE d.created_at < ?
  AND (l.op = 'delete' OR (l.op IS NULL AND d.deleted_at IS NULL))
"""
    return DealSource(sql=sql, params=(cut, cut, cut), cut=cut, day=as_of)


def close_day_sql(reader: Reader, alias: str) -> str:
    """SQL: the instant a deal converts at: its close, or (one parameter, ``rate_at``) the
    last instant of the report's day for an open one."""
    return (
        f"CASE WHEN {alias}.status <> 'open' AND {alias}.closed_at IS NOT NULL "
        f"THEN {alias}.closed_at ELSE ? END"
    )
