"""``crm status``: the rep's day (or, with ``--team``, the team's) on one screen.

The rep's agenda and overdue items come from the agenda, the pipeline by stage from the
board, quotas from quotas. Idle deals, deals closing this month and the team's lines are
queried here with the owners' rules (``deals.IDLE_SQL``, ``agenda.is_overdue``, the quota
roll-up): one aggregate per column grouped by owner, each through an index that holds what
it reads, so ``--team`` costs a handful of queries whatever the team's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crmcli import clock
from crmcli.periods import Period, period_of
from crmcli.services.book import Book
from crmcli.services.briefing import DealSummary, Interaction, deal_summary, interaction
from crmcli.storage.db import Reader, Row

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
        document: dict[str, Any] = _plain(self)
        return document


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies (every value here is immutable): a
    rep's long overdue list converts in a fifth of the time."""
    names = getattr(value, "__dataclass_fields__", None)
    if names is not None and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def status(book: Book, *, team: bool = False) -> Status:
    """Today for the acting rep; ``team``: for everyone, with one line per active rep."""
    from crmcli.services import agenda, board, deals

    today = clock.today()
    now = clock.now()
    me = book.actor["username"]
    owner = None if team else me
    owner_id = None if team else book.actor["id"]
    # A team's day is its per-rep counts (``team``): listing every rep's agenda and overdue
    # items would expand every recurring series of the book for a screen nobody reads.
    items = [] if team else agenda.agenda(book, view="day", day=today, owner=owner)["items"]
    late = [] if team else agenda.overdue(book, owner=owner)
    pipeline = board.board(book, owner=owner, cards=0)
    month = period_of("month", today)
    quarter = period_of("quarter", today)
    with book.read() as r:
        stages = deals.all_stages(r)
        idle = _idle_page(r, stages, now=now, owner_id=owner_id)
        idle_views = deals.views(r, idle, now=now, stages=stages)
        closing = _closing(r, month, owner_id=owner_id)
        closing_views = deals.views(r, closing, now=now, stages=stages)
        mine = None if owner_id is None else attainment(r, user_id=owner_id, period=quarter)
        lines = _team_lines(r, stages, day=today, now=now, period=quarter) if team else ()
    return Status(
        day=today,
        user=owner,
        agenda=tuple(interaction(a) for a in items),
        overdue=tuple(interaction(a) for a in late),
        idle_deals=tuple(deal_summary(v) for v in idle_views),
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


def _idle_deals(
    stages: dict[str, Row], *, now: datetime, columns: str, owner_id: str | None
) -> tuple[str, list[Any]]:
    """A SELECT of ``columns`` of the idle open deals (``crm deal list --rotting``), one arm
    per stage with a threshold: each arm is a range of the board index, which holds every
    column the rule reads, so only the idle deals themselves are looked up."""
    from crmcli.services.deals import IDLE_SQL

    owner = " AND owner_id = ?" if owner_id else ""
    arms: list[str] = []
    params: list[Any] = []
    for stage in stages.values():
        if stage["deleted_at"] or stage["kind"] != "open" or not stage["rotting_days"]:
            continue
        cutoff = now - timedelta(days=stage["rotting_days"])
        arms.append(
            f"SELECT {columns} FROM deals WHERE status = 'open' AND stage_id = ? "
            f"AND deleted_at IS NULL{owner} AND {IDLE_SQL}"
        )
        params += [stage["id"], *((owner_id,) if owner_id else ()), cutoff, cutoff]
    if not arms:
        return f"SELECT {columns} FROM deals WHERE 1 = 0", []
    return " UNION ALL ".join(arms), params


def _idle_page(
    r: Reader, stages: dict[str, Row], *, now: datetime, owner_id: str | None
) -> list[Row]:
    """The most recently updated idle deals, as ``crm deal list --rotting`` orders them."""
    from crmcli.services.deals import SORTS

    order = SORTS["updated"]
    arms, params = _idle_deals(stages, now=now, columns="id, updated_at", owner_id=owner_id)
    # The page's ids first: reading every idle deal whole to sort them costs twice as much.
    page = [
        row["id"]
        for row in r.rows(
            f"SELECT id FROM ({arms}) AS idle ORDER BY {order} LIMIT ?", (*params, IDLE_SHOWN)
        )
    ]
    if not page:
        return []
    marks = ", ".join("?" * len(page))
    return r.rows(f"SELECT * FROM deals WHERE id IN ({marks}) ORDER BY {order}", page)


def _closing(r: Reader, month: Period, *, owner_id: str | None) -> list[dict[str, Any]]:
    # One rep's deals come through the (owner, status) index; the team's through the
    # expected_close range: coalesce(status, NULL) keeps SQLite off the status index, which
    # would read every open deal of the book to sort them.
    owner = (
        " AND owner_id = ? AND status = 'open'"
        if owner_id
        else " AND coalesce(status, NULL) = 'open'"
    )
    return r.rows(
        "SELECT * FROM deals WHERE expected_close >= ? AND expected_close <= ? "
        f"AND deleted_at IS NULL{owner} ORDER BY expected_close, name LIMIT ?",
        (month.start, month.end, *((owner_id,) if owner_id else ()), CLOSING_SHOWN),
    )


def _reps(r: Reader) -> list[dict[str, Any]]:
    return r.rows(
        "SELECT id, username, name, team FROM users WHERE active = ? AND deleted_at IS NULL "
        "ORDER BY team, username",
        (True,),
    )


def _won_sql(owner: str) -> str:
    return (
        f"SELECT {owner}currency, coalesce(sum(amount_milli), 0) AS won FROM deals "
        "WHERE status = 'won' AND closed_at >= ? AND closed_at < ? AND deleted_at IS NULL"
    )


def _period_bounds(period: Period) -> tuple[datetime, datetime]:
    from crmcli.services.agenda import window

    return window("day", period.start)[0], window("day", period.end)[1]


def _attainment(period: Period, quota: Decimal, currency: str, won_milli: int) -> Attainment:
    from crmcli.money import from_milli

    won = from_milli(won_milli, currency) or Decimal(0)
    return Attainment(
        period=period.label,
        start=period.start,
        end=period.end,
        quota=quota,
        won=won,
        currency=currency,
        attainment=float(won / quota) if quota else None,
    )


def attainment(r: Reader, *, user_id: str, period: Period) -> Attainment | None:
    """``user_id``'s quota for ``period`` and what they won in it (None without a quota)."""
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
    won = r.row(
        _won_sql("") + " AND owner_id = ? AND currency = ? GROUP BY currency",
        (*_period_bounds(period), user_id, currency),
    )
    return _attainment(period, quota, currency, int(won["won"]) if won else 0)


def _team_lines(
    r: Reader, stages: dict[str, Row], *, day: date, now: datetime, period: Period
) -> tuple[RepStatus, ...]:
    """One line per rep: one aggregate per column, grouped by owner, whatever the team's size.

    ``today`` counts the day's one-off activities; a rep's own ``crm status`` also expands
    their recurring series."""
    from crmcli.services.agenda import window
    from crmcli.services.quotas import quotas_for_period

    start, end = window("day", day)
    # The day's activities come from the reports' index on coalesce(start_at, due_at), which
    # holds their owner and tombstone; the day's series (few: the rrule index) are taken out.
    # "rrule IS NULL" in the first query would steer SQLite to the rrule index instead (almost
    # every row has rrule NULL), and a lookup of each of the day's rows costs 4x the query.
    day_range = "coalesce(start_at, due_at) >= ? AND coalesce(start_at, due_at) < ?"
    today = _by_owner(
        r,
        f"SELECT owner_id, count(*) AS n FROM activities WHERE {day_range} "
        "AND deleted_at IS NULL GROUP BY owner_id",
        (start, end),
    )
    series = _by_owner(
        r,
        "WITH series AS MATERIALIZED (SELECT owner_id, start_at, due_at, deleted_at "
        f"FROM activities WHERE rrule >= ?) SELECT owner_id, count(*) AS n FROM series "
        f"WHERE {day_range} AND deleted_at IS NULL GROUP BY owner_id",
        ("", start, end),
    )
    for rep_id, n in series.items():
        today[rep_id] = today.get(rep_id, 0) - n
    late = _overdue(r, now=now)
    open_deals = _by_owner(
        r,
        "SELECT owner_id, count(*) AS n FROM deals WHERE status = 'open' "
        "AND deleted_at IS NULL GROUP BY owner_id",
    )
    idle_sql, idle_params = _idle_deals(stages, now=now, columns="owner_id", owner_id=None)
    idle = _by_owner(
        r,
        f"SELECT owner_id, count(*) AS n FROM ({idle_sql}) AS idle GROUP BY owner_id",
        idle_params,
    )
    quotas = quotas_for_period(r, period=period)
    won = {
        (row["owner_id"], row["currency"]): int(row["won"])
        for row in r.rows(
            _won_sql("owner_id, ") + " GROUP BY owner_id, currency", _period_bounds(period)
        )
    }
    lines = []
    for rep in _reps(r):
        quota = quotas.get(rep["id"])
        lines.append(
            RepStatus(
                user=rep["username"],
                name=rep["name"],
                team=rep["team"],
                today=today.get(rep["id"], 0),
                overdue=late.get(rep["id"], 0),
                open_deals=open_deals.get(rep["id"], 0),
                idle_deals=idle.get(rep["id"], 0),
                attainment=None
                if quota is None
                else _attainment(period, *quota, won.get((rep["id"], quota[1]), 0)),
            )
        )
    return tuple(lines)


# The agenda's overdue rule (agenda.is_overdue) for one-off activities.
_OPEN_ITEMS = "done_at IS NULL AND rrule IS NULL AND kind <> 'note' AND deleted_at IS NULL"


def _overdue(r: Reader, *, now: datetime) -> dict[str, int]:
    """Each rep's overdue one-off activities: open, not a note, past their due time, else
    (no due time) past their start — one range read of the partial index
    ``ix_activities_open_items``, which holds exactly such items with that moment."""
    return _by_owner(
        r,
        "SELECT owner_id, count(*) AS n FROM activities "
        f"WHERE done_at IS NULL AND coalesce(due_at, start_at) < ? AND {_OPEN_ITEMS} "
        "GROUP BY owner_id",
        (now,),
    )


def _by_owner(r: Reader, statement: str, params: Sequence[Any] = ()) -> dict[str, int]:
    return {row["owner_id"] or "": int(row["n"]) for row in r.rows(statement, params)}
