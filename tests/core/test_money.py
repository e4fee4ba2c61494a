"""Money rounds at each currency's own minor unit and is stored exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crmcli.errors import InvalidInput
from crmcli.money import (
    currency_exponent,
    format_money,
    from_milli,
    parse_currency,
    parse_money,
    round_money,
    to_milli,
)


class TestCurrencies:
    """The currency table is CLDR's (via Babel), not a hand-kept list."""

    def test_generated_table_matches_the_installed_babel(self) -> None:
        import importlib.util
        from pathlib import Path

        script = Path(__file__).resolve().parents[2] / "scripts" / "gen_currencies.py"
        spec = importlib.util.spec_from_file_location("gen_currencies", script)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert script.with_name("gen_currencies.py").exists()
        from crmcli._currencies import EXPONENTS

        assert module.tender_exponents() == EXPONENTS, "run: python scripts/gen_currencies.py"

    def test_every_currency_fits_the_storage_scale(self) -> None:
        from crmcli._currencies import EXPONENTS

        assert max(EXPONENTS.values()) <= 3

    @pytest.mark.parametrize(("code", "digits"), [("JPY", 0), ("EUR", 2), ("USD", 2), ("KWD", 3)])
    def test_minor_units(self, code: str, digits: int) -> None:
        assert currency_exponent(code) == digits

    def test_codes_no_longer_in_use_are_refused(self) -> None:
        # Bulgaria moved to the euro on 2026-01-01; CLDR retired BGN.
        with pytest.raises(InvalidInput, match="unknown currency"):
            parse_currency("BGN")
        assert parse_currency("kwd") == "KWD"


class TestRounding:
    """Half-up at the currency's minor unit; thousandths hold every result exactly."""

    @pytest.mark.parametrize(
        ("text", "currency", "expected"),
        [
            ("1250.5", "JPY", "1251"),  # JPY has no minor unit: .5 rounds up
            ("1250.49", "JPY", "1250"),
            ("19.995", "EUR", "20.00"),  # 19.995 → 20.00 (half-up, not banker's 19.99…)
            ("19.994", "EUR", "19.99"),
            ("0.0005", "KWD", "0.001"),  # three decimals: 0.0005 → 0.001
            ("12.3456", "KWD", "12.346"),
        ],
    )
    def test_rounding_table(self, text: str, currency: str, expected: str) -> None:
        value = parse_money(text, currency=currency)
        assert str(value) == expected
        assert from_milli(to_milli(value), currency) == value

    def test_storage_integers(self) -> None:
        assert to_milli(Decimal("12.346")) == 12_346
        assert to_milli(Decimal("1251")) == 1_251_000
        assert from_milli(12_346, "KWD") == Decimal("12.346")
        assert from_milli(None, "EUR") is None
        assert round_money(Decimal("2.675"), "EUR") == Decimal("2.68")


class TestFormatting:
    def test_plain_form_without_a_locale(self) -> None:
        assert format_money(Decimal("1250"), "EUR") == "1,250.00 EUR"
        assert format_money(Decimal("1250"), "JPY") == "1,250 JPY"
        assert format_money(Decimal("1.2345"), "KWD") == "1.235 KWD"

    def test_locale_format_through_babel(self) -> None:
        assert format_money(Decimal("1250"), "EUR", locale="de_DE") == "1.250,00\xa0€"
        assert format_money(Decimal("1250"), "EUR", locale="xx_YY") == "1,250.00 EUR"
