"""crm activity: schedule, complete, move, edit, delete and list calls, meetings and tasks."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crmcli import output
from crmcli.commands._common import AtOption, LimitOption, book, when
from crmcli.output import Column

app = typer.Typer(
    help="Activities: calls, meetings, tasks, emails, notes; schedule, recur.",
    no_args_is_help=True,
)

Handle = Annotated[
    str,
    typer.Argument(help="Activity id prefix or subject; HANDLE@2026-11-30T10:00 = one occurrence."),
]
OccurrenceOpt = Annotated[
    str | None,
    typer.Option("--occurrence", help="Only this occurrence of a repeating activity (its time)."),
]
WithOpt = Annotated[str | None, typer.Option("--with", help="Contact: e-mail, name or id.")]
DealOpt = Annotated[str | None, typer.Option("--deal", help="Deal: name or id.")]
CompanyOpt = Annotated[str | None, typer.Option("--company", help="Company: name or id.")]
LeadOpt = Annotated[str | None, typer.Option("--lead", help="Lead: e-mail, name or id.")]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Rep (default: you).")]
EveryOpt = Annotated[
    str | None,
    typer.Option(
        help='Repeat: "daily", "weekly", "weekly on mon,wed", "every 2 weeks", "monthly".'
    ),
]
RruleOpt = Annotated[
    str | None, typer.Option("--rrule", help='Repeat by RFC 5545 rule: "FREQ=MONTHLY;BYDAY=1MO".')
]
UntilOpt = Annotated[str | None, typer.Option(help="Last day of the repetition (inclusive).")]
CountOpt = Annotated[int | None, typer.Option(help="Number of occurrences.")]
NoOverlapOpt = Annotated[
    bool,
    typer.Option("--no-overlap", help="Refuse (exit 3) instead of warning when the time clashes."),
]


def _status(_: Any, row: Any) -> str:
    if row.get("done_at"):
        return "done"
    from crmcli.clock import now
    from crmcli.services.agenda import is_overdue

    # A series row stands for many occurrences: they are overdue one by one (agenda).
    if not row.get("rrule") and is_overdue(row, now()):
        return "overdue"
    return "repeats" if row.get("rrule") else ""


def _when(value: Any, row: Any) -> str:
    if value is None:
        return ""
    if row.get("all_day"):
        from crmcli.clock import to_local

        return f"{to_local(value):%Y-%m-%d} all day"
    return output.human(value)


def _local_list(value: str) -> str:
    from datetime import datetime

    return ", ".join(output.human(datetime.fromisoformat(v)) for v in value.split(","))


COLUMNS = [
    Column("handle"),
    Column("when", render=_when),
    Column("kind"),
    Column("subject", max_width=40),
    Column("contact", "with"),
    Column("deal", max_width=30),
    Column("owner"),
    Column("status", render=_status),
]
FIELDS = [
    Column("handle"),
    Column("kind"),
    Column("subject"),
    Column("start_at", "start", render=_when),
    Column("end_at", "end"),
    Column("due_at", "due"),
    Column("done_at", "done"),
    Column("rrule", "repeats"),
    Column("exdates", "skipped", render=lambda v, _: _local_list(v)),
    Column("recurrence_at", "occurrence of"),
    Column("outcome"),
    Column("location"),
    Column("contact", "with"),
    Column("company"),
    Column("deal"),
    Column("lead"),
    Column("owner"),
    Column("notes"),
    Column("next_occurrences", "next"),
    Column("id"),
]


def show_written(ctx: typer.Context, row: dict[str, Any], message: str) -> None:
    """Confirm a write with the record as ``activity show`` would print it."""
    from crmcli.services.agenda import with_labels

    with book(ctx).read() as r:
        labelled = with_labels(r, [row])[0]
    labelled.pop("deleted_at", None)
    for clash in row.get("conflicts") or ():
        output.warn(clash["message"])
    output.done(message, labelled)


def _duration(text: str | None) -> Any:
    if text is None:
        return None
    from crmcli.clock import parse_duration

    return parse_duration(text)


@app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="call, meeting, task, email or note.")],
    subject: Annotated[str, typer.Argument(help="What it is about.")],
    start: Annotated[str | None, typer.Option(help="When: 'next monday 10:00', +3d, ISO.")] = None,
    end: Annotated[str | None, typer.Option(help="When it ends (or --duration).")] = None,
    duration: Annotated[str | None, typer.Option(help="Length: 30m, 1h30m, 2d.")] = None,
    all_day: Annotated[bool, typer.Option("--all-day", help="A whole-day event.")] = False,
    due: Annotated[str | None, typer.Option(help="Due time of a task.")] = None,
    with_: WithOpt = None,
    deal: DealOpt = None,
    company: CompanyOpt = None,
    lead: LeadOpt = None,
    owner: OwnerOpt = None,
    location: Annotated[str | None, typer.Option(help="Where.")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
    every: EveryOpt = None,
    rrule: RruleOpt = None,
    until: UntilOpt = None,
    count: CountOpt = None,
    at: AtOption = None,
    no_overlap: NoOverlapOpt = False,
) -> None:
    """Schedule an activity (possibly repeating); warns when it clashes with another."""
    from crmcli.services.activities import add_activity

    row = add_activity(
        book(ctx),
        kind=kind,
        subject=subject,
        start=when(start),
        end=when(end),
        duration=_duration(duration),
        all_day=all_day,
        due=when(due),
        contact=with_,
        deal=deal,
        company=company,
        lead=lead,
        owner=owner,
        location=location,
        notes=notes,
        every=every,
        rrule=rrule,
        until=when(until),
        count=count,
        at=when(at),
        no_overlap=no_overlap,
    )
    show_written(ctx, row, f"scheduled {row['kind']} {row['id'][:8]} {row['subject']!r}")


@app.command("list")
def list_(
    ctx: typer.Context,
    owner: OwnerOpt = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    with_: WithOpt = None,
    deal: DealOpt = None,
    company: CompanyOpt = None,
    lead: LeadOpt = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="From (repeating ones are expanded).")
    ] = None,
    to: Annotated[str | None, typer.Option(help="Up to (exclusive).")] = None,
    open_: Annotated[bool, typer.Option("--open", help="Only not done.")] = False,
    done_: Annotated[bool, typer.Option("--done", help="Only done.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue.")] = False,
    limit: LimitOption = 1000,
) -> None:
    """List activities (filters combine)."""
    from crmcli.errors import InvalidInput
    from crmcli.services.activities import list_activities

    states = [s for s, on in (("open", open_), ("done", done_), ("overdue", overdue)) if on]
    if len(states) > 1:
        raise InvalidInput("give one of --open, --done, --overdue")
    rows = list_activities(
        book(ctx),
        owner=owner,
        kind=kind,
        contact=with_,
        deal=deal,
        company=company,
        lead=lead,
        start=when(from_),
        end=when(to),
        state=states[0] if states else None,
        limit=limit,
    )
    output.emit_list(rows, COLUMNS, empty="no activities")


@app.command("show")
def show(ctx: typer.Context, handle: Handle, occurrence: OccurrenceOpt = None) -> None:
    """Show one activity (a repeating one lists its next occurrences)."""
    from crmcli.services.activities import show_activity

    row = show_activity(book(ctx), handle, occurrence=occurrence)
    row.pop("deleted_at", None)
    output.emit_object(row, FIELDS, title=row["subject"])


@app.command("done")
def done(
    ctx: typer.Context,
    handle: Handle,
    occurrence: OccurrenceOpt = None,
    outcome: Annotated[str | None, typer.Option(help="How it went: reached, voicemail…")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Open it again.")] = False,
    at: AtOption = None,
) -> None:
    """Mark an activity (or one occurrence) done."""
    from crmcli.services.activities import complete_activity

    row = complete_activity(
        book(ctx),
        handle,
        occurrence=occurrence,
        outcome=outcome,
        notes=notes,
        undo=undo,
        at=when(at),
    )
    show_written(ctx, row, f"{'reopened' if undo else 'done'}: {row['subject']} ({row['id'][:8]})")


@app.command("reschedule")
def reschedule(
    ctx: typer.Context,
    handle: Handle,
    start: Annotated[str | None, typer.Option(help="New start (keeps the length).")] = None,
    end: Annotated[str | None, typer.Option(help="New end.")] = None,
    duration: Annotated[str | None, typer.Option(help="New length: 45m.")] = None,
    due: Annotated[str | None, typer.Option(help="New due time (tasks).")] = None,
    occurrence: OccurrenceOpt = None,
    at: AtOption = None,
    no_overlap: NoOverlapOpt = False,
) -> None:
    """Move an activity, one occurrence, or a whole series; warns when it clashes."""
    from crmcli.services.activities import reschedule_activity

    row = reschedule_activity(
        book(ctx),
        handle,
        start=when(start),
        end=when(end),
        duration=_duration(duration),
        due=when(due),
        occurrence=occurrence,
        at=when(at),
        no_overlap=no_overlap,
    )
    show_written(ctx, row, f"rescheduled {row['subject']} ({row['id'][:8]})")
    if row.get("ical_sequence") is not None:
        output.note(
            f"it was sent as an invitation: send the update with "
            f"crm activity invite {row['id'][:8]} --ics update.ics"
        )


@app.command("edit")
def edit(
    ctx: typer.Context,
    handle: Handle,
    occurrence: OccurrenceOpt = None,
    kind: Annotated[str | None, typer.Option(help="New kind.")] = None,
    subject: Annotated[str | None, typer.Option(help="New subject.")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes ('' clears).")] = None,
    outcome: Annotated[str | None, typer.Option(help="Outcome ('' clears).")] = None,
    location: Annotated[str | None, typer.Option(help="Location ('' clears).")] = None,
    with_: Annotated[str | None, typer.Option("--with", help="Contact ('' unlinks).")] = None,
    deal: Annotated[str | None, typer.Option("--deal", help="Deal ('' unlinks).")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Company ('' unlinks).")] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="Lead ('' unlinks).")] = None,
    owner: OwnerOpt = None,
    every: EveryOpt = None,
    rrule: RruleOpt = None,
    until: UntilOpt = None,
    count: CountOpt = None,
    no_repeat: Annotated[bool, typer.Option("--no-repeat", help="Stop repeating.")] = False,
    at: AtOption = None,
) -> None:
    """Change an activity, one occurrence of it, or how a series repeats."""
    from crmcli.services.activities import edit_activity

    row = edit_activity(
        book(ctx),
        handle,
        occurrence=occurrence,
        kind=kind,
        subject=subject,
        notes=notes,
        outcome=outcome,
        location=location,
        contact=with_,
        deal=deal,
        company=company,
        lead=lead,
        owner=owner,
        every=every,
        rrule=rrule,
        until=when(until),
        count=count,
        no_repeat=no_repeat,
        at=when(at),
    )
    show_written(ctx, row, f"updated {row['subject']} ({row['id'][:8]})")


@app.command("delete")
def delete(
    ctx: typer.Context, handle: Handle, occurrence: OccurrenceOpt = None, at: AtOption = None
) -> None:
    """Delete an activity (a series with its exceptions), or skip one occurrence."""
    from crmcli.services.activities import delete_activity

    row = delete_activity(book(ctx), handle, occurrence=occurrence, at=when(at))
    what = f"skipped {row['handle']}" if row["id"] is None else f"deleted {row['id'][:8]}"
    if row["id"] is not None and row.get("ical_sequence") is not None:
        output.note(
            "it was sent as an invitation: tell the attendees with "
            f"crm activity invite {row['id'][:8]} --cancel --ics cancel.ics"
        )
    output.done(
        f"{what} {row['subject']!r} (undo: crm history)",
        {
            "id": row["id"] or row["series_id"],
            "handle": row.get("handle") or row["id"][:8],
            "deleted": row["id"] is not None,
            "recurrence_at": row.get("recurrence_at"),
        },
    )


@app.command("kinds")
def kinds(
    ctx: typer.Context,
    set_: Annotated[
        str | None,
        typer.Option("--set", help="Replace the list: 'call,meeting,task,email,note,demo'."),
    ] = None,
) -> None:
    """Show (or --set) the activity kinds this book accepts."""
    from crmcli.services.activities import activity_kinds, set_activity_kinds

    b = book(ctx)
    if set_ is not None:
        names = set_activity_kinds(b, set_.split(","))
    else:
        with b.read() as r:
            names = activity_kinds(r)
    output.emit_list([{"kind": k, "handle": k} for k in names], [Column("kind")])


@app.command("invite")
def invite(
    ctx: typer.Context,
    handle: Handle,
    ics: Annotated[
        str, typer.Option("--ics", help="File to write the invitation to (- for stdout).")
    ] = "-",
    cancel: Annotated[
        bool, typer.Option("--cancel", help="Call the meeting off: delete it, write the CANCEL.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Write the meeting's iTIP invitation (METHOD:REQUEST) for its contact and lead.

    After a reschedule the same command writes the update (a higher SEQUENCE); --cancel
    writes METHOD:CANCEL. Attach the file to an e-mail, or open it in a calendar.
    """
    from crmcli.services.calendar.invites import invite as service

    sent = service(book(ctx), handle, cancel=cancel, at=when(at))
    output.write_file(ics, sent.document)
    what = "cancellation" if sent.method == "CANCEL" else "invitation"
    record = {
        "id": sent.id,
        "handle": sent.handle,
        "subject": sent.subject,
        "method": sent.method,
        "sequence": sent.sequence,
        "organizer": sent.organizer,
        "attendees": sent.attendees,
        "file": None if ics == "-" else ics,
    }
    if ics == "-":
        return
    output.done(
        f"wrote the {what} of {sent.subject!r} (sequence {sent.sequence}) to {ics} "
        f"for {', '.join(sent.attendees)}",
        record,
    )
