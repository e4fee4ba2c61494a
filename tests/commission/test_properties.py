"""Invariants of the commission arithmetic, for any deals, splits and plans (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from crmcli.reports.commission_math import Credit, price_credits, total_of
from crmcli.services.commission.plans import Plan, Tier

DAY = date(2026, 10, 1)
# Whole-euro amounts and whole-percent rates and shares: every line is then exact to the
# cent, so the properties hold with equality (rounding per line cannot move them).
amounts = st.lists(st.integers(min_value=0, max_value=500_000), min_size=0, max_size=12)
rates = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=5)


def plan(
    thresholds: list[int],
    pct: list[int],
    *,
    mode: str = "marginal",
    accelerator: str = "1",
    cap: Decimal | None = None,
) -> Plan:
    tiers = tuple(Tier(Decimal(t), Decimal(r) / 100) for t, r in zip(thresholds, pct, strict=False))
    return Plan("p", "p", tiers, "money", mode, "won", Decimal(accelerator), cap, "EUR")  # type: ignore[arg-type]


@st.composite
def tiered(draw: st.DrawFn, *, increasing_rates: bool = False) -> tuple[list[int], list[int]]:
    pct = draw(rates)
    if increasing_rates:
        pct = sorted(pct)
    steps = draw(st.lists(st.integers(1, 100_000), min_size=len(pct) - 1, max_size=len(pct) - 1))
    thresholds = [0]
    for step in steps:
        thresholds.append(thresholds[-1] + step)
    return thresholds, pct


def credits(values: list[int], p: Plan, share: Decimal = Decimal(100)) -> list[Credit]:
    return [
        Credit(
            f"d{i}", f"deal {i}", DAY + timedelta(days=i), Decimal(v) * share / 100, p, share=share
        )
        for i, v in enumerate(values)
    ]


def pay(values: list[int], p: Plan, *, quota: Decimal | None = None) -> Decimal:
    return total_of(price_credits(credits(values, p), quota=quota, currency="EUR"))


@settings(max_examples=150, deadline=None)
@given(
    deals=amounts,
    rate=st.integers(0, 100),
    shares=st.lists(st.integers(1, 100), min_size=1, max_size=4).filter(lambda s: sum(s) <= 100),
)
def test_under_a_flat_plan_split_statements_add_up_to_the_unsplit_commission(
    deals: list[int], rate: int, shares: list[int]
) -> None:
    shares = [*shares, 100 - sum(shares)] if sum(shares) < 100 else shares
    flat = plan([0], [rate])
    whole = pay([d * 100 for d in deals], flat)
    split = sum(
        (
            total_of(
                price_credits(
                    credits([d * 100 for d in deals], flat, Decimal(s)), quota=None, currency="EUR"
                )
            )
            for s in shares
        ),
        Decimal(0),
    )
    assert split == whole


@settings(max_examples=200, deadline=None)
@given(deals=amounts, bands=tiered(increasing_rates=True), quota=st.integers(1, 400_000))
def test_marginal_never_pays_more_than_retroactive(
    deals: list[int], bands: tuple[list[int], list[int]], quota: int
) -> None:
    thresholds, pct = bands
    for accelerator in ("1", "2"):
        marginal = pay(deals, plan(thresholds, pct, accelerator=accelerator), quota=Decimal(quota))
        retro = pay(
            deals,
            plan(thresholds, pct, mode="retroactive", accelerator=accelerator),
            quota=Decimal(quota),
        )
        assert marginal <= retro


@settings(max_examples=200, deadline=None)
@given(
    deals=amounts,
    extra=st.integers(0, 500_000),
    where=st.integers(0, 12),
    bands=tiered(increasing_rates=True),
    mode=st.sampled_from(["marginal", "retroactive"]),
    cap=st.one_of(st.none(), st.integers(1, 50_000)),
    quota=st.one_of(st.none(), st.integers(1, 400_000)),
)
def test_commission_never_decreases_when_the_basis_grows(
    deals: list[int],
    extra: int,
    where: int,
    bands: tuple[list[int], list[int]],
    mode: str,
    cap: int | None,
    quota: int | None,
) -> None:
    thresholds, pct = bands
    p = plan(
        thresholds,
        pct,
        mode=mode,
        accelerator="2",
        cap=None if cap is None else Decimal(cap),
    )
    q = None if quota is None else Decimal(quota)
    grown = list(deals)
    grown.insert(min(where, len(grown)), extra)  # a further deal, anywhere in the period
    assert pay(grown, p, quota=q) >= pay(deals, p, quota=q)
    bigger = [d + extra if i == where else d for i, d in enumerate(deals)]  # or a bigger deal
    assert pay(bigger, p, quota=q) >= pay(deals, p, quota=q)


@settings(max_examples=200, deadline=None)
@given(
    deals=st.lists(
        st.decimals(min_value=-50_000, max_value=500_000, places=3, allow_nan=False), max_size=10
    ),
    bands=tiered(),
    mode=st.sampled_from(["marginal", "retroactive"]),
    accelerator=st.sampled_from(["1", "1.25", "1.5", "3"]),
    cap=st.one_of(st.none(), st.integers(1, 50_000)),
    quota=st.one_of(st.none(), st.decimals(min_value=1, max_value=400_000, places=2)),
)
def test_the_total_is_always_the_sum_of_the_rounded_lines(
    deals: list[Decimal],
    bands: tuple[list[int], list[int]],
    mode: str,
    accelerator: str,
    cap: int | None,
    quota: Decimal | None,
) -> None:
    thresholds, pct = bands
    p = plan(
        thresholds,
        pct,
        mode=mode,
        accelerator=accelerator,
        cap=None if cap is None else Decimal(cap),
    )
    items = [
        Credit(f"d{i}", f"deal {i}", DAY + timedelta(days=i), v, p) for i, v in enumerate(deals)
    ]
    lines = price_credits(items, quota=quota, currency="EUR")
    assert total_of(lines) == sum((line.amount for line in lines), Decimal(0))
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in lines)
    # the lines account for the whole basis: nothing credited is lost or counted twice
    assert sum((line.basis for line in lines), Decimal(0)) == sum(deals, Decimal(0))
    if cap is not None:
        assert total_of([x for x in lines if x.amount > 0]) <= cap or any(
            x.amount < 0 for x in lines
        )
