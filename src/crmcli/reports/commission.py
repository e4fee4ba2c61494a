"""Commission statements (SPEC §5): one per rep per period, every line checkable by hand.

How a statement is made:

1. **One query for all reps** gives what each rep is credited with: deals won in the period
   (plans with trigger ``won``) or payments received in it, refunds negative (``paid``),
   per rep and deal, times the rep's split share (the owner has 100% unless the deal has
   revenue splits; overlays come on top). See :data:`WON_SQL` and :data:`PAID_SQL`.
2. Each credit is paid on the plan in force for the rep on its day (close or payment
   date); credits on a day no plan (or no plan with that trigger) covers are not counted.
3. :mod:`crmcli.reports.commission_math` prices the credits: tiers, accelerator, cap,
   half-up rounding per line; the total is the sum of the lines.
4. In the **first open period** (the one holding the day after the last closed period)
   the statement adds ``clawback`` and ``adjustment`` lines for what closed periods paid
   that no longer holds (a deal reopened, lost, refunded, re-priced or re-split), priced at
   the rate the deal was paid at. Closed periods themselves are frozen
   (``commission_statements``/``commission_lines``) and shown as they were paid.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from crmcli import clock
from crmcli.errors import InvalidInput
from crmcli.money import round_money
from crmcli.periods import Period, parse_period
from crmcli.reports.commission_math import (
    Credit,
    Line,
    Piece,
    marginal_rate,
    price_pieces,
)
from crmcli.services.book import Book
from crmcli.services.commission.plans import (
    Assignment,
    Plan,
    load_assignments,
    load_plans,
    plain,
)
from crmcli.services.handles import short
from crmcli.services.quotas import quotas_for_period
from crmcli.services.users import find_owner
from crmcli.storage.db import Reader, as_datetime

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MILLI = Decimal(1000)  # stored money is thousandths of the unit
RATE_PLACES = Decimal("0.000001")  # a blended (paid) rate, shown to six places

# Deals won in [start, end): the owner's 100% when the deal has no revenue split, plus one
# row per split (revenue and overlay). Amounts stay stored integers; shares exact text;
# ``at`` is an expression so SQLite returns its stored canonical text (no DATETIME
# conversion per row: :func:`local_days` compares the text itself).
WON_SQL = """
SELECT d.id AS deal_id, d.name AS deal, d.currency AS currency, d.amount_milli AS amount_milli,
       COALESCE(d.closed_at, NULL) AS at, d.owner_id AS user_id, NULL AS share_pct,
       'owner' AS split, 0 AS refund
FROM deals d
WHERE d.status = 'won' AND d.deleted_at IS NULL AND d.closed_at >= ? AND d.closed_at < ?
  AND d.owner_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM deal_splits s WHERE s.deal_id = d.id AND s.kind = 'revenue'
                  AND s.deleted_at IS NULL)
UNION ALL
SELECT d.id, d.name, d.currency, d.amount_milli, d.closed_at, s.user_id, s.share_pct, s.kind, 0
FROM deals d JOIN deal_splits s ON s.deal_id = d.id AND s.deleted_at IS NULL
WHERE d.status = 'won' AND d.deleted_at IS NULL AND d.closed_at >= ? AND d.closed_at < ?
"""
# Payments received in [start, end), summed per deal, currency and sign (refunds apart, so a
# refund shows as its own clawback line), then credited like deals.
PAID_SQL = """
WITH paid AS (
  SELECT deal_id, currency, CASE WHEN amount_milli < 0 THEN 1 ELSE 0 END AS refund,
         SUM(amount_milli) AS amount_milli, MIN(paid_at) AS at
  FROM payments WHERE deleted_at IS NULL AND paid_at >= ? AND paid_at < ?
  GROUP BY deal_id, currency, CASE WHEN amount_milli < 0 THEN 1 ELSE 0 END
)
SELECT p.deal_id, d.name AS deal, p.currency, p.amount_milli, p.at, d.owner_id AS user_id,
       NULL AS share_pct, 'owner' AS split, p.refund
FROM paid p JOIN deals d ON d.id = p.deal_id
WHERE d.deleted_at IS NULL AND d.owner_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM deal_splits s WHERE s.deal_id = d.id AND s.kind = 'revenue'
                  AND s.deleted_at IS NULL)
