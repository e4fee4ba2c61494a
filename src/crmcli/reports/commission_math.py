"""The exact arithmetic of a commission statement: credits in, priced lines out.

No database here: the statement engine (``reports.commission``) turns SQL aggregates into
:class:`Credit` values and this module prices them, so the rules can be read (and property
tested) on their own.

- A rep's credits are laid end to end, in date order, on one axis from 0 (the period's
  basis so far); a refund (a negative credit) moves back along it.
- **marginal** (default): each part of a credit pays the rate of the band it lies in, like
  tax brackets; a credit that crosses a band edge is cut into one line per band.
- **retroactive**: every credit pays the rate of the band the period's whole basis reaches.
- **accelerator**: the part of the axis above quota has its rate multiplied; a credit that
  crosses the quota is cut there too.
- Bands in percent of quota are turned into money: ``quota × threshold / 100``.
- Each line's amount is rounded half-up at the currency's minor unit; the total is the sum
  of the lines. A **cap** cuts the line that reaches it and zeroes those after it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from operator import attrgetter

from crmcli.errors import InvalidInput
from crmcli.money import currency_exponent
from crmcli.services.commission.plans import Plan, plain

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Credit:
    """What a rep is credited with: a deal won, or payments on it, times the rep's share."""

    deal_id: str
    deal: str
    day: date
    basis: Decimal  # signed: a refund is negative
    plan: Plan
    kind: str = "commission"  # commission|clawback (a refund)
    split: str = "owner"  # owner|revenue|overlay
    share: Decimal = HUNDRED


@dataclass(frozen=True, slots=True)
class Line:
    """One statement line: ``amount`` = ``basis`` × ``rate``, rounded (unless capped)."""

    deal_id: str | None
    deal: str | None
    kind: str  # commission|clawback|adjustment
    day: date | None
    split: str | None
    share: Decimal | None
    plan: str | None
    basis: Decimal
    rate: Decimal
    amount: Decimal
    above_quota: bool = False
    capped: bool = False
    origin: str | None = None  # the closed period an adjustment or clawback corrects


def band_starts(plan: Plan, quota: Decimal | None) -> list[tuple[Decimal, Decimal]]:
    """The plan's bands as ``(start in money, rate)``, in order."""
    if plan.basis == "money":
        return [(t.threshold, t.rate) for t in plan.tiers]
    if quota is None or quota <= 0:
        raise InvalidInput(
            f"plan {plan.name!r} pays by quota attainment and needs a quota",
            hint="set one: crm user quota set REP PERIOD AMOUNT",
        )
    return [(quota * t.threshold / HUNDRED, t.rate) for t in plan.tiers]


def rate_at(bands: Sequence[tuple[Decimal, Decimal]], position: Decimal) -> Decimal:
    """The rate of the band holding ``position`` (bands are half-open; below the first: 0).

    A negative position (refunds beyond the period's payments) pays the rate at 0.
    """
    return _Terms.of(bands).rate_at(position)


@dataclass(frozen=True)
class _Terms:
    """A plan's bands in money for one statement, ready for the per-credit loop."""

    starts: tuple[Decimal, ...]
    rates: tuple[Decimal, ...]

    @classmethod
    def of(cls, bands: Sequence[tuple[Decimal, Decimal]]) -> _Terms:
        return cls(tuple(s for s, _ in bands), tuple(r for _, r in bands))

    def rate_at(self, position: Decimal) -> Decimal:
        index = bisect.bisect_right(self.starts, position if position > 0 else ZERO) - 1
        return self.rates[index] if index >= 0 else ZERO


def _accelerated(plan: Plan, quota: Decimal | None, low: Decimal) -> bool:
    return quota is not None and plan.accelerator != ONE and low >= quota


def _pieces(low: Decimal, high: Decimal, cuts: Sequence[Decimal]) -> list[tuple[Decimal, Decimal]]:
    """``[low, high)`` cut at every point strictly inside it (``cuts`` sorted, distinct)."""
    inner = cuts[bisect.bisect_right(cuts, low) : bisect.bisect_left(cuts, high)]
    if not inner:
        return [(low, high)]
    return list(pairwise([low, *inner, high]))


