"""Benchmark plumbing: a Case is a `crm` command run as a subprocess, timed against a baseline
measured in the same run, so the ratio means the same on any machine."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Baselines built by run.py in the same run:
#   "typer"  — a bare Typer app with 20 no-op subcommands answering --help
#   "sqlite" — the same app running one SELECT through the stdlib sqlite3 module
BASELINES = ("typer", "sqlite")


@dataclass
class Case:
    """One figure: `crm ARGV` on the big book, at most `limit`× its baseline (goal `goal`×)."""

    name: str
    argv: list[str]
    baseline: str = "sqlite"
    # The daily path (issue 8): every command within 2× of its baseline, aiming at 1.5×.
    limit: float = 2.0
    goal: float | None = 1.5
    repeat: int = 5
    uses_book: bool = True  # pass --db BIG_BOOK
    # Optional: runs before each timed repetition (e.g. to undo a write); not timed.
    setup: Callable[[Path], None] | None = None
    env: dict[str, str] = field(default_factory=dict)  # "{book}" is the big book's path
    # Optional baselines of the case's own (reports): the same statements as raw SQL run by
    # the bare Typer app through stdlib sqlite3 ("sql"), or another `crm` command ("crm").
    baseline_queries: Callable[[Path], list[tuple[str, list[object]]]] | None = None
    baseline_crm: list[str] | None = None


@dataclass
class Throughput:
    """A figure measured by a function: returns (ours_per_s, reference_per_s, unit)."""

    name: str
    measure: Callable[[Path], tuple[float, float, str]]
    min_ratio: float = 0.8


@dataclass
class Timing:
    """Figures measured in-process by a function: it returns one Lap per figure."""

    name: str
    measure: Callable[[Path], list[Lap]]


@dataclass
class Lap:
    """One timed figure: seconds taken, the most allowed, and an in-run reference if any."""

    name: str
    seconds: float
    limit: float
    reference: float | None = None


def crm_argv() -> list[str]:
    """How to start `crm` from this interpreter (no shell wrapper in the timing)."""
    return [sys.executable, "-m", "crmcli"]


def time_command(
    argv: list[str],
    *,
    repeat: int,
    env: dict[str, str] | None = None,
    setup: Callable[[], None] | None = None,
    warm_up: bool = True,
) -> float:
    """Median wall time in seconds of `argv` over `repeat` runs (after one warm-up run)."""
    full_env = {**os.environ, **(env or {})}
    # An installed crm runs from compiled bytecode (pip compiles it); with this variable set
    # (some shells and CI images do) every run would recompile crmcli from source instead.
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    # PYTHONUNBUFFERED (set in some shells and CI images) makes a baseline's print() one
    # write(2) per value — ~190,000 system calls for 10,000 report rows — and flatters crm,
    # which writes once; every run gets the buffered output a pipe normally has.
    full_env.pop("PYTHONUNBUFFERED", None)
    samples = []
    for i in range(repeat + 1 if warm_up else repeat):
        if setup:
            setup()
        started = time.perf_counter()
        result = subprocess.run(argv, env=full_env, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.decode()[-500:]}"
            )
        if i or not warm_up:  # the first run warms the page cache and .pyc files
            samples.append(elapsed)
    return statistics.median(samples) if samples else 0.0


def time_against(
    argv: list[str],
    baseline: list[str],
    *,
    repeat: int,
    env: dict[str, str] | None = None,
    setup: Callable[[], None] | None = None,
) -> tuple[float, float]:
    """Median wall times of ``argv`` and of its ``baseline``, run turn about.

    The machine is shared: alternating the two runs exposes both to the same load, so the
    ratio stays honest when other work starts or stops during the benchmark.
    """
    ours: list[float] = []
    base: list[float] = []
    time_command(baseline, repeat=0)  # warm-ups: page cache and .pyc files
    time_command(argv, repeat=0, env=env, setup=setup)
    for _ in range(repeat):
        base.append(time_command(baseline, repeat=1, warm_up=False))
        ours.append(time_command(argv, repeat=1, env=env, setup=setup, warm_up=False))
    return statistics.median(ours), statistics.median(base)
