"""crm report: funnel, forecast, activity, lost deals, segments (and the verbs others add).

Each verb is registered with ``@report_command(app, NAME)`` (shared options, see
``_report_options``); modules of other areas register theirs the same way and are listed
in ``EXTRA_MODULES`` (one line each), imported when ``crm report`` runs.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Annotated

import typer

from crmcli.commands._common import book
from crmcli.commands._report_options import report_command
from crmcli.commands._report_output import emit_report
from crmcli.reports.filters import ReportFilters

app = typer.Typer(
    help="Funnel, forecast, activity, lost deals, segments: tables, JSON/CSV, charts, HTML.",
    no_args_is_help=True,
)


@app.callback()
def report() -> None:
    """Funnel, forecast, activity, lost deals, segments: tables, JSON/CSV, charts, HTML."""


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="As the book stood at the end of this past day."),
]


@report_command(app, "funnel")
def funnel(
    ctx: typer.Context,
    filters: ReportFilters,
    html: str | None,
    snapshot: Annotated[
        bool, typer.Option("--snapshot", help="Every deal as it stands, not the period's cohort.")
    ] = False,
    as_of: AsOfOption = None,
) -> None:
    """Stage reach and conversion, win rate, deal size, cycle, velocity (SPEC §5)."""
    from crmcli.reports.filters import parse_as_of
    from crmcli.reports.funnel import funnel_report, funnel_view

    report = funnel_report(book(ctx), filters, snapshot=snapshot, as_of=parse_as_of(as_of))
    emit_report(report.to_dict(), funnel_view(report), html=html)


@report_command(app, "forecast")
def forecast(
    ctx: typer.Context,
    filters: ReportFilters,
    html: str | None,
    by: Annotated[str, typer.Option("--by", help="month or quarter.")] = "month",
    by_rep: Annotated[bool, typer.Option("--by-rep", help="One row per rep and period.")] = False,
    as_of: AsOfOption = None,
) -> None:
    """Won, commit, best case, pipeline, weighted, quota, attainment and gap per period."""
    from crmcli.reports.filters import parse_as_of
    from crmcli.reports.forecast import forecast_report, forecast_view

    report = forecast_report(book(ctx), filters, by=by, by_rep=by_rep, as_of=parse_as_of(as_of))
    emit_report(report.to_dict(), forecast_view(report), html=html)


@report_command(app, "lost")
def lost(ctx: typer.Context, filters: ReportFilters, html: str | None) -> None:
    """Lost deals by reason, competitor and stage; win/loss record per competitor."""
    from crmcli.reports.lost import lost_report, lost_view

    report = lost_report(book(ctx), filters)
    emit_report(report.to_dict(), lost_view(report), html=html)


@report_command(app, "segments")
def segments(
    ctx: typer.Context,
    filters: ReportFilters,
    html: str | None,
    dormant: Annotated[
        str | None, typer.Option("--dormant", help="Also list key accounts idle this long: 90d.")
    ] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="Only this segment.")] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="List at most this many companies.")
    ] = 50,
) -> None:
    """RFM scores and segments of companies; dormant key accounts."""
    from crmcli.reports.segments import segments_report, segments_view

    report = segments_report(book(ctx), filters, dormant=dormant, segment=segment, limit=limit)
    emit_report(report.to_dict(), segments_view(report), html=html)


@report_command(app, "activity")
def activity(
    ctx: typer.Context,
    filters: ReportFilters,
    html: str | None,
    by: Annotated[str, typer.Option("--by", help="week or month.")] = "week",
) -> None:
    """Activities per rep, kind and week or month: done, scheduled, target."""
    from crmcli.reports.activity import activity_report, activity_view

    report = activity_report(book(ctx), filters, by=by)
    emit_report(report.to_dict(), activity_view(report), html=html)


# Report verbs of other areas: each module either registers itself with
# @report_command(app, …) when imported, or offers ``register(app)``.
EXTRA_MODULES: tuple[str, ...] = (
    "crmcli.commands.report_sales",
    "crmcli.commands.report_commission",
)
for _module in EXTRA_MODULES:
    if importlib.util.find_spec(_module) is not None:
        _extra = importlib.import_module(_module)
        if hasattr(_extra, "register"):
            _extra.register(app)
