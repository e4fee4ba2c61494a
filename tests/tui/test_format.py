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


def test_the_fast_cells_paint_as_datatable_does() -> None:
    """RecordTable paints a ``Cell`` itself (one segment); DataTable's own rendering of the
    same cell, with the cursor, zebra stripes, a hovered row, a right-justified amount and a
    cut name, must give the very same strips (text, colours, the meta clicks read)."""
    import asyncio

    from textual.app import App, ComposeResult

    from crmcli.tui.widgets.table import Col, RecordTable

    columns = (Col("name", "Name", width=10), Col("amount", "Amount", right=True), Col("o", "O"))
    records = [
        {"id": f"d{i}", "name": name, "amount": f"{i * 1000:,}.00 EUR", "o": "alice"}
        for i, name in enumerate(["Acme renewal and more", "Globex", "日本語テキストです", "x"])
    ]

    class Twin(App[None]):
        def compose(self) -> ComposeResult:
            yield RecordTable(columns, id="fast")
            yield RecordTable(columns, id="slow")

    async def run() -> None:
        app = Twin()
        async with app.run_test(size=(60, 20)) as pilot:
            fast, slow = app.query_one("#fast", RecordTable), app.query_one("#slow", RecordTable)
            slow.fast_cells = False
            for table in (fast, slow):
                table.show(records)
                table.move_cursor(row=1)
                table.hover_coordinate = table.hover_coordinate._replace(row=2)
            app.set_focus(None)  # the same pseudo-classes on both
            for table in (fast, slow):
                table._show_hover_cursor = True
            await pilot.pause()
            assert fast.size == slow.size
            for y in range(fast.size.height):
                painted = [
                    [(s.text, s.style) for s in t.render_line(y).simplify()] for t in (fast, slow)
                ]
                assert painted[0] == painted[1], y
            assert any("…" in s.text for s in fast.render_line(1))  # the cut name

    asyncio.run(run())
