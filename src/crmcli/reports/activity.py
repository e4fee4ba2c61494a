"""Sales plan vs activity: volume per rep × kind × week or month, done vs scheduled, targets.

An activity falls in the period of its start (or due time, for a task without a start).
``done`` counts those marked done, ``scheduled`` those not (yet); ``target`` is the rep's
target for exactly that week or month, else the sum of their targets for the weeks or
months inside it; ``attainment`` = done / target. A recurring series counts as its one
row (occurrences completed or moved on their own count as theirs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from crmcli.errors import InvalidInput
from crmcli.periods import Period, parse_period
from crmcli.reports.filters import ReportFilters, Scope, buckets_sql, overlapping, resolve
from crmcli.reports.render import Chart, ReportView, cells, column
from crmcli.services.book import Book
from crmcli.storage.db import Reader

BY = ("week", "month")
DAY_SQL = "coalesce(a.start_at, a.due_at)"  # the expression ix_activities_report_day indexes


@dataclass(frozen=True)
class ActivityRow:
    """One rep × kind × period of the activity report."""

    period: str
    rep: str
    kind: str
    done: int
    scheduled: int
    target: int | None
    attainment: float | None


@dataclass(frozen=True)
class ActivityReport:
    """The activity report."""

    period_from: date
    period_to: date
    period_label: str
    by: str
    filters: dict[str, Any]
    rows: tuple[ActivityRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "label": self.period_label,
            },
            "by": self.by,
            "filters": self.filters,
            "rows": [
                {
                    "period": r.period,
                    "rep": r.rep,
                    "kind": r.kind,
                    "done": r.done,
                    "scheduled": r.scheduled,
                    "target": r.target,
                    "attainment": r.attainment,
                }
                for r in self.rows
            ],
            "done": sum(r.done for r in self.rows),
            "scheduled": sum(r.scheduled for r in self.rows),
        }


def activity_query(scope: Scope, buckets: list[Period]) -> tuple[str, tuple[Any, ...]]:
    """The activity report's SQL: counts per bucket, owner and kind."""
    owner_sql, owner_params = scope.owner_sql("a.owner_id")
    bucket, bucket_params = buckets_sql(DAY_SQL, buckets)
    sql = (
        f"SELECT {bucket} AS bucket, a.owner_id, a.kind, "
        "SUM(CASE WHEN a.done_at IS NOT NULL THEN 1 ELSE 0 END) AS done, "
        "SUM(CASE WHEN a.done_at IS NULL THEN 1 ELSE 0 END) AS scheduled "
        f"FROM activities a WHERE {DAY_SQL} >= ? AND {DAY_SQL} < ? "
        f"AND a.deleted_at IS NULL AND {owner_sql} "
        "GROUP BY bucket, a.owner_id, a.kind"
    )
    return sql, (*bucket_params, scope.start, scope.end, *owner_params)


def _buckets(period: Period, by: str) -> list[Period]:
    """The weeks or months overlapping ``period``."""
    return overlapping(period, "week" if by == "week" else "month")


def _targets(reader: Reader, scope: Scope) -> dict[tuple[str, str], list[tuple[Period, int]]]:
    owner_sql, owner_params = scope.owner_sql("user_id")
    found: dict[tuple[str, str], list[tuple[Period, int]]] = defaultdict(list)
    for row in reader.rows(
        f"SELECT user_id, period, kind, target FROM activity_targets WHERE deleted_at IS NULL "
        f"AND {owner_sql}",
        owner_params,
    ):
        found[(row["user_id"], row["kind"])].append((parse_period(row["period"]), row["target"]))
    return found


def _target_for(stated: list[tuple[Period, int]], bucket: Period) -> int | None:
    exact = [n for p, n in stated if p.start == bucket.start and p.end == bucket.end]
    if exact:
        return exact[0]
    inside = [n for p, n in stated if p.start >= bucket.start and p.end <= bucket.end]
    return sum(inside) if inside else None


def activity_report(book: Book, filters: ReportFilters, *, by: str = "week") -> ActivityReport:
    """Activities done and scheduled per rep, kind and week (or month), with targets."""
    if by not in BY:
        raise InvalidInput(f"--by must be week or month, not {by!r}")
    actor = book.actor
    with book.read() as r:
        scope = resolve(r, filters, actor=actor, default_to_pipeline=False)
        buckets = _buckets(scope.period, by)
        # plain tuples (bucket, owner_id, kind, done, scheduled): ~10,000 rows a quarter,
        # no mapping made per row
        counts = r.tuples(*activity_query(scope, buckets))
        targets = _targets(r, scope)
        names = {x["id"]: x["username"] for x in r.rows("SELECT id, username FROM users")}
    figures: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for bucket, owner_id, kind, done_count, scheduled_count in counts:
        if bucket is None or owner_id is None:
            continue
        figure = figures[(int(bucket), owner_id, kind)]
        figure[0] += int(done_count)
        figure[1] += int(scheduled_count)
    for (user_id, kind), _stated in targets.items():
        for index in range(len(buckets)):
            if _target_for(_stated, buckets[index]) is not None:
                figures.setdefault((index, user_id, kind), [0, 0])
    rows = []
    for (index, user_id, kind), (done, scheduled) in sorted(
        figures.items(), key=lambda x: (x[0][0], names.get(x[0][1], ""), x[0][2])
    ):
        target = _target_for(targets.get((user_id, kind), []), buckets[index])
        rows.append(
            ActivityRow(
                period=buckets[index].label,
                rep=names.get(user_id, user_id[:8]),
                kind=kind,
                done=done,
                scheduled=scheduled,
                target=target,
                attainment=round(done / target, 4) if target else None,
            )
        )
    return ActivityReport(
        period_from=scope.period.start,
        period_to=scope.period.end,
        period_label=scope.period.label,
        by=by,
        filters=scope.described(),
        rows=tuple(rows),
    )


def activity_view(report: ActivityReport) -> ReportView:
    """The rep × kind × period table and a chart of activities done per period."""
    per_period: dict[str, list[float]] = {}
    for row in report.rows:
        done, scheduled = per_period.setdefault(row.period, [0.0, 0.0])
        per_period[row.period] = [done + row.done, scheduled + row.scheduled]
    labels = tuple(per_period)
    return ReportView(
        title=f"Activity {report.period_label}",
        subtitle=f"by {report.by}: done vs scheduled vs target",
        columns=(
            column("period"),
            column("rep"),
            column("kind"),
            column("done", numeric=True),
            column("scheduled", numeric=True),
            column("target", numeric=True),
            column("attainment", percent=True),
        ),
        rows=cells([r.__dict__ for r in report.rows]),
        chart=Chart(
            title=f"Activities per {report.by}",
            kind="stacked",
            labels=labels,
            series=(
                ("done", tuple(per_period[x][0] for x in labels)),
                ("scheduled", tuple(per_period[x][1] for x in labels)),
            ),
        ),
        notes=() if report.rows else ("no activities in this period: every figure is zero",),
    )
