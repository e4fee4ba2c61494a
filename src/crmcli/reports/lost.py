"""Lost deals: by reason, by competitor and by the stage they were lost at; win/loss record.

The stage a deal was lost at is the one it left when it entered the lost stage (from its
stage history). The record against a competitor counts deals closed in the period that
name it: won, lost, and win rate = won / (won + lost).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crmcli.reports.filters import ReportFilters, Scope, resolve
from crmcli.reports.render import Chart, ReportView, cells, column
from crmcli.reports.source import close_day_sql
from crmcli.services.book import Book
from crmcli.services.currency import AMOUNT, Rates, day_last_instant, load_rates, rate_from_sql
from crmcli.storage.db import Reader


@dataclass(frozen=True)
class LostGroup:
    """Lost deals sharing a reason, competitor or stage."""

    name: str
    deals: int
    amount: Decimal


@dataclass(frozen=True)
class CompetitorRecord:
    """Won and lost deals against one competitor."""

    competitor: str
    won: int
    lost: int
    win_rate: float | None


@dataclass(frozen=True)
class LostReport:
    """The lost-deal analysis."""

    period_from: date
    period_to: date
    period_label: str
    currency: str
    filters: dict[str, Any]
    lost: int
    amount: Decimal
    by_reason: tuple[LostGroup, ...]
    by_competitor: tuple[LostGroup, ...]
    by_stage: tuple[LostGroup, ...]
    competitors: tuple[CompetitorRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        def groups(items: tuple[LostGroup, ...], key: str) -> list[dict[str, Any]]:
            return [{key: g.name, "deals": g.deals, "amount": g.amount} for g in items]

        return {
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "label": self.period_label,
            },
            "currency": self.currency,
            "filters": self.filters,
            "lost": self.lost,
            "amount": self.amount,
            "by_reason": groups(self.by_reason, "reason"),
            "by_competitor": groups(self.by_competitor, "competitor"),
            "by_stage": groups(self.by_stage, "stage"),
            "competitors": [
                {"competitor": c.competitor, "won": c.won, "lost": c.lost, "win_rate": c.win_rate}
                for c in self.competitors
            ],
        }


def lost_queries(reader: Reader, scope: Scope) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """The lost report's SQL."""
    owner_sql, owner_params = scope.owner_sql("d.owner_id")
    pipeline_sql = "d.pipeline_id = ?" if scope.pipeline else "1 = 1"
    pipeline_params = [scope.pipeline["id"]] if scope.pipeline else []
    day = close_day_sql(reader, "d")
    rate = rate_from_sql("d.currency", day)
    closed = (
        "d.deleted_at IS NULL AND d.closed_at >= ? AND d.closed_at < ? "
        f"AND {pipeline_sql} AND {owner_sql}"
    )
    closed_params = (scope.start, scope.end, *pipeline_params, *owner_params)
    lost_sql = (
        "WITH entered AS (SELECT h.deal_id, h.from_stage_id, "
        "ROW_NUMBER() OVER (PARTITION BY h.deal_id ORDER BY h.at DESC) AS rn "
        "FROM stage_history h JOIN stages ls ON ls.id = h.to_stage_id AND ls.kind = 'lost' "
        "WHERE h.deleted_at IS NULL AND h.deal_id IN "
        f"(SELECT d.id FROM deals d WHERE d.status = 'lost' AND {closed})) "
        "SELECT COALESCE(d.lost_reason, '(none)') AS reason, "
        "COALESCE(d.competitor, '(none)') AS competitor, "
        "COALESCE(fs.name, '(unknown)') AS stage, COALESCE(fs.position, 0) AS position, "
        f"d.currency, {rate} AS rate_from, MIN({day}) AS first_day, count(*) AS n, "
        f"SUM(d.{AMOUNT}) AS total "
        "FROM deals d LEFT JOIN entered e ON e.deal_id = d.id AND e.rn = 1 "
        "LEFT JOIN stages fs ON fs.id = e.from_stage_id "
        f"WHERE d.status = 'lost' AND {closed} "
        "GROUP BY reason, competitor, stage, position, d.currency, rate_from"
    )
    now_at = day_last_instant(scope.today)
    lost_params = (*closed_params, scope.currency, now_at, now_at, *closed_params)
    record_sql = (
        "SELECT d.competitor, d.status, count(*) AS n FROM deals d "
        f"WHERE d.status IN ('won', 'lost') AND d.competitor IS NOT NULL AND {closed} "
        "GROUP BY d.competitor, d.status"
    )
    return {"lost": (lost_sql, lost_params), "record": (record_sql, closed_params)}


