"""Commission plans (tiers, mode, trigger, accelerator, cap) and who is paid on which, when.

A plan's ``tiers`` are half-open bands ``[threshold, next threshold)`` with a rate each,
stored as JSON ``[["0", "0.05"], ["50000", "0.08"]]`` (exact decimals as text, rates as
fractions). Thresholds are money in the plan's currency (basis ``money``) or percent of
quota attainment (basis ``quota``: ``100`` is the quota).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal, TypedDict

from crmcli import clock
from crmcli.errors import InvalidInput, NotFound
from crmcli.money import from_milli, parse_currency, parse_money, to_milli
from crmcli.services.book import Book
from crmcli.services.handles import resolve, short
from crmcli.services.users import find_owner
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row

Mode = Literal["marginal", "retroactive"]
Basis = Literal["money", "quota"]
Trigger = Literal["won", "paid"]
MODES: tuple[Mode, ...] = ("marginal", "retroactive")
BASES: tuple[Basis, ...] = ("money", "quota")
TRIGGERS: tuple[Trigger, ...] = ("won", "paid")
HUNDRED = Decimal(100)
MAX_ACCELERATOR = Decimal(10)


@dataclass(frozen=True)
class Tier:
    """A band starting at ``threshold`` (money, or percent of quota) paying ``rate``."""

    threshold: Decimal
    rate: Decimal  # a fraction: 0.05 is 5%


@dataclass(frozen=True)
class Plan:
    """A commission plan as the statement engine uses it."""

    id: str
    name: str
    tiers: tuple[Tier, ...]
    basis: Basis
    mode: Mode
    trigger: Trigger
    accelerator: Decimal
    cap: Decimal | None
    currency: str
    description: str | None = None

    @property
    def is_flat(self) -> bool:
        return len(self.tiers) == 1 and self.tiers[0].threshold == 0


@dataclass(frozen=True)
class Assignment:
    """A rep is paid on ``plan_id`` from ``valid_from`` to ``valid_to`` (inclusive; None: open)."""

    id: str
    plan_id: str
    user_id: str
    valid_from: date | None
    valid_to: date | None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def overlaps(self, start: date, end: date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or start <= self.valid_to
        )


class TierView(TypedDict):
    threshold: Decimal
    rate: Decimal
    rate_pct: Decimal


class AssignmentView(TypedDict):
    id: str
    handle: str
    plan: str
    plan_id: str
    rep: str
    rep_id: str
    valid_from: date | None
    valid_to: date | None


class PlanView(TypedDict):
    """A plan as output shows it."""

    id: str
    handle: str
    name: str
    description: str | None
    tiers: list[TierView]
    tiers_text: str
    basis: Basis
    mode: Mode
    trigger: Trigger
    accelerator: Decimal
    cap: Decimal | None
    currency: str
    reps: int
    assignments: list[AssignmentView]
    created_at: datetime
    updated_at: datetime


# -- parsing -----------------------------------------------------------------------------
def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "").replace("_", ""))
    except InvalidOperation as exc:
        raise InvalidInput(f"{what} {text!r} is not a number", hint="e.g. 5% or 50000") from exc
    if not value.is_finite():
        raise InvalidInput(f"{what} {text!r} is not a number", hint="e.g. 5% or 50000")
    return value


def parse_rate(text: str | Decimal) -> Decimal:
    """A commission rate given as a percentage (``5%``, ``5``, ``12.5%``) → a fraction."""
    raw = str(text).strip().removesuffix("%").strip()
    value = _decimal(raw, "rate")
    if not 0 <= value <= HUNDRED:
        raise InvalidInput(
            f"rate {text!r} must be between 0% and 100%", hint="write rates like 5% or 12.5%"
        )
    return plain(value / HUNDRED)


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and never in exponent form (``5E+4`` → ``50000``)."""
    return Decimal(f"{value.normalize():f}")


