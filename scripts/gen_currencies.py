"""Regenerate ``src/crmcli/_currencies.py`` from Babel's CLDR data.

    python scripts/gen_currencies.py

The CLI reads the generated table instead of importing Babel (Babel's import plus its
CLDR ``global.dat`` load costs ~70 ms, half the budget of a read command); a test checks
the table still equals what the installed Babel says, so it cannot go stale silently.
"""

from __future__ import annotations

from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "crmcli" / "_currencies.py"


def tender_exponents() -> dict[str, int]:
    """ISO 4217 codes legal tender somewhere today, with their minor-unit digits (CLDR)."""
    from babel.core import get_global

    fractions = get_global("currency_fractions")
    default = fractions["DEFAULT"][0]
    codes = {
        code
        for spans in get_global("territory_currencies").values()
        for code, _start, end, tender in spans
        if end is None and tender
    }
    return {code: fractions.get(code, (default,))[0] for code in sorted(codes)}


def render() -> str:
    lines = [
        '"""ISO 4217 currencies in use and their minor-unit digits. Generated from Babel\'s CLDR',
        'data by ``scripts/gen_currencies.py``; do not edit by hand."""',
        "",
        "EXPONENTS: dict[str, int] = {",
    ]
    lines += [f'    "{code}": {digits},' for code, digits in tender_exponents().items()]
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
    print(f"wrote {TARGET}")
