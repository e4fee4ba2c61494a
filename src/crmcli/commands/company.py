"""crm company: accounts, the 360° view, merge and handover."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.commands._parties import (
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
    run_handover,
    sort_option,
    tags_of,
)
from crmcli.commands._sales import SALES_SECTIONS
from crmcli.output import Column

app = typer.Typer(help="Companies: the 360° view, classification, handover.", no_args_is_help=True)


def _class(value: Any, _row: Any) -> str:
    return str(value or "").replace("_", " ")


COLUMNS = [
    Column("handle", "id"),
    Column("name"),
    Column("domain"),
    Column("classification", "class", render=_class),
    Column("industry"),
    Column("size", justify="right"),
    Column("city"),
    Column("owner"),
    Column("tags"),
]
CARD = [
    *COLUMNS[1:],
    Column("website"),
    Column("territory"),
    Column("phone"),
    Column("address"),
    Column("country"),
    Column("source"),
    Column("external_id", "external id"),
    Column("notes"),
    Column("created_at", "created"),
    Column("handle", "id"),
]
Handle = Annotated[str, typer.Argument(help="Id prefix, name or domain.")]
DomainOption = Annotated[str | None, typer.Option("--domain", help="Web domain: acme.example.")]
WebsiteOption = Annotated[str | None, typer.Option("--website", help="Web address.")]
ClassOption = Annotated[
    str | None,
    typer.Option("--class", "--classification", help="prospect, target or key-account."),
]
IndustryOption = Annotated[str | None, typer.Option("--industry", help="Industry.")]
SizeOption = Annotated[int | None, typer.Option("--size", min=0, help="Employees.")]
TerritoryOption = Annotated[str | None, typer.Option("--territory", help="Sales territory.")]
PhoneOption = Annotated[str | None, typer.Option("--phone", help="Switchboard number.")]
AddressOption = Annotated[str | None, typer.Option("--address", help="Street address.")]
CityOption = Annotated[str | None, typer.Option("--city", help="City.")]
CountryOption = Annotated[str | None, typer.Option("--country", help="Country.")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Company name.")],
    domain: DomainOption = None,
    website: WebsiteOption = None,
    classification: ClassOption = None,
    industry: IndustryOption = None,
    size: SizeOption = None,
    territory: TerritoryOption = None,
    phone: PhoneOption = None,
    address: AddressOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    owner: OwnerOption = None,
    source: SourceOption = None,
    tag: TagOption = None,
    notes: NotesOption = None,
    external_id: ExternalIdOption = None,
    force: ForceOption = False,
    at: AtOption = None,
) -> None:
    """Add a company (the same domain or a similar name is refused unless --force)."""
    from crmcli.services.companies import add_company

    company = guard_duplicates(
        lambda forced: add_company(
            book(ctx),
            name=name,
            domain=domain,
            website=website,
            classification=classification,
            industry=industry,
            size=size,
            territory=territory,
            phone=phone,
            address=address,
            city=city,
            country=country,
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
    output.done(f"added company {company['handle']} {company['name']}", company)


@app.command("list")
def list_(
    ctx: typer.Context,
    owner: ListOwnerOption = None,
    classification: ClassOption = None,
    industry: Annotated[str | None, typer.Option("--industry", help="Only this industry.")] = None,
    territory: Annotated[
        str | None, typer.Option("--territory", help="Only this territory.")
    ] = None,
    source: ListSourceOption = None,
    tag: ListTagOption = None,
    search: SearchOption = None,
    created_from: CreatedFrom = None,
    created_to: CreatedTo = None,
    updated_from: UpdatedFrom = None,
    updated_to: UpdatedTo = None,
    sort: Annotated[
        str | None, sort_option("name, class, industry, size, owner, created, updated", "name")
    ] = None,
    limit: LimitOption = None,
    segment: Annotated[
        str | None,
        typer.Option(help="Only this RFM segment: champions, loyal, potential, at-risk, …"),
    ] = None,
) -> None:
    """List companies."""
    from crmcli.services.companies import list_companies

    condition = None
    if segment:
        from crmcli.reports.segments import segment_condition

        condition = segment_condition(book(ctx), segment)

    rows = list_companies(
        book(ctx),
        owner=owner,
        classification=classification,
        industry=industry,
        territory=territory,
        source=source,
        tags=tags_of(tag),
        search=search,
        created_from=created_from,
        created_to=created_to,
        updated_from=updated_from,
        updated_to=updated_to,
        sort=sort,
        limit=limit,
        id_condition=condition,
    )
    output.emit_list(rows, COLUMNS, empty="no companies")


def _amounts(value: Any, _row: Any) -> str:
    return ", ".join(f"{output.human(v)} {k}" for k, v in (value or {}).items())


def _count(total: dict[str, Any]) -> str:
    amounts = _amounts(total["amounts"], None)
    return f"{total['count']} ({amounts})" if amounts else str(total["count"])


def _activity(value: Any, _row: Any) -> str:
    if not value:
        return ""
    return f"{output.human(value['when'])} {value['kind']}: {output.safe(value['subject'])}"


@app.command("show")
def show(
    ctx: typer.Context,
    handle: Handle,
    history: Annotated[int, typer.Option("--history", min=0, help="Recent changes shown.")] = 10,
) -> None:
    """The 360° view: contacts, deals and totals, quotes, activities, payments, history."""
    from crmcli.services.companies import show_company

    company = show_company(book(ctx), handle, history=history)
    totals = company["totals"]
    summary = {
        **company,
        "open_deals": _count(totals["open"]),
        "won_deals": _count(totals["won"]),
        "lost_deals": str(totals["lost"]["count"]),
        "paid": _amounts(totals["paid"], None),
    }
    fields = [
        *CARD,
        Column("open_deals", "open deals"),
        Column("won_deals", "won deals"),
        Column("lost_deals", "lost deals"),
        Column("paid"),
        Column("next_activity", "next activity", render=_activity),
        Column("last_activity", "last activity", render=_activity),
    ]
    if output.options.format != "table":
        output.emit_object(company, CARD)
        return
    output.emit_object(
        summary,
        fields,
        title=company["name"],
        sections={
            "Contacts": (
                company["contacts"],
                [
                    Column("handle", "id"),
                    Column("name"),
                    Column("email"),
                    Column("phone"),
                    Column("title"),
                ],
            ),
            "Deals": (company["deals"], [*DEAL_COLUMNS, Column("owner")]),
            "Quotes": (
                company["quotes"],
                [
                    Column("number"),
                    Column("version", "v"),
                    Column("deal"),
                    Column("status"),
                    Column("total", justify="right"),
                    Column("currency", ""),
                    Column("valid_until", "valid until"),
                ],
            ),
            "Payments": (
                company["payments"],
                [
                    Column("paid_at", "paid"),
                    Column("deal"),
                    Column("amount", justify="right"),
                    Column("currency", ""),
                    Column("method"),
                    Column("reference"),
                ],
            ),
            **{
                title: (company[key], columns)
                for key, (title, columns) in SALES_SECTIONS.items()
                if key in company
            },
            "Recent history": (
                company["history"],
                [
                    Column("at", "when"),
                    Column("user"),
                    Column("entity", "record", render=lambda v, r: f"{v} {r['record']}"),
                    Column("op"),
                    Column("field"),
                    Column("new", max_width=30, render=lambda v, _r: _change(v)),
                ],
            ),
        },
    )


def _change(value: Any) -> str:
    if isinstance(value, dict):
        return f"{{{len(value)} fields}}"
    return output.human(value)


@app.command("edit")
def edit(
    ctx: typer.Context,
    handle: Handle,
    name: Annotated[str | None, typer.Option("--name", help="Company name.")] = None,
    domain: DomainOption = None,
    website: WebsiteOption = None,
    classification: ClassOption = None,
    industry: IndustryOption = None,
    size: SizeOption = None,
    territory: TerritoryOption = None,
    phone: PhoneOption = None,
    address: AddressOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    owner: OwnerOption = None,
    source: SourceOption = None,
    tag: TagOption = None,
    untag: UntagOption = None,
    notes: NotesOption = None,
    external_id: ExternalIdOption = None,
    force: ForceOption = False,
    at: AtOption = None,
) -> None:
    """Change a company (an empty value, e.g. --phone '', clears a field)."""
    from crmcli.services.companies import edit_company

    company = edit_company(
        book(ctx),
        handle,
        name=name,
        domain=domain,
        website=website,
        classification=classification,
        industry=industry,
        size=size,
        territory=territory,
        phone=phone,
        address=address,
        city=city,
        country=country,
        owner=owner,
        source=source,
        notes=notes,
        external_id=external_id,
        add=tags_of(tag),
        remove=tags_of(untag),
        force=force,
        at=when(at),
    )
    output.done(f"updated company {company['handle']} {company['name']}", company)


@app.command("delete")
def delete(ctx: typer.Context, handle: Handle, at: AtOption = None) -> None:
    """Delete a company (soft: its contacts and deals stay; undo through crm history)."""
    from crmcli.services.companies import delete_company

    company = delete_company(book(ctx), handle, at=when(at))
    output.done(f"deleted company {company['handle']} {company['name']}", company)


@app.command("merge")
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The company that stays.")],
    other: Annotated[str, typer.Argument(help="The duplicate merged into it (then deleted).")],
    at: AtOption = None,
) -> None:
    """Merge a duplicate company into another: contacts, deals, activities and tags move."""
    from crmcli.services.companies import merge_companies

    report_merge(merge_companies(book(ctx), keep, other, at=when(at)))


@app.command("handover")
def handover_(
    ctx: typer.Context,
    from_rep: Annotated[str, typer.Option("--from", help="The rep handing over.")],
    to_rep: Annotated[str, typer.Option("--to", help="The rep taking over (active).")],
    companies: Annotated[
        list[str] | None,
        typer.Argument(help="Only these companies (and their records); default: everything."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would move; change nothing.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Move a rep's companies, contacts, open leads and deals and open activities to another."""
    run_handover(
        ctx,
        from_rep=from_rep,
        to_rep=to_rep,
        companies=list(companies or []),
        dry_run=dry_run,
        at=at,
    )
