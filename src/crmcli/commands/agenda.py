"""crm agenda: today, the week, the month as a grid, what is overdue, what is due soon."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer()
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@app.command()
def agenda(
    ctx: typer.Context,
    week: Annotated[bool, typer.Option("--week", help="This week (Monday to Sunday).")] = False,
    month: Annotated[bool, typer.Option("--month", help="This month as a calendar grid.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Open items past due.")] = False,
    due_within: Annotated[
        str | None,
        typer.Option("--due-within", help="Open items starting or due within: 15m (reminders)."),
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="Another day (or week/month): 2026-12-01, +7d.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Another rep's agenda.")] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Everyone's agenda.")] = False,
) -> None:
    """Your agenda: today, --week, --month, --overdue, or --due-within 15m for reminders."""
    from crmcli.commands.activity import COLUMNS
    from crmcli.errors import InvalidInput
    from crmcli.services import agenda as service

    if sum((week, month, overdue, due_within is not None)) > 1:
        raise InvalidInput("give one of --week, --month, --overdue, --due-within")
    b = book(ctx)
    if overdue or due_within is not None:
        if due_within is not None:
            from crmcli.clock import parse_duration

            rows = service.due_within(b, parse_duration(due_within), owner=owner, everyone=everyone)
        else:
            rows = service.overdue(b, owner=owner, everyone=everyone)
        output.emit_list(rows, COLUMNS, empty="nothing due" if due_within else "nothing overdue")
        return
    from crmcli.clock import parse_date

    view: service.View = "month" if month else "week" if week else "day"
    doc = service.agenda(
        b,
        view=view,
        day=parse_date(day) if day else None,
        owner=owner,
        everyone=everyone,
    )
    if output.options.quiet and output.options.format == "table":
        output.iter_lines(item["handle"] for item in doc["items"])
        return
    if output.options.format == "csv":
        output.emit_list(doc["items"], COLUMNS)
        return
    if view == "month":
        output.emit_document(doc, lambda: _grid(doc))
    elif output.options.format == "json":
        output.emit_document(doc)
    else:
        output.emit_text(_days(doc))


def _title(doc: dict[str, Any]) -> str:
    who = doc["owner"] or "everyone"
    if doc["view"] == "day":
        span = f"{doc['from']:%A %Y-%m-%d}"
    elif doc["view"] == "week":
        span = f"week {doc['from']:%G-W%V} ({doc['from']} – {doc['to']})"
    else:
        span = f"{doc['from']:%B %Y}"
    return f"Agenda for {who}: {span}"


def _days(doc: dict[str, Any]) -> str:
    """The items as lines under a heading per day, like khal or calcurse.

    Plain text rather than a Rich table: a busy week has thousands of items, and laying
    out (wrapping) that many cells takes Rich seconds.
    """
    from crmcli.clock import now, to_local

    lines = [_title(doc)]
    last: date | None = None
    current = now()
    for item in doc["items"]:
        local = to_local(item["when"])
        if local.date() != last:
            lines.append(f"\n{local:%a %d %b}")
            last = local.date()
        clock_time = "all day" if item.get("all_day") else f"{local:%H:%M}"
        overdue = item["when"] < current and item["kind"] != "note"
        mark = "✓" if item.get("done_at") else "!" if overdue else " "
        extra = " · ".join(x for x in (item.get("contact"), item.get("deal")) if x)
        line = f"  {clock_time:>7} {mark} {item['kind']:<8} {output.safe(item['subject'])}"
        if extra:
            line += f"  ({output.safe(extra)})"
        lines.append(f"{line}  {item['handle']}")
    if not doc["items"]:
        lines.append("  nothing scheduled")
    if doc.get("overdue_balances"):
        lines.append("\nOverdue balances")
        for item in doc["overdue_balances"]:
            subject, deal = output.safe(item["subject"]), output.safe(item["deal"])
            lines.append(f"  ! {item['handle']}  {subject}  ({deal})")
    return "\n".join(lines)


def _grid(doc: dict[str, Any]) -> Any:
    """The month as a calendar: one row per week, up to three items per day."""
    from crmcli.clock import to_local
    from crmcli.services.agenda import month_grid

    rows = []
    for week in month_grid(doc):
        row: dict[str, str] = {}
        for name, cell in zip(_WEEKDAYS, week, strict=True):
            if cell is None:
                row[name] = ""
                continue
            day, items = cell
            lines = [str(day.day)]
            for item in items[:3]:
                label = "all day" if item.get("all_day") else f"{to_local(item['when']):%H:%M}"
                lines.append(f"{'✓ ' if item.get('done_at') else ''}{label} {item['subject']}")
            if len(items) > 3:
                lines.append(f"+{len(items) - 3} more")
            row[name] = "\n".join(lines)
        rows.append(row)
    columns = [Column(name, name.capitalize(), max_width=22) for name in _WEEKDAYS]
    return output.table(rows, columns, title=_title(doc))