UNION ALL
SELECT p.deal_id, d.name, p.currency, p.amount_milli, p.at, s.user_id, s.share_pct, s.kind,
       p.refund
FROM paid p JOIN deals d ON d.id = p.deal_id
JOIN deal_splits s ON s.deal_id = p.deal_id AND s.deleted_at IS NULL
WHERE d.deleted_at IS NULL
"""


class PeriodView(TypedDict):
    label: str
    # "from" and "to" are keywords in Python; the JSON keys are added by ``period_view``.


class LineView(TypedDict):
    deal: str | None
    deal_id: str | None
    handle: str | None
    kind: str
    date: date | None
    split: str | None
    share: Decimal | None
    plan: str | None
    basis: Decimal
    rate: Decimal
    amount: Decimal
    above_quota: bool
    capped: bool
    origin: str | None


class StatementView(TypedDict):
    """One rep's statement (SPEC §5 shape, plus fields)."""

    rep: str
    rep_id: str
    name: str | None
    team: str | None
    plan: str | None
    plans: list[str]
    currency: str
    quota: Decimal | None
    basis: Decimal
    attainment: float | None
    total: Decimal
    lines: list[LineView]


class CommissionReport(TypedDict):
    """``crm report commission``: the period and a statement per rep."""

    period: dict[str, str]
    currency: str
    closed: bool
    closed_at: datetime | None
    first_open: bool
    statements: list[StatementView]


@dataclass(frozen=True)
class ClosedPeriod:
    """A period whose statements are frozen."""

    id: str
    label: str
    kind: str
    start: date
    end: date
    closed_at: datetime

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.label, self.kind)  # type: ignore[arg-type]


# -- small helpers ---------------------------------------------------------------------
def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the user's zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=clock.local_zone()).astimezone(UTC)


def bounds(period: Period) -> tuple[datetime, datetime]:
    """``[start, end)`` of the period as UTC instants (the user's days)."""
    return day_start(period.start), day_start(period.end + timedelta(days=1))


def period_view(period: Period) -> dict[str, str]:
    return {"label": period.label, "from": period.start.isoformat(), "to": period.end.isoformat()}


def shown(value: Decimal) -> Decimal:
    """An exact amount with at least two decimals (``28800`` → ``28800.00``)."""
    cents = value.quantize(Decimal("0.01"))
    return cents if cents == value else plain(value)


class Converter:
    """Amounts into a plan's currency at the rate in force on the credit's day.

    The one conversion point of the statements: single-currency books need none; other
    currencies use the dated exchange rates of ``crm currency rate set``
    (``services.currency.load_rates``, loaded once per target currency). Where that
    service is not installed, a foreign credit is a one-line error.
    """

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._rates: dict[str, Any] = {}

    def __call__(self, amount: Decimal, currency: str, target: str, day: date) -> Decimal:
        if currency == target:
            return amount
        if target not in self._rates:
            import importlib.util

            if importlib.util.find_spec("crmcli.services.currency") is None:
                raise InvalidInput(
                    f"a credit in {currency} cannot be paid on a plan in {target} "
                    "without exchange rates",
                    hint="keep deals and plans in one currency",
                )
            rates = importlib.import_module("crmcli.services.currency")
            self._rates[target] = rates.load_rates(self.reader, base=target)
        converted: Decimal = self._rates[target].convert(amount, currency, day)
        return converted


def reporting_currency() -> str:
    """The currency reports add up in (``crm config set reporting_currency``)."""
    from crmcli import settings  # reads the config file: only when a report runs

    return str(settings.get("reporting_currency") or "EUR").upper()


def closed_periods(reader: Reader) -> list[ClosedPeriod]:
    """Every closed period, oldest first."""
    return [
        ClosedPeriod(r["id"], r["label"], r["kind"], r["start_date"], r["end_date"], r["closed_at"])
        for r in reader.rows(
            "SELECT id, label, kind, start_date, end_date, closed_at FROM commission_periods "
            "WHERE deleted_at IS NULL ORDER BY start_date"
        )
    ]


