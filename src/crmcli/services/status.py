"""``crm status``: the rep's day (or, with ``--team``, the team's) on one screen.

Every piece comes from the service that owns it: the agenda (today, overdue), deals (idle
deals, deals closing this month), the board (pipeline by stage) and quotas (attainment).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.periods import Period, period_of
from crmcli.services.book import Book
from crmcli.services.briefing import DealSummary, Interaction, deal_summary, interaction
from crmcli.storage.db import Reader

IDLE_SHOWN = 10
CLOSING_SHOWN = 20


@dataclass(frozen=True)
class StageTotal:
    """One open stage of the default pipeline: how many deals, how much, weighted."""

    stage: str
    count: int
    amount: Decimal
    weighted_amount: Decimal
    currency: str
    rotting: int


@dataclass(frozen=True)
class Attainment:
    """Won this period against the quota (deals won in the quota's currency)."""

    period: str
    start: date
    end: date
    quota: Decimal
    won: Decimal
    currency: str
    attainment: float | None  # won / quota


@dataclass(frozen=True)
class RepStatus:
    """One rep's line in ``crm status --team``."""

    user: str
    name: str
    team: str | None
    today: int
    overdue: int
    open_deals: int
    idle_deals: int
    attainment: Attainment | None


@dataclass(frozen=True)
class Status:
    """What ``crm status`` shows."""

    day: date
    user: str | None  # None: the whole team
    agenda: tuple[Interaction, ...]
    overdue: tuple[Interaction, ...]
    idle_deals: tuple[DealSummary, ...]
    closing_this_month: tuple[DealSummary, ...]
    pipeline: tuple[StageTotal, ...]
    attainment: Attainment | None
    team: tuple[RepStatus, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def status(book: Book, *, team: bool = False) -> Status:
    """Today for the acting rep; ``team``: for everyone, with one line per active rep."""
    from crmcli.services import agenda, board, deals

    today = clock.today()
    me = book.actor["username"]
    owner = None if team else me
    # A team's day is its per-rep counts (``team``): listing every rep's agenda and overdue
    # items would expand every recurring series of the book for a screen nobody reads.
    items = [] if team else agenda.agenda(book, view="day", day=today, owner=owner)["items"]
    late = [] if team else agenda.overdue(book, owner=owner)
    idle = deals.list_deals(book, owner=owner, rotting=True, sort="updated", limit=IDLE_SHOWN)
    pipeline = board.board(book, owner=owner, cards=0)
    month = period_of("month", today)
    quarter = period_of("quarter", today)
    with book.read() as r:
        closing = _closing(r, month, owner_id=None if team else book.actor["id"])
        closing_views = deals.views(r, closing)
        reps = _reps(r)
        mine = None if team else attainment(r, user_id=book.actor["id"], period=quarter)
        lines = _team_lines(r, reps, day=today, period=quarter) if team else ()
    return Status(
        day=today,
        user=owner,
        agenda=tuple(interaction(a) for a in items),
        overdue=tuple(interaction(a) for a in late),
        idle_deals=tuple(deal_summary(v) for v in idle),
        closing_this_month=tuple(deal_summary(v) for v in closing_views),
        pipeline=tuple(
            StageTotal(
                stage=s["stage"],
                count=s["count"],
                amount=s["amount"],
                weighted_amount=s["weighted_amount"],
                currency=s["currency"],
                rotting=s["rotting"],
            )
            for s in pipeline["stages"]
        ),
        attainment=mine,
        team=lines,
    )


def _closing(r: Reader, month: Period, *, owner_id: str | None) -> list[dict[str, Any]]:
    owner = " AND owner_id = ?" if owner_id else ""
    return r.rows(
        "SELECT * FROM deals WHERE expected_close >= ? AND expected_close <= ? "
        f"AND status = 'open' AND deleted_at IS NULL{owner} ORDER BY expected_close, name LIMIT ?",
        (month.start, month.end, *((owner_id,) if owner_id else ()), CLOSING_SHOWN),
    )


def _reps(r: Reader) -> list[dict[str, Any]]:
    return r.rows(
        "SELECT id, username, name, team FROM users WHERE active = ? AND deleted_at IS NULL "
        "ORDER BY team, username",
        (True,),
    )


def attainment(r: Reader, *, user_id: str, period: Period) -> Attainment | None:
    """``user_id``'s quota for ``period`` and what they won in it (None without a quota)."""
    from crmcli.money import from_milli
    from crmcli.services.quotas import quota_for

    quota = quota_for(r, user_id=user_id, period=period)
    if quota is None:
        return None
    currency = str(
        r.scalar(
            "SELECT currency FROM quotas WHERE user_id = ? AND deleted_at IS NULL LIMIT 1",
            (user_id,),
        )
    )
    from crmcli.services.agenda import window

    start, end = window("day", period.start)[0], window("day", period.end)[1]
    won_milli = r.scalar(
        "SELECT coalesce(sum(amount_milli), 0) FROM deals WHERE owner_id = ? AND status = 'won' "
        "AND currency = ? AND closed_at >= ? AND closed_at < ? AND deleted_at IS NULL",
        (user_id, currency, start, end),
    )
    won = from_milli(int(won_milli or 0), currency) or Decimal(0)
    return Attainment(
        period=period.label,
        start=period.start,
        end=period.end,
        quota=quota,
        won=won,
        currency=currency,
        attainment=float(won / quota) if quota else None,
    )


def _team_lines(
    r: Reader, reps: list[dict[str, Any]], *, day: date, period: Period
) -> tuple[RepStatus, ...]:
    """One line per rep from grouped counts (a handful of queries, whatever the team's size).

    ``today`` counts the day's one-off activities; a rep's own ``crm status`` also expands
    their recurring series."""
    from crmcli.services.agenda import window
    from crmcli.services.deals import IDLE_SQL, all_stages

    now = clock.now()
    start, end = window("day", day)
    today: dict[str, int] = {}
    for column in ("start_at", "due_at"):
        other = "" if column == "start_at" else " AND start_at IS NULL"
        for row in r.rows(
            f"SELECT owner_id, count(*) AS n FROM activities WHERE {column} >= ? "
            f"AND {column} < ?{other} AND rrule IS NULL AND deleted_at IS NULL GROUP BY owner_id",
            (start, end),
        ):
            today[row["owner_id"] or ""] = today.get(row["owner_id"] or "", 0) + row["n"]
    late: dict[str, int] = {}
    for part in (
        "due_at < ?",  # the (done_at, due_at) index, as the agenda's overdue query
        "due_at IS NULL AND start_at < ?",
    ):
        for row in r.rows(
            f"SELECT owner_id, count(*) AS n FROM activities WHERE done_at IS NULL AND {part} "
            "AND rrule IS NULL AND kind <> 'note' AND deleted_at IS NULL GROUP BY owner_id",
            (now,),
        ):
            late[row["owner_id"] or ""] = late.get(row["owner_id"] or "", 0) + row["n"]
    open_deals = {
        row["owner_id"]: row["n"]
        for row in r.rows(
            "SELECT owner_id, count(*) AS n FROM deals WHERE status = 'open' "
            "AND deleted_at IS NULL GROUP BY owner_id"
        )
    }
    idle: dict[str, int] = {}
    for stage in all_stages(r).values():
        if stage["kind"] != "open" or not stage["rotting_days"] or stage["deleted_at"]:
            continue
        cutoff = now - timedelta(days=stage["rotting_days"])
        for row in r.rows(
            "SELECT owner_id, count(*) AS n FROM deals WHERE status = 'open' AND stage_id = ? "
            f"AND deleted_at IS NULL AND {IDLE_SQL} GROUP BY owner_id",
            (stage["id"], cutoff, cutoff),
        ):
            idle[row["owner_id"] or ""] = idle.get(row["owner_id"] or "", 0) + row["n"]
    return tuple(
        RepStatus(
            user=rep["username"],
            name=rep["name"],
            team=rep["team"],
            today=today.get(rep["id"], 0),
            overdue=late.get(rep["id"], 0),
            open_deals=open_deals.get(rep["id"], 0),
            idle_deals=idle.get(rep["id"], 0),
            attainment=attainment(r, user_id=rep["id"], period=period),
        )
        for rep in reps
    )
