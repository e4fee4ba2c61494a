"""RFM segments of companies (README "Reports" has the segment table).

Per company with at least one won deal or done activity:

* recency: days since the later of its last won deal and its last done activity;
* frequency: deals won in the last 12 months; monetary: their amount (converted at the
  rate of each close date, in the reporting currency);
* each scored 1–5 by quintile: score = ⌈5 × (companies at or below this one) / companies⌉,
  ordering recency from oldest to newest; a frequency or monetary of zero scores 1;
* segment from R and FM = ⌈(F + M) / 2⌉ (``SEGMENT_SQL``).

All of it is one SQL statement with window functions, so ``crm company list --segment``
filters by the same expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.reports.filters import ReportFilters, resolve
from crmcli.reports.render import Chart, ReportView, cells, column
from crmcli.services.book import Book
from crmcli.services.currency import AMOUNT, UNITS, Rates, as_date, reporting_currency
from crmcli.services.handles import short
from crmcli.storage.db import Reader

SEGMENTS = ("champions", "loyal", "potential", "at-risk", "hibernating", "lost")
SEGMENT_SQL = (
    "CASE WHEN r_score >= 4 AND fm >= 4 THEN 'champions' "
    "WHEN r_score >= 3 AND fm >= 3 THEN 'loyal' "
    "WHEN r_score >= 4 THEN 'potential' "
    "WHEN r_score <= 2 AND fm >= 3 THEN 'at-risk' "
    "WHEN r_score >= 2 THEN 'hibernating' ELSE 'lost' END"
)
PPM = 1_000_000
DEFAULT_LIMIT = 50


def parse_segment(text: str) -> str:
    """A segment name (``at risk`` and ``at_risk`` too)."""
    value = text.strip().lower().replace("_", "-").replace(" ", "-")
    if value not in SEGMENTS:
        raise InvalidInput(f"unknown segment {text!r}", hint=f"segments: {', '.join(SEGMENTS)}")
    return value


def parse_days(text: str) -> int:
    """``90d``, ``90`` or ``12w`` as a number of days."""
    raw = text.strip().lower()
    factor = 7 if raw.endswith("w") else 1
    number = raw.rstrip("dw")
    if not number.isdigit() or int(number) < 1:
        raise InvalidInput(f"--dormant takes days like 90d, not {text!r}")
    return int(number) * factor


@dataclass(frozen=True)
class CompanySegment:
    """One company's RFM figures, scores and segment."""

    company_id: str
    handle: str
    company: str
    classification: str
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    segment: str


@dataclass(frozen=True)
class DormantAccount:
    """A key account without a done activity for the dormant days."""

    company_id: str
    handle: str
    company: str
    last_activity: datetime | None
    idle_days: int | None


@dataclass(frozen=True)
class Segments:
    """The segments report."""

    currency: str
    as_of: date
    companies: tuple[CompanySegment, ...]
    counts: dict[str, int]
    total: int
    dormant_days: int | None
    dormant: tuple[DormantAccount, ...]
    limit: int = DEFAULT_LIMIT

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "counts": self.counts,
            "scored": self.total,
            "companies": [
                {
                    "id": c.company_id,
                    "handle": c.handle,
                    "company": c.company,
                    "classification": c.classification,
                    "recency_days": c.recency_days,
                    "frequency": c.frequency,
                    "monetary": c.monetary,
                    "r": c.r,
                    "f": c.f,
                    "m": c.m,
                    "segment": c.segment,
                }
                for c in self.companies
            ],
            "dormant_days": self.dormant_days,
            "dormant": [
                {
                    "id": d.company_id,
                    "handle": d.handle,
                    "company": d.company,
                    "last_activity": d.last_activity,
                    "idle_days": d.idle_days,
                }
                for d in self.dormant
            ],
        }


def _later(a: str, b: str) -> str:
    return f"CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL OR {a} > {b} THEN {a} ELSE {b} END"


def _days_since(reader: Reader, expr: str) -> str:
    if reader.dialect == "sqlite":
        return f"CAST(julianday(?) - julianday({expr}) AS INTEGER)"
    return f"CAST(EXTRACT(EPOCH FROM (CAST(? AS TIMESTAMPTZ) - {expr})) / 86400 AS INTEGER)"