def first_open_day(closed: Sequence[ClosedPeriod]) -> date | None:
    """The day after the last closed period: its period takes clawbacks and adjustments."""
    return max(c.end for c in closed) + timedelta(days=1) if closed else None


def local_days(period: Period) -> Callable[[Any], date]:
    """The user's day of a stored instant in ``period``: a search among the period's
    midnights (in UTC), far cheaper than a time-zone conversion per row."""
    days = [period.start + timedelta(days=n) for n in range(period.days + 1)]
    midnights = [day_start(day) for day in days]
    # Stored times are fixed-width UTC text (storage.db), so text order is time order.
    texts = [m.isoformat(timespec="microseconds") for m in midnights]
    width = len(texts[0])
    inside = len(days) - 1

    def day_of(value: Any) -> date:
        if type(value) is str and len(value) == width and value.endswith("+00:00"):
            index = bisect_right(texts, value) - 1
            if 0 <= index < inside:
                return days[index]
        moment = as_datetime(value)
        assert moment is not None
        index = bisect_right(midnights, moment) - 1
        if 0 <= index < inside:
            return days[index]
        return clock.to_local(moment).date()  # outside the period: convert it

    return day_of


# -- credits ---------------------------------------------------------------------------
def credit_rows(reader: Reader, period: Period, *, paid: bool) -> list[tuple[Any, ...]]:
    """The rows of the credit query for ``period`` (all reps), as tuples in the queries'
    column order: deal_id, deal, currency, amount_milli, at, user_id, share_pct, split,
    refund."""
    start, end = bounds(period)
    if paid:
        return reader.tuples(PAID_SQL, (start, end), scan=True)
    return reader.tuples(WON_SQL, (start, end, start, end), scan=True)


def plan_on(assignments: Sequence[Assignment], plans: dict[str, Plan], day: date) -> Plan | None:
    for assignment in assignments:
        if assignment.covers(day):
            return plans.get(assignment.plan_id)
    return None


def gather_credits(
    reader: Reader,
    period: Period,
    in_force: dict[str, list[Assignment]],
    plans: dict[str, Plan],
) -> dict[str, list[Credit]]:
    """Per rep, what they are credited with in ``period`` on the plan in force that day."""
    triggers = {plans[a.plan_id].trigger for items in in_force.values() for a in items}
    credits: dict[str, list[Credit]] = defaultdict(list)
    day_of = local_days(period)
    convert = Converter(reader)
    on_day: dict[tuple[str, date], Plan | None] = {}  # the plan in force, per rep and day
    whole = {
        user_id: plans[items[0].plan_id]
        for user_id, items in in_force.items()
        if len(items) == 1 and items[0].covers(period.start) and items[0].covers(period.end)
    }
    shares: dict[Any, Decimal] = {None: HUNDRED}  # share_pct text → percent, once each
    for trigger in sorted(triggers):
        paid = trigger == "paid"
        for deal_id, deal, currency, milli, at, user_id, share_pct, split, refund in credit_rows(
            reader, period, paid=paid
        ):
            assignments = in_force.get(user_id)
            if not assignments:
                continue
            day = day_of(at)
            plan: Plan | None = whole.get(user_id)
            if plan is None:  # more than one plan in the period: the one in force that day
                key = (user_id, day)
                if key not in on_day:
                    on_day[key] = plan_on(assignments, plans, day)
                plan = on_day[key]
            if plan is None or plan.trigger != trigger:
                continue
            share = shares.get(share_pct)
            if share is None:
                share = shares[share_pct] = Decimal(share_pct)
            amount = Decimal(milli) / MILLI
            if currency != plan.currency:
                amount = convert(amount, currency, plan.currency, day)
            credits[user_id].append(
                Credit(
                    deal_id,
                    deal,
                    day,
                    amount if share_pct is None else amount * share / HUNDRED,  # owner: 100%
                    plan,
                    "clawback" if refund else "commission",
                    split,
                    share,
                )
            )
    return credits


def _in_force(
    assignments: dict[str, list[Assignment]],
    plans: dict[str, Plan],
    period: Period,
    users: Iterable[str],
) -> dict[str, list[Assignment]]:
    out: dict[str, list[Assignment]] = {}
    for user_id in users:
        items = [
            a
            for a in assignments.get(user_id, [])
            if a.plan_id in plans and a.overlaps(period.start, period.end)
        ]
        if items:
            out[user_id] = items
    return out