_IN_ORDER = attrgetter("day", "deal", "deal_id", "split")  # a statement's line order


def price_credits(credits: Sequence[Credit], *, quota: Decimal | None, currency: str) -> list[Line]:
    """Price one rep's credits for one period (see the module docstring for the rules)."""
    ordered = sorted(credits, key=_IN_ORDER)
    total = sum([c.basis for c in ordered], ZERO)
    lines: list[Line] = []
    append = lines.append
    position = ZERO
    # money.round_money's rule (half-up at the currency's minor unit), hoisted out of the loop
    unit = Decimal(1).scaleb(-currency_exponent(currency))
    # Per plan, once per statement: its bands in money, where credits are cut, and the
    # retroactive rate (the band the whole basis reaches).
    prepared: dict[str, tuple[_Terms, tuple[Decimal, ...], Decimal | None]] = {}
    shown_rates: dict[Decimal, Decimal] = {}
    for credit in ordered:
        plan = credit.plan
        found = prepared.get(plan.id)
        if found is None:
            terms = _Terms.of(band_starts(plan, quota))
            cuts = [quota] if quota is not None and plan.accelerator != ONE else []
            if plan.mode == "marginal":  # below 0 the rate is the rate at 0: no cut there
                cuts += [s for s in terms.starts if s > 0]
            retro = terms.rate_at(total) if plan.mode == "retroactive" else None
            found = prepared[plan.id] = (terms, tuple(sorted(set(cuts))), retro)
        terms, edges, retro = found
        start, end = position, position + credit.basis
        position = end
        negative = credit.basis < 0
        low, high = (end, start) if negative else (start, end)
        pieces = _pieces(low, high, edges)
        if negative:
            pieces.reverse()  # a refund walks back down the axis
        for piece_low, piece_high in pieces:
            rate = retro if retro is not None else terms.rate_at(piece_low)
            above = _accelerated(plan, quota, piece_low)
            if above:
                rate *= plan.accelerator
            basis = piece_low - piece_high if negative else piece_high - piece_low
            shown = shown_rates.get(rate)
            if shown is None:
                shown = shown_rates[rate] = plain(rate)
            append(
                Line(
                    credit.deal_id,
                    credit.deal,
                    credit.kind,
                    credit.day,
                    credit.split,
                    credit.share,
                    plan.name,
                    basis,
                    shown,
                    (basis * rate).quantize(unit, rounding=ROUND_HALF_UP),
                    above,
                )
            )
    caps = {c.plan.name: c.plan.cap for c in ordered}
    if not any(cap is not None for cap in caps.values()):
        return lines  # no cap: nothing to cut
    return apply_caps(lines, caps)


def apply_caps(lines: Sequence[Line], caps: dict[str, Decimal | None]) -> list[Line]:
    """Cut the line that takes a plan's running total past its cap; zero those after it."""
    running: dict[str, Decimal] = {}
    out: list[Line] = []
    for line in lines:
        cap = caps.get(line.plan or "")
        if cap is None or line.plan is None:
            out.append(line)
            continue
        paid = running.get(line.plan, ZERO)
        kept = line
        if line.amount > 0 and paid + line.amount > cap:
            kept = replace(line, amount=max(cap - paid, ZERO), capped=True)
        running[line.plan] = paid + kept.amount
        out.append(kept)
    return out


def marginal_rate(plan: Plan, position: Decimal, quota: Decimal | None) -> Decimal:
    """The rate the next unit of basis earns at ``position`` (for late additions)."""
    bands = band_starts(plan, quota)
    total_rate = rate_at(bands, position)
    if _accelerated(plan, quota, position):
        total_rate *= plan.accelerator
    return plain(total_rate)


def total_of(lines: Sequence[Line]) -> Decimal:
    """A statement's total: the sum of its lines."""
    return sum((line.amount for line in lines), ZERO)
