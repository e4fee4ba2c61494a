"""Commission figure (issue 11): statements for all 200 reps against the same SQL in sqlite3.

The book: the demo's plan is assigned to every rep; the preparation below splits 10% of the
won deals 60/40 with another rep (logged through the Writer, once per book). The figure is
`crm report commission --period 2026-Q3 --json` (a full quarter, every rep) against a bare
Typer app (the runner's baseline: 20 no-op commands) that runs the engine's credit query
(`reports.commission.WON_SQL`, the same text) through stdlib sqlite3 and prints every row.
At most 1.2x its time, i.e. at least 0.83x its runs per second: the tier arithmetic over the
credits is cheap next to the query, loading deals one by one would not be.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from harness import Throughput, crm_argv, time_against

PERIOD = "2026-Q3"  # the last whole quarter before the benchmark's now (2026-11-23)
MARK = "bench_commission_splits"
ENV = {"CRM_NOW": "2026-11-23T10:00:00+00:00", "CRM_TZ": "UTC", "NO_COLOR": "1"}


def prepare(book_path: Path) -> None:
    """Split 10% of the won deals 60/40 (owner and another rep), once per book."""
    from crmcli.config import Settings
    from crmcli.services.book import Book

    book = Book.open(Settings.resolve(db=str(book_path)))
    try:
        with book.write() as w:
            if w.meta(MARK):
                return
            reps = [r["id"] for r in w.rows("SELECT id FROM users WHERE deleted_at IS NULL")]
            won = w.rows(
                "SELECT d.id, d.owner_id, "
                "EXISTS (SELECT 1 FROM deal_splits s WHERE s.deal_id = d.id) AS split "
                "FROM deals d WHERE d.status = 'won' AND d.deleted_at IS NULL ORDER BY d.id"
            )
            already = sum(1 for d in won if d["split"])
            rng = random.Random(11)
            free = [d for d in won if not d["split"] and d["owner_id"]]
            chosen = rng.sample(free, k=max(0, len(won) // 10 - already))
            rows = []
            for deal in chosen:
                other = rng.choice([r for r in reps if r != deal["owner_id"]])
                rows += [
                    {"deal_id": deal["id"], "user_id": deal["owner_id"], "share_pct": "60"},
                    {"deal_id": deal["id"], "user_id": other, "share_pct": "40"},
                ]
            w.insert_many("deal_splits", [{**r, "kind": "revenue"} for r in rows])
            w.set_meta(MARK, "1")
    finally:
        book.close()


def _baseline_app() -> str:
    """The runner's bare Typer app plus one command: the engine's credit query, raw."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from datetime import UTC, datetime, time, timedelta

    from crmcli.periods import parse_period
    from crmcli.reports.commission import WON_SQL

    span = parse_period(PERIOD)
    start = datetime.combine(span.start, time(0), tzinfo=UTC)
    end = datetime.combine(span.end + timedelta(days=1), time(0), tzinfo=UTC)  # exclusive
    bounds = (start.isoformat(timespec="microseconds"), end.isoformat(timespec="microseconds"))
    source = "import typer\napp = typer.Typer()\n"
    for i in range(20):
        source += f'\n@app.command()\ndef cmd{i}(name: str = "x") -> None:\n    """No-op {i}."""\n'
    source += f'''
@app.command("commission")
def commission(db: str) -> None:
    """The engine's credit query through the stdlib sqlite3 module, every row printed."""
    import sqlite3
    conn = sqlite3.connect(db)
    start, end = {bounds!r}
    for row in conn.execute({WON_SQL!r}, (start, end, start, end)):
        print(*row)

app()
'''
    return source


def measure(book_path: Path) -> tuple[float, float, str]:
    prepare(book_path)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "baseline_commission.py"
        script.write_text(_baseline_app())
        # Turn about (harness.time_against): on a shared machine both see the same load.
        argv = ["--db", str(book_path), "report", "commission", "--period", PERIOD, "--json"]
        ours, base = time_against(
            [*crm_argv(), *argv],
            [sys.executable, str(script), "commission", str(book_path)],
            repeat=7,
            env=ENV,
        )
    return 60 / ours, 60 / base, "runs/min"


THROUGHPUTS = [
    Throughput(
        "report commission --period (all reps) vs same SQL (≤ 1.2× time)",
        measure,
        min_ratio=round(1 / 1.2, 3),
    )
]
