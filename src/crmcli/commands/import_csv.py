"""crm import lead|contact|company|deal|activity FILE: records in from CSV (``-``: stdin)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.exporting.tables import TABLES
from crmcli.importing.mapping import ENTITIES
from crmcli.output import Column

# The importable nouns are the import pipeline's; their plural aliases are the table names.
NOUNS = ENTITIES
PLURALS = {TABLES[noun]: noun for noun in NOUNS}
VCARD_SUFFIXES = (".vcf", ".vcard")

FileArg = Annotated[str, typer.Argument(help="The CSV file ('-': stdin).")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Validate everything and report; write nothing.")
]
Strict = Annotated[bool, typer.Option("--strict", help="Write nothing if any row is rejected.")]
OnDuplicate = Annotated[
    str,
    typer.Option(
        "--on-duplicate",
        help="A row that duplicates a record: reject (default), skip, update, merge "
        "(fill empty fields only) or create (like --force; a same e-mail is always refused).",
    ),
]
Key = Annotated[
    str | None,
    typer.Option(
        "--key",
        help="Match rows to records by external_id, email or id (payments: reference, "
        "quotes: number, products: sku): a re-import updates.",
    ),
]
Profile = Annotated[
    str | None,
    typer.Option("--profile", help="Column names of salesforce, hubspot, pipedrive or zoho."),
]
Maps = Annotated[
    list[str] | None,
    typer.Option("--map", help='Map a column to a field: --map "E-mail Address=email".'),
]
ShowMapping = Annotated[
    bool, typer.Option("--show-mapping", help="Print which column feeds which field and exit.")
]
Encoding = Annotated[
    str | None, typer.Option("--encoding", help="The file's encoding (default: detected).")
]
Delimiter = Annotated[
    str | None, typer.Option("--delimiter", help="The column separator (default: sniffed).")
]
Dayfirst = Annotated[bool, typer.Option("--dayfirst", help="Read 01/12/2026 as 1 December.")]
DecimalComma = Annotated[
    bool, typer.Option("--decimal-comma", help="Read amounts like 1.250,00 (decimal comma).")
]
BatchSize = Annotated[
    int, typer.Option("--batch-size", min=1, help="Rows per transaction (default 2000).")
]
RejectFile = Annotated[
    str | None,
    typer.Option("--reject-file", help="Where rejected rows go (default: NAME.rejected.csv)."),
]
Force = Annotated[
    bool, typer.Option("--force", help="Import likely duplicates too (= --on-duplicate create).")
]

HELP = {
    "payment": "Import payments and refunds against orders from a CSV file.",
    "quote": "Import quotes from a CSV file, one row per quote line.",
}
MAPPING_COLUMNS = [Column("column"), Column("field"), Column("how")]


def register(app: typer.Typer) -> None:
    """Add ``crm import NOUN`` (CSV) for every importable noun."""
    for noun in NOUNS:
        help_text = HELP.get(noun, f"Import {noun} records from a CSV file.")
        app.command(noun, help=help_text)(_command(noun))
    for plural, noun in PLURALS.items():
        app.command(plural, hidden=True)(_command(noun))


def _command(noun: str) -> Any:
    def command(
        ctx: typer.Context,
        file: FileArg,
        dry_run: DryRun = False,
        strict: Strict = False,
        on_duplicate: OnDuplicate = "reject",
        key: Key = None,
        profile: Profile = None,
        maps: Maps = None,
        show_mapping: ShowMapping = False,
        encoding: Encoding = None,
        delimiter: Delimiter = None,
        dayfirst: Dayfirst = False,
        decimal_comma: DecimalComma = False,
        batch_size: BatchSize = 2000,
        reject_file: RejectFile = None,
        force: Force = False,
        at: AtOption = None,
    ) -> None:
        if noun == "contact" and Path(file).suffix.lower() in VCARD_SUFFIXES:
            from crmcli.commands.import_people import import_contact

            import_contact(ctx, Path(file), dry_run=dry_run, force=force, strict=strict, at=at)
            return
        from crmcli.importing.pipeline import ImportOptions
        from crmcli.importing.reader import delimiter_option

        options = ImportOptions(
            entity=noun,
            source=file,
            encoding=encoding,
            delimiter=delimiter_option(delimiter),
            profile=profile,
            maps=tuple(maps or ()),
            dry_run=dry_run,
            strict=strict,
            on_duplicate="create" if force and on_duplicate == "reject" else on_duplicate,
            key=key,
            dayfirst=dayfirst,
            decimal_comma=decimal_comma,
            batch_rows=batch_size,
            reject_file=reject_file,
            at=when(at),
        )
        if show_mapping:
            _show_mapping(options)
            return
        _run(ctx, options)

    command.__doc__ = (
        f"Import {noun} records from CSV: columns matched by name or a CRM profile, every row "
        "validated, rejected rows written to a reject file (exit 4)."
    )
    return command


def _show_mapping(options: Any) -> None:
    from crmcli.importing.pipeline import show_mapping

    view = show_mapping(options)
    if output.options.format == "json":
        output.emit_object(
            {
                "entity": view.entity,
                "file": view.file,
                "encoding": view.encoding,
                "delimiter": view.delimiter,
                "profile": view.profile,
                "columns": list(view.columns),
            }
        )
        return
    output.note(
        f"{view.file}: {view.encoding}, delimiter {view.delimiter!r}, "
        f"profile {view.profile or 'none'}"
    )
    output.emit_list(list(view.columns), MAPPING_COLUMNS, handle_key="column")


def _run(ctx: typer.Context, options: Any) -> None:
    from crmcli.errors import ImportRejected
    from crmcli.importing.pipeline import run_import

    with output.progress(f"importing {options.entity} rows") as advance:
        summary = run_import(book(ctx), options, progress=advance)
    if output.options.format == "json":
        output.emit_object(summary.as_dict())
    else:
        for item in summary.errors[:5]:
            output.warn(f"row {item['row']}: {item['error']}")
        if summary.unmatched_columns:
            kept = (
                "kept in extra"
                if summary.extra_kept
                else f"not kept ({options.entity}s have no extra field)"
            )
            output.note(f"{kept} (no matching field): " + ", ".join(summary.unmatched_columns))
    counts = ", ".join(
        f"{getattr(summary, k)} {k}"
        for k in ("created", "updated", "unchanged", "skipped", "rejected")
    )
    if summary.companies_created:
        counts += f" (+{summary.companies_created} companies created)"
    prefix = (
        "dry run: would import"
        if summary.dry_run
        else "imported"
        if summary.written
        else "nothing written (--strict):"
    )
    output.note(f"{prefix} {summary.rows} rows of {summary.file}: {counts}")
    if summary.rejected:
        where = f"; see {summary.reject_file}" if summary.reject_file else ""
        raise ImportRejected(
            f"{summary.rejected} of {summary.rows} row(s) rejected{where}",
            hint="fix the rejected rows and import that file (rows already imported are "
            "matched with --key, not duplicated)",
        )