def _grouped(rows: list[dict[str, Any]], key: str, rates: Rates) -> tuple[LostGroup, ...]:
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    order: dict[str, int] = {}
    for row in rows:
        counts[row[key]] += row["n"]
        amounts[row[key]] += rates.convert_units(
            row["total"], row["currency"], rate_from=row["rate_from"], day=row["first_day"]
        )
        order[row[key]] = row["position"]
    names = sorted(
        counts, key=(lambda n: order[n]) if key == "stage" else (lambda n: (-counts[n], n))
    )
    return tuple(LostGroup(n, counts[n], rates.round(amounts[n])) for n in names)


def lost_report(book: Book, filters: ReportFilters) -> LostReport:
    """Lost deals closed in the period, grouped three ways, and the competitor record."""
    actor = book.actor
    with book.read() as r:
        scope = resolve(r, filters, actor=actor, default_to_pipeline=False)
        rates = load_rates(r, base=scope.currency)
        queries = lost_queries(r, scope)
        rows = r.rows(*queries["lost"])
        record = r.rows(*queries["record"])
    wins: dict[str, dict[str, int]] = defaultdict(lambda: {"won": 0, "lost": 0})
    for row in record:
        wins[row["competitor"]][row["status"]] += row["n"]
    by_reason = _grouped(rows, "reason", rates)
    return LostReport(
        period_from=scope.period.start,
        period_to=scope.period.end,
        period_label=scope.period.label,
        currency=scope.currency,
        filters=scope.described(),
        lost=sum(g.deals for g in by_reason),
        amount=sum((g.amount for g in by_reason), Decimal(0)),
        by_reason=by_reason,
        by_competitor=_grouped(rows, "competitor", rates),
        by_stage=_grouped(rows, "stage", rates),
        competitors=tuple(
            CompetitorRecord(
                name,
                w["won"],
                w["lost"],
                round(w["won"] / (w["won"] + w["lost"]), 4) if w["won"] + w["lost"] else None,
            )
            for name, w in sorted(wins.items(), key=lambda x: (-(x[1]["won"] + x[1]["lost"]), x[0]))
        ),
    )


def lost_view(report: LostReport) -> ReportView:
    """Lost deals by reason (the table and chart), competitor, stage and the record."""
    group_columns = (column("name"), column("deals", numeric=True), column("amount", numeric=True))

    def rows(items: tuple[LostGroup, ...]) -> tuple[Mapping[str, Any], ...]:
        return cells([{"name": g.name, "deals": g.deals, "amount": g.amount} for g in items])

    record = cells(
        [
            {"competitor": c.competitor, "won": c.won, "lost": c.lost, "win_rate": c.win_rate}
            for c in report.competitors
        ]
    )
    return ReportView(
        title=f"Lost deals {report.period_label}",
        subtitle=f"{report.lost} lost, {report.amount:,.2f} {report.currency}; by reason",
        columns=(column("name", "reason"), group_columns[1], group_columns[2]),
        rows=rows(report.by_reason),
        chart=Chart(
            title="Lost deals by reason",
            kind="hbar",
            labels=tuple(g.name for g in report.by_reason),
            series=(("deals", tuple(float(g.deals) for g in report.by_reason)),),
        ),
        notes=() if report.lost else ("no deals lost in this period: every figure is zero",),
        extra=(
            (
                "By competitor",
                (column("name", "competitor"), *group_columns[1:]),
                rows(report.by_competitor),
            ),
            ("Lost at stage", (column("name", "stage"), *group_columns[1:]), rows(report.by_stage)),
            (
                "Record against competitors",
                (
                    column("competitor"),
                    column("won", numeric=True),
                    column("lost", numeric=True),
                    column("win_rate", "win rate", percent=True),
                ),
                record,
            ),
        ),
    )
