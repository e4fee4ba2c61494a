"""The funnel of SPEC §5: stage reach, conversion, win rate, deal size, cycle, velocity.

Formulas (README "Reports"):

* the deals counted are the cohort created in the period, or (``snapshot``) every deal of
  the book as it stands, or (``as_of``) every deal as it stood at the end of that day;
* ``reached[s]``: deals whose stage history ever entered stage ``s`` or a later open
  stage, or a won stage (a win counts as past every open stage; skipped stages count as
  reached, a reopened deal keeps what it reached); the won row counts the deals counted
  that are won now;
* ``conversion_to_next`` = reached[next] / reached[s];
* ``win_rate`` = won / (won + lost) over deals closed in the period;
* ``avg_deal_size`` = mean amount of those won deals; ``avg_cycle_days`` and
  ``median_cycle_days`` over (closed_at − created_at) of those won deals;
* ``pipeline_velocity`` (per day) = open deals × win rate × avg deal size / avg cycle days;
* ``weighted_pipeline`` = Σ amount × probability over the open deals counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crmcli.reports.filters import ReportFilters, Scope, resolve
from crmcli.reports.render import Chart, ReportView, cells, column
from crmcli.reports.source import DealSource, close_day_sql, deal_source
from crmcli.services.book import Book
from crmcli.services.currency import AMOUNT, Rates, load_rates, rate_from_sql
from crmcli.storage.db import Reader

WON_REACH = 1_000_000  # a won stage sorts past every open stage


@dataclass(frozen=True)
class FunnelStage:
    """One stage row of the funnel."""

    stage: str
    stage_id: str
    kind: str
    probability: int
    reached: int
    amount: Decimal
    conversion_to_next: float | None


@dataclass(frozen=True)
class Funnel:
    """The funnel report (JSON shape of SPEC §5, plus the filters and mode)."""

    period_from: date
    period_to: date
    period_label: str
    mode: str  # cohort|snapshot|as-of
    as_of: date | None
    currency: str
    filters: dict[str, Any]
    stages: tuple[FunnelStage, ...]
    deals: int
    open_deals: int
    won: int
    lost: int
    win_rate: float | None
    won_amount: Decimal
    avg_deal_size: Decimal | None
    avg_cycle_days: float | None
    median_cycle_days: float | None
    pipeline_velocity: Decimal | None
    weighted_pipeline: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "label": self.period_label,
            },
            "mode": self.mode,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "currency": self.currency,
            "filters": self.filters,
            "stages": [
                {
                    "stage": s.stage,
                    "stage_id": s.stage_id,
                    "kind": s.kind,
                    "probability": s.probability,
                    "reached": s.reached,
                    "amount": s.amount,
                    "conversion_to_next": s.conversion_to_next,
                }
                for s in self.stages
            ],
            "deals": self.deals,
            "open_deals": self.open_deals,
            "won": self.won,
            "lost": self.lost,
            "win_rate": self.win_rate,
            "won_amount": self.won_amount,
            "avg_deal_size": self.avg_deal_size,
            "avg_cycle_days": self.avg_cycle_days,
            "median_cycle_days": self.median_cycle_days,
            "pipeline_velocity": self.pipeline_velocity,
            "weighted_pipeline": self.weighted_pipeline,
        }


def _cycle_days(reader: Reader, alias: str) -> str:
    if reader.dialect == "sqlite":
        return f"(julianday({alias}.closed_at) - julianday({alias}.created_at))"
    return f"(EXTRACT(EPOCH FROM ({alias}.closed_at - {alias}.created_at)) / 86400.0)"


def funnel_queries(
    reader: Reader, scope: Scope, source: DealSource, *, snapshot: bool
) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """The funnel's SQL (also what the benchmark runs as its raw-SQL baseline)."""
    assert scope.pipeline is not None
    owner_sql, owner_params = scope.owner_sql("d.owner_id")
    base = source.cte
    counted = "d.pipeline_id = ? AND " + owner_sql
    counted_params: list[Any] = [scope.pipeline["id"], *owner_params]
    if not snapshot and source.cut is None:
        counted += " AND d.created_at >= ? AND d.created_at < ?"
        counted_params += [scope.start, scope.end]
    history, history_params = source.history_clause("h")
    day = close_day_sql(reader, "d")
    rate = rate_from_sql("d.currency", day)
    # Per counted deal: how far its history reached, with what the rate choice needs; the
    # rate is chosen once per deal (``reached``), then every stage counts the deals past it.
    reach = (
        base + ", reach AS ("
        f"SELECT d.id, MAX(d.currency) AS currency, MAX(d.status) AS status, "
        f"MAX(d.closed_at) AS closed_at, MAX(d.{AMOUNT}) AS amount, "
        f"MAX(CASE WHEN s.kind = 'won' THEN {WON_REACH} "
        "WHEN s.kind = 'open' THEN s.position ELSE 0 END) AS reach "
        "FROM d JOIN stage_history h ON h.deal_id = d.id "
        "JOIN stages s ON s.id = h.to_stage_id "
        f"WHERE {counted} AND {history} AND s.pipeline_id = ? GROUP BY d.id), "
        f"reached AS MATERIALIZED (SELECT r.reach, r.currency, r.amount, "
        f"{rate_from_sql('r.currency', close_day_sql(reader, 'r'))} AS rate_from, "
        f"{close_day_sql(reader, 'r')} AS first_day FROM reach r) "
        "SELECT st.id AS stage_id, r.currency, r.rate_from, MIN(r.first_day) AS first_day, "
        "count(*) AS n, SUM(r.amount) AS total "
        "FROM stages st JOIN reached r ON r.reach >= st.position "
        "WHERE st.pipeline_id = ? AND st.kind = 'open' AND st.deleted_at IS NULL "
        "GROUP BY st.id, r.currency, r.rate_from"
    )
    reach_params = (
        *source.params,
        *counted_params,
        *history_params,
        scope.pipeline["id"],
        scope.currency,
        source.rate_at,
        source.rate_at,
        scope.pipeline["id"],
    )
    open_deals = (
        base + f"SELECT d.status, d.currency, {rate} AS rate_from, MIN({day}) AS first_day, "
        f"count(*) AS n, SUM(d.{AMOUNT}) AS total, "
        f"SUM(d.{AMOUNT} * COALESCE(d.probability, s.probability)) AS weighted "
        "FROM d JOIN stages s ON s.id = d.stage_id "
        f"WHERE d.status IN ('open', 'won') AND {counted} GROUP BY d.status, d.currency, rate_from"
    )
    open_params = (*source.params, scope.currency, source.rate_at, source.rate_at, *counted_params)
    closed_filter = "d.pipeline_id = ? AND " + owner_sql
    closed_params: list[Any] = [scope.pipeline["id"], *owner_params]
    closed = (
        base + f"SELECT d.status, d.currency, {rate} AS rate_from, MIN({day}) AS first_day, "
        f"count(*) AS n, SUM(d.{AMOUNT}) AS total "
        f"FROM d WHERE d.status IN ('won', 'lost') AND d.closed_at >= ? AND d.closed_at < ? "
        f"AND {closed_filter} GROUP BY d.status, d.currency, rate_from"
    )
    closed_args = (
        *source.params,
        scope.currency,
        source.rate_at,
        source.rate_at,
        scope.start,
        scope.end,
        *closed_params,
    )
    cycle = (
        base + f", won AS (SELECT {_cycle_days(reader, 'd')} AS days FROM d "
        "WHERE d.status = 'won' AND d.closed_at >= ? AND d.closed_at < ? "
        f"AND {closed_filter}), "
        "ranked AS (SELECT days, ROW_NUMBER() OVER (ORDER BY days) AS rn, "
        "COUNT(*) OVER () AS cnt FROM won) "
        "SELECT AVG(days) AS mean, "
        "AVG(CASE WHEN rn IN ((cnt + 1) / 2, (cnt + 2) / 2) THEN days END) AS median "
        "FROM ranked"
    )
    cycle_params = (*source.params, scope.start, scope.end, *closed_params)
    return {
        "reach": (reach, reach_params),
        "open": (open_deals, open_params),
        "closed": (closed, closed_args),
        "cycle": (cycle, cycle_params),
    }


