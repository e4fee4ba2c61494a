"""How a report reaches the person: table + terminal chart, JSON, CSV, and the HTML page.

Charts are drawn only in table mode (never into ``--json``/``--csv`` output), with Rich:
horizontal bars, stacked by category where a report has several series.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from crmcli import output
from crmcli.output import Column
from crmcli.reports.render import Chart, ReportView

_COLOURS = ("green", "cyan", "yellow", "magenta", "blue", "red")
_BLOCKS = "█▓▒░"


def _terminal_chart(chart: Chart, width: int) -> Any:
    """Horizontal bars drawn with Rich (stacked: one colour and shade per series).

    Labels are user text (stage, rep names): they go in as plain ``Text``, never markup.
    """
    from rich.console import Group
    from rich.text import Text

    totals = [sum(values[i] for _, values in chart.series) for i in range(len(chart.labels))]
    peak = max(totals, default=0) or 1
    label_width = min(24, max((len(x) for x in chart.labels), default=4))
    bar_width = max(10, min(width, 120) - label_width - 16)
    lines = [
        Text(output.safe(chart.title) + (f" ({chart.unit})" if chart.unit else ""), style="bold")
    ]
    for index, label in enumerate(chart.labels):
        line = Text(output.safe(label)[:label_width].ljust(label_width) + " ")
        for number, (_, values) in enumerate(chart.series):
            cells = round(values[index] / peak * bar_width)
            block = _BLOCKS[number % len(_BLOCKS)] if len(chart.series) > 1 else "█"
            line.append(block * cells, style=_COLOURS[number % len(_COLOURS)])
        line.append(f" {totals[index]:,.0f}")
        lines.append(line)
    if len(chart.series) > 1:
        legend = Text(" " * (label_width + 1))
        for number, (name, _) in enumerate(chart.series):
            block = _BLOCKS[number % len(_BLOCKS)]
            legend.append(f"{block} ", style=_COLOURS[number % len(_COLOURS)])
            legend.append(output.safe(name) + "  ")
        lines.append(legend)
    return Group(*lines)


def _columns(view_columns: Any) -> list[Column]:
    return [
        Column(
            c.key,
            c.header,
            justify="right" if c.numeric else "left",
            render=functools.partial(_cell, percent=c.percent),
        )
        for c in view_columns
    ]


def _cell(value: Any, _row: Mapping[str, Any], *, percent: bool = False) -> str:
    """A cell in the terminal: amounts in whole units (a report table is a glance, like the
    board; JSON, CSV and the HTML page keep every decimal)."""
    from decimal import ROUND_HALF_UP, Decimal

    from crmcli.reports.render.html import text

    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return output.safe(text(value, percent=percent))


def emit_report(document: Mapping[str, Any], view: ReportView, *, html: str | None) -> None:
    """Print a report in the chosen format; write the HTML page when asked."""
    if html:
        from crmcli.reports.render.html import page

        output.write_file(html, page(view).encode())
        output.note(f"wrote {html}")
    for note in view.notes:
        output.note(note)
    if output.options.format == "json":
        output.emit_document(document)
        return
    if output.options.format == "csv":
        output.emit_list(list(view.rows), _columns(view.columns))
        return
    console = output.console()
    console.print(
        output.table(
            list(view.rows), _columns(view.columns), title=view.title, caption=view.subtitle
        )
    )
    for title, columns, rows in view.extra:
        if rows:
            console.print(output.table(list(rows), _columns(columns), title=title))
    if view.chart and any(any(v) for _, v in view.chart.series):
        console.print()
        console.print(_terminal_chart(view.chart, console.width))
