"""One self-contained HTML page for a report: its table and an SVG chart, nothing fetched.

The chart is drawn by pygal (SVG, inlined; its JavaScript tooltips are switched off, so
the page makes no request at all). Every piece of user text is escaped — by
``html.escape`` in the page, by pygal's XML writer in the chart.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crmcli.reports.render import Chart, ReportView, ViewColumn

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; max-width: 70rem; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
p.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; }
th { background: #f4f4f4; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.chart { max-width: 60rem; }
.notes { color: #555; }
"""


def text(value: Any, *, percent: bool = False) -> str:
    """A cell as a person reads it (numbers grouped, ratios as percentages, dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if percent and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def svg_chart(chart: Chart) -> str:
    """The chart as an inline SVG document (pygal)."""
    import pygal  # ~60 ms with lxml-free ElementTree: only when a page is written
    from pygal.style import DefaultStyle

    kinds = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "hbar": pygal.HorizontalBar}
    graph = kinds[chart.kind](
        js=[],  # no external script: the page must open offline and make no request
        disable_xml_declaration=True,
        style=DefaultStyle,
        width=900,
        height=420,
        legend_at_bottom=True,
        print_values=False,
        show_legend=len(chart.series) > 1,
        title=chart.title,
        x_label_rotation=20 if len(chart.labels) > 6 else 0,
    )
    graph.x_labels = list(chart.labels)
    for name, values in chart.series:
        graph.add(name, list(values))
    return str(graph.render(is_unicode=True))


def _table(columns: tuple[ViewColumn, ...], rows: tuple[Mapping[str, Any], ...]) -> str:
    head = "".join(
        f'<th class="{"n" if c.numeric else ""}">{html.escape(c.header)}</th>' for c in columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if c.numeric else ""}">'
            f"{html.escape(text(row.get(c.key), percent=c.percent))}</td>"
            for c in columns
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(view: ReportView) -> str:
    """The whole page for ``view``."""
    chart = f'<div class="chart">{svg_chart(view.chart)}</div>' if view.chart else ""
    extra = "".join(
        f"<h2>{html.escape(title)}</h2>{_table(columns, rows)}"
        for title, columns, rows in view.extra
        if rows
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in view.notes)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(view.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(view.title)}</h1>"
        f'<p class="sub">{html.escape(view.subtitle)}</p>'
        f"{chart}{_table(view.columns, view.rows)}{extra}"
        + (f'<ul class="notes">{notes}</ul>' if notes else "")
        + "</body></html>\n"
    )
