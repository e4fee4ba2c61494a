"""The filters every report shares, resolved once into SQL conditions.

``ReportFilters`` is what a command collects from the shared options (``--period``,
``--from``/``--to``, ``--owner``, ``--team``, ``--territory``, ``--pipeline``,
``--currency``); :func:`resolve` checks every name against the book (an unknown rep, team,
territory or pipeline is refused, never an empty report) and returns ``Scope``, which
turns them into ``WHERE`` conditions on any owner column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from crmcli import clock
from crmcli.errors import InvalidInput, NotFound
from crmcli.money import parse_currency
from crmcli.periods import Period, PeriodKind, period_of, resolve_period

if TYPE_CHECKING:
    from crmcli.storage.db import Reader, Row

# services.currency and services.deals are imported where used: every `crm report …`
# loads this module to build its options, most verbs need only some of it.


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the user's zone (``services.currency.day_start``)."""
    from crmcli.services.currency import day_start as start

    return start(day)


@dataclass(frozen=True)
class ReportFilters:
    """The shared options of every ``crm report`` verb, as the user typed them."""

    period: str | None = None
    from_: str | None = None
    to: str | None = None
    owner: str | None = None
    team: str | None = None
    territory: str | None = None
    pipeline: str | None = None
    currency: str | None = None


def day_end(day: date) -> datetime:
    """The first instant after ``day`` (exclusive bound) in the user's zone, in UTC."""
    return day_start(day + timedelta(days=1))


@dataclass(frozen=True)
class Scope:
    """Resolved filters: the period, the reps and pipeline they name, the currency."""

    period: Period
    currency: str
    pipeline: Row | None
    owner: Row | None = None
    team: str | None = None
    territory: str | None = None
    today: date = field(default_factory=clock.today)

    @property
    def start(self) -> datetime:
        return day_start(self.period.start)

    @property
    def end(self) -> datetime:
        """Exclusive upper bound of the period (UTC instant)."""
        return day_end(self.period.end)

    def owner_sql(self, column: str) -> tuple[str, list[Any]]:
        """Conditions on ``column`` (an owner id) for --owner/--team/--territory."""
        parts: list[str] = []
        params: list[Any] = []
        if self.owner is not None:
            parts.append(f"{column} = ?")
            params.append(self.owner["id"])
        if self.team is not None:
            parts.append(f"{column} IN (SELECT id FROM users WHERE team = ?)")
            params.append(self.team)
        if self.territory is not None:
            parts.append(f"{column} IN (SELECT id FROM users WHERE territory = ?)")
            params.append(self.territory)
        return (" AND ".join(parts) or "1 = 1"), params

    def described(self) -> dict[str, Any]:
        """The filters as a report's JSON names them."""
        return {
            "owner": self.owner["username"] if self.owner else None,
            "team": self.team,
            "territory": self.territory,
            "pipeline": self.pipeline["name"] if self.pipeline else None,
        }


def _known(reader: Reader, column: str, value: str, what: str) -> str:
    rows = reader.rows(
        f"SELECT DISTINCT {column} AS value FROM users WHERE {column} IS NOT NULL "
        f"AND deleted_at IS NULL ORDER BY {column}"
    )
    values = [str(x["value"]) for x in rows]
    for known in values:
        if known.casefold() == value.strip().casefold():
            return known
    hint = f"{what}s in use: {', '.join(values[:10])}" if values else f"no rep has a {what} yet"
    raise NotFound(f"unknown {what} {value!r}", hint=hint)


def resolve(
    reader: Reader,
    filters: ReportFilters,
    *,
    actor: Row,
    default_to_pipeline: bool = True,
    today: date | None = None,
) -> Scope:
    """Check every name in ``filters`` against the book and resolve the period."""
    from crmcli.services.currency import reporting_currency
    from crmcli.services.deals import default_pipeline, find_pipeline, find_rep

    day = today or clock.today()
    period = resolve_period(period=filters.period, from_=filters.from_, to=filters.to, today=day)
    owner = (
        find_rep(reader, filters.owner, actor=actor, must_be_active=False)
        if filters.owner
        else None
    )
    team = _known(reader, "team", filters.team, "team") if filters.team else None
    territory = (
        _known(reader, "territory", filters.territory, "territory") if filters.territory else None
    )
    if filters.pipeline:
        pipeline: Row | None = find_pipeline(reader, filters.pipeline)
    else:
        pipeline = default_pipeline(reader) if default_to_pipeline else None
    currency = parse_currency(filters.currency) if filters.currency else reporting_currency()
    return Scope(
        period=period,
        currency=currency,
        pipeline=pipeline,
        owner=owner,
        team=team,
        territory=territory,
        today=day,
    )


def parse_as_of(text: str | None) -> date | None:
    """``--as-of DATE``: a past or present day (never the future)."""
    if text is None:
        return None
    day = clock.parse_date(text)
    if day > clock.today():
        raise InvalidInput(
            f"--as-of {day.isoformat()} is in the future",
            hint="the pipeline can be rebuilt for today or a past day",
        )
    return day


def _search_tree(column: str, starts: Sequence[Any], lo: int, hi: int) -> tuple[str, list[Any]]:
    """A binary search as nested CASEs: which of the buckets ``lo``…``hi - 1`` holds it."""
    if hi - lo == 1:
        return str(lo), []
    mid = (lo + hi) // 2
    left, left_params = _search_tree(column, starts, lo, mid)
    right, right_params = _search_tree(column, starts, mid, hi)
    return (
        f"CASE WHEN {column} < ? THEN {left} ELSE {right} END",
        [starts[mid], *left_params, *right_params],
    )


def buckets_sql(column: str, periods: Sequence[Period]) -> tuple[str, list[Any]]:
    """SQL numbering which of the contiguous ``periods`` the instant ``column`` falls in.

    The caller's WHERE keeps ``column`` inside them; a balanced tree of comparisons costs
    log2(n) per row instead of n (this runs for every activity of a quarter).
    """
    if not periods:
        return "NULL", []
    return _search_tree(column, [day_start(p.start) for p in periods], 0, len(periods))


def day_buckets_sql(column: str, periods: Sequence[Period]) -> tuple[str, list[Any]]:
    """Like :func:`buckets_sql` for a DATE column (``expected_close``)."""
    if not periods:
        return "NULL", []
    return _search_tree(column, [p.start for p in periods], 0, len(periods))


def overlapping(period: Period, kind: PeriodKind) -> list[Period]:
    """The weeks, months… overlapping ``period`` (a month's first week may start before)."""
    if period.kind == kind:
        return [period]
    found = []
    day = period.start
    while day <= period.end:
        part = period_of(kind, day)
        found.append(part)
        day = part.end + timedelta(days=1)
    return found
