"""crm export contact: the filtered contact list as vCard, CSV or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import book
from crmcli.commands._parties import (
    LimitOption,
    ListOwnerOption,
    ListSourceOption,
    ListTagOption,
    SearchOption,
    tags_of,
)


def register(app: typer.Typer) -> None:
    """Add ``crm export contact`` to the export group."""
    app.command("contact")(export_contact)
    app.command("contacts", hidden=True)(export_contact)


def export_contact(
    ctx: typer.Context,
    vcf: Annotated[
        Path | None, typer.Option("--vcf", help="Write vCards to this file ('-': stdout).")
    ] = None,
    version: Annotated[
        str, typer.Option("--version", help="vCard version: 3.0 (default) or 4.0.")
    ] = "3.0",
    fields: Annotated[
        str | None,
        typer.Option("--fields", help="Only these columns, in this order (default: every field)."),
    ] = None,
    tag: ListTagOption = None,
    owner: ListOwnerOption = None,
    company: Annotated[
        str | None, typer.Option("--company", "-c", help="Only at this company.")
    ] = None,
    source: ListSourceOption = None,
    search: SearchOption = None,
    limit: LimitOption = None,
    out: Annotated[str | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only updated since.")] = None,
) -> None:
    """Export contacts: --vcf FILE for address books, else every field as CSV or --json
    (--fields name,email for a mail-merge list)."""
    from crmcli.services.contacts import list_contacts

    if vcf is None:
        from crmcli.commands.export_tables import export_noun

        export_noun(
            ctx,
            "contact",
            fields=fields,
            out=out,
            owner=owner,
            tags=tuple(tags_of(tag)),
            since=since,
            company=company,
            source=source,
            search=search,
            limit=limit,
        )
        return

    rows = list_contacts(
        book(ctx),
        owner=owner,
        company=company,
        source=source,
        tags=tags_of(tag),
        search=search,
        limit=limit,
    )
    from crmcli.io.vcard import write_vcards

    output.write_file(str(vcf), write_vcards(rows, version=version).encode())
    if str(vcf) != "-":
        output.note(f"wrote {len(rows)} contact(s) to {vcf} (vCard {version})")
