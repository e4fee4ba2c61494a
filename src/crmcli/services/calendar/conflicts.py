"""Clashes: two timed activities of the same rep that overlap ("arrange events so that they
do not clash").

A timed activity has a start and an end after it and is not all-day (notes never clash).
Recurring series are expanded: a new series is checked occurrence by occurrence over the
next :data:`HORIZON_DAYS`, against singles and the occurrences of other series.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crmcli import clock
from crmcli.errors import Conflict
from crmcli.services import agenda, recurrence
from crmcli.services.book import Book
from crmcli.storage.db import Reader, Row

HORIZON_DAYS = 90  # how far ahead a new series is checked
MAX_OCCURRENCES = 200
LONGEST = timedelta(days=1)  # an activity starting this long before a slot may still overlap


@dataclass(frozen=True)
class Clash:
    """``subject`` (being added or moved, at ``start``–``end``) overlaps ``other``."""

    subject: str
    start: datetime
    end: datetime
    other_subject: str
    other_handle: str
    other_start: datetime
    other_end: datetime

    def describe(self) -> str:
        """One line naming both: what a warning or an error says."""
        when = f"{clock.to_local(self.start):%a %Y-%m-%d %H:%M}"
        span = f"{clock.to_local(self.other_start):%H:%M}–{clock.to_local(self.other_end):%H:%M}"
        return (
            f"{self.subject!r} on {when} overlaps {self.other_subject!r} "
            f"({span}, {self.other_handle})"
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape (``conflicts`` of ``activity add|reschedule``)."""
        return {
            "subject": self.subject,
            "start_at": self.start,
            "end_at": self.end,
            "other": self.other_subject,
            "other_handle": self.other_handle,
            "other_start_at": self.other_start,
            "other_end_at": self.other_end,
            "message": self.describe(),
        }


def is_timed(row: Row) -> bool:
    """Whether ``row`` occupies a slot of its owner's day."""
    start, end = row.get("start_at"), row.get("end_at")
    return (
        start is not None
        and end is not None
        and end > start
        and not row.get("all_day")
        and row.get("kind") != "note"
    )


def slots(row: Row, *, now: datetime | None = None) -> list[tuple[datetime, datetime]]:
    """The (start, end) slots of a timed activity: one, or a series' coming occurrences."""
    if not is_timed(row):
        return []
    start, end = row["start_at"], row["end_at"]
    length = end - start
    if not row.get("rrule"):
        return [(start, end)]
    first = max(start, (now or clock.now()) - length)
    found = recurrence.occurrences(
        row["rrule"],
        start,
        first,
        first + timedelta(days=HORIZON_DAYS),
        exdates=recurrence.parse_exdates(row.get("exdates")),
    )
    return [(at, at + length) for at in found[:MAX_OCCURRENCES]]


def _label(row: Row) -> str:
    from crmcli.services.handles import short

    return str(row.get("handle") or short(row["id"]))


def clashes(
    reader: Reader,
    candidate: Row,
    *,
    ignore: Iterable[str | None] = (),
) -> list[Clash]:
    """What ``candidate`` (its ``owner_id``, times and ``rrule``) would overlap.

    ``ignore``: ids of the activity itself and of its series (never a clash with itself).
    """
    wanted = slots(candidate)
    owner = candidate.get("owner_id")
    if not wanted or owner is None:
        return []
    skip = {i for i in ignore if i}
    others = [
        row
        for row in agenda.between(  # the agenda expands the other series
            reader,
            wanted[0][0] - LONGEST,
            wanted[-1][1],
            where=("deleted_at IS NULL", "owner_id = ?"),
            params=(owner,),
        )
        if is_timed(row) and not ({row.get("id"), row.get("series_id")} & skip)
    ]
    found: list[Clash] = []
    for start, end in wanted:
        for other in others:
            if other["start_at"] < end and other["end_at"] > start:
                found.append(
                    Clash(
                        subject=candidate["subject"],
                        start=start,
                        end=end,
                        other_subject=other["subject"],
                        other_handle=_label(other),
                        other_start=other["start_at"],
                        other_end=other["end_at"],
                    )
                )
    return found


def refuse(found: Sequence[Clash]) -> None:
    """``--no-overlap``: a clash is a conflict (exit 3) naming the other activity."""
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise Conflict(
            found[0].describe() + more,
            hint="choose another time (crm agenda --week shows the day), or drop --no-overlap",
        )


@dataclass(frozen=True)
class AgendaClash:
    """Two items of one rep's agenda that overlap."""

    owner: str | None
    first: Row
    second: Row


def among(items: Sequence[Row]) -> list[AgendaClash]:
    """Overlapping pairs among agenda items (same owner), earliest first."""
    timed = sorted((i for i in items if is_timed(i)), key=lambda i: (i["start_at"], i["end_at"]))
    out: list[AgendaClash] = []
    open_items: list[Row] = []
    for item in timed:
        open_items = [o for o in open_items if o["end_at"] > item["start_at"]]
        for other in open_items:
            if other.get("owner_id") == item.get("owner_id"):
                out.append(AgendaClash(owner=item.get("owner"), first=other, second=item))
        open_items.append(item)
    return out


def agenda_clashes(
    book: Book,
    *,
    view: agenda.View = "day",
    day: Any = None,
    owner: str | None = None,
    everyone: bool = False,
) -> list[Row]:
    """``crm agenda --conflicts``: the overlapping pairs of the agenda's range, as rows."""
    doc = agenda.agenda(book, view=view, day=day, owner=owner, everyone=everyone)
    rows = []
    for pair in among(doc["items"]):
        first, second = pair.first, pair.second
        rows.append(
            {
                "handle": second["handle"],
                "when": second["start_at"],
                "until": min(first["end_at"], second["end_at"]),
                "owner": second.get("owner"),
                "subject": second["subject"],
                "overlaps": first["subject"],
                "overlaps_handle": first["handle"],
            }
        )
    return rows
