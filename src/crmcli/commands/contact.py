"""crm contact: people at companies."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands import _complete
from crmcli.commands._common import AtOption, book, when
from crmcli.commands._parties import (
    ACTIVITY_COLUMNS,
    DEAL_COLUMNS,
    CreatedFrom,
    CreatedTo,
    ExternalIdOption,
    ForceOption,
    LimitOption,
    ListOwnerOption,
    ListSourceOption,
    ListTagOption,
    NotesOption,
    OwnerOption,
    SearchOption,
    SourceOption,
    TagOption,
    UntagOption,
    UpdatedFrom,
    UpdatedTo,
    guard_duplicates,
    report_merge,
    sort_option,
    tags_of,
)
from crmcli.output import Column

app = typer.Typer(help="Contacts: people at companies; merge, vCard.", no_args_is_help=True)

COLUMNS = [
    Column("handle", "id"),
    Column("name"),
    Column("email"),
    Column("phone"),
    Column("company"),
    Column("title"),
    Column("owner"),
    Column("tags"),
]
CARD = [
    *COLUMNS[1:],
    Column("other_emails", "other e-mails"),
    Column("other_phones", "other phones"),
    Column("source"),
    Column("external_id", "external id"),
    Column("notes"),
    Column("created_at", "created"),
    Column("updated_at", "updated"),
    Column("handle", "id"),
]
Handle = Annotated[
    str, typer.Argument(help="Id prefix, e-mail or name.", autocompletion=_complete.contacts)
]
EmailOption = Annotated[str | None, typer.Option("--email", "-e", help="E-mail address.")]
PhoneOption = Annotated[
    str | None, typer.Option("--phone", help="Phone; stored as E.164 (+442079460000).")
]
TitleOption = Annotated[str | None, typer.Option("--title", help="Job title.")]
CompanyOption = Annotated[
    str | None,
    typer.Option("--company", "-c", help="Company (handle or name; a new name adds it)."),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: EmailOption = None,
    phone: PhoneOption = None,
    title: TitleOption = None,
    company: CompanyOption = None,
    owner: OwnerOption = None,
    source: SourceOption = None,
    tag: TagOption = None,
    notes: NotesOption = None,
    external_id: ExternalIdOption = None,
    force: ForceOption = False,
    at: AtOption = None,
) -> None:
    """Add a contact (a duplicate e-mail or phone, or a similar name at the company, is refused)."""
    from crmcli.services.contacts import add_contact

    contact = guard_duplicates(
        lambda forced: add_contact(
            book(ctx),
            name=name,
            email=email,
            phone=phone,
            title=title,
            company=company,
            owner=owner,
            source=source,
            notes=notes,
            external_id=external_id,
            tags=tags_of(tag),
            force=forced,
            at=when(at),
        ),
        force,
    )
    output.done(f"added contact {contact['handle']} {contact['name']}", contact)


@app.command("list")
def list_(
    ctx: typer.Context,
    owner: ListOwnerOption = None,
    company: Annotated[
        str | None, typer.Option("--company", "-c", help="Only at this company.")
    ] = None,
    source: ListSourceOption = None,
    tag: ListTagOption = None,
    search: SearchOption = None,
    created_from: CreatedFrom = None,
    created_to: CreatedTo = None,
    updated_from: UpdatedFrom = None,
    updated_to: UpdatedTo = None,
    sort: Annotated[
        str | None, sort_option("name, email, company, title, owner, created, updated", "name")
    ] = None,
    limit: LimitOption = None,
) -> None:
    """List contacts."""
    from crmcli.services.contacts import list_contacts

    rows = list_contacts(
        book(ctx),
        owner=owner,
        company=company,
        source=source,
        tags=tags_of(tag),
        search=search,
        created_from=created_from,
        created_to=created_to,
        updated_from=updated_from,
        updated_to=updated_to,
        sort=sort,
        limit=limit,
    )
    output.emit_list(rows, COLUMNS, empty="no contacts")


@app.command("show")
def show(ctx: typer.Context, handle: Handle) -> None:
    """Show a contact with their deals and activities."""
    from crmcli.services.contacts import show_contact

    contact = show_contact(book(ctx), handle)
    output.emit_object(
        contact,
        CARD,
        title=contact["name"],
        sections={
            "Deals": (contact["deals"], DEAL_COLUMNS),
            "Upcoming": (contact["upcoming_activities"], ACTIVITY_COLUMNS),
            "Recent activity": (contact["recent_activities"], ACTIVITY_COLUMNS),
        },
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    handle: Handle,
    name: Annotated[str | None, typer.Option("--name", help="Full name.")] = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    title: TitleOption = None,
    company: CompanyOption = None,
    owner: OwnerOption = None,
    source: SourceOption = None,
    tag: TagOption = None,
    untag: UntagOption = None,
    notes: NotesOption = None,
    external_id: ExternalIdOption = None,
    force: ForceOption = False,
    at: AtOption = None,
) -> None:
    """Change a contact (an empty value, e.g. --phone '', clears a field)."""
    from crmcli.services.contacts import edit_contact

    contact = edit_contact(
        book(ctx),
        handle,
        name=name,
        email=email,
        phone=phone,
        title=title,
        company=company,
        owner=owner,
        source=source,
        notes=notes,
        external_id=external_id,
        add=tags_of(tag),
        remove=tags_of(untag),
        force=force,
        at=when(at),
    )
    output.done(f"updated contact {contact['handle']} {contact['name']}", contact)


@app.command("delete")
def delete(ctx: typer.Context, handle: Handle, at: AtOption = None) -> None:
    """Delete a contact (soft: undo with crm history HANDLE --undo CHANGE)."""
    from crmcli.services.contacts import delete_contact

    contact = delete_contact(book(ctx), handle, at=when(at))
    output.done(f"deleted contact {contact['handle']} {contact['name']}", contact)


@app.command("merge")
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The contact that stays.")],
    other: Annotated[str, typer.Argument(help="The duplicate merged into it (then deleted).")],
    at: AtOption = None,
) -> None:
    """Merge a duplicate contact into another: deals, activities, tags and e-mails move over."""
    from crmcli.services.contacts import merge_contacts

    report_merge(merge_contacts(book(ctx), keep, other, at=when(at)))