# -- clawbacks and adjustments -----------------------------------------------------------
@dataclass
class _Paid:
    basis: Decimal = ZERO
    amount: Decimal = ZERO
    deal: str | None = None


def adjustments(
    reader: Reader,
    closed: Sequence[ClosedPeriod],
    users: set[str],
    assignments: dict[str, list[Assignment]],
    plans: dict[str, Plan],
) -> dict[str, list[Line]]:
    """Lines correcting what closed periods paid, per rep (for the first open period).

    Per rep, deal and closed period: what it paid (its frozen lines plus earlier
    corrections) against what it would pay on today's data. A deal no longer credited
    there is clawed back in full; a changed basis is adjusted at the rate it was paid at;
    a credit the period never paid (a rep added to a split) at the rep's marginal rate
    where their frozen statement ended.
    """
    paid: dict[tuple[str, str, str], _Paid] = defaultdict(_Paid)
    for row in reader.rows(
        "SELECT l.user_id, l.deal_id, l.deal, l.basis, l.amount_milli, "
        "COALESCE(l.origin, p.label) AS origin FROM commission_lines l "
        "JOIN commission_periods p ON p.id = l.period_id "
        "WHERE l.deal_id IS NOT NULL AND l.deleted_at IS NULL AND p.deleted_at IS NULL"
    ):
        if row["user_id"] not in users:
            continue
        item = paid[(row["user_id"], row["deal_id"], row["origin"])]
        item.basis += Decimal(row["basis"])
        item.amount += Decimal(int(row["amount_milli"])).scaleb(-3)
        item.deal = row["deal"]
    current: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    credited_plan: dict[tuple[str, str, str], Plan] = {}
    for period in closed:
        in_force = _in_force(assignments, plans, period.period, users)
        for user_id, credits in gather_credits(reader, period.period, in_force, plans).items():
            for credit in credits:
                key = (user_id, credit.deal_id, period.label)
                current[key] += credit.basis
                credited_plan[key] = credit.plan
    frozen = {
        (r["user_id"], r["label"]): r
        for r in reader.rows(
            "SELECT s.user_id, s.basis, s.quota_milli, s.currency, p.label "
            "FROM commission_statements s JOIN commission_periods p ON p.id = s.period_id "
            "WHERE s.deleted_at IS NULL AND p.deleted_at IS NULL"
        )
    }
    names = reader.values_by_id("deals", "name", {k[1] for k in (*paid, *current)})
    out: dict[str, list[Line]] = defaultdict(list)
    for key in sorted({*paid, *current}, key=lambda k: (k[2], names.get(k[1], ""), k[1])):
        user_id, deal_id, origin = key
        before = paid.get(key, _Paid())
        now = current.get(key, ZERO)
        delta = now - before.basis
        if delta == 0:
            continue
        plan = credited_plan.get(key)
        currency = plan.currency if plan else "EUR"
        if before.basis != 0:
            rate = plain((before.amount / before.basis).quantize(RATE_PLACES))
            if now == 0:
                kind, amount = "clawback", round_money(-before.amount, currency)
            else:
                amount = round_money(delta * rate, currency)
                kind = "clawback" if plan and plan.trigger == "paid" and delta < 0 else "adjustment"
        else:
            statement = frozen.get((user_id, origin))
            if plan is None or statement is None:
                continue  # no plan paid this rep then: nothing to correct
            quota = (
                None
                if statement["quota_milli"] is None
                else Decimal(int(statement["quota_milli"])).scaleb(-3)
            )
            rate = marginal_rate(plan, Decimal(statement["basis"]), quota)
            kind, amount = "adjustment", round_money(delta * rate, currency)
        out[user_id].append(
            Line(
                deal_id=deal_id,
                deal=names.get(deal_id) or before.deal,
                kind=kind,
                day=None,
                split=None,
                share=None,
                plan=plan.name if plan else None,
                basis=delta,
                rate=rate,
                amount=amount,
                origin=origin,
            )
        )
    return out


