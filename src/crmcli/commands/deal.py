"""crm deal: the opportunity pipeline — add, list, show, edit, move, win, lose, reopen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import AtOption, LimitOption, book, when
from crmcli.commands._sales import SALES_SECTIONS, amount, number, percent
from crmcli.output import Column

if TYPE_CHECKING:
    from crmcli.services.deals import StageChange

app = typer.Typer(help="Deals: the opportunity pipeline; move, win, lose.", no_args_is_help=True)

DealArg = Annotated[str, typer.Argument(help="The deal: id prefix or (part of) its name.")]


def _money(value: Any, row: Any) -> str:
    return "" if value is None else f"{output.human(value)} {row.get('currency') or ''}".strip()


def _idle(_value: Any, row: Any) -> str:
    return f"! {row['idle_days']}d" if row.get("rotting") else ""


COLUMNS = [
    Column("handle", "id"),
    Column("name", max_width=32),
    Column("company", max_width=24),
    Column("stage"),
    Column("amount", justify="right", render=_money),
    Column("owner"),
    Column("expected_close", "close"),
    Column("rotting", "idle", render=_idle, style="red"),
]
FIELDS = [
    Column("handle", "id"),
    Column("name"),
    Column("pipeline"),
    Column("stage", render=lambda v, r: f"{v} ({r['stage_probability']}%)"),
    Column("status"),
    Column("company"),
    Column("contact"),
    Column("owner"),
    Column("amount", render=_money),
    Column("probability", "probability override", render=lambda v, _r: f"{v}%"),
    Column("weighted_amount", "weighted", render=_money),
    Column("expected_close", "expected close"),
    Column("next_step", "next step"),
    Column("source"),
    Column("days_in_stage", "days in stage"),
    Column("idle_days", "idle days"),
    Column("rotting_note", "rotting"),
    Column("lost_reason", "lost reason"),
    Column("competitor"),
    Column("closed_at", "closed"),
    Column("created_at", "created"),
    Column("updated_at", "updated"),
    Column("notes"),
]
SECTIONS = {
    "stage_history": (
        "Stage history",
        [
            Column("at", "entered"),
            Column("from_stage", "from"),
            Column("to_stage", "to"),
            Column("user"),
            Column("days", justify="right"),
        ],
    ),
    "activities": (
        "Activities",
        [
            Column("handle", "id"),
            Column("when"),
            Column("kind"),
            Column("subject", max_width=40),
            Column("done"),
            Column("owner"),
        ],
    ),
    "quotes": (
        "Quotes",
        [
            Column("number"),
            Column("version", "v"),
            Column("status"),
            Column("total", justify="right", render=_money),
            Column("valid_until", "valid until"),
        ],
    ),
    "lines": (
        "Products",
        [
            Column("position", "#", justify="right"),
            Column("sku"),
            Column("description", max_width=32),
            Column("quantity", "qty", justify="right", render=number),
            Column("unit_price", "unit price", justify="right", render=amount),
            Column("discount_pct", "disc %", justify="right", render=percent),
            Column("total", justify="right", render=amount),
        ],
    ),
    **SALES_SECTIONS,
    "changes": (
        "Changes",
        [
            Column("at", "when"),
            Column("user"),
            Column("op"),
            Column("field"),
            Column("old", max_width=24),
            Column("new", max_width=24),
            Column("change"),
        ],
    ),
}


def _changed(result: StageChange, verb: str) -> None:
    for message in result.warnings:
        output.warn(message)
    deal = result.deal
    if not result.moved:
        output.done(f"{deal['name']} is already in {result.to_stage}", deal)
        return
    output.done(
        f"{verb} deal {deal['name']} ({deal['handle']}): {result.from_stage} → {result.to_stage}",
        deal,
    )


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the deal is called, e.g. 'Acme renewal'.")],
    company: Annotated[str | None, typer.Option(help="Company (name or id prefix).")] = None,
    contact: Annotated[str | None, typer.Option(help="Primary contact (name, e-mail, id).")] = None,
    amount: Annotated[
        str | None, typer.Option(help="Value, e.g. 48000 (default: the products' total, else 0).")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="ISO code, e.g. EUR (default EUR).")] = None,
    owner: Annotated[str | None, typer.Option(help="Owning rep (default: you).")] = None,
    pipeline: Annotated[str | None, typer.Option(help="Pipeline (default: the default).")] = None,
    stage: Annotated[
        str | None, typer.Option(help="Open stage to start in (name or position).")
    ] = None,
    probability: Annotated[
        str | None, typer.Option(help="Win probability 0–100 overriding the stage's.")
    ] = None,
    close: Annotated[str | None, typer.Option(help="Expected close date, e.g. 2026-12-15.")] = None,
    source: Annotated[str | None, typer.Option(help="Where it came from: web, referral…")] = None,
    next_step: Annotated[str | None, typer.Option(help="The next step, e.g. 'Call CFO'.")] = None,
    notes: Annotated[str | None, typer.Option(help="Free-text notes.")] = None,
    product: Annotated[
        list[str] | None, typer.Option("--product", help="A price-book product (SKU); repeatable.")
    ] = None,
    qty: Annotated[
        list[str] | None, typer.Option("--qty", help="Quantity of the matching --product.")
    ] = None,
    at: AtOption = None,
) -> None:
    """Add a deal (it starts in the pipeline's first open stage)."""
    from crmcli.services.deals import add_deal, product_lines

    deal = add_deal(
        book(ctx),
        name=name,
        amount=amount,
        currency=currency,
        company=company,
        contact=contact,
        owner=owner,
        pipeline=pipeline,
        stage=stage,
        probability=probability,
        close=close,
        source=source,
        next_step=next_step,
        notes=notes,
        products=product_lines(product or [], qty or []),
        at=when(at),
    )
    output.done(f"added deal {deal['name']} ({deal['handle']}) in {deal['stage']}", deal)


@app.command("list")
def list_(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option(help="Only this rep's deals ('me' = you).")] = None,
    pipeline: Annotated[str | None, typer.Option(help="Only this pipeline.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    status: Annotated[str, typer.Option(help="open, won, lost, closed or all.")] = "open",
    company: Annotated[str | None, typer.Option(help="Only this company's deals.")] = None,
    rotting: Annotated[
        bool, typer.Option("--rotting", help="Only idle deals (past their stage's threshold).")
    ] = False,
    sort: Annotated[
        str, typer.Option(help="updated (default), created, amount, close or name.")
    ] = "updated",
    limit: LimitOption = 50,
) -> None:
    """List deals: open ones, most recently updated first."""
    from crmcli.services.deals import list_deals

    rows = list_deals(
        book(ctx),
        owner=owner,
        pipeline=pipeline,
        stage=stage,
        status=status,
        company=company,
        rotting=rotting,
        sort=sort,
        limit=limit,
    )
    caption = None
    if rows and output.options.format == "table" and not output.options.quiet:
        from crmcli.services.currency import total_of

        caption = total_of(book(ctx), rows).caption()
    output.emit_list(rows, COLUMNS, empty="no deals match", caption=caption)


@app.command("show")
def show(ctx: typer.Context, deal: DealArg) -> None:
    """Show a deal: details, weighted value, stage timeline, activities, quotes, history."""
    from crmcli.services.deals import show_deal

    record = show_deal(book(ctx), deal)
    if output.options.format != "json" and record["rotting"]:
        record = {**record, "rotting_note": "yes: no activity or stage change for too long"}
    sections = {title: (record[key], cols) for key, (title, cols) in SECTIONS.items()}
    output.emit_object(record, FIELDS, title=f"Deal {record['name']}", sections=sections)


@app.command("edit")
def edit(
    ctx: typer.Context,
    deal: DealArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    company: Annotated[str | None, typer.Option(help="Company ('none' clears).")] = None,
    contact: Annotated[str | None, typer.Option(help="Primary contact ('none' clears).")] = None,
    amount: Annotated[str | None, typer.Option(help="Value.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO currency code.")] = None,
    probability: Annotated[
        str | None, typer.Option(help="Override 0–100 ('none' = use the stage's).")
    ] = None,
    close: Annotated[str | None, typer.Option(help="Expected close date ('none' clears).")] = None,
    source: Annotated[str | None, typer.Option(help="Source.")] = None,
    next_step: Annotated[str | None, typer.Option(help="Next step ('' clears).")] = None,
    owner: Annotated[str | None, typer.Option(help="Owning rep.")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
    forecast: Annotated[
        str | None,
        typer.Option(
            help="Forecast: commit, best-case, pipeline, omitted ('none' = from probability)."
        ),
    ] = None,
    at: AtOption = None,
) -> None:
    """Change a deal's details (stages change with move, win, lose, reopen)."""
    from crmcli.services.deals import edit_deal

    record = edit_deal(
        book(ctx),
        deal,
        at=when(at),
        name=name,
        company=company,
        contact=contact,
        amount=amount,
        currency=currency,
        probability=probability,
        close=close,
        source=source,
        next_step=next_step,
        owner=owner,
        notes=notes,
        forecast=forecast,
    )
    output.done(f"updated deal {record['name']} ({record['handle']})", record)


@app.command("delete")
def delete(ctx: typer.Context, deal: DealArg, at: AtOption = None) -> None:
    """Delete a deal (soft: undo with crm history --undo CHANGE)."""
    from crmcli.services.deals import delete_deal

    record, change = delete_deal(book(ctx), deal, at=when(at))
    output.done(f"deleted deal {record['name']} (undo: crm history --undo {change})", record)


@app.command("move")
def move(
    ctx: typer.Context,
    deal: DealArg,
    stage: Annotated[
        str | None, typer.Argument(help="Target stage: name (or prefix) or 1-based position.")
    ] = None,
    next_: Annotated[bool, typer.Option("--next", help="One open stage forward.")] = False,
    back: Annotated[bool, typer.Option("--back", help="One open stage back.")] = False,
    pipeline: Annotated[
        str | None, typer.Option(help="Move into a stage of another pipeline.")
    ] = None,
    at: AtOption = None,
) -> None:
    """Move an open deal to another stage (recorded in its stage history)."""
    from crmcli.services.deals import move_deal

    step = (1 if next_ else 0) - (1 if back else 0)
    if next_ and back:
        from crmcli.errors import InvalidInput

        raise InvalidInput("use --next or --back, not both")
    _changed(
        move_deal(book(ctx), deal, stage=stage, step=step, pipeline=pipeline, at=when(at)), "moved"
    )


@app.command("win")
def win(ctx: typer.Context, deal: DealArg, at: AtOption = None) -> None:
    """Close a deal as won."""
    from crmcli.services.deals import win_deal

    _changed(win_deal(book(ctx), deal, at=when(at)), "won")


@app.command("lose")
def lose(
    ctx: typer.Context,
    deal: DealArg,
    reason: Annotated[
        str | None, typer.Option(help="Why it was lost (required): price, timing…")
    ] = None,
    competitor: Annotated[str | None, typer.Option(help="Who won it instead.")] = None,
    at: AtOption = None,
) -> None:
    """Close a deal as lost, with a reason (and the competitor who won)."""
    from crmcli.services.deals import lose_deal

    _changed(lose_deal(book(ctx), deal, reason=reason, competitor=competitor, at=when(at)), "lost")


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    deal: DealArg,
    stage: Annotated[
        str | None, typer.Option(help="Open stage to reopen into (default: where it was).")
    ] = None,
    at: AtOption = None,
) -> None:
    """Reopen a won or lost deal (its history is kept)."""
    from crmcli.services.deals import reopen_deal

    _changed(reopen_deal(book(ctx), deal, stage=stage, at=when(at)), "reopened")


@app.command("lost-reasons")
def lost_reasons(ctx: typer.Context) -> None:
    """The lost reasons and competitors in use (what crm deal lose matches against)."""
    from crmcli.services.deals import lost_reasons as service

    document = service(book(ctx))
    if output.options.format == "json":
        output.emit_document(document)
        return
    output.emit_list(
        document["reasons"],
        [Column("reason"), Column("deals", justify="right")],
        title="Lost reasons",
        empty="no lost deals yet",
        handle_key="reason",
    )
    output.emit_list(
        document["competitors"],
        [Column("competitor"), Column("deals", justify="right")],
        title="Competitors",
        empty="no competitors named yet",
        handle_key="competitor",
    )


line_app = typer.Typer(help="Price-book products on a deal: add, remove.", no_args_is_help=True)
app.add_typer(line_app, name="line")
LINE_COLUMNS = SECTIONS["lines"][1]


@line_app.command("add")
def line_add(
    ctx: typer.Context,
    deal: DealArg,
    product: Annotated[str, typer.Option(help="The price-book product (SKU).")],
    qty: Annotated[str, typer.Option(help="Quantity.")] = "1",
    price: Annotated[str | None, typer.Option(help="Unit price (default: the product's).")] = None,
    discount: Annotated[str | None, typer.Option(help="Discount in percent.")] = None,
    at: AtOption = None,
) -> None:
    """Put a product on a deal (the deal's amount stays as it is)."""
    from crmcli.services.sales.deal_lines import add_deal_line

    lines = add_deal_line(
        book(ctx),
        deal=deal,
        product=product,
        quantity=qty,
        price=price,
        discount=discount,
        at=when(at),
    )
    if output.options.format == "json":
        output.emit_document(lines)
        return
    output.note(f"added {product} to {deal}")
    output.emit_list(lines, LINE_COLUMNS, handle_key="position")


@line_app.command("remove")
def line_remove(
    ctx: typer.Context,
    deal: DealArg,
    position: Annotated[int, typer.Argument(help="The line's number in deal show (1 = first).")],
    at: AtOption = None,
) -> None:
    """Take a product line off a deal."""
    from crmcli.services.sales.deal_lines import remove_deal_line

    lines = remove_deal_line(book(ctx), deal=deal, position=position, at=when(at))
    if output.options.format == "json":
        output.emit_document(lines)
        return
    output.note(f"removed line {position} from {deal}")
    output.emit_list(lines, LINE_COLUMNS, empty="no product lines left", handle_key="position")
