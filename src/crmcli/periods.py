"""Reporting periods: years, quarters, months, ISO weeks and explicit ranges.

Every report, quota, target and commission statement names its period the same way
(``2026``, ``2026-Q3``, ``2026-07``, ``2026-W49``, or ``--from``/``--to``); this module is
the one parser, so a period means the same days everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from crmcli.errors import InvalidInput

PeriodKind = Literal["year", "quarter", "month", "week", "range"]
_FORMS = re.compile(r"(\d{4})(?:-(?:Q(\d+)|W(\d+)|(\d+)))?")
_HINT = "write 2026, 2026-Q3, 2026-07 or 2026-W49"
_FINER: dict[str, tuple[PeriodKind, ...]] = {
    "year": ("quarter",),  # a quarter without a quota of its own rolls up its months
    "quarter": ("month",),
}


@dataclass(frozen=True, order=True)
class Period:
    """A span of whole days, both ends included (``end`` is the last day)."""

    start: date
    end: date
    label: str
    kind: PeriodKind

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def subperiods(self, kind: PeriodKind) -> list[Period]:
        """The periods of ``kind`` that start inside this one (months of a quarter, …)."""
        found: list[Period] = []
        day = self.start
        while day <= self.end:
            part = period_of(kind, day)
            if part.start >= self.start:
                found.append(part)
            day = part.end + timedelta(days=1)
        return found

    def finer_kinds(self) -> tuple[PeriodKind, ...]:
        """The kinds a quota of this period rolls up from (quarter ← months, year ← quarters)."""
        return _FINER.get(self.kind, ())


def _month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def parse_period(text: str) -> Period:
    """``2026`` | ``2026-Q3`` | ``2026-07`` | ``2026-W49`` (ISO week) → a Period."""
    raw = text.strip().upper()
    match = _FORMS.fullmatch(raw)
    if not match:
        raise InvalidInput(f"cannot read the period {text!r}", hint=_HINT)
    year = int(match.group(1))
    quarter, week, month = match.group(2), match.group(3), match.group(4)
    if quarter is not None:
        q = int(quarter)
        if not 1 <= q <= 4:
            raise InvalidInput(f"{text!r}: a quarter is Q1–Q4", hint=_HINT)
        return Period(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), f"{year}-Q{q}", "quarter")
    if week is not None:
        w = int(week)
        last_week = date(year, 12, 28).isocalendar().week  # 28 Dec is always in the last week
        if not 1 <= w <= last_week:
            raise InvalidInput(f"{text!r}: {year} has ISO weeks 01–{last_week}", hint=_HINT)
        start = date.fromisocalendar(year, w, 1)
        return Period(start, start + timedelta(days=6), f"{year}-W{w:02d}", "week")
    if month is not None:
        m = int(month)
        if not 1 <= m <= 12 or len(month) != 2:
            raise InvalidInput(f"{text!r}: a month is 01–12", hint=_HINT)
        return Period(date(year, m, 1), _month_end(year, m), f"{year}-{m:02d}", "month")
    return Period(date(year, 1, 1), date(year, 12, 31), str(year), "year")


def period_of(kind: PeriodKind, day: date) -> Period:
    """The year, quarter, month or ISO week that contains ``day``."""
    if kind == "year":
        return parse_period(str(day.year))
    if kind == "quarter":
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind == "month":
        return parse_period(f"{day.year}-{day.month:02d}")
    if kind == "week":
        iso = day.isocalendar()
        return parse_period(f"{iso.year}-W{iso.week:02d}")
    raise InvalidInput(f"no period kind {kind!r}")


def resolve_period(*, period: str | None, from_: str | None, to: str | None, today: date) -> Period:
    """What ``--period`` or ``--from``/``--to`` name; neither: the quarter containing today."""
    if period and (from_ or to):
        raise InvalidInput("give --period or --from/--to, not both", hint="e.g. --period 2026-Q4")
    if period:
        return parse_period(period)
    if not (from_ or to):
        return period_of("quarter", today)
    from crmcli.clock import parse_date  # dateutil: only for explicit dates

    start = parse_date(from_) if from_ else date(1970, 1, 1)
    end = parse_date(to) if to else today
    if start > end:
        raise InvalidInput(
            f"--from {start.isoformat()} is after --to {end.isoformat()}",
            hint="swap the two dates",
        )
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}", "range")
