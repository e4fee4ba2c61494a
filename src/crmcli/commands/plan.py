"""crm plan: commission plans — add, list, show, edit, assign."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.output import Column

app = typer.Typer(
    help="Commission plans: tiers, accelerator, cap; assign them to reps.", no_args_is_help=True
)

PlanArg = Annotated[str, typer.Argument(help="The plan: its name or id prefix.")]
TiersOpt = Annotated[
    str | None,
    typer.Option(help='Bands THRESHOLD:RATE, e.g. "0:5%,50000:8%,100000:10%".'),
]
FlatOpt = Annotated[str | None, typer.Option(help="One rate on the whole basis, e.g. 5%.")]
AcceleratorOpt = Annotated[
    str | None, typer.Option(help="Multiplies the rate of the basis above quota, e.g. 1.5.")
]
CapOpt = Annotated[str | None, typer.Option(help="The most one statement pays (none: no cap).")]


def _money(value: Any, row: Any) -> str:
    return "" if value is None else f"{output.human(value)} {row.get('currency') or ''}".strip()


COLUMNS = [
    Column("name"),
    Column("tiers_text", "tiers"),
    Column("mode"),
    Column("basis"),
    Column("trigger"),
    Column("accelerator", render=lambda v, _r: f"×{v}"),
    Column("cap", render=_money),
    Column("reps", justify="right"),
]
ASSIGNMENT_COLUMNS = [
    Column("rep"),
    Column("plan"),
    Column("valid_from", "from", render=lambda v, _r: output.human(v) or "(start)"),
    Column("valid_to", "to", render=lambda v, _r: output.human(v) or "(open)"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name, e.g. standard.")],
    tiers: TiersOpt = None,
    flat: FlatOpt = None,
    mode: Annotated[
        str, typer.Option(help="marginal (like tax brackets) or retroactive.")
    ] = "marginal",
    basis: Annotated[
        str, typer.Option(help="Band thresholds in money, or quota (percent of quota).")
    ] = "money",
    trigger: Annotated[str, typer.Option(help="won (on close) or paid (on payment).")] = "won",
    accelerator: AcceleratorOpt = "1",
    cap: CapOpt = None,
    currency: Annotated[str | None, typer.Option(help="Currency of bands and cap.")] = None,
    description: Annotated[str | None, typer.Option(help="A note for people.")] = None,
    at: AtOption = None,
) -> None:
    """Add a commission plan."""
    from crmcli.services.commission.plans import add_plan

    plan = add_plan(
        book(ctx),
        name=name,
        tiers=tiers,
        flat=flat,
        mode=mode,
        basis=basis,
        trigger=trigger,
        accelerator=accelerator or "1",
        cap=cap,
        currency=currency,
        description=description,
        at=when(at),
    )
    output.done(f"added plan {plan['name']} ({plan['tiers_text']})", dict(plan))


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List plans."""
    from crmcli.services.commission.plans import list_plans

    output.emit_list([dict(p) for p in list_plans(book(ctx))], COLUMNS, empty="no plans")


@app.command("show")
def show(ctx: typer.Context, plan: PlanArg) -> None:
    """Show a plan: its bands and who is paid on it, when."""
    from crmcli.services.commission.plans import show_plan

    view = show_plan(book(ctx), plan)
    bands = [{"threshold": t["threshold"], "rate": f"{t['rate_pct']}%"} for t in view["tiers"]]
    output.emit_object(
        dict(view),
        [*COLUMNS[1:7], Column("currency"), Column("description")],
        title=f"plan {view['name']}",
        sections={
            "bands": (
                bands,
                [Column("threshold", justify="right"), Column("rate", justify="right")],
            ),
            "assignments": ([dict(a) for a in view["assignments"]], ASSIGNMENT_COLUMNS),
        },
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    plan: PlanArg,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    tiers: TiersOpt = None,
    flat: FlatOpt = None,
    mode: Annotated[str | None, typer.Option(help="marginal or retroactive.")] = None,
    basis: Annotated[str | None, typer.Option(help="money or quota (give --tiers too).")] = None,
    trigger: Annotated[str | None, typer.Option(help="won or paid.")] = None,
    accelerator: AcceleratorOpt = None,
    cap: CapOpt = None,
    currency: Annotated[str | None, typer.Option(help="Currency of bands and cap.")] = None,
    description: Annotated[str | None, typer.Option(help="A note for people.")] = None,
    at: AtOption = None,
) -> None:
    """Change a plan (closed periods keep what they paid)."""
    from crmcli.services.commission.plans import edit_plan

    view = edit_plan(
        book(ctx),
        plan,
        name=name,
        tiers=tiers,
        flat=flat,
        mode=mode,
        basis=basis,
        trigger=trigger,
        accelerator=accelerator,
        cap=cap,
        currency=currency,
        description=description,
        at=when(at),
    )
    output.done(f"updated plan {view['name']} ({view['tiers_text']})", dict(view))


@app.command("assign")
def assign(
    ctx: typer.Context,
    plan: PlanArg,
    rep: Annotated[str, typer.Argument(help="The rep: username, e-mail or name.")],
    from_: Annotated[
        str | None,
        typer.Option("--from", help="First day (default: a rep's first plan covers all before)."),
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (default: open-ended).")] = None,
    at: AtOption = None,
) -> None:
    """Pay a rep on a plan from a date (a later plan ends the open one the day before)."""
    from crmcli.services.commission.plans import assign_plan

    view = assign_plan(book(ctx), plan, rep, valid_from=from_, valid_to=to, at=when(at))
    start = view["valid_from"].isoformat() if view["valid_from"] else "the start"
    end = view["valid_to"].isoformat() if view["valid_to"] else "open-ended"
    output.done(f"{view['rep']} is paid on {view['plan']} from {start} to {end}", dict(view))
