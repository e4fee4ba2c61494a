"""Benchmark runner: builds the big book and two baseline apps, then prints figures as ratios.

    python benchmarks/run.py            # full: 100k deals, 1M activities, 100k contacts
    python benchmarks/run.py --quick    # a 10x smaller book, for a smoke run
    python benchmarks/run.py --only deal

Every ratio compares against a baseline measured in the same run on the same machine:
"typer" is a bare Typer app with 20 no-op subcommands answering --help; "sqlite" is that
app running one SELECT through the stdlib sqlite3 module. Cases come from the
``cases_*.py`` modules beside this file. Exit status 1 if any figure misses its limit.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from harness import Case, Throughput, Timing, crm_argv, time_against, time_command  # noqa: E402

DATA = HERE / ".data"
BOOK_VERSION = "13"  # bump when the generator or schema changes
# 200 reps: a 1M-activity book is a large sales org, ~100 activities per rep per week.
FULL = {
    "reps": 200,
    "companies": 20_000,
    "contacts": 100_000,
    "leads": 20_000,
    "deals": 100_000,
    "activities": 1_000_000,
    "quotes": 5_000,
}
QUICK = {k: v // 10 for k, v in FULL.items()}
NOW = "2026-11-23T10:00:00+00:00"

BASELINE_TYPER = """
import typer
app = typer.Typer()
"""
for _i in range(20):
    BASELINE_TYPER += f'''
@app.command()
def cmd{_i}(name: str = "x") -> None:
    """No-op command {_i}."""
'''
BASELINE_SQLITE = (
    BASELINE_TYPER
    + '''
@app.command("list")
def list_(db: str) -> None:
    """One SELECT through the stdlib sqlite3 module."""
    import sqlite3
    conn = sqlite3.connect(db)
    for row in conn.execute("SELECT id, username, name, team FROM users ORDER BY username"):
        print(*row)
'''
)
BASELINE_QUERY = (
    BASELINE_TYPER
    + '''
@app.command("query")
def query(db: str, statements: str) -> None:
    """Run a report's statements (a JSON file of [sql, params]) through stdlib sqlite3."""
    import json
    import sqlite3
    conn = sqlite3.connect(db)
    for sql, params in json.load(open(statements)):
        for row in conn.execute(sql, params).fetchall():
            print(*row)