def _convert(rates: Rates, row: dict[str, Any], column: str = "total") -> Decimal:
    return rates.convert_units(
        row[column], row["currency"], rate_from=row["rate_from"], day=row["first_day"]
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def funnel_report(
    book: Book,
    filters: ReportFilters,
    *,
    snapshot: bool = False,
    as_of: date | None = None,
) -> Funnel:
    """The funnel for the filters: the period's cohort, the snapshot, or as of a past day."""
    actor = book.actor
    with book.read() as r:
        scope = resolve(r, filters, actor=actor, today=as_of)
        assert scope.pipeline is not None
        source = deal_source(r, as_of=as_of, today=scope.today)
        rates = load_rates(r, base=scope.currency)
        queries = funnel_queries(r, scope, source, snapshot=snapshot)
        reach_rows = r.rows(*queries["reach"])
        counted_rows = r.rows(*queries["open"])
        closed_rows = r.rows(*queries["closed"])
        cycle = r.row(*queries["cycle"]) or {}
        stages = r.rows(
            "SELECT id, name, position, probability, kind FROM stages "
            "WHERE pipeline_id = ? AND deleted_at IS NULL AND kind IN ('open', 'won') "
            "ORDER BY position",
            (scope.pipeline["id"],),
        )
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for row in reach_rows:
        counts[row["stage_id"]] += row["n"]
        amounts[row["stage_id"]] += _convert(rates, row)
    won = sum(x["n"] for x in closed_rows if x["status"] == "won")
    lost = sum(x["n"] for x in closed_rows if x["status"] == "lost")
    won_amount = rates.round(
        sum((_convert(rates, x) for x in closed_rows if x["status"] == "won"), Decimal(0))
    )
    open_rows = [x for x in counted_rows if x["status"] == "open"]
    won_stage = next((s for s in stages if s["kind"] == "won"), None)
    if won_stage is not None:  # the counted deals won now (the cohort's, or every one)
        counted_won = [x for x in counted_rows if x["status"] == "won"]
        counts[won_stage["id"]] = sum(x["n"] for x in counted_won)
        amounts[won_stage["id"]] = sum((_convert(rates, x) for x in counted_won), Decimal(0))
    shown = [s for s in stages if s["kind"] == "open"] + ([won_stage] if won_stage else [])
    rows = []
    for index, stage in enumerate(shown):
        reached = counts[stage["id"]]
        following = shown[index + 1] if index + 1 < len(shown) else None
        rows.append(
            FunnelStage(
                stage=stage["name"],
                stage_id=stage["id"],
                kind=stage["kind"],
                probability=stage["probability"],
                reached=reached,
                amount=rates.round(amounts[stage["id"]]),
                conversion_to_next=_ratio(counts[following["id"]], reached) if following else None,
            )
        )
    open_count = sum(x["n"] for x in open_rows)
    weighted = rates.round(
        sum((_convert(rates, x, "weighted") / 100 for x in open_rows), Decimal(0))
    )
    win_rate = _ratio(won, won + lost)
    avg_size = rates.round(won_amount / won) if won else None
    mean = cycle.get("mean")
    median = cycle.get("median")
    velocity = (
        rates.round(
            Decimal(open_count) * won / (won + lost) * avg_size / Decimal(str(round(mean, 6)))
        )
        if won and avg_size is not None and mean
        else None
    )
    total_deals = counts[shown[0]["id"]] if shown else 0
    return Funnel(
        period_from=scope.period.start,
        period_to=scope.period.end,
        period_label=scope.period.label,
        mode="as-of" if as_of else "snapshot" if snapshot else "cohort",
        as_of=as_of,
        currency=scope.currency,
        filters=scope.described(),
        stages=tuple(rows),
        deals=total_deals,
        open_deals=open_count,
        won=won,
        lost=lost,
        win_rate=win_rate,
        won_amount=won_amount,
        avg_deal_size=avg_size,
        avg_cycle_days=round(float(mean), 1) if mean is not None else None,
        median_cycle_days=round(float(median), 1) if median is not None else None,
        pipeline_velocity=velocity,
        weighted_pipeline=weighted,
    )


def funnel_view(report: Funnel) -> ReportView:
    """The funnel as a table of stages and a bar chart of reach."""
    rows = [
        {
            "stage": s.stage,
            "reached": s.reached,
            "amount": s.amount,
            "conversion_to_next": s.conversion_to_next,
        }
        for s in report.stages
    ]
    what = {
        "cohort": f"deals created in {report.period_label}",
        "snapshot": "every deal as it stands",
        "as-of": f"the pipeline as it stood at the end of {report.as_of}",
    }[report.mode]
    summary = [
        {"figure": "won / lost (closed in period)", "value": f"{report.won} / {report.lost}"},
        {"figure": "win rate", "value": _percent(report.win_rate)},
        {"figure": "average deal size", "value": _money(report.avg_deal_size)},
        {
            "figure": "cycle days (mean / median)",
            "value": f"{_num(report.avg_cycle_days)} / {_num(report.median_cycle_days)}",
        },
        {"figure": "open deals", "value": str(report.open_deals)},
        {"figure": "weighted pipeline", "value": _money(report.weighted_pipeline)},
        {"figure": "pipeline velocity (per day)", "value": _money(report.pipeline_velocity)},
    ]
    notes = () if report.deals or report.won or report.lost else (_EMPTY,)
    return ReportView(
        title=f"Funnel {report.period_label}",
        subtitle=f"{what}; amounts in {report.currency}",
        columns=(
            column("stage"),
            column("reached", numeric=True),
            column("amount", numeric=True),
            column("conversion_to_next", "→ next", percent=True),
        ),
        rows=cells(rows),
        chart=Chart(
            title="Deals reaching each stage (conversion from the one before)",
            kind="bar",
            # each bar's label carries the conversion into it from the stage before
            labels=tuple(
                s.stage
                if index == 0 or report.stages[index - 1].conversion_to_next is None
                else f"{s.stage} ({report.stages[index - 1].conversion_to_next:.0%})"
                for index, s in enumerate(report.stages)
            ),
            series=(("reached", tuple(float(s.reached) for s in report.stages)),),
        ),
        notes=notes,
        extra=(("Summary", (column("figure"), column("value", numeric=True)), cells(summary)),),
    )


_EMPTY = "no deals in this period: every figure is zero"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _money(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:,.2f}"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"
