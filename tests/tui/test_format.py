"""Table cells: plain text (never markup), cut with an ellipsis to the column, justified."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from crmcli.tui.format import Cell, cell


def rendered(value: Cell | Text, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    lines = console.render_lines(value, console.options.update_width(width), pad=False)
    return "".join(segment.text for segment in lines[0])


def test_a_cell_fits_its_column() -> None:
    assert rendered(cell("Acme renewal"), 20) == "Acme renewal"
    assert rendered(cell("Acme renewal"), 8) == "Acme re…"
    assert rendered(cell("48,000.00 EUR", justify="right"), 16) == "   48,000.00 EUR"
    assert rendered(cell("日本語テキスト"), 7) == "日本語…"  # wide characters count double
    assert rendered(cell("abc"), 1) == "…"


def test_user_text_is_never_markup_and_stays_on_one_line() -> None:
    value = cell("[bold]Acme[/bold]\nline two\ttab\x07")
    assert str(value) == "[bold]Acme[/bold] line two tab"
    assert rendered(value, 40) == "[bold]Acme[/bold] line two tab"


def test_values_of_other_types() -> None:
    assert str(cell(None)) == ""
    assert str(cell(True)) == "yes" and str(cell(False)) == ""
    assert str(cell(["a", "b"])) == "a, b"
    assert str(cell(3)) == "3"
    styled = Text("idle", style="red")
    assert cell(styled) is styled  # a screen's own styled text is kept


def test_a_cell_measures_its_text() -> None:
    console = Console(width=80, file=io.StringIO())
    measured = console.measure(cell("Globex support"))
    assert (measured.minimum, measured.maximum) == (14, 14)
