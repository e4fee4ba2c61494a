"""Quote-to-cash figures (issue 9) on the benchmark book (5,000 quotes and their orders,
payments and expenses):

- `crm quote list` and `crm quote show` at most 1.5× the stdlib-sqlite3 baseline app;
- `crm report receivables`: the report (service + SQL, in process) at most 1.2× the same
  aggregate run as raw SQL through `sqlite3` on the same file (≥ 0.83× its rate), and the
  whole command within the usual 3× of the sqlite baseline app;
- a 50-line quote rendered to PDF by the whole `crm quote render --pdf` process in under
  1 s (≥ 1 render/s), for a Latin-script quote and for one with CJK names.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from harness import Case, Throughput, crm_argv

NOW = "2026-11-23T10:00:00+00:00"
BENCH_DEALS = {"latin": "Bench quote render", "cjk": "上海通用汽车 服务费 bench"}


def _open(book_path: Path):  # type: ignore[no-untyped-def]
    os.environ["CRM_NOW"] = NOW
    from crmcli.config import Settings
    from crmcli.services.book import Book

    return Book.open(Settings.resolve(db=str(book_path)))


def _bench_quote(book_path: Path, kind: str) -> str:
    """A 50-line draft quote on its own deal (made once, through the services)."""
    from crmcli.services.deals import add_deal
    from crmcli.services.sales import quote_lines, quotes

    book = _open(book_path)
    try:
        deal = BENCH_DEALS[kind]
        with book.read() as r:
            found = r.row("SELECT id FROM deals WHERE name = ? AND deleted_at IS NULL", (deal,))
        if found is None:
            add_deal(book, name=deal, amount="1000")
        existing = quotes.list_quotes(book, deal=deal, status="all", limit=1)
        if existing:
            return existing[0]["number"]
        number = quotes.new_quote(book, deal=deal)["number"]
        text = "服务费 consulting" if kind == "cjk" else "Consulting day"
        for n in range(50):
            quote_lines.add_line(
                book,
                number,
                quote_lines.LineChange(
                    text=f"{text} {n + 1}", price=str(100 + n), quantity="3", tax="19"
                ),
            )
        return number
    finally:
        book.close()


def _median_run(argv: list[str], repeat: int = 5) -> float:
    env = {**os.environ, "CRM_NOW": NOW, "CRM_TZ": "UTC"}
    samples = []
    for i in range(repeat + 1):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        if i:
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _render(kind: str):  # type: ignore[no-untyped-def]
    def measure(book: Path) -> tuple[float, float, str]:
        number = _bench_quote(book, kind)
        with tempfile.TemporaryDirectory() as tmp:
            argv = [
                *crm_argv(),
                "--db",
                str(book),
                "quote",
                "render",
                number,
                "--pdf",
                str(Path(tmp) / "q.pdf"),
            ]
            seconds = _median_run(argv)
        return 60 / seconds, 60.0, "renders/min"  # 60/min: one render in 1 s

    return measure


def _receivables(book: Path) -> tuple[float, float, str]:
    """In process: the report (service, SQL, dataclasses) vs the same SQL via sqlite3."""
    from crmcli.reports.receivables import bucket_params, receivables_report, receivables_sql
    from crmcli.storage.db import _adapt_datetime

    os.environ["CRM_TZ"] = "UTC"
    from crmcli import clock

    clock.local_zone.cache_clear()
    as_of = date(2026, 11, 23)
    end = _adapt_datetime(clock.parse_when("2026-11-24"))
    sql = receivables_sql()
    params = [end, end, *(d.isoformat() for d in bucket_params(as_of))]
    conn = sqlite3.connect(book)
    book_obj = _open(book)
    try:
        raw = conn.execute(sql, params).fetchall()  # warm both caches
        report = receivables_report(book_obj, as_of=as_of)
        # Honest only if both compute the same thing: the report's rows are the raw rows.
        cells = ("open", "current", "days_1_30", "days_31_60", "days_61_90", "over_90")
        typed = [
            (r.rep, r.customer, r.currency, r.orders, *(getattr(r, c) for c in cells))
            for r in report.rows
        ]
        raw_rows = [(*row[:4], *(Decimal(v) / 1000 for v in row[4:])) for row in raw]
        assert typed == raw_rows, "the raw SQL and the report disagree"

        def rate(run) -> float:  # type: ignore[no-untyped-def]
            samples = []
            for _ in range(7):
                started = time.perf_counter()
                run()
                samples.append(time.perf_counter() - started)
            return 1 / statistics.median(samples)

        reference = rate(lambda: conn.execute(sql, params).fetchall())
        ours = rate(lambda: receivables_report(book_obj, as_of=as_of))
    finally:
        book_obj.close()
        conn.close()
    return ours, reference, "reports/s"


CASES = [
    Case("quote list", ["quote", "list"], limit=1.5, goal=None),
    Case("quote list --json", ["quote", "list", "--json"], limit=1.5, goal=None),
    Case(
        "quote list --status open --owner alice",
        ["quote", "list", "--status", "open", "--owner", "alice"],
        limit=1.5,
        goal=None,
    ),
    Case("report receivables", ["report", "receivables"], limit=3.0, goal=1.5),
]
# The demo generator numbers its quotes Q-<year>-NNNN in creation order; the oldest quote of
# the 12-month benchmark book is from 2025.
CASES.append(Case("quote show", ["quote", "show", "Q-2025-0001"], limit=1.5, goal=None))
THROUGHPUTS = [
    Throughput("report receivables vs raw SQL (in process)", _receivables, min_ratio=0.83),
    Throughput("quote render --pdf, 50 lines (whole process < 1 s)", _render("latin"), 1.0),
    Throughput("quote render --pdf, 50 lines, CJK (whole process < 1 s)", _render("cjk"), 1.0),
]
