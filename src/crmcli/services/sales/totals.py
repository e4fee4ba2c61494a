"""The quote totals rule, in one place, followed literally (README: "The rounding rule").

For a quote in a currency whose minor unit has ``exponent`` decimals (JPY 0, EUR 2, KWD 3);
"round" is half-up at that minor unit:

1. line list value  = round(qty × unit price)
2. line net         = round(qty × unit price × (1 − line discount / 100))
3. line after quote discount = round(line net × (1 − quote discount / 100))
4. line tax         = round(line after quote discount × tax rate / 100)
5. a charge (shipping…) is not discounted; its tax = round(amount × its rate / 100)

subtotal = Σ list values; discounts = Σ (list value − line after quote discount), shown as
line discounts and quote discount; tax = Σ line and charge taxes, shown per rate;
charges = Σ charge amounts; total = subtotal − discounts + tax + charges, which equals
Σ (line after quote discount) + tax + charges exactly, whatever the order of the lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def round_at(value: Decimal, exponent: int) -> Decimal:
    """Round half-up at a minor unit with ``exponent`` decimals (0 for JPY, 3 for KWD)."""
    return value.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    """One priced line as the rule sees it (``charge``: shipping and the like)."""

    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal = Decimal(0)
    tax_pct: Decimal = Decimal(0)
    charge: bool = False


@dataclass(frozen=True)
class LineTotal:
    """What the rule computed for one line."""

    list_value: Decimal
    net: Decimal  # after the line's own discount
    discounted: Decimal  # after the quote-level discount too (the tax base)
    tax: Decimal
    charge: bool


@dataclass(frozen=True)
class TaxBand:
    """Tax at one rate: the base it applies to and the tax."""

    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class QuoteTotals:
    """Every figure a quote shows, each exact at the currency's minor unit."""

    lines: tuple[LineTotal, ...]
    subtotal: Decimal
    line_discounts: Decimal
    quote_discount: Decimal
    discounts: Decimal
    net: Decimal  # subtotal − discounts
    taxes: tuple[TaxBand, ...]
    tax: Decimal
    charges: Decimal
    total: Decimal


def line_total(line: LineInput, *, quote_discount_pct: Decimal, exponent: int) -> LineTotal:
    """Steps 1–5 of the rule for one line."""
    if line.charge:
        amount = round_at(line.quantity * line.unit_price, exponent)
        tax = round_at(amount * line.tax_pct / HUNDRED, exponent)
        return LineTotal(amount, amount, amount, tax, charge=True)
    gross = line.quantity * line.unit_price
    list_value = round_at(gross, exponent)
    net = round_at(gross * (1 - line.discount_pct / HUNDRED), exponent)
    discounted = round_at(net * (1 - quote_discount_pct / HUNDRED), exponent)
    tax = round_at(discounted * line.tax_pct / HUNDRED, exponent)
    return LineTotal(list_value, net, discounted, tax, charge=False)


def quote_totals(
    lines: Sequence[LineInput], *, quote_discount_pct: Decimal = Decimal(0), exponent: int
) -> QuoteTotals:
    """The totals of a quote by the rule above."""
    zero = round_at(Decimal(0), exponent)
    computed = tuple(
        line_total(x, quote_discount_pct=quote_discount_pct, exponent=exponent) for x in lines
    )
    items = [c for c in computed if not c.charge]
    subtotal = sum((c.list_value for c in items), zero)
    line_discounts = sum((c.list_value - c.net for c in items), zero)
    quote_discount = sum((c.net - c.discounted for c in items), zero)
    charges = sum((c.discounted for c in computed if c.charge), zero)
    bands: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for given, c in zip(lines, computed, strict=True):
        rate = given.tax_pct.normalize()
        base, tax = bands.get(rate, (zero, zero))
        bands[rate] = (base + c.discounted, tax + c.tax)
    taxes = tuple(TaxBand(rate, base, tax) for rate, (base, tax) in sorted(bands.items()))
    tax = sum((c.tax for c in computed), zero)
    discounts = line_discounts + quote_discount
    return QuoteTotals(
        lines=computed,
        subtotal=subtotal,
        line_discounts=line_discounts,
        quote_discount=quote_discount,
        discounts=discounts,
        net=subtotal - discounts,
        taxes=taxes,
        tax=tax,
        charges=charges,
        total=subtotal - discounts + tax + charges,
    )
