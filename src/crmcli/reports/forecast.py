"""The forecast: per close period (and rep), won, commit, best case, pipeline, quota, gap.

* ``won``: deals won with ``closed_at`` in the period;
* open deals count in the period of their expected close date, in their forecast
  category: the one set with ``crm deal edit D --forecast …``, else from the probability
  (the deal's override, else its stage's): ≥ 80% commit, ≥ 40% best case, > 0% pipeline,
  0% omitted. Each category column holds only its own deals (not cumulative);
* ``weighted`` = Σ amount × probability over the open deals of the period;
* ``quota`` from ``crm user quota`` (exact, else rolled up from sub-periods);
  ``attainment`` = won / quota; ``gap`` = quota − won (never below zero).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crmcli.errors import InvalidInput
from crmcli.periods import Period
from crmcli.reports.filters import (
    ReportFilters,
    Scope,
    buckets_sql,
    day_buckets_sql,
    overlapping,
    resolve,
)
from crmcli.reports.render import Chart, ReportView, cells, column
from crmcli.reports.source import DealSource, close_day_sql, deal_source
from crmcli.services.book import Book
from crmcli.services.currency import AMOUNT, load_rates, rate_from_sql
from crmcli.services.forecast_category import BEST_CASE_AT, COMMIT_AT
from crmcli.storage.db import Reader

BY = ("month", "quarter")
CATEGORY_SQL = (
    "COALESCE(d.forecast_category, CASE "
    f"WHEN COALESCE(d.probability, s.probability) >= {COMMIT_AT} THEN 'commit' "
    f"WHEN COALESCE(d.probability, s.probability) >= {BEST_CASE_AT} THEN 'best-case' "
    "WHEN COALESCE(d.probability, s.probability) > 0 THEN 'pipeline' ELSE 'omitted' END)"
)


@dataclass(frozen=True)
class ForecastRow:
    """One close period (and rep) of the forecast."""

    period: str
    rep: str | None
    won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    omitted: Decimal
    weighted: Decimal
    quota: Decimal | None
    attainment: float | None
    gap: Decimal | None


@dataclass(frozen=True)
class Forecast:
    """The forecast report."""

    period_from: date
    period_to: date
    period_label: str
    by: str
    by_rep: bool
    as_of: date | None
    currency: str
    filters: dict[str, Any]
    rows: tuple[ForecastRow, ...]
    total: ForecastRow

    def to_dict(self) -> dict[str, Any]:
        def one(row: ForecastRow) -> dict[str, Any]:
            return {
                "period": row.period,
                "rep": row.rep,
                "won": row.won,
                "commit": row.commit,
                "best_case": row.best_case,
                "pipeline": row.pipeline,
                "omitted": row.omitted,
                "weighted_pipeline": row.weighted,
                "quota": row.quota,
                "attainment": row.attainment,
                "gap": row.gap,
            }

        return {
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "label": self.period_label,
            },
            "by": self.by,
            "by_rep": self.by_rep,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "currency": self.currency,
            "filters": self.filters,
            "rows": [one(r) for r in self.rows],
            "total": one(self.total),
        }


def forecast_queries(
    reader: Reader, scope: Scope, source: DealSource, buckets: list[Period]
) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """The forecast's SQL: open deals by close month and category, and won deals."""
    owner_sql, owner_params = scope.owner_sql("d.owner_id")
    pipeline_sql = "d.pipeline_id = ?" if scope.pipeline else "1 = 1"
    pipeline_params = [scope.pipeline["id"]] if scope.pipeline else []
    day = close_day_sql(reader, "d")
    rate = rate_from_sql("d.currency", day)
    open_bucket, open_bucket_params = day_buckets_sql("d.expected_close", buckets)
    won_bucket, won_bucket_params = buckets_sql("d.closed_at", buckets)
    base = source.cte
    open_sql = (
        base
        + f"SELECT bucket, owner_id, category, currency, rate_from, MIN(first_day) AS first_day, "
        "SUM(amount) AS total, SUM(weighted) AS weighted FROM ("
        f"SELECT {open_bucket} AS bucket, d.owner_id, {CATEGORY_SQL} AS category, d.currency, "
        f"{rate} AS rate_from, {day} AS first_day, d.{AMOUNT} AS amount, "
        f"d.{AMOUNT} * COALESCE(d.probability, s.probability) AS weighted "
        "FROM d JOIN stages s ON s.id = d.stage_id "
        f"WHERE d.status = 'open' AND d.expected_close >= ? AND d.expected_close <= ? "
        f"AND {pipeline_sql} AND {owner_sql}) o "
        "GROUP BY bucket, owner_id, category, currency, rate_from"
    )
    open_params = (
        *source.params,
        *open_bucket_params,
        scope.currency,
        source.rate_at,
        source.rate_at,
        scope.period.start,
        scope.period.end,
        *pipeline_params,
        *owner_params,
    )
    won_sql = (
        base + f"SELECT {won_bucket} AS bucket, d.owner_id, d.currency, {rate} AS rate_from, "
        f"MIN({day}) AS first_day, SUM(d.{AMOUNT}) AS total FROM d "
        "WHERE d.status = 'won' AND d.closed_at >= ? AND d.closed_at < ? "
        f"AND {pipeline_sql} AND {owner_sql} "
        "GROUP BY bucket, d.owner_id, d.currency, rate_from"
    )
    won_params = (
        *source.params,
        *won_bucket_params,
        scope.currency,
        source.rate_at,
        source.rate_at,
        scope.start,
        scope.end,
        *pipeline_params,
        *owner_params,
    )
    return {"open": (open_sql, open_params), "won": (won_sql, won_params)}