'''
)
BASELINE_TYPER += "\napp()\n"
BASELINE_QUERY += "\napp()\n"
BASELINE_SQLITE += "\napp()\n"


def build_book(path: Path, sizes: dict[str, int]) -> float:
    """Create the benchmark book with the demo generator; returns seconds taken."""
    os.environ["CRM_NOW"] = NOW
    from crmcli.config import Settings
    from crmcli.services.book import Book
    from crmcli.services.demo import DemoSize, generate

    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    book = Book.open(Settings(db=str(path), user="bench"))
    generate(
        book,
        size=DemoSize(**sizes),
        seed=7,
        progress=lambda step: print(f"  … {step}", file=sys.stderr),
    )
    book.close()
    return time.perf_counter() - started


def demo_seconds(tmp: Path) -> float:
    started = time.perf_counter()
    import subprocess

    subprocess.run(
        [*crm_argv(), "--db", str(tmp / "demo.db"), "demo"],
        check=True,
        capture_output=True,
        env={**os.environ, "CRM_NOW": NOW},
    )
    return time.perf_counter() - started


def case_baseline_argv(case: Case, book: Path, tmp: Path) -> list[str] | None:
    """A case's own baseline: its statements as raw SQL, or another crm command."""
    import json

    if case.baseline_queries is not None:
        statements = tmp / f"{abs(hash(case.name))}.json"
        statements.write_text(json.dumps(case.baseline_queries(book)))
        return [sys.executable, str(tmp / "baseline_query.py"), "query", str(book), str(statements)]
    if case.baseline_crm is not None:
        return [*crm_argv(), "--db", str(book), *case.baseline_crm]
    return None


def load_cases(only: str | None) -> tuple[list[Case], list[Throughput], list[Timing]]:
    cases: list[Case] = []
    throughputs: list[Throughput] = []
    timings: list[Timing] = []
    for file in sorted(HERE.glob("cases_*.py")):
        spec = importlib.util.spec_from_file_location(file.stem, file)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases += getattr(module, "CASES", [])
        throughputs += getattr(module, "THROUGHPUTS", [])
        timings += getattr(module, "TIMINGS", [])
    if only:
        wanted = only.split("|")

        def chosen(name: str) -> bool:
            return any(part in name for part in wanted)

        cases = [c for c in cases if chosen(c.name)]
        throughputs = [t for t in throughputs if chosen(t.name)]
        timings = [t for t in timings if chosen(t.name)]
    return cases, throughputs, timings


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a 10x smaller book")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the book even if cached")
    parser.add_argument("--only", help="run only cases whose name contains this (A|B: either)")
    parser.add_argument("--repeat", type=int, default=None, help="override repetitions per case")
    args = parser.parse_args()

    sizes = QUICK if args.quick else FULL
    DATA.mkdir(exist_ok=True)
    book = DATA / f"book-{'quick' if args.quick else 'full'}-v{BOOK_VERSION}.db"
    rows: list[tuple[str, str, str, str, str, str]] = []
    failed = 0

    if args.rebuild or not book.exists():
        print(f"building {book.name}: {sizes}", file=sys.stderr)
        seconds = build_book(book, sizes)
        print(f"built in {seconds:.1f} s", file=sys.stderr)
        limit = 180.0 if not args.quick else 18.0
        ok = seconds <= limit
        failed += not ok
        rows.append(
            (
                "build benchmark book",
                f"{seconds:.1f} s",
                "",
                "",
                f"≤ {limit:.0f} s",
                "ok" if ok else "FAIL",
            )
        )
    with closing(sqlite3.connect(book)) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("deals", "activities", "contacts", "changes")
        }
    print(f"book: {counts}", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        seconds = demo_seconds(tmp)
        ok = seconds <= 10
        failed += not ok
        rows.append(
            (
                "crm demo (standard book)",
                f"{seconds:.2f} s",
                "",
                "",
                "≤ 10 s",
                "ok" if ok else "FAIL",
            )
        )

        (tmp / "baseline_typer.py").write_text(BASELINE_TYPER)
        (tmp / "baseline_sqlite.py").write_text(BASELINE_SQLITE)
        env = {"CRM_NOW": NOW, "CRM_TZ": "UTC", "COLUMNS": "120", "NO_COLOR": "1"}
        repeat = args.repeat or 7
        baseline_argv = {
            "typer": [sys.executable, str(tmp / "baseline_typer.py"), "--help"],
            "sqlite": [sys.executable, str(tmp / "baseline_sqlite.py"), "list", str(book)],
        }
        baselines = {
            name: time_command(command, repeat=repeat) for name, command in baseline_argv.items()
        }
        for name, seconds in baselines.items():
            rows.append((f"baseline: {name}", f"{seconds * 1000:.0f} ms", "", "", "", ""))

        cases, throughputs, timings = load_cases(args.only)
        (tmp / "baseline_query.py").write_text(BASELINE_QUERY)
        for case in cases:
            argv = [*crm_argv(), *(["--db", str(book)] if case.uses_book else []), *case.argv]
            setup = (lambda c=case: c.setup(book)) if case.setup else None
            try:
                # Each case against its baseline (its own, else the shared one), run turn
                # about (see time_against).
                own = case_baseline_argv(case, book, tmp)
                seconds, base = time_against(
                    argv,
                    own if own is not None else baseline_argv[case.baseline],
                    repeat=args.repeat or case.repeat,
                    env={**env, **{k: v.format(book=book) for k, v in case.env.items()}},
                    setup=setup,
                )
            except RuntimeError as exc:
                failed += 1
                rows.append((case.name, "error", case.baseline, "", str(exc)[-60:], "FAIL"))
                continue
            ratio = seconds / base
            ok = ratio <= case.limit
            failed += not ok
            goal = f" (goal {case.goal}×)" if case.goal else ""
            verdict = "FAIL" if not ok else "over goal" if case.goal and ratio > case.goal else "ok"
            rows.append(
                (
                    case.name,
                    f"{seconds * 1000:.0f} ms",
                    f"{case.baseline} {base * 1000:.0f} ms",
                    f"{ratio:.2f}×",
                    f"≤ {case.limit}×{goal}",
                    verdict,
                )
            )
        for tp in throughputs:
            try:
                ours, reference, unit = tp.measure(book)
            except Exception as exc:  # one failure spoils no others
                failed += 1
                rows.append((tp.name, "error", "", "", str(exc)[-60:], "FAIL"))
                continue
            ratio = ours / reference
            ok = ratio >= tp.min_ratio
            failed += not ok
            rows.append(
                (
                    tp.name,
                    f"{ours:,.0f} {unit}",
                    f"{reference:,.0f} {unit}",
                    f"{ratio:.2f}×",
                    f"≥ {tp.min_ratio}×",
                    "ok" if ok else "FAIL",
                )
            )

        for timing in timings:
            for lap in timing.measure(book):
                ok = lap.seconds <= lap.limit
                failed += not ok
                ratio = f"{lap.seconds / lap.reference:.2f}×" if lap.reference else ""
                rows.append(
                    (
                        lap.name,
                        f"{lap.seconds * 1000:.0f} ms",
                        f"{lap.reference * 1000:.0f} ms" if lap.reference else "",
                        ratio,
                        f"≤ {lap.limit * 1000:.0f} ms",
                        "ok" if ok else "FAIL",
                    )
                )

    widths = [
        max(len(r[i]) for r in [("figure", "ours", "baseline", "ratio", "limit", ""), *rows])
        for i in range(6)
    ]
    header = ("figure", "ours", "baseline", "ratio", "limit", "")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(
        f"\n{len(rows)} figures, {failed} over their limit; machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