# -- statements --------------------------------------------------------------------------
def line_view(line: Line) -> LineView:
    return {
        "deal": line.deal,
        "deal_id": line.deal_id,
        "handle": short(line.deal_id) if line.deal_id else None,
        "kind": line.kind,
        "date": line.day,
        "split": line.split,
        "share": line.share,
        "plan": line.plan,
        "basis": shown(line.basis),
        "rate": line.rate,
        "amount": line.amount,
        "above_quota": line.above_quota,
        "capped": line.capped,
        "origin": line.origin,
    }


def piece_views(pieces: Sequence[Piece]) -> list[LineView]:
    """:func:`line_view` of priced pieces, made straight from them (thousands per report)."""
    return [
        {
            "deal": credit.deal,
            "deal_id": credit.deal_id,
            "handle": short(credit.deal_id),
            "kind": credit.kind,
            "date": credit.day,
            "split": credit.split,
            "share": credit.share,
            "plan": credit.plan.name,
            "basis": shown(basis),
            "rate": rate,
            "amount": amount,
            "above_quota": above,
            "capped": capped,
            "origin": None,
        }
        for credit, basis, rate, amount, above, capped in pieces
    ]


def _reps(
    reader: Reader, rep: str | None, team: str | None, territory: str | None = None
) -> dict[str, dict[str, Any]]:
    where, params = ["deleted_at IS NULL"], []
    if territory:
        where.append("lower(territory) = ?")
        params.append(territory.strip().lower())
    if rep:
        user = find_owner(reader, rep, must_be_active=False)
        where.append("id = ?")
        params.append(user["id"])
    if team:
        where.append("lower(team) = ?")
        params.append(team.strip().lower())
    users = {
        r["id"]: r
        for r in reader.rows(
            f"SELECT id, username, name, team FROM users WHERE {' AND '.join(where)}", params
        )
    }
    if team and not users:
        raise InvalidInput(f"no rep is in team {team!r}", hint="see: crm user list")
    return users


def _attainment(basis: Decimal, quota: Decimal | None) -> float | None:
    if not quota:
        return None
    return float((basis / quota).quantize(Decimal("0.0001")))


def build_report(
    reader: Reader,
    *,
    period: Period,
    rep: str | None = None,
    team: str | None = None,
    territory: str | None = None,
) -> CommissionReport:
    """The statements of ``period`` for every rep on a plan (or ``rep``, ``team``, …)."""
    closed = closed_periods(reader)
    users = _reps(reader, rep, team, territory)
    exact = next((c for c in closed if (c.start, c.end) == (period.start, period.end)), None)
    if exact is not None:
        return frozen_report(reader, exact, users)
    overlapping = [c for c in closed if c.start <= period.end and period.start <= c.end]
    if overlapping:
        raise InvalidInput(
            f"{period.label} overlaps the closed period {overlapping[0].label}",
            hint=f"ask for --period {overlapping[0].label} (frozen) or an open period",
        )
    plans = load_plans(reader)
    assignments = load_assignments(reader)
    in_force = _in_force(assignments, plans, period, users)
    credits = gather_credits(reader, period, in_force, plans)
    first_open = first_open_day(closed)
    is_first_open = first_open is not None and period.contains(first_open)
    # Corrections reach every rep named, on a plan now or not (a rep who left is still
    # clawed back for what a closed period paid them).
    corrections = (
        adjustments(reader, closed, set(users), assignments, plans) if is_first_open else {}
    )
    quotas = quotas_for_period(reader, period=period)  # one query, not one per rep
    statements: list[StatementView] = []
    for user_id in sorted({*in_force, *corrections}, key=lambda u: users[u]["username"]):
        assigned = in_force.get(user_id, [])
        plan = plan_on(assigned[::-1], plans, min(period.end, clock.today())) or (
            plans[assigned[-1].plan_id] if assigned else None
        )
        quota = quotas[user_id][0] if user_id in quotas else None
        mine = credits.get(user_id, [])
        by_quota = [plans[a.plan_id] for a in assigned if plans[a.plan_id].basis == "quota"]
        if by_quota and not quota:
            username = users[user_id]["username"]
            raise InvalidInput(
                f"{username}: plan {by_quota[0].name!r} pays by quota attainment and needs a "
                f"quota for {period.label}",
                hint=f"crm user quota set {username} {period.label} AMOUNT",
            )
        currency = plan.currency if plan else reporting_currency()
        pieces = price_pieces(mine, quota=quota, currency=currency)
        extra = corrections.get(user_id, [])
        basis = sum((c.basis for c in mine), ZERO)
        used = list(
            dict.fromkeys(
                [p[0].plan.name for p in pieces if p[0].plan.name]
                + [line.plan for line in extra if line.plan]
            )
        )
        total = sum([line.amount for line in extra], sum([p[3] for p in pieces], ZERO))
        statements.append(
            {
                "rep": users[user_id]["username"],
                "rep_id": user_id,
                "name": users[user_id]["name"],
                "team": users[user_id]["team"],
                "plan": plan.name if plan else None,
                "plans": used or ([plan.name] if plan else []),
                "currency": currency,
                "quota": quota,
                "basis": shown(basis),
                "attainment": _attainment(basis, quota),
                "total": total,
                "lines": piece_views(pieces) + [line_view(line) for line in extra],
            }
        )
    return {
        "period": period_view(period),
        "currency": reporting_currency(),
        "closed": False,
        "closed_at": None,
        "first_open": is_first_open,
        "statements": statements,
    }


