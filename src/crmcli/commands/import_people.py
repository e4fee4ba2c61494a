"""crm import contact FILE.vcf: contacts from an address book (import_csv routes .vcf here)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.output import Column

COLUMNS = [
    Column("card", justify="right"),
    Column("name"),
    Column("action"),
    Column("handle", "id"),
    Column("reason"),
]


def import_contact(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .vcf file (vCard 3.0 or 4.0; '-': stdin).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Import likely duplicates (similar names) too.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Write nothing if any card is rejected.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Import contacts from vCards; a card already in the book (same id, e-mail or phone)
    updates that contact instead of adding a duplicate."""
    import sys

    from crmcli.errors import ImportRejected, InvalidInput
    from crmcli.io.vcard import parse_vcards
    from crmcli.services.contacts import import_contacts

    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {file}: {exc.strerror}", hint="check the path and that you may read it"
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{file} is not UTF-8 text", hint="save the file as UTF-8 and import it again"
        ) from exc
    cards = parse_vcards(text)
    if not cards:
        raise InvalidInput(
            f"{file} holds no vCards",
            hint="export the contacts as .vcf (vCard 3.0 or 4.0) and import that file",
        )
    result = import_contacts(
        book(ctx), cards, dry_run=dry_run, force=force, strict=strict, at=when(at)
    )
    if output.options.format == "json":
        output.emit_document(result)
    elif output.options.format == "csv" or dry_run:
        output.emit_list(result["cards"], COLUMNS)
    else:
        for card in result["cards"]:
            if card["action"] == "rejected":
                output.warn(f"card {card['card']} ({card['name']}): {card['reason']}")
    counts = ", ".join(f"{result[k]} {k}" for k in ("created", "updated", "unchanged", "rejected"))
    prefix = (
        "dry run: would import"
        if dry_run
        else "imported"
        if result["written"]
        else "nothing written:"
    )
    output.note(f"{prefix} {counts}")
    if result["rejected"]:
        raise ImportRejected(
            f"{result['rejected']} of {len(cards)} card(s) rejected",
            hint="fix them and import again (cards already imported are matched, not duplicated)",
        )