def parse_tiers(text: str, *, basis: Basis = "money") -> tuple[Tier, ...]:
    """``"0:5%,50000:8%,100000:10%"`` → tiers; thresholds strictly increasing, from ≥ 0."""
    tiers: list[Tier] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        threshold_text, sep, rate_text = part.rpartition(":")
        if not sep or not threshold_text.strip():
            raise InvalidInput(
                f"tier {part!r} is not THRESHOLD:RATE",
                hint='write tiers like "0:5%,50000:8%,100000:10%"',
            )
        raw = threshold_text.strip()
        if basis == "quota":
            threshold = _decimal(raw.removesuffix("%"), "tier threshold")
        else:
            threshold = parse_money(raw)
        if threshold < 0:
            raise InvalidInput(
                f"tier threshold {raw!r} cannot be negative", hint="the first band starts at 0"
            )
        if tiers and threshold <= tiers[-1].threshold:
            raise InvalidInput(
                f"tier thresholds must be strictly increasing: {raw} after "
                f"{tiers[-1].threshold.normalize():f}",
                hint='write tiers in order, like "0:5%,50000:8%,100000:10%"',
            )
        tiers.append(Tier(plain(threshold), parse_rate(rate_text)))
    if not tiers:
        raise InvalidInput(
            "a plan needs at least one tier", hint='e.g. --tiers "0:5%" or --flat 5%'
        )
    return tuple(tiers)


def tiers_text(tiers: tuple[Tier, ...], basis: Basis) -> str:
    """Tiers as typed: ``0:5%,50000:8%`` (quota bands ``0%:5%,100%:8%``)."""
    unit = "%" if basis == "quota" else ""
    return ",".join(f"{t.threshold:f}{unit}:{(t.rate * HUNDRED).normalize():f}%" for t in tiers)


def parse_accelerator(text: str | Decimal) -> Decimal:
    value = _decimal(str(text).strip().removeprefix("x").removesuffix("x"), "accelerator")
    if not Decimal(1) <= value <= MAX_ACCELERATOR:
        raise InvalidInput(
            f"accelerator {text!r} must be between 1 and {MAX_ACCELERATOR}",
            hint="1.5 pays 1.5 times the rate above quota; 1 turns it off",
        )
    return plain(value)


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise InvalidInput(
            f"{what} must be {' or '.join(allowed)}, not {value!r}",
            hint=f"e.g. {allowed[0]}",
        )
    return cleaned


def _plan(row: Row) -> Plan:
    basis: Basis = "quota" if row["tier_basis"] in ("quota", "quota_pct") else "money"
    return Plan(
        id=row["id"],
        name=row["name"],
        tiers=tuple(Tier(Decimal(t), Decimal(r)) for t, r in json.loads(row["tiers"])),
        basis=basis,
        mode="retroactive" if row["mode"] == "retroactive" else "marginal",
        trigger="paid" if row["trigger"] == "paid" else "won",
        accelerator=Decimal(row["accelerator"] or "1"),
        cap=from_milli(row.get("cap_milli"), row.get("currency") or "EUR"),
        currency=row.get("currency") or "EUR",
        description=row.get("description"),
    )


# -- reading -----------------------------------------------------------------------------
def load_plans(reader: Reader) -> dict[str, Plan]:
    """Every live plan by id."""
    return {
        row["id"]: _plan(row)
        for row in reader.rows("SELECT * FROM commission_plans WHERE deleted_at IS NULL")
    }


def load_assignments(reader: Reader) -> dict[str, list[Assignment]]:
    """Every live assignment, per rep, in date order."""
    found: dict[str, list[Assignment]] = {}
    for row in reader.rows(
        "SELECT id, plan_id, user_id, valid_from, valid_to FROM plan_assignments "
        "WHERE deleted_at IS NULL"
    ):
        found.setdefault(row["user_id"], []).append(
            Assignment(
                row["id"], row["plan_id"], row["user_id"], row["valid_from"], row["valid_to"]
            )
        )
    for items in found.values():
        items.sort(key=lambda a: a.valid_from or date.min)
    return found


def find_plan(reader: Reader, handle: str) -> Row:
    return resolve(reader, "plan", handle)