def segments_sql(reader: Reader, *, base: str, now: datetime) -> tuple[str, tuple[Any, ...]]:
    """The whole RFM computation; one row per scored company."""
    since = now - timedelta(days=365)
    ppm = (
        f"CASE WHEN d.currency = ? THEN {PPM} ELSE (SELECT CAST(ROUND(CAST(x.rate AS REAL) "
        f"* {PPM}) AS BIGINT) FROM exchange_rates x WHERE x.base = ? AND x.currency = d.currency "
        "AND x.valid_from_at <= d.closed_at AND x.deleted_at IS NULL "
        "ORDER BY x.valid_from_at DESC LIMIT 1) END"
    )
    sql = f"""
WITH won AS (
    SELECT d.company_id, MAX(d.closed_at) AS last_won,
           SUM(CASE WHEN d.closed_at >= ? THEN 1 ELSE 0 END) AS frequency,
           SUM(CASE WHEN d.closed_at >= ? THEN d.{AMOUNT} * ({ppm}) ELSE 0 END) AS monetary,
           MAX(CASE WHEN d.closed_at >= ? AND ({ppm}) IS NULL THEN d.currency END) AS no_rate,
           MIN(CASE WHEN d.closed_at >= ? AND ({ppm}) IS NULL THEN d.closed_at END) AS no_rate_day
    FROM deals d
    WHERE d.status = 'won' AND d.deleted_at IS NULL AND d.company_id IS NOT NULL
    GROUP BY d.company_id
),
acts AS (
    SELECT company_id, MAX(done_at) AS last_act FROM activities
    WHERE company_id IS NOT NULL AND done_at IS NOT NULL AND deleted_at IS NULL
    GROUP BY company_id
),
engaged AS (
    SELECT c.id, c.name, c.classification,
           COALESCE(w.frequency, 0) AS frequency, COALESCE(w.monetary, 0) AS monetary,
           w.no_rate, w.no_rate_day,
           {_days_since(reader, _later("w.last_won", "a.last_act"))} AS recency_days
    FROM companies c
    LEFT JOIN won w ON w.company_id = c.id
    LEFT JOIN acts a ON a.company_id = c.id
    WHERE c.deleted_at IS NULL AND (w.company_id IS NOT NULL OR a.company_id IS NOT NULL)
),
scored AS (
    SELECT e.*,
           (5 * COUNT(*) OVER (ORDER BY recency_days DESC) + COUNT(*) OVER () - 1)
               / COUNT(*) OVER () AS r_score,
           CASE WHEN frequency = 0 THEN 1 ELSE
               (5 * COUNT(*) OVER (ORDER BY frequency) + COUNT(*) OVER () - 1)
               / COUNT(*) OVER () END AS f_score,
           CASE WHEN monetary = 0 THEN 1 ELSE
               (5 * COUNT(*) OVER (ORDER BY monetary) + COUNT(*) OVER () - 1)
               / COUNT(*) OVER () END AS m_score
    FROM engaged e
),
ranked AS (SELECT s.*, (f_score + m_score + 1) / 2 AS fm FROM scored s)
SELECT id, name, classification, recency_days, frequency, monetary, no_rate, no_rate_day,
       r_score, f_score, m_score, {SEGMENT_SQL} AS segment
FROM ranked
"""
    params = (since, since, base, base, since, base, base, since, base, base, now)
    return sql, params


def _dormant(reader: Reader, *, days: int, now: datetime) -> list[DormantAccount]:
    cutoff = now - timedelta(days=days)
    rows = reader.rows(
        "SELECT c.id, c.name, (SELECT MAX(a.done_at) FROM activities a WHERE a.company_id = c.id "
        "AND a.done_at IS NOT NULL AND a.deleted_at IS NULL) AS last_act FROM companies c "
        "WHERE c.deleted_at IS NULL AND c.classification = 'key_account'",
    )
    out = []
    for row in rows:  # key accounts only: a short list, filtered after one query
        last = row["last_act"]
        last_dt = datetime.fromisoformat(str(last)) if last is not None else None
        if last_dt is None or last_dt < cutoff:
            out.append(
                DormantAccount(
                    row["id"],
                    short(row["id"]),
                    row["name"],
                    last_dt,
                    (now - last_dt).days if last_dt else None,
                )
            )
    return sorted(out, key=lambda d: (d.idle_days is not None, -(d.idle_days or 0), d.company))


def segment_rows(reader: Reader, *, base: str, now: datetime) -> list[dict[str, Any]]:
    """Every scored company's row (raises on a missing exchange rate)."""
    sql, params = segments_sql(reader, base=base, now=now)
    rows = reader.rows(sql, params)
    missing = next((x for x in rows if x["no_rate"]), None)
    if missing:
        raise Rates(base=base).missing(missing["no_rate"], as_date(missing["no_rate_day"]))
    return rows


