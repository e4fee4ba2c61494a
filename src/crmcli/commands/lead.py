"""crm lead: capture, qualify, score, assign, convert."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands import _complete
from crmcli.commands._common import AtOption, book, when
from crmcli.commands._parties import (
    ACTIVITY_COLUMNS,
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
    sort_option,
    tags_of,
)
from crmcli.output import Column

app = typer.Typer(help="Leads: capture, qualify, score, assign, convert.", no_args_is_help=True)

COLUMNS = [
    Column("handle", "id"),
    Column("name"),
    Column("email"),
    Column("company_name", "company"),
    Column("title"),
    Column("source"),
    Column("status"),
    Column("score", justify="right"),
    Column("owner"),
    Column("tags"),
]
CARD = [
    *COLUMNS[1:],
    Column("phone"),
    Column("company_size", "company size"),
    Column("website"),
    Column("disqualify_reason", "disqualified because"),
    Column("last_activity_at", "last activity"),
    Column("converted_at", "converted"),
    Column("external_id", "external id"),
    Column("notes"),
    Column("created_at", "created"),
    Column("handle", "id"),
]
Handle = Annotated[
    str, typer.Argument(help="Id prefix, e-mail or name.", autocompletion=_complete.leads)
]
EmailOption = Annotated[str | None, typer.Option("--email", "-e", help="E-mail address.")]
PhoneOption = Annotated[str | None, typer.Option("--phone", help="Phone; stored as E.164.")]
TitleOption = Annotated[str | None, typer.Option("--title", help="Job title.")]
CompanyOption = Annotated[str | None, typer.Option("--company", "-c", help="Company name.")]
SizeOption = Annotated[
    int | None, typer.Option("--company-size", min=0, help="Employees at the company.")
]
WebsiteOption = Annotated[str | None, typer.Option("--website", help="Company web address.")]
StatusOption = Annotated[str | None, typer.Option("--status", help="new, working or qualified.")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name.")],
    email: EmailOption = None,
    phone: PhoneOption = None,
    title: TitleOption = None,
    company: CompanyOption = None,
    company_size: SizeOption = None,
    website: WebsiteOption = None,
    source: SourceOption = None,
    status: StatusOption = None,
    owner: OwnerOption = None,
    tag: TagOption = None,
    notes: NotesOption = None,
    external_id: ExternalIdOption = None,
    force: ForceOption = False,
    at: AtOption = None,
) -> None:
    """Capture a lead; a duplicate (same e-mail or phone, similar name) is refused."""
    from crmcli.services.leads import add_lead

    lead = guard_duplicates(
        lambda forced: add_lead(
            book(ctx),
            name=name,
            email=email,
            phone=phone,
            title=title,
            company_name=company,
            company_size=company_size,
            website=website,
            source=source,
            status=status,
            owner=owner,
            notes=notes,
            external_id=external_id,
            tags=tags_of(tag),
            force=forced,
            at=when(at),
        ),
        force,
    )
    output.done(f"added lead {lead['handle']} {lead['name']} (score {lead['score']})", lead)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="new, working, qualified, disqualified, converted (comma list) or all."
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every status (same as --status all).")
    ] = False,
    owner: ListOwnerOption = None,
    source: ListSourceOption = None,
    tag: ListTagOption = None,
    search: SearchOption = None,
    min_score: Annotated[int | None, typer.Option("--min-score", help="Score at least.")] = None,
    created_from: CreatedFrom = None,
    created_to: CreatedTo = None,
    updated_from: UpdatedFrom = None,
    updated_to: UpdatedTo = None,
    sort: Annotated[
        str | None,
        sort_option("score, name, company, status, source, owner, created, updated", "-created"),
    ] = None,
    limit: LimitOption = None,
) -> None:
    """List leads (open ones — new, working, qualified — unless --status or --all)."""
    from crmcli.services.leads import list_leads

    rows = list_leads(
        book(ctx),
        status="all" if all_ else status,
        owner=owner,
        source=source,
        tags=tags_of(tag),
        search=search,
        min_score=min_score,
        created_from=created_from,
        created_to=created_to,
        updated_from=updated_from,
        updated_to=updated_to,
        sort=sort,
        limit=limit,
    )
    output.emit_list(rows, COLUMNS, empty="no leads")


@app.command("show")
def show(ctx: typer.Context, handle: Handle) -> None:
    """Show a lead with its score breakdown and activities."""
    from crmcli.services.leads import show_lead

    lead = show_lead(book(ctx), handle)
    output.emit_object(
        lead,
        CARD,
        title=lead["name"],
        sections={
            "Score": (lead["score_breakdown"], [Column("rule"), Column("points", justify="right")]),
            "Activities": (lead["activities"], ACTIVITY_COLUMNS),
        },
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    handle: Handle,
    name: Annotated[str | None, typer.Option("--name", help="The person's name.")] = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    title: TitleOption = None,
    company: CompanyOption = None,
    company_size: SizeOption = None,
    website: WebsiteOption = None,
    source: SourceOption = None,
    status: StatusOption = None,
    owner: OwnerOption = None,
    tag: TagOption = None,
    untag: UntagOption = None,
    notes: NotesOption = None,
    external_id: ExternalIdOption = None,
    force: ForceOption = False,
    at: AtOption = None,
) -> None:
    """Change a lead (an empty value, e.g. --phone '', clears a field)."""
    from crmcli.services.leads import edit_lead

    lead = edit_lead(
        book(ctx),
        handle,
        name=name,
        email=email,
        phone=phone,
        title=title,
        company_name=company,
        company_size=company_size,
        website=website,
        source=source,
        status=status,
        owner=owner,
        notes=notes,
        external_id=external_id,
        add=tags_of(tag),
        remove=tags_of(untag),
        force=force,
        at=when(at),
    )
    output.done(f"updated lead {lead['handle']} {lead['name']}", lead)


@app.command("delete")
def delete(ctx: typer.Context, handle: Handle, at: AtOption = None) -> None:
    """Delete a lead (soft: undo through crm history)."""
    from crmcli.services.leads import delete_lead

    lead = delete_lead(book(ctx), handle, at=when(at))
    output.done(f"deleted lead {lead['handle']} {lead['name']}", lead)


@app.command("qualify")
def qualify(ctx: typer.Context, handle: Handle, at: AtOption = None) -> None:
    """Mark a lead qualified."""
    from crmcli.services.leads import qualify_lead

    lead = qualify_lead(book(ctx), handle, at=when(at))
    output.done(f"qualified lead {lead['handle']} {lead['name']}", lead)


@app.command("disqualify")
def disqualify(
    ctx: typer.Context,
    handle: Handle,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why: no budget, student, spam…")],
    at: AtOption = None,
) -> None:
    """Mark a lead disqualified, with the reason."""
    from crmcli.services.leads import disqualify_lead

    lead = disqualify_lead(book(ctx), handle, reason=reason, at=when(at))
    output.done(f"disqualified lead {lead['handle']} {lead['name']} ({reason})", lead)


@app.command("assign")
def assign(
    ctx: typer.Context,
    handles: Annotated[
        list[str] | None,
        typer.Argument(help="Leads to assign; default: the open leads the filters pick."),
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="The rep who takes them.")] = None,
    round_robin: Annotated[
        bool, typer.Option("--round-robin", help="Deal them out over --team's active reps.")
    ] = False,
    team: Annotated[str | None, typer.Option("--team", help="Team for --round-robin.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Without handles: leads in this status (new).")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Without handles: this source.")
    ] = None,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="Without handles: only leads nobody owns.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Assign leads to a rep (--to), or round-robin over a team (--round-robin --team east)."""
    from crmcli.errors import InvalidInput
    from crmcli.services.leads import assign_leads

    if round_robin != (team is not None):
        raise InvalidInput("--round-robin and --team go together")
    rows = assign_leads(
        book(ctx),
        list(handles or []),
        to=to,
        team=team,
        status=status,
        source=source,
        unassigned=unassigned,
        at=when(at),
    )
    if output.options.format == "table" and not output.options.quiet:
        for lead in rows:
            output.note(f"{lead['handle']} {lead['name']} → {lead['owner']}")
        output.note(f"assigned {len(rows)} lead(s)")
        return
    output.emit_list(rows, COLUMNS)


