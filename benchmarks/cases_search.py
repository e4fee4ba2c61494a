"""Search, briefing and status figures (issue 14) on the big book, and what the index costs.

`crm search` at most 2× the stdlib-sqlite3 baseline app; `crm brief` and `crm status` at most
1.5×. Keeping the full-text index in step costs at most 25% on `crm log` and on building a
book: both measured in-process, the same work with the Writer's index hook on and off.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from harness import Case, Throughput

BENCH_COMPANY = "Bench Search GmbH"
BENCH_EMAIL = "bench.search@bench-search.example"
LOG_RUNS = 9  # `crm log` runs per variant
BUILD = {  # a small book built twice (index on, off) for the build overhead
    "reps": 20,
    "companies": 1_000,
    "contacts": 5_000,
    "leads": 1_000,
    "deals": 5_000,
    "activities": 50_000,
    "quotes": 250,
}


def _ensure_bench_records(book_path: Path) -> None:
    """A company with a contact, two deals and a history of calls to brief (made once)."""
    from crmcli.config import Settings
    from crmcli.services import activities, deals
    from crmcli.services.book import Book
    from crmcli.services.contacts import add_contact

    book = Book.open(Settings.resolve(db=str(book_path)))
    try:
        with book.read() as r:
            found = r.row("SELECT id FROM contacts WHERE lower(email) = ?", (BENCH_EMAIL,))
        if found is not None:
            return
        add_contact(
            book, name="Bench Searcher", email=BENCH_EMAIL, company=BENCH_COMPANY, force=True
        )
        for name in ("Bench Search renewal", "Bench Search upsell"):
            deals.add_deal(
                book, name=name, amount="1000", company=BENCH_COMPANY, contact=BENCH_EMAIL
            )
        for i in range(30):
            activities.log_activity(
                book,
                kind="call",
                subject=f"Bench search call {i}",
                contact=BENCH_EMAIL,
                deal="Bench Search renewal",
            )
    finally:
        book.close()


REP = {"CRM_USER": "rep042"}  # one of the 200 reps of the 1M-activity book

CASES = [
    Case("crm search (a company name) #14", ["search", "Acacell"], limit=2.0, goal=None),
    Case("crm search (a prefix: acm) #14", ["search", "acm"], limit=2.0, goal=None),
    Case(
        "crm search (a person, --json) #14", ["search", "ada allen", "--json"], limit=2.0, goal=None
    ),
    Case(
        "crm search (a common phrase in 1M activities) #14",
        ["search", '"pricing discussion"'],
        limit=2.0,
        goal=None,
    ),
    Case(
        "crm brief (a contact) #14",
        ["brief", BENCH_EMAIL],
        limit=1.5,
        goal=None,
        setup=_ensure_bench_records,
    ),
    Case(
        "crm brief (a company) #14",
        ["brief", BENCH_COMPANY],
        limit=1.5,
        goal=None,
        setup=_ensure_bench_records,
    ),
    Case("crm status (a rep) #14", ["status"], limit=1.5, goal=None, env=REP),
    Case("crm status --json (a rep) #14", ["status", "--json"], limit=1.5, goal=None, env=REP),
    # The 1.5× for a manager's whole team too (200 reps): one grouped count per
    # column, the overdue one from the partial index of open items (0011_open_items).
    Case("crm status --team #14", ["status", "--team"], limit=1.5, goal=None),
]


def _index_off() -> Callable[[], None]:
    """Switch the Writer's index hooks off; returns the switch back on."""
    from crmcli.storage import search_index

    saved = {n: getattr(search_index, n) for n in ("inserted", "updated", "deleted", "restored")}
    for name in saved:
        setattr(search_index, name, lambda *_a, **_k: None)

    def back_on() -> None:
        for name, fn in saved.items():
            setattr(search_index, name, fn)

    return back_on


# `crm log` as a person runs it, in a fresh process; the "off" variant switches the Writer's
# index hooks off before the same CLI entry point runs.
_RUN_CRM = (
    "import sys\n"
    "if sys.argv.pop(1) == 'off':\n"
    "    from crmcli.storage import search_index as s\n"
    "    for n in ('inserted', 'updated', 'deleted', 'restored'):\n"
    "        setattr(s, n, lambda *a, **k: None)\n"
    "from crmcli.cli import main\n"
    "sys.argv[0] = 'crm'\n"
    "main()\n"
)


def _log_command(book_path: Path, variant: str, i: int) -> list[str]:
    return [
        sys.executable,
        "-c",
        _RUN_CRM,
        variant,
        "--db",
        str(book_path),
        "log",
        "call",
        f"Benchmark log {variant} {i}",
        "--with",
        BENCH_EMAIL,
        "--deal",
        "Bench Search renewal",
        "--notes",
        "discussed the renewal terms and next steps",
    ]


def _measure_log(book_path: Path) -> tuple[float, float, str]:
    """`crm log` runs per second with the index kept in step vs without (interleaved)."""
    _ensure_bench_records(book_path)
    env = {**os.environ, "CRM_NOW": "2026-11-23T10:00:00+00:00", "CRM_USER": "bench"}
    samples: dict[str, list[float]] = {"on": [], "off": []}
    for i in range(LOG_RUNS + 1):
        for variant in ("off", "on"):
            started = time.perf_counter()
            subprocess.run(
                _log_command(book_path, variant, i), env=env, check=True, capture_output=True
            )
            if i:  # the first round warms the page cache
                samples[variant].append(time.perf_counter() - started)
    median = {k: statistics.median(v) for k, v in samples.items()}
    return 60 / median["on"], 60 / median["off"], "logs/min"


def _build(path: Path, *, indexed: bool) -> float:
    from crmcli.config import Settings
    from crmcli.services.book import Book
    from crmcli.services.demo import DemoSize, generate

    back_on = None if indexed else _index_off()
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        book = Book.open(Settings(db=str(path), user="bench"))
        generate(book, size=DemoSize(**BUILD), seed=7, progress=lambda _step: None)
        book.close()
        return time.perf_counter() - started
    finally:
        if back_on:
            back_on()


def _measure_build(_book: Path) -> tuple[float, float, str]:
    """Book builds per minute with the index built in bulk vs without."""
    os.environ.setdefault("CRM_NOW", "2026-11-23T10:00:00+00:00")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "build.db"
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(2):
            for indexed in (False, True):
                times[indexed].append(_build(path, indexed=indexed))
                if indexed:
                    _check_indexed(path)
    best = {k: min(v) for k, v in times.items()}
    return 3600 / best[True], 3600 / best[False], "builds/h"


def _check_indexed(path: Path) -> Any:
    with closing(sqlite3.connect(path)) as conn:
        docs = conn.execute("SELECT count(*) FROM search_index").fetchone()[0]
        acts = conn.execute("SELECT count(*) FROM activities").fetchone()[0]
    assert docs >= acts, "the build did not index its activities"


THROUGHPUTS = [
    Throughput("index overhead: crm log #14", _measure_log, min_ratio=0.8),
    Throughput(
        f"index overhead: book build ({BUILD['activities']:,} activities) #14",
        _measure_build,
        min_ratio=0.8,
    ),
]