def _view(reader: Reader, plan: Plan, row: Row) -> PlanView:
    usernames = _usernames(reader)
    assignments = [
        _assignment_view(a, plan.name, usernames)
        for items in load_assignments(reader).values()
        for a in items
        if a.plan_id == plan.id
    ]
    assignments.sort(key=lambda a: (a["rep"], a["valid_from"] or date.min))
    return {
        "id": plan.id,
        "handle": short(plan.id),
        "name": plan.name,
        "description": plan.description,
        "tiers": [
            {"threshold": t.threshold, "rate": t.rate, "rate_pct": plain(t.rate * HUNDRED)}
            for t in plan.tiers
        ],
        "tiers_text": tiers_text(plan.tiers, plan.basis),
        "basis": plan.basis,
        "mode": plan.mode,
        "trigger": plan.trigger,
        "accelerator": plan.accelerator,
        "cap": plan.cap,
        "currency": plan.currency,
        "reps": len({a["rep_id"] for a in assignments}),
        "assignments": assignments,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _usernames(reader: Reader) -> dict[str, str]:
    return {r["id"]: r["username"] for r in reader.rows("SELECT id, username FROM users")}


def _assignment_view(a: Assignment, plan_name: str, usernames: dict[str, str]) -> AssignmentView:
    return {
        "id": a.id,
        "handle": short(a.id),
        "plan": plan_name,
        "plan_id": a.plan_id,
        "rep": usernames.get(a.user_id, a.user_id[:8]),
        "rep_id": a.user_id,
        "valid_from": a.valid_from,
        "valid_to": a.valid_to,
    }


def list_plans(book: Book) -> list[PlanView]:
    """Every plan, by name."""
    with book.read() as r:
        rows = r.rows("SELECT * FROM commission_plans WHERE deleted_at IS NULL ORDER BY name")
        return [_view(r, _plan(row), row) for row in rows]


def show_plan(book: Book, handle: str) -> PlanView:
    with book.read() as r:
        row = find_plan(r, handle)
        return _view(r, _plan(row), row)


# -- writing -----------------------------------------------------------------------------
def _values(
    *,
    tiers: str | None,
    flat: str | None,
    mode: str | None,
    basis: str | None,
    trigger: str | None,
    accelerator: str | None,
    cap: str | None,
    currency: str | None,
    description: str | None,
    current: Plan | None,
) -> dict[str, object]:
    """Validated column values for the options given (all of them on add)."""
    values: dict[str, object] = {}
    chosen_basis: Basis = current.basis if current else "money"
    if basis is not None:
        chosen_basis = "quota" if _choice(basis, BASES, "--basis") == "quota" else "money"
        values["tier_basis"] = chosen_basis
    if tiers is not None and flat is not None:
        raise InvalidInput("give --tiers or --flat, not both", hint="--flat 5% is --tiers 0:5%")
    if flat is not None:
        values["tiers"] = json.dumps([["0", f"{parse_rate(flat):f}"]])
    elif tiers is not None:
        values["tiers"] = json.dumps(
            [[f"{t.threshold:f}", f"{t.rate:f}"] for t in parse_tiers(tiers, basis=chosen_basis)]
        )
    elif basis is not None and current is not None and current.basis != chosen_basis:
        raise InvalidInput(
            "changing --basis changes what the thresholds mean",
            hint="give the new --tiers with it",
        )
    if mode is not None:
        values["mode"] = _choice(mode, MODES, "--mode")
    if trigger is not None:
        values["trigger"] = _choice(trigger, TRIGGERS, "--trigger")
    if accelerator is not None:
        values["accelerator"] = f"{parse_accelerator(accelerator):f}"
    if currency is not None:
        values["currency"] = parse_currency(currency)
    if cap is not None:
        values["cap_milli"] = (
            None if cap.strip().lower() in ("", "none") else to_milli(_positive_cap(cap))
        )
    if description is not None:
        values["description"] = clean_text(description, what="description", max_length=500) or None
    return values


def _positive_cap(text: str) -> Decimal:
    value = parse_money(text)
    if value <= 0:
        raise InvalidInput(f"cap {text!r} must be more than 0", hint="--cap none removes the cap")
    return value


def add_plan(
    book: Book,
    *,
    name: str,
    tiers: str | None = None,
    flat: str | None = None,
    mode: str = "marginal",
    basis: str = "money",
    trigger: str = "won",
    accelerator: str = "1",
    cap: str | None = None,
    currency: str | None = None,
    description: str | None = None,
    at: datetime | None = None,
) -> PlanView:
    """Create a plan (``--tiers`` or ``--flat``; names are unique)."""
    clean_name = clean_text(name, what="plan name", max_length=100)
    if not clean_name:
        raise InvalidInput("a plan needs a name", hint="e.g. crm plan add standard --flat 5%")
    if tiers is None and flat is None:
        raise InvalidInput(
            "a plan needs --tiers or --flat", hint='e.g. --tiers "0:5%,50000:8%" or --flat 5%'
        )
    values = _values(
        tiers=tiers,
        flat=flat,
        mode=mode,
        basis=basis,
        trigger=trigger,
        accelerator=accelerator,
        cap=cap,
        currency=currency or _default_currency(),
        description=description,
        current=None,
    )
    with book.write(at=at) as w:
        taken = w.row(
            "SELECT id FROM commission_plans WHERE lower(name) = ? AND deleted_at IS NULL",
            (clean_name.lower(),),
        )
        if taken is not None:
            raise InvalidInput(
                f"a plan named {clean_name!r} already exists",
                hint=f"change it with: crm plan edit {clean_name} …",
            )
        row = w.insert("commission_plans", {"name": clean_name, **values})
        stored = w.get("commission_plans", row["id"])
        return _view(w, _plan(stored), stored)


def _default_currency() -> str:
    """The reporting currency setting: money bands are usually stated in it."""
    from crmcli import settings  # reads the config file: only when a plan is added

    return str(settings.get("reporting_currency") or "EUR").upper()


def edit_plan(
    book: Book,
    handle: str,
    *,
    name: str | None = None,
    tiers: str | None = None,
    flat: str | None = None,
    mode: str | None = None,
    basis: str | None = None,
    trigger: str | None = None,
    accelerator: str | None = None,
    cap: str | None = None,
    currency: str | None = None,
    description: str | None = None,
    at: datetime | None = None,
) -> PlanView:
    """Change a plan; closed periods keep what they paid, open ones follow the new terms."""
    with book.write(at=at) as w:
        row = find_plan(w, handle)
        values = _values(
            tiers=tiers,
            flat=flat,
            mode=mode,
            basis=basis,
            trigger=trigger,
            accelerator=accelerator,
            cap=cap,
            currency=currency,
            description=description,
            current=_plan(row),
        )
        if name is not None:
            clean_name = clean_text(name, what="plan name", max_length=100)
            if not clean_name:
                raise InvalidInput("a plan needs a name", hint="give --name a non-empty value")
            taken = w.row(
                "SELECT id FROM commission_plans WHERE lower(name) = ? AND id <> ? "
                "AND deleted_at IS NULL",
                (clean_name.lower(), row["id"]),
            )
            if taken is not None:
                raise InvalidInput(
                    f"a plan named {clean_name!r} already exists", hint="see: crm plan list"
                )
            values["name"] = clean_name
        w.update("commission_plans", row["id"], values)
        stored = w.get("commission_plans", row["id"])
        return _view(w, _plan(stored), stored)


def _parse_day(text: str | date | None, what: str) -> date | None:
    if text is None or isinstance(text, date):
        return text
    try:
        return clock.parse_date(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{what}: {exc.message}", hint=exc.hint) from exc


def _span(a: Assignment) -> str:
    start = a.valid_from.isoformat() if a.valid_from else "the start"
    end = a.valid_to.isoformat() if a.valid_to else "open-ended"
    return f"{start} → {end}"


def assign_plan(
    book: Book,
    plan: str,
    rep: str,
    *,
    valid_from: str | date | None = None,
    valid_to: str | date | None = None,
    at: datetime | None = None,
) -> AssignmentView:
    """Pay ``rep`` on ``plan`` from ``valid_from`` to ``valid_to``.

    A rep's first assignment without a start covers everything before it; a later one
    without a start begins today. A new open-ended assignment ends the open-ended one that
    began earlier the day before it starts (a plan change); any other overlap is refused.
    """
    start = _parse_day(valid_from, "--from")
    end = _parse_day(valid_to, "--to")
    with book.write(at=at) as w:
        plan_row = find_plan(w, plan)
        try:
            user = find_owner(w, rep)
        except NotFound as exc:
            raise NotFound(f"unknown rep {rep!r}", hint="see: crm user list") from exc
        existing = load_assignments(w).get(user["id"], [])
        if start is None and existing:
            start = clock.today()
        if start is not None and end is not None and end < start:
            raise InvalidInput(
                f"--to {end} is before --from {start}", hint="an assignment ends after it starts"
            )
        for other in existing:
            if not other.overlaps(start or date.min, end or date.max):
                continue
            if (
                other.valid_to is None
                and end is None
                and start is not None
                and (other.valid_from is None or other.valid_from < start)
            ):
                # A plan change: the open-ended plan ends the day before the new one.
                w.update("plan_assignments", other.id, {"valid_to": start - timedelta(days=1)})
                continue
            names = {p.id: p.name for p in load_plans(w).values()}
            raise InvalidInput(
                f"{user['username']} is already on plan {names.get(other.plan_id, '?')!r} "
                f"for {_span(other)}",
                hint="choose --from/--to that do not overlap, or end that assignment first",
            )
        row = w.insert(
            "plan_assignments",
            {
                "plan_id": plan_row["id"],
                "user_id": user["id"],
                "valid_from": start,
                "valid_to": end,
            },
        )
        return _assignment_view(
            Assignment(row["id"], plan_row["id"], user["id"], start, end),
            plan_row["name"],
            {user["id"]: user["username"]},
        )