@app.command("convert")
def convert(
    ctx: typer.Context,
    handle: Handle,
    deal: Annotated[
        str | None, typer.Option("--deal", help="Also open a deal with this name.")
    ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="The deal's amount.")] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="The deal's currency (ISO code).")
    ] = None,
    at: AtOption = None,
) -> None:
    """Turn a lead into company + contact (+ deal) in one step, reusing existing ones."""
    from crmcli.money import parse_money
    from crmcli.services.leads import convert_lead

    result = convert_lead(
        book(ctx),
        handle,
        deal=deal,
        amount=parse_money(amount) if amount is not None else None,
        currency=currency,
        at=when(at),
    )
    parts = []
    for key in ("company", "contact"):
        record = result[key]
        if record:
            verb = "new" if result[f"{key}_created"] else "existing"
            parts.append(f"{verb} {key} {record['handle']} {record['name']}")
    if result["deal"]:
        parts.append(f"deal {result['deal']['handle']} {result['deal']['name']}")
    output.done(f"converted {result['lead']['name']}: " + ", ".join(parts), result)


@app.command("scoring")
def scoring(
    ctx: typer.Context,
    set_file: Annotated[
        Path | None, typer.Option("--set", help="Store rules from this JSON file; rescore.")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the default rules.")] = False,
) -> None:
    """Show (or --set from JSON) the lead-scoring rules."""
    import json

    from crmcli.errors import InvalidInput
    from crmcli.services.leads import scoring_rules, set_scoring_rules

    if set_file is None and not reset:
        output.emit_document(scoring_rules(book(ctx)))
        return
    rules: Any = None
    if set_file is not None:
        try:
            rules = json.loads(set_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(
                f"cannot read scoring rules from {set_file}: {exc}",
                hint="see the expected shape with: crm lead scoring --json",
            ) from exc
    result = set_scoring_rules(book(ctx), rules)
    output.done(f"scoring rules saved; {result['rescored']} lead score(s) changed", result)
