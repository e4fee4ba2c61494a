"""crm report commission: a statement per rep per period (table, JSON, CSV, PDF, HTML).

Registered on ``crm report`` (``crmcli.commands.report`` imports this module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.commands.report import app
from crmcli.output import Column

if TYPE_CHECKING:
    from crmcli.reports.commission import CommissionReport, StatementView

CSV_KEYS = [
    "period",
    "rep",
    "plan",
    "deal",
    "deal_id",
    "kind",
    "date",
    "split",
    "share",
    "basis",
    "rate",
    "amount",
    "above_quota",
    "capped",
    "origin",
    "currency",
]


def _pct(value: Any, _row: Any) -> str:
    return "" if value is None else f"{value}%"


def _rate(value: Any, row: Any) -> str:
    from decimal import Decimal

    if value is None:
        return ""
    text = f"{(Decimal(value) * 100).normalize():f}%"
    return text + (" ↑" if row.get("above_quota") else "")


LINE_COLUMNS = [
    Column("date"),
    Column("deal", max_width=32),
    Column("kind"),
    Column("share", justify="right", render=_pct),
    Column("plan"),
    Column("basis", justify="right"),
    Column("rate", justify="right", render=_rate),
    Column(
        "amount",
        justify="right",
        render=lambda v, r: output.human(v) + (" (cap)" if r.get("capped") else ""),
    ),
    Column("origin", "corrects"),
]


def _columns(statement: StatementView) -> list[Column]:
    """The line columns worth showing: plan and origin only when they say something."""
    hidden = set()
    if len(statement["plans"]) <= 1:
        hidden.add("plan")
    if not any(line["origin"] for line in statement["lines"]):
        hidden.add("origin")
    return [c for c in LINE_COLUMNS if c.key not in hidden]


def _header(statement: StatementView, report: CommissionReport) -> str:
    quota = statement["quota"]
    attainment = statement["attainment"]
    parts = [
        f"{statement['rep']} — {', '.join(statement['plans'])} — {report['period']['label']}",
        f"quota {output.human(quota) if quota is not None else 'none'}",
        f"basis {output.human(statement['basis'])}",
    ]
    if attainment is not None:
        parts.append(f"attainment {attainment * 100:.1f}%")
    parts.append(f"total {output.human(statement['total'])} {statement['currency']}")
    return " · ".join(parts)


def _tables(report: CommissionReport) -> Any:
    from rich.console import Group  # only when a table is printed
    from rich.text import Text

    parts: list[Any] = []
    state = "closed (frozen)" if report["closed"] else "open"
    parts.append(
        Text(
            f"Commission {report['period']['label']} ({report['period']['from']} – "
            f"{report['period']['to']}), {state}",
            style="bold",
        )
    )
    if not report["statements"]:
        parts.append(Text("no rep is on a plan in this period (crm plan assign PLAN REP)"))
    for statement in report["statements"]:
        rows = [dict(line) for line in statement["lines"]]
        parts.append(Text(""))
        parts.append(Text(output.safe(_header(statement, report)), style="bold"))
        if rows:
            parts.append(output.table(rows, _columns(statement)))
        else:
            parts.append(Text("  nothing credited in this period"))
    return Group(*parts)


def csv_rows(report: CommissionReport) -> list[dict[str, Any]]:
    """One row per statement line (``--csv``)."""
    return [
        {
            "period": report["period"]["label"],
            "rep": statement["rep"],
            "currency": statement["currency"],
            **line,
            "plan": line["plan"] or statement["plan"],
        }
        for statement in report["statements"]
        for line in statement["lines"]
    ]


RepOption = Annotated[str | None, typer.Option("--rep", help="Only this rep (me: you).")]
PdfOption = Annotated[
    str | None, typer.Option("--pdf", metavar="FILE", help="Also write the statements as PDF.")
]


def run(
    ctx: typer.Context,
    *,
    period: str | None,
    from_: str | None,
    to: str | None,
    rep: str | None,
    team: str | None,
    pdf: str | None,
    html: str | None,
    territory: str | None = None,
) -> None:
    """Build the statements and print them (table, JSON, CSV) and/or write PDF and HTML."""
    from crmcli import clock
    from crmcli.periods import resolve_period
    from crmcli.reports.commission import commission_report

    span = resolve_period(period=period, from_=from_, to=to, today=clock.today())
    current = book(ctx)
    if rep is not None and rep.strip().lower() == "me":
        rep = current.actor["username"]
    report = commission_report(current, period=span, rep=rep, team=team, territory=territory)
    if pdf or html:
        from crmcli.io.commission_render import statement_html, statement_pdf

        if pdf:
            output.write_file(pdf, statement_pdf(report))
        if html:
            output.write_file(html, statement_html(report).encode())
        if pdf == "-" or html == "-":
            return
    if output.options.format == "csv":
        output.emit_list(csv_rows(report), [Column(k) for k in CSV_KEYS])
        return
    # JSON: one statement line per line of text (10,000 lines for 200 reps print fast)
    output.emit_document(report, lambda: _tables(report), json_depth=4)


HELP = "Commission statements: per rep, quota, basis, attainment, lines and total (SPEC §5)."


def _register() -> None:
    """``crm report commission`` with the shared report options where ``crm report`` has
    them (``_report_options.report_command``), else with its own."""
    import importlib.util

    if importlib.util.find_spec("crmcli.commands._report_options") is not None:
        shared = importlib.import_module("crmcli.commands._report_options")

        def with_shared(
            ctx: typer.Context, filters: Any, html: str | None, rep: RepOption = None,
            pdf: PdfOption = None,
        ) -> None:  # fmt: skip
            from crmcli.errors import InvalidInput

            if filters.pipeline or filters.currency:
                raise InvalidInput(
                    "commission statements are per rep, in each plan's currency: "
                    "--pipeline and --currency do not apply",
                    hint="filter with --rep, --team or --territory",
                )
            run(
                ctx,
                period=filters.period,
                from_=filters.from_,
                to=filters.to,
                rep=rep or filters.owner,
                team=filters.team,
                territory=filters.territory,
                pdf=pdf,
                html=html,
            )

        with_shared.__doc__ = HELP
        shared.report_command(app, "commission")(with_shared)
        return

    def standalone(
        ctx: typer.Context,
        period: Annotated[
            str | None,
            typer.Option("--period", "-p", help="2026-Q4, 2026-11, 2026 (default: this quarter)."),
        ] = None,
        from_: Annotated[
            str | None, typer.Option("--from", help="First day (instead of --period).")
        ] = None,
        to: Annotated[
            str | None, typer.Option("--to", help="Last day (instead of --period).")
        ] = None,
        rep: Annotated[
            str | None, typer.Option("--rep", "--owner", help="Only this rep (me: you).")
        ] = None,
        team: Annotated[str | None, typer.Option("--team", help="Only reps of this team.")] = None,
        pdf: PdfOption = None,
        html: Annotated[
            str | None,
            typer.Option("--html", metavar="FILE", help="Also write them as an HTML page."),
        ] = None,
    ) -> None:
        run(ctx, period=period, from_=from_, to=to, rep=rep, team=team, pdf=pdf, html=html)

    standalone.__doc__ = HELP
    app.command("commission")(standalone)


_register()
