"""The quote totals rule: a rounding table computed by hand, and its invariants."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmcli.services.sales.totals import LineInput, quote_totals, round_at

# qty, unit price, line discount %, tax %, exponent -> (list value, net, tax), by hand:
ROUNDING_TABLE = [
    # EUR: 3 × 19.99 = 59.97; × 0.9 = 53.973 → 53.97; 19% of 53.97 = 10.2543 → 10.25
    ("3", "19.99", "10", "19", 2, "59.97", "53.97", "10.25"),
    # EUR half-up: 2.5 × 10.01 = 25.025 → 25.03; 7% of 25.03 = 1.7521 → 1.75
    ("2.5", "10.01", "0", "7", 2, "25.03", "25.03", "1.75"),
    # EUR: 1 × 0.05 at 50% = 0.025 → 0.03 (half-up, not banker's 0.02); 19% → 0.0057 → 0.01
    ("1", "0.05", "50", "19", 2, "0.05", "0.03", "0.01"),
    # JPY has no minor unit: 3 × 333 = 999; × 0.95 = 949.05 → 949; 10% = 94.9 → 95
    ("3", "333", "5", "10", 0, "999", "949", "95"),
    # JPY half-up: 1005 × 0.5 = 502.5 → 503; 8% of 503 = 40.24 → 40
    ("1", "1005", "50", "8", 0, "1005", "503", "40"),
    # KWD has three decimals: 7 × 1.234 = 8.638; × 0.875 = 7.55825 → 7.558; 5% → 0.3779 → 0.378
    ("7", "1.234", "12.5", "5", 3, "8.638", "7.558", "0.378"),
    # KWD half-up: 0.5 × 0.001 = 0.0005 → 0.001; 0% tax → 0.000
    ("0.5", "0.001", "0", "0", 3, "0.001", "0.001", "0.000"),
    # 100% discount: nothing left to tax
    ("4", "12.50", "100", "19", 2, "50.00", "0.00", "0.00"),
]


class TestRoundingTable:
    """Each line rounds half-up at its currency's minor unit, as the README's rule says."""

    @pytest.mark.parametrize(
        ("qty", "price", "disc", "tax", "exp", "list_value", "net", "line_tax"), ROUNDING_TABLE
    )
    def test_line(
        self,
        qty: str,
        price: str,
        disc: str,
        tax: str,
        exp: int,
        list_value: str,
        net: str,
        line_tax: str,
    ) -> None:
        totals = quote_totals([LineInput(D(qty), D(price), D(disc), D(tax))], exponent=exp)
        line = totals.lines[0]
        assert (str(line.list_value), str(line.net), str(line.tax)) == (list_value, net, line_tax)
        assert str(totals.total) == str(D(net) + D(line_tax))

    def test_worked_example_of_the_readme(self) -> None:
        """Two lines, a quote discount of 5% and shipping: every figure by hand."""
        totals = quote_totals(
            [
                LineInput(D(2), D("100.00"), D(0), D(19)),
                LineInput(D(1), D("50.00"), D(10), D(7)),
                LineInput(D(1), D("15.00"), tax_pct=D(19), charge=True),
            ],
            quote_discount_pct=D(5),
            exponent=2,
        )
        # A: 200.00 → 190.00 after 5%, tax 36.10; B: 50.00 → 45.00 → 42.75, tax 2.9925 → 2.99
        assert [str(x.discounted) for x in totals.lines] == ["190.00", "42.75", "15.00"]
        assert [str(x.tax) for x in totals.lines] == ["36.10", "2.99", "2.85"]
        assert str(totals.subtotal) == "250.00"
        assert str(totals.line_discounts) == "5.00"
        assert str(totals.quote_discount) == "12.25"
        assert str(totals.discounts) == "17.25"
        assert str(totals.charges) == "15.00"
        assert [(str(b.rate), str(b.base), str(b.tax)) for b in totals.taxes] == [
            ("7", "42.75", "2.99"),
            ("19", "205.00", "38.95"),
        ]
        assert str(totals.tax) == "41.94"
        assert str(totals.total) == "289.69"

    def test_empty_quote_is_zero_at_the_minor_unit(self) -> None:
        assert str(quote_totals([], exponent=3).total) == "0.000"
        assert str(quote_totals([], exponent=0).total) == "0"

    def test_round_at_is_half_up_on_negative_values_too(self) -> None:
        assert round_at(D("-0.125"), 2) == D("-0.13")


percent = st.decimals(min_value=0, max_value=100, places=2)
lines = st.lists(
    st.builds(
        LineInput,
        quantity=st.decimals(min_value=D("0.01"), max_value=10_000, places=2),
        unit_price=st.decimals(min_value=0, max_value=1_000_000, places=3),
        discount_pct=percent,
        tax_pct=st.sampled_from([D(0), D(7), D(19), D("5.5"), D(20)]),
        charge=st.booleans(),
    ),
    max_size=12,
)


class TestInvariants:
    """For any quote the figures add up exactly and do not depend on the order of lines."""

    @given(lines, percent, st.sampled_from([0, 2, 3]), st.randoms())
    def test_figures_add_up_in_any_order(
        self, given_lines: list[LineInput], discount: D, exponent: int, rnd: object
    ) -> None:
        totals = quote_totals(given_lines, quote_discount_pct=discount, exponent=exponent)
        assert totals.subtotal - totals.discounts + totals.tax + totals.charges == totals.total
        assert sum(b.tax for b in totals.taxes) == totals.tax
        assert totals.total >= 0
        for figure in (totals.subtotal, totals.discounts, totals.tax, totals.total):
            assert figure.as_tuple().exponent == -exponent
        shuffled = list(given_lines)
        rnd.shuffle(shuffled)  # type: ignore[attr-defined]
        again = quote_totals(shuffled, quote_discount_pct=discount, exponent=exponent)
        assert (again.total, again.tax, again.discounts, again.taxes) == (
            totals.total,
            totals.tax,
            totals.discounts,
            totals.taxes,
        )