def frozen_report(
    reader: Reader, closed: ClosedPeriod, users: dict[str, dict[str, Any]]
) -> CommissionReport:
    """A closed period's statements exactly as they were paid."""
    rows = reader.rows(
        "SELECT * FROM commission_statements WHERE period_id = ? AND deleted_at IS NULL",
        (closed.id,),
    )
    currencies = {r["id"]: r["currency"] for r in rows}
    lines: dict[str, list[LineView]] = defaultdict(list)
    for row in reader.rows(
        "SELECT * FROM commission_lines WHERE period_id = ? AND deleted_at IS NULL "
        "ORDER BY position",
        (closed.id,),
    ):
        currency = currencies.get(row["statement_id"], "EUR")
        lines[row["statement_id"]].append(
            {
                "deal": row["deal"],
                "deal_id": row["deal_id"],
                "handle": short(row["deal_id"]) if row["deal_id"] else None,
                "kind": row["kind"],
                "date": row["credited_on"],
                "split": row["split"],
                "share": None if row["share"] is None else Decimal(row["share"]),
                "plan": row["plan"],
                "basis": shown(Decimal(row["basis"])),
                "rate": Decimal(row["rate"]),
                "amount": round_money(Decimal(int(row["amount_milli"])).scaleb(-3), currency),
                "above_quota": bool(row["above_quota"]),
                "capped": bool(row["capped"]),
                "origin": row["origin"],
            }
        )
    statements: list[StatementView] = []
    for row in sorted(rows, key=lambda r: users.get(r["user_id"], {}).get("username", "")):
        user = users.get(row["user_id"])
        if user is None:
            continue
        currency = row["currency"]
        quota = (
            None
            if row["quota_milli"] is None
            else round_money(Decimal(int(row["quota_milli"])).scaleb(-3), currency)
        )
        statements.append(
            {
                "rep": user["username"],
                "rep_id": row["user_id"],
                "name": user["name"],
                "team": user["team"],
                "plan": row["plan"],
                "plans": json.loads(row["plans"]),
                "currency": currency,
                "quota": quota,
                "basis": shown(Decimal(row["basis"])),
                "attainment": None if row["attainment"] is None else float(row["attainment"]),
                "total": round_money(Decimal(int(row["total_milli"])).scaleb(-3), currency),
                "lines": lines.get(row["id"], []),
            }
        )
    return {
        "period": period_view(closed.period),
        "currency": reporting_currency(),
        "closed": True,
        "closed_at": closed.closed_at,
        "first_open": False,
        "statements": statements,
    }


def commission_report(
    book: Book,
    *,
    period: str | Period,
    rep: str | None = None,
    team: str | None = None,
    territory: str | None = None,
) -> CommissionReport:
    """``crm report commission``: a statement per rep for the period."""
    span = parse_period(period) if isinstance(period, str) else period
    with book.read() as r:
        return build_report(r, period=span, rep=rep, team=team, territory=territory)
