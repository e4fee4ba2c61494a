"""Closing commission periods: statements frozen as paid out, and the list of periods.

``crm commission close 2026-Q3`` stores every rep's statement of the period (header in
``commission_statements``, lines in ``commission_lines``, through the Writer so history and
sync carry them). A closed period never changes again: later reversals and edits of its
deals become clawback and adjustment lines of the first open period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.money import to_milli
from crmcli.periods import Period, parse_period, period_of
from crmcli.reports.commission import (
    CommissionReport,
    build_report,
    closed_periods,
    first_open_day,
)
from crmcli.services.book import Book
from crmcli.services.handles import short


@dataclass(frozen=True)
class PeriodStatus:
    """One row of ``crm commission periods``."""

    label: str
    start: date
    end: date
    status: str  # closed | open
    closed_at: datetime | None
    statements: int
    total: Decimal | None
    takes_corrections: bool  # the first open period: clawbacks and adjustments land here

    def to_dict(self) -> dict[str, object]:
        return {
            "period": self.label,
            "from": self.start,
            "to": self.end,
            "status": self.status,
            "closed_at": self.closed_at,
            "statements": self.statements,
            "total": self.total,
            "takes_corrections": self.takes_corrections,
        }


@dataclass(frozen=True)
class ClosedResult:
    """What ``crm commission close`` did."""

    id: str
    label: str
    start: date
    end: date
    closed_at: datetime
    statements: int
    total: Decimal
    report: CommissionReport

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "handle": short(self.id),
            "period": self.label,
            "from": self.start,
            "to": self.end,
            "closed_at": self.closed_at,
            "statements": self.statements,
            "total": self.total,
        }


def close_period(book: Book, period: str | Period, *, at: datetime | None = None) -> ClosedResult:
    """Freeze the period's statements as paid out; refused twice or before the period ends."""
    span = parse_period(period) if isinstance(period, str) else period
    today = clock.today()
    if span.end >= today:
        raise InvalidInput(
            f"{span.label} has not ended yet (its last day is {span.end.isoformat()})",
            hint=f"close it from {(span.end + timedelta(days=1)).isoformat()} on",
        )
    with book.write(at=at) as w:
        for other in closed_periods(w):
            if (other.start, other.end) == (span.start, span.end):
                raise InvalidInput(
                    f"{span.label} is already closed (on {clock.to_local(other.closed_at).date()})",
                    hint=f"see it with: crm report commission --period {span.label}",
                )
            if other.start <= span.end and span.start <= other.end:
                raise InvalidInput(
                    f"{span.label} overlaps the closed period {other.label}",
                    hint="close periods that do not overlap (e.g. whole quarters)",
                )
        report = build_report(w, period=span)
        currency = report["currency"]
        row = w.insert(
            "commission_periods",
            {
                "label": span.label,
                "kind": span.kind,
                "start_date": span.start,
                "end_date": span.end,
                "currency": currency,
                "closed_at": w.at,
            },
        )
        total = Decimal(0)
        for statement in report["statements"]:
            quota = statement["quota"]
            header = w.insert(
                "commission_statements",
                {
                    "period_id": row["id"],
                    "user_id": statement["rep_id"],
                    "plan": statement["plan"],
                    "plans": json.dumps(statement["plans"]),
                    "currency": statement["currency"],
                    "quota_milli": None if quota is None else to_milli(quota),
                    "basis": f"{statement['basis']:f}",
                    "attainment": None
                    if statement["attainment"] is None
                    else str(statement["attainment"]),
                    "total_milli": to_milli(statement["total"]),
                },
            )
            total += statement["total"]
            w.insert_many(
                "commission_lines",
                [
                    {
                        "statement_id": header["id"],
                        "period_id": row["id"],
                        "user_id": statement["rep_id"],
                        "deal_id": line["deal_id"],
                        "position": position,
                        "deal": line["deal"],
                        "kind": line["kind"],
                        "credited_on": line["date"],
                        "split": line["split"],
                        "share": None if line["share"] is None else f"{line['share']:f}",
                        "plan": line["plan"],
                        "basis": f"{line['basis']:f}",
                        "rate": f"{line['rate']:f}",
                        "amount_milli": to_milli(line["amount"]),
                        "above_quota": line["above_quota"],
                        "capped": line["capped"],
                        "origin": line["origin"],
                    }
                    for position, line in enumerate(statement["lines"], start=1)
                ],
            )
        report = {**report, "closed": True, "closed_at": w.at}
        return ClosedResult(
            row["id"],
            span.label,
            span.start,
            span.end,
            w.at,
            len(report["statements"]),
            total,
            report,
        )


def list_periods(book: Book) -> list[PeriodStatus]:
    """Closed periods, and the open quarters from last year (or the first close) to now."""
    today = clock.today()
    with book.read() as r:
        closed = closed_periods(r)
        sums = {
            row["period_id"]: row
            for row in r.rows(
                "SELECT period_id, COUNT(*) AS n, SUM(total_milli) AS total "
                "FROM commission_statements WHERE deleted_at IS NULL GROUP BY period_id"
            )
        }
    first_open = first_open_day(closed)
    rows = [
        PeriodStatus(
            c.label,
            c.start,
            c.end,
            "closed",
            c.closed_at,
            int(sums.get(c.id, {}).get("n") or 0),
            Decimal(int(sums.get(c.id, {}).get("total") or 0)).scaleb(-3).quantize(Decimal("0.01")),
            False,
        )
        for c in closed
    ]
    start = min([date(today.year - 1, 1, 1), *(c.start for c in closed)])
    quarter = period_of("quarter", start)
    while quarter.start <= today:
        if not any(c.start <= quarter.end and quarter.start <= c.end for c in closed):
            rows.append(
                PeriodStatus(
                    quarter.label,
                    quarter.start,
                    quarter.end,
                    "open",
                    None,
                    0,
                    None,
                    first_open is not None and quarter.contains(first_open),
                )
            )
        quarter = period_of("quarter", quarter.end + timedelta(days=1))
    return sorted(rows, key=lambda p: (p.start, p.end))
