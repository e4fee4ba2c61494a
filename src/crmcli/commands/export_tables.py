"""crm export NOUN and crm export all DIR: every entity as CSV or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.exporting.tables import TABLES

# Every exportable noun (one list: the exporter's); contacts have their own command, which
# adds --vcf (commands/export_people.py).
NOUNS = tuple(noun for noun in TABLES if noun != "contact")
Fields = Annotated[
    str | None, typer.Option("--fields", help="Only these columns, in this order: name,email.")
]
Out = Annotated[str | None, typer.Option("--output", "-o", help="Write to this file.")]
Owner = Annotated[str | None, typer.Option("--owner", help="Only this rep's records.")]
Tag = Annotated[str | None, typer.Option("--tag", help="Only records with this tag.")]
Since = Annotated[str | None, typer.Option("--since", help="Only records updated since.")]
Limit = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many.")]


def register(app: typer.Typer) -> None:
    """Add ``crm export NOUN`` for every entity and ``crm export all DIR``."""
    for noun in NOUNS:
        app.command(noun, help=f"Export {noun} records as CSV (default) or --json.")(_command(noun))
    app.command("all")(export_all)


def fmt_for(target: str | None) -> str:
    """JSON with --json or a .json file, else CSV (an export is data, not a table)."""
    if output.options.format == "json" or (target or "").lower().endswith(".json"):
        return "json"
    return "csv"


def export_noun(
    ctx: typer.Context,
    noun: str,
    *,
    fields: str | None,
    out: str | None,
    **filters: Any,
) -> None:
    """Export one noun's records (shared by every ``crm export NOUN``)."""
    from crmcli.exporting.tables import ExportFilters, export_table, pick_fields

    wanted = [f.strip() for f in (fields or "").split(",") if f.strip()]
    with book(ctx).read() as r:
        table = pick_fields(export_table(r, noun, filters=ExportFilters(**filters)), wanted)
        count = output.write_rows(out, table.columns, table.rows, fmt=fmt_for(out))
    if out not in (None, "-"):
        output.note(f"wrote {count} {noun} record(s) to {out}")


def _command(noun: str) -> Any:
    def command(
        ctx: typer.Context,
        fields: Fields = None,
        out: Out = None,
        owner: Owner = None,
        tag: Tag = None,
        since: Since = None,
        limit: Limit = None,
    ) -> None:
        export_noun(
            ctx,
            noun,
            fields=fields,
            out=out,
            owner=owner,
            tags=(tag,) if tag else (),
            since=since,
            limit=limit,
        )

    command.__doc__ = f"Export {noun} records: every field, ids with names next to them."
    return command


def export_all(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="The folder to write (created if missing).")],
) -> None:
    """Write every entity to FOLDER (companies.csv, contacts.csv, …; --json for JSON)."""
    from crmcli.errors import InvalidInput
    from crmcli.exporting.tables import export_nouns, export_table

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(
            f"cannot create {folder}: {exc.strerror}", hint="choose a writable folder"
        ) from exc
    fmt = "json" if output.options.format == "json" else "csv"
    the_book = book(ctx)
    written = {}
    for noun in export_nouns(the_book):
        with the_book.read() as r:
            table = export_table(r, noun)
            target = folder / f"{TABLES[noun]}.{fmt}"
            written[noun] = output.write_rows(str(target), table.columns, table.rows, fmt=fmt)
    output.note(f"wrote {folder}: " + ", ".join(f"{n} {TABLES[k]}" for k, n in written.items()))
