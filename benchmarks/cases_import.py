"""CSV import and export figures (issue 12) on the big book.

* import: 100,000 new contacts (name, e-mail, phone, title, an existing company by name)
  into a copy of the big book, which already holds 100,000 contacts to check duplicates
  against, with history — against a bare loop running only the same validators over the
  same rows (the floor), and, for the record, the sqlite3 shell's ``.import --csv``;
* memory: peak RSS of `crm import` of 1,000,000 rows (streamed; limit 200 MB);
* export: `crm export contact` of 100,000 contacts against stdlib csv writing the same
  rows from one SELECT.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from harness import Throughput, crm_argv

ENV = {"CRM_NOW": "2026-11-23T10:00:00+00:00", "CRM_TZ": "UTC", "NO_COLOR": "1"}
RSS_LIMIT_MB = 200


def _rows_for(book: Path) -> int:
    """100,000 on the full book, 10,000 on the quick one (a tenth, like the book)."""
    with sqlite3.connect(book) as conn:
        contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    return 100_000 if contacts >= 50_000 else 10_000


def _write_contacts(path: Path, count: int, companies: list[str], *, phones: bool = True) -> None:
    rng = random.Random(12)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["First Name", "Last Name", "Email", "Phone", "Title", "Company"])
        for i in range(count):
            phone = f"+1 415 {200 + i // 10_000:03d} {i % 10_000:04d}" if phones else ""  # unique
            out.writerow(
                [
                    rng.choice(("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken")),
                    # random surnames: numbered ones would be "similar names" at one company
                    "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=9)).title(),
                    f"importer{i}@bench-import.example",
                    phone,
                    rng.choice(("CTO", "Buyer", "Engineer", "")),
                    rng.choice(companies) if companies else "",
                ]
            )


def _companies(book: Path) -> list[str]:
    with sqlite3.connect(book) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM companies LIMIT 2000")]


def _copy(book: Path, target: Path) -> None:
    with sqlite3.connect(book) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _bare_loop(source: Path) -> float:
    """Rows/s of a loop running only the validators an import runs, on the same rows."""
    from crmcli.services import contacts
    from crmcli.services import parties as p

    started = time.perf_counter()
    count = 0
    with source.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            p.clean_fields(
                contacts.FIELDS,
                {
                    "name": f"{row['First Name']} {row['Last Name']}",
                    "email": row["Email"],
                    "phone": row["Phone"],
                    "title": row["Title"],
                },
                required=("name",),
            )
            count += 1
    return count / (time.perf_counter() - started)


def _crm(argv: list[str], *, book: Path) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one `crm` run."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*crm_argv(), "--db", str(book), *argv],
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0,):
        raise RuntimeError(f"crm {' '.join(argv)} failed: {err.decode()[-400:]}")
    return elapsed, usage.ru_maxrss


def _import_figures(book: Path) -> tuple[float, float, float]:
    """(ours, bare loop, sqlite3 .import) rows/s for the contacts import."""
    count = _rows_for(book)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "contacts.csv"
        _write_contacts(source, count, _companies(book))
        bare = _bare_loop(source)
        copy = tmp / "book.db"
        _copy(book, copy)
        seconds, _ = _crm(["import", "contact", str(source)], book=copy)
        with sqlite3.connect(copy) as conn:
            imported = conn.execute(
                "SELECT count(*) FROM contacts WHERE email LIKE '%@bench-import.example'"
            ).fetchone()[0]
        assert imported == count, f"imported {imported} of {count}"
        shell = shutil.which("sqlite3")
        dot_import = 0.0
        if shell:
            bare_db = tmp / "bare.db"
            started = time.perf_counter()
            subprocess.run(
                [shell, str(bare_db), f".import --csv {source} contacts"],
                check=True,
                capture_output=True,
            )
            dot_import = count / (time.perf_counter() - started)
    return count / seconds, bare, dot_import


_CACHE: dict[str, tuple[float, float, float]] = {}


def _measure_import(book: Path) -> tuple[float, float, str]:
    _CACHE["import"] = _import_figures(book)
    ours, bare, _ = _CACHE["import"]
    return ours, bare, "rows/s"


def _measure_vs_dot_import(book: Path) -> tuple[float, float, str]:
    ours, _, dot_import = _CACHE.get("import") or _import_figures(book)
    return ours, dot_import or 1.0, "rows/s"


def _measure_rss(book: Path) -> tuple[float, float, str]:
    """limit / peak: ≥ 1 means the 1M-row import stayed under 200 MB RSS."""
    count = 1_000_000 if _rows_for(book) == 100_000 else 100_000
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "million.csv"
        _write_contacts(source, count, [], phones=False)
        target = tmp / "fresh.db"
        # A child of its own, so RUSAGE_CHILDREN is this import's peak alone.
        code = (
            "import os, resource, subprocess, sys; "
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)"
        )
        import sys

        result = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                *crm_argv(),
                "--db",
                str(target),
                "import",
                "contact",
                str(source),
                "--on-duplicate",
                "create",
            ],
            env={**os.environ, **ENV},
            capture_output=True,
            text=True,
            check=True,
        )
        peak_kib, returncode = (int(x) for x in result.stdout.split())
        assert returncode == 0, result.stderr
        with sqlite3.connect(target) as conn:
            assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == count
    peak_mb = peak_kib / 1024
    print(f"  peak RSS importing {count:,} rows: {peak_mb:.0f} MB", flush=True)
    return RSS_LIMIT_MB / 1.0, peak_mb, "MB (limit vs peak)"


def _measure_export(book: Path) -> tuple[float, float, str]:
    count = 100_000 if _rows_for(book) == 100_000 else 10_000
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        reference_file = tmp / "ref.csv"
        started = time.perf_counter()
        with sqlite3.connect(book) as conn, reference_file.open("w", newline="") as f:
            cursor = conn.execute(
                "SELECT * FROM contacts WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT ?",
                (count,),
            )
            out = csv.writer(f)
            out.writerow([d[0] for d in cursor.description])
            out.writerows(cursor)
        reference = count / (time.perf_counter() - started)
        target = tmp / "ours.csv"
        seconds, _ = _crm(
            ["export", "contact", "--limit", str(count), "-o", str(target)], book=book
        )
        with target.open(newline="") as f:
            assert sum(1 for _ in csv.reader(f)) == count + 1
    return count / seconds, reference, "rows/s"


THROUGHPUTS = [
    Throughput("crm import contact (100k, vs validators alone)", _measure_import, min_ratio=0.5),
    Throughput(
        "crm import contact (100k, vs sqlite3 .import)", _measure_vs_dot_import, min_ratio=0.0
    ),
    Throughput("crm import 1M rows: 200 MB / peak RSS", _measure_rss, min_ratio=1.0),
    Throughput("crm export contact (100k, vs csv from SELECT)", _measure_export, min_ratio=0.5),
]
