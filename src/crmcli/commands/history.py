"""crm history: the audit trail, and undo."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.output import Column

app = typer.Typer(help="Who changed what and when; undo a change.")


def _value(value: Any, _row: Any) -> str:
    if isinstance(value, dict):
        return f"{{{len(value)} fields}}"
    return output.human(value)


COLUMNS = [
    Column("at", "when"),
    Column("entered_at", "entered", render=lambda v, r: "" if v == r["at"] else output.human(v)),
    Column("user", render=lambda v, r: f"{v} (via {r['via']})" if r.get("via") else str(v)),
    Column("entity", "record", render=lambda v, r: f"{v} {r['record']}"),
    Column("op"),
    Column("field"),
    Column("old", render=lambda v, r: r.get("old_label") or _value(v, r), max_width=30),
    Column("new", render=lambda v, r: r.get("new_label") or _value(v, r), max_width=30),
    Column("handle", "change"),
]


@app.command()
def history(
    ctx: typer.Context,
    handle: Annotated[
        str | None, typer.Argument(help="A record's handle; omit for the latest changes.")
    ] = None,
    entity: Annotated[
        str | None, typer.Option("--entity", "-e", help="Record kind: deal, contact…")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only changes by this user.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many changes.")] = 50,
    undo: Annotated[
        str | None, typer.Option("--undo", help="Revert the change with this id (prefix).")
    ] = None,
) -> None:
    """Show the history of a record (or of the whole book); --undo CHANGE reverts one."""
    from crmcli.services import history as service

    if undo:
        change = service.undo(book(ctx), undo)
        output.done(f"undid {change['op']} of {change['entity']} {change['record']}", change)
        return
    if handle is None:
        rows = service.recent_changes(book(ctx), user=user, entity=entity, limit=limit)
        output.emit_list(rows, COLUMNS, title="Latest changes", empty="no changes yet")
        return
    kind, record, rows = service.record_history(book(ctx), handle, entity=entity, limit=limit)
    if output.options.format == "json":
        output.emit_document({"entity": kind, "id": record["id"], "changes": rows})
        return
    from crmcli.services.handles import ENTITIES

    output.emit_list(rows, COLUMNS, title=f"History of {kind} {ENTITIES[kind].label(record)}")
