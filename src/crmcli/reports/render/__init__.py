"""What every output of a report is drawn from: a table and a chart, toolkit-free.

A report turns itself into a :class:`ReportView`; the terminal (Rich table + plotext
chart), CSV and the HTML page (``render.html``) are all made from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

ChartKind = Literal["bar", "stacked", "hbar"]


@dataclass(frozen=True)
class ViewColumn:
    """A table column: the row key, its header, and whether it is a number."""

    key: str
    header: str
    numeric: bool = False
    percent: bool = False  # a ratio shown as a percentage (0.375 → 37.5%)


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar (or stack) per label, one series per category."""

    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    unit: str = ""


@dataclass(frozen=True)
class ReportView:
    """A report as people see it: title, table, chart, and notes under the table."""

    title: str
    subtitle: str
    columns: tuple[ViewColumn, ...]
    rows: tuple[Mapping[str, Any], ...]
    chart: Chart | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    extra: tuple[tuple[str, tuple[ViewColumn, ...], tuple[Mapping[str, Any], ...]], ...] = ()


def column(
    key: str, header: str | None = None, *, numeric: bool = False, percent: bool = False
) -> ViewColumn:
    """A column whose header defaults to the key in words."""
    return ViewColumn(key, header or key.replace("_", " "), numeric or percent, percent)


def cells(rows: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(dict(r) for r in rows)
