"""Report figures (issue 10): each report at most 1.2× the same aggregate as raw SQL.

The baseline of each case is the report's own statements (built by the report modules'
query functions, so they are the very same SQL), run through stdlib sqlite3 inside the bare
Typer app: the ratio is what the report costs beyond its query (start-up, the rate lookups,
rendering). ``funnel --as-of`` is measured against plain ``funnel`` (at most 2×).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import Case

PERIOD = "2026-Q4"
ENV = {"CRM_TZ": "UTC"}


def _statements(
    build: Callable[[Any, Any, Any], list[tuple[str, tuple[Any, ...]]]],
) -> Callable[[Path], list[tuple[str, list[object]]]]:
    """Statements of one report on the bench book, with parameters as SQLite stores them."""

    def make(book_path: Path) -> list[tuple[str, list[object]]]:
        os.environ.setdefault("CRM_NOW", "2026-11-23T10:00:00+00:00")
        os.environ["CRM_TZ"] = "UTC"
        from crmcli import clock
        from crmcli.config import Settings
        from crmcli.reports.filters import ReportFilters, resolve
        from crmcli.services.book import Book
        from crmcli.storage.db import _text

        clock.local_zone.cache_clear()
        book = Book.open(Settings.resolve(db=str(book_path)))
        try:
            actor = book.actor
            with book.read() as r:
                scope = resolve(r, ReportFilters(period=PERIOD), actor=actor)
                return [(sql, [_text(p) for p in params]) for sql, params in build(r, scope, book)]
        finally:
            book.close()

    return make


def _funnel(r: Any, scope: Any, _book: Any) -> list[tuple[str, tuple[Any, ...]]]:
    from crmcli.reports.funnel import funnel_queries
    from crmcli.reports.source import deal_source

    source = deal_source(r, as_of=None, today=scope.today)
    return list(funnel_queries(r, scope, source, snapshot=False).values())


def _forecast(r: Any, scope: Any, _book: Any) -> list[tuple[str, tuple[Any, ...]]]:
    from dataclasses import replace

    from crmcli.reports.filters import overlapping
    from crmcli.reports.forecast import forecast_queries
    from crmcli.reports.source import deal_source

    scope = replace(scope, pipeline=None)
    source = deal_source(r, as_of=None, today=scope.today)
    return list(forecast_queries(r, scope, source, overlapping(scope.period, "month")).values())


def _lost(r: Any, scope: Any, _book: Any) -> list[tuple[str, tuple[Any, ...]]]:
    from dataclasses import replace

    from crmcli.reports.lost import lost_queries

    return list(lost_queries(r, replace(scope, pipeline=None)).values())


def _activity(r: Any, scope: Any, _book: Any) -> list[tuple[str, tuple[Any, ...]]]:
    from crmcli.reports.activity import _buckets, activity_query

    return [activity_query(scope, _buckets(scope.period, "week"))]


def _segments(r: Any, scope: Any, _book: Any) -> list[tuple[str, tuple[Any, ...]]]:
    from crmcli import clock
    from crmcli.reports.segments import segments_sql

    return [segments_sql(r, base=scope.currency, now=clock.now())]


def _case(name: str, argv: list[str], build: Any) -> Case:
    return Case(
        name,
        argv,
        baseline="raw sql",
        limit=1.2,
        goal=None,
        env=ENV,
        baseline_queries=_statements(build),
    )


CASES = [
    _case("report funnel", ["report", "funnel", "--period", PERIOD, "--json"], _funnel),
    _case("report forecast", ["report", "forecast", "--period", PERIOD, "--json"], _forecast),
    _case("report lost", ["report", "lost", "--period", PERIOD, "--json"], _lost),
    _case("report activity", ["report", "activity", "--period", PERIOD, "--json"], _activity),
    _case("report segments", ["report", "segments", "--json"], _segments),
    Case(
        "report funnel --as-of",
        ["report", "funnel", "--snapshot", "--as-of", "2026-10-01", "--period", PERIOD, "--json"],
        baseline="crm funnel",
        limit=2.0,
        goal=None,
        env=ENV,
        baseline_crm=["report", "funnel", "--snapshot", "--period", PERIOD, "--json"],
    ),
]