def _quota(reader: Reader, user_id: str, period: Period) -> Decimal | None:
    from crmcli.services.quotas import quota_for

    value: Decimal | None = quota_for(reader, user_id=user_id, period=period)
    return value


def forecast_report(
    book: Book,
    filters: ReportFilters,
    *,
    by: str = "month",
    by_rep: bool = False,
    as_of: date | None = None,
) -> Forecast:
    """The forecast for the period, per month or quarter, optionally per rep."""
    if by not in BY:
        raise InvalidInput(f"--by must be month or quarter, not {by!r}")
    actor = book.actor
    with book.read() as r:
        scope = resolve(r, filters, actor=actor, default_to_pipeline=False, today=as_of)
        buckets = overlapping(scope.period, "month" if by == "month" else "quarter")
        source = deal_source(r, as_of=as_of, today=scope.today)
        rates = load_rates(r, base=scope.currency)
        queries = forecast_queries(r, scope, source, buckets)
        open_rows = r.rows(*queries["open"])
        won_rows = r.rows(*queries["won"])
        owner_sql, owner_params = scope.owner_sql("id")
        reps = r.rows(
            f"SELECT id, username FROM users WHERE deleted_at IS NULL AND {owner_sql} "
            "ORDER BY username",
            owner_params,
        )
        # quota_for per rep and period, only for the reps who have any quota (one query)
        with_quota = {
            x["user_id"]
            for x in r.rows("SELECT DISTINCT user_id FROM quotas WHERE deleted_at IS NULL")
        }
        quotas = {
            (rep["id"], index): _quota(r, rep["id"], sub)
            for rep in reps
            if rep["id"] in with_quota
            for index, sub in enumerate(buckets)
        }
        # the whole period's quota: stated for it, else rolled up (a quarter from months)
        whole = [
            q
            for rep in reps
            if rep["id"] in with_quota and (q := _quota(r, rep["id"], scope.period)) is not None
        ]
    sums: dict[tuple[int, str | None], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for row in open_rows:
        if row["bucket"] is None:
            continue
        key = (int(row["bucket"]), row["owner_id"] if by_rep else None)
        sums[key][row["category"]] += rates.convert_units(
            row["total"], row["currency"], rate_from=row["rate_from"], day=row["first_day"]
        )
        sums[key]["weighted"] += (
            rates.convert_units(
                row["weighted"], row["currency"], rate_from=row["rate_from"], day=row["first_day"]
            )
            / 100
        )
    for row in won_rows:
        if row["bucket"] is None:
            continue
        key = (int(row["bucket"]), row["owner_id"] if by_rep else None)
        sums[key]["won"] += rates.convert_units(
            row["total"], row["currency"], rate_from=row["rate_from"], day=row["first_day"]
        )
    names = {rep["id"]: rep["username"] for rep in reps}
    rep_ids: list[str | None] = [rep["id"] for rep in reps] if by_rep else [None]

    def quota_of(rep_id: str | None, index: int) -> Decimal | None:
        wanted = [rep_id] if rep_id else [rep["id"] for rep in reps]
        found = [q for x in wanted if (q := quotas.get((x, index))) is not None]
        return sum(found, Decimal(0)) if found else None

    rows = []
    for index, sub in enumerate(buckets):
        for rep_id in rep_ids:
            figures = sums.get((index, rep_id), {})
            if by_rep and not figures and quota_of(rep_id, index) is None:
                continue
            rows.append(
                _row(sub.label, names.get(rep_id or ""), figures, quota_of(rep_id, index), rates)
            )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for figures in sums.values():
        for name, value in figures.items():
            totals[name] += value
    quota_values = [q for index in range(len(buckets)) if (q := quota_of(None, index)) is not None]
    if whole:
        total_quota: Decimal | None = sum(whole, Decimal(0))
    else:
        total_quota = sum(quota_values, Decimal(0)) if quota_values else None
    return Forecast(
        period_from=scope.period.start,
        period_to=scope.period.end,
        period_label=scope.period.label,
        by=by,
        by_rep=by_rep,
        as_of=as_of,
        currency=scope.currency,
        filters=scope.described(),
        rows=tuple(rows),
        total=_row(scope.period.label, None, totals, total_quota, rates),
    )


def _row(
    label: str, rep: str | None, figures: dict[str, Decimal], quota: Decimal | None, rates: Any
) -> ForecastRow:
    won = rates.round(figures.get("won", Decimal(0)))
    return ForecastRow(
        period=label,
        rep=rep,
        won=won,
        commit=rates.round(figures.get("commit", Decimal(0))),
        best_case=rates.round(figures.get("best-case", Decimal(0))),
        pipeline=rates.round(figures.get("pipeline", Decimal(0))),
        omitted=rates.round(figures.get("omitted", Decimal(0))),
        weighted=rates.round(figures.get("weighted", Decimal(0))),
        quota=quota,
        attainment=round(float(won / quota), 4) if quota else None,
        gap=rates.round(max(quota - won, Decimal(0))) if quota is not None else None,
    )


def forecast_view(report: Forecast) -> ReportView:
    """The forecast table and a chart per period stacked by category."""
    rows = [*report.rows, report.total]
    table = [
        {
            "period": "total" if row is report.total else row.period,
            "rep": row.rep or ("" if report.by_rep and row is not report.total else "all"),
            "won": row.won,
            "commit": row.commit,
            "best_case": row.best_case,
            "pipeline": row.pipeline,
            "weighted": row.weighted,
            "quota": row.quota,
            "attainment": row.attainment,
            "gap": row.gap,
        }
        for row in rows
    ]
    per_period: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in report.rows:
        for key in ("won", "commit", "best_case", "pipeline"):
            per_period[row.period][key] += float(getattr(row, key))
    labels = tuple(per_period)
    as_of = f" as of {report.as_of}" if report.as_of else ""
    empty = not any(any(v.values()) for v in per_period.values())
    return ReportView(
        title=f"Forecast {report.period_label}{as_of}",
        subtitle=f"by {report.by}; amounts in {report.currency}",
        columns=(
            column("period"),
            *((column("rep"),) if report.by_rep else ()),
            *(
                column(k, numeric=True)
                for k in ("won", "commit", "best_case", "pipeline", "weighted", "quota")
            ),
            column("attainment", percent=True),
            column("gap", numeric=True),
        ),
        rows=cells(table),
        chart=Chart(
            title="Forecast per period by category",
            kind="stacked",
            labels=labels,
            series=tuple(
                (name, tuple(per_period[label][key] for label in labels))
                for name, key in (
                    ("won", "won"),
                    ("commit", "commit"),
                    ("best case", "best_case"),
                    ("pipeline", "pipeline"),
                )
            ),
            unit=report.currency,
        ),
        notes=("no deals close in this period: every figure is zero",) if empty else (),
    )
