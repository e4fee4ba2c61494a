"""Options and helpers shared by ``crm lead``, ``crm contact`` and ``crm company``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from crmcli import output
from crmcli.commands._common import book, when
from crmcli.output import Column

T = TypeVar("T")

OwnerOption = Annotated[
    str | None, typer.Option("--owner", help="Owning rep (username); default: you.")
]
SourceOption = Annotated[str | None, typer.Option("--source", help="Where it came from: web…")]
TagOption = Annotated[
    list[str] | None, typer.Option("--tag", "-t", help="A tag (repeat for several).")
]
UntagOption = Annotated[
    list[str] | None, typer.Option("--untag", help="Remove a tag (repeatable).")
]
NotesOption = Annotated[str | None, typer.Option("--notes", help="Free-text notes.")]
ExternalIdOption = Annotated[
    str | None, typer.Option("--external-id", help="Id in another system (re-imports).")
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Add even if it looks like a duplicate.")
]
SearchOption = Annotated[
    str | None,
    typer.Option("--search", "-s", help="Words to find in names, e-mails, company, notes."),
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", "-n", min=1, help="Show at most this many.")
]
CreatedFrom = Annotated[
    str | None, typer.Option("--created-from", help="Created at or after (2026-10-01, -30d).")
]
CreatedTo = Annotated[
    str | None, typer.Option("--created-to", help="Created at or before (a date: that whole day).")
]
UpdatedFrom = Annotated[str | None, typer.Option("--updated-from", help="Changed at or after.")]
UpdatedTo = Annotated[str | None, typer.Option("--updated-to", help="Changed at or before.")]
ListOwnerOption = Annotated[
    str | None, typer.Option("--owner", help="Only this rep's (username, 'me' or 'none').")
]
ListSourceOption = Annotated[str | None, typer.Option("--source", help="Only this source.")]
ListTagOption = Annotated[
    list[str] | None, typer.Option("--tag", "-t", help="Only with this tag (repeat: all of them).")
]


def sort_option(keys: str, default: str) -> Any:
    return typer.Option(
        "--sort", help=f"Sort by {keys}; prefix - for descending (default {default})."
    )


def guard_duplicates(call: Callable[[bool], T], force: bool) -> T:
    """Run ``call(force)``; on a likely duplicate ask on a terminal, refuse in scripts."""
    from crmcli.services.dedupe import LikelyDuplicate

    try:
        return call(force)
    except LikelyDuplicate as exc:
        if force or not sys.stdin.isatty() or output.options.format != "table":
            raise
        output.warn(exc.message)
        if not typer.confirm("Add it anyway?", default=False, err=True):
            output.note("nothing added")
            raise typer.Exit(1) from None
        return call(True)


def tags_of(values: list[str] | None) -> list[str]:
    return list(values or [])


ACTIVITY_COLUMNS = [
    Column("handle", "id"),
    Column("kind"),
    Column("subject", max_width=40),
    Column("start_at", "start"),
    Column("due_at", "due"),
    Column("done_at", "done"),
]
DEAL_COLUMNS = [
    Column("handle", "id"),
    Column("name"),
    Column("stage"),
    Column("status"),
    Column("amount", justify="right"),
    Column("currency", ""),
    Column("expected_close", "close"),
]


def report_merge(result: dict[str, Any]) -> None:
    """Confirm a merge: what was kept, what was merged into it, and how many links moved."""
    moved = ", ".join(f"{n} {t}" for t, n in result["moved"].items()) or "no links"
    output.done(
        f"merged {result['merged']['name']} into {result['kept']['handle']} "
        f"{result['kept']['name']} ({moved} moved)",
        result,
    )


HANDOVER_COLUMNS = [
    Column("entity", "record"),
    Column("handle", "id"),
    Column("name"),
]


def run_handover(
    ctx: typer.Context,
    *,
    from_rep: str,
    to_rep: str,
    companies: list[str],
    dry_run: bool,
    at: str | None,
) -> None:
    """``crm company handover`` and ``crm user handover``: move, or list with --dry-run."""
    from crmcli.services.handover import handover

    result = handover(
        book(ctx),
        from_rep=from_rep,
        to_rep=to_rep,
        companies=companies,
        dry_run=dry_run,
        at=when(at),
    )
    counts = ", ".join(f"{n} {kind}" for kind, n in result["counts"].items())
    if output.options.format == "json":
        output.emit_document(result)
        return
    if dry_run:
        output.emit_list(result["records"], HANDOVER_COLUMNS, empty="nothing to hand over")
        output.note(f"dry run: would move {counts} from {result['from']} to {result['to']}")
        return
    output.done(f"moved {counts} from {result['from']} to {result['to']}", result)
