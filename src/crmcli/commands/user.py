"""crm user: reps and teams."""

from __future__ import annotations

from typing import Annotated

import typer

from crmcli import output
from crmcli.commands._common import AtOption, book, when
from crmcli.output import Column

app = typer.Typer(help="Reps and teams: add, list, show, edit.", no_args_is_help=True)

COLUMNS = [
    Column("username"),
    Column("name"),
    Column("email"),
    Column("team"),
    Column("territory"),
    Column("role"),
    Column("active"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login-style name: alice, bob.smith.")],
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    team: Annotated[str | None, typer.Option(help="Team, e.g. east.")] = None,
    territory: Annotated[str | None, typer.Option(help="Territory, e.g. DACH.")] = None,
    role: Annotated[str, typer.Option(help="rep, manager or admin.")] = "rep",
    at: AtOption = None,
) -> None:
    """Add a rep."""
    from crmcli.services.users import add_user

    user = add_user(
        book(ctx),
        username=username,
        name=name,
        email=email,
        team=team,
        territory=territory,
        role=role,
        at=when(at),
    )
    output.done(f"added user {user['username']}", user)


@app.command("list")
def list_(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include inactive reps.")] = False,
) -> None:
    """List reps."""
    from crmcli.services.users import list_users

    rows = list_users(book(ctx), team=team, include_inactive=all_)
    output.emit_list(rows, COLUMNS, empty="no users")


@app.command("show")
def show(
    ctx: typer.Context, handle: Annotated[str, typer.Argument(help="Username, e-mail or name.")]
) -> None:
    """Show one rep."""
    from crmcli.services.users import show_user

    output.emit_object(show_user(book(ctx), handle), COLUMNS)


@app.command("edit")
def edit(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="Username, e-mail or name.")],
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    team: Annotated[str | None, typer.Option(help="Team.")] = None,
    territory: Annotated[str | None, typer.Option(help="Territory.")] = None,
    role: Annotated[str | None, typer.Option(help="rep, manager or admin.")] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Deactivate a rep who left.")
    ] = None,
    at: AtOption = None,
) -> None:
    """Change a rep's details."""
    from crmcli.services.users import edit_user

    user = edit_user(
        book(ctx),
        handle,
        at=when(at),
        name=name,
        email=email,
        team=team,
        territory=territory,
        role=role,
        active=active,
    )
    output.done(f"updated user {user['username']}", user)


@app.command("handover")
def handover(
    ctx: typer.Context,
    from_rep: Annotated[str, typer.Option("--from", help="The rep handing over (e.g. leaving).")],
    to_rep: Annotated[str, typer.Option("--to", help="The rep taking over (active).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would move; change nothing.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Move all of a rep's open leads and deals, companies, contacts and open activities."""
    from crmcli.commands._parties import run_handover

    run_handover(ctx, from_rep=from_rep, to_rep=to_rep, companies=[], dry_run=dry_run, at=at)


quota_app = typer.Typer(help="Sales quotas (targets) per rep and period.", no_args_is_help=True)
app.add_typer(quota_app, name="quota")

QUOTA_COLUMNS = [
    Column("user"),
    Column("period"),
    Column("start"),
    Column("end"),
    Column("amount", justify="right"),
    Column("currency"),
]


@quota_app.command("set")
def quota_set(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="The rep: username, e-mail or name.")],
    period: Annotated[str, typer.Argument(help="2026, 2026-Q4 or 2026-11.")],
    amount: Annotated[str, typer.Argument(help="The target amount, e.g. 100000.")],
    currency: Annotated[
        str | None, typer.Option(help="Currency (default: the reporting currency).")
    ] = None,
    at: AtOption = None,
) -> None:
    """Set a rep's quota for a year, quarter or month."""
    from dataclasses import asdict

    from crmcli.money import parse_money
    from crmcli.services.quotas import set_quota

    quota = set_quota(
        book(ctx),
        user=user,
        period=period,
        amount=parse_money(amount),
        currency=currency,
        at=when(at),
    )
    output.done(
        f"quota of {quota.user} for {quota.period}: {quota.amount} {quota.currency}", asdict(quota)
    )


@quota_app.command("list")
def quota_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", "--rep", help="Only this rep.")] = None,
    period: Annotated[
        str | None, typer.Option(help="Only quotas inside this period (2026 lists its quarters).")
    ] = None,
) -> None:
    """List stated quotas."""
    from dataclasses import asdict

    from crmcli.services.quotas import list_quotas

    rows = [asdict(q) for q in list_quotas(book(ctx), user=user, period=period)]
    output.emit_list(rows, QUOTA_COLUMNS, empty="no quotas", handle_key="period")


# Activity targets live in their own module (crm user target set|list).
from crmcli.commands.user_target import app as _target_app  # noqa: E402

app.add_typer(_target_app, name="target")