def segments_report(
    book: Book,
    filters: ReportFilters,
    *,
    dormant: str | None = None,
    segment: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Segments:
    """RFM scores and segments of every engaged company (the first ``limit`` listed, by
    segment then monetary; the counts cover all); dormant key accounts."""
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    wanted = parse_segment(segment) if segment else None
    dormant_days = parse_days(dormant) if dormant else None
    now = clock.now()
    actor = book.actor
    with book.read() as r:
        scope = resolve(r, filters, actor=actor, default_to_pipeline=False)
        rows = segment_rows(r, base=scope.currency, now=now)
        idle = _dormant(r, days=dormant_days, now=now) if dormant_days else []
    counts = dict.fromkeys(SEGMENTS, 0)
    for x in rows:
        counts[x["segment"]] += 1
    order = {name: index for index, name in enumerate(SEGMENTS)}
    chosen = sorted(
        (x for x in rows if wanted is None or x["segment"] == wanted),
        key=lambda x: (order[x["segment"]], -int(x["monetary"]), x["name"]),
    )[:limit]
    companies = [
        CompanySegment(
            company_id=x["id"],
            handle=short(x["id"]),
            company=x["name"],
            classification=x["classification"],
            recency_days=int(x["recency_days"]),
            frequency=int(x["frequency"]),
            monetary=(Decimal(int(x["monetary"])) / PPM / UNITS).quantize(Decimal("0.01")),
            r=int(x["r_score"]),
            f=int(x["f_score"]),
            m=int(x["m_score"]),
            segment=x["segment"],
        )
        for x in chosen
    ]
    return Segments(
        currency=scope.currency,
        as_of=clock.today(),
        companies=tuple(companies),
        counts=counts,
        total=len(rows),
        dormant_days=dormant_days,
        dormant=tuple(idle),
        limit=limit,
    )


def segment_condition(book: Book, segment: str) -> tuple[str, tuple[Any, ...]]:
    """SQL on ``c.id`` keeping the companies in ``segment`` (``crm company list --segment``).

    Checks the rates first, so a missing one is an error rather than an empty list.
    """
    wanted = parse_segment(segment)
    now = clock.now()
    base = reporting_currency()
    with book.read() as r:
        sql, params = segments_sql(r, base=base, now=now)
        missing = r.row(
            f"SELECT no_rate, no_rate_day FROM ({sql}) x WHERE no_rate IS NOT NULL LIMIT 1",
            params,
        )
    if missing:
        raise Rates(base=base).missing(missing["no_rate"], as_date(missing["no_rate_day"]))
    return f"c.id IN (SELECT id FROM ({sql}) rfm WHERE segment = ?)", (*params, wanted)


def segments_view(report: Segments) -> ReportView:
    """The companies with their scores, and a chart of companies per segment."""
    rows = [
        {
            "company": c.company,
            "segment": c.segment,
            "recency_days": c.recency_days,
            "frequency": c.frequency,
            "monetary": c.monetary,
            "rfm": f"{c.r}{c.f}{c.m}",
        }
        for c in report.companies
    ]
    dormant = cells(
        [
            {"company": d.company, "last_activity": d.last_activity, "idle_days": d.idle_days}
            for d in report.dormant
        ]
    )
    return ReportView(
        title="Customer segments (RFM)",
        subtitle=f"won deals and activity of the last 12 months; amounts in {report.currency}",
        columns=(
            column("company"),
            column("segment"),
            column("recency_days", "recency (days)", numeric=True),
            column("frequency", numeric=True),
            column("monetary", numeric=True),
            column("rfm", "R F M"),
        ),
        rows=cells(rows),
        chart=Chart(
            title="Companies per segment",
            kind="hbar",
            labels=SEGMENTS,
            series=(("companies", tuple(float(report.counts[s]) for s in SEGMENTS)),),
        ),
        notes=(
            ()
            if report.total
            else ("no company has won deals or activities yet: nothing to score",)
        )
        + (
            (f"showing {len(report.companies)} of {report.total} companies (--limit)",)
            if len(report.companies) < sum(report.counts.values())
            and len(report.companies) == report.limit
            else ()
        ),
        extra=(
            (
                f"Dormant key accounts (no activity for {report.dormant_days} days)",
                (
                    column("company"),
                    column("last_activity", "last activity"),
                    column("idle_days", "idle days", numeric=True),
                ),
                dormant,
            ),
        )
        if report.dormant_days
        else (),
    )
