"""The help screen: every screen, quick action and key, from the registry and the bindings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from crmcli.tui.registry import QUICK_ACTIONS, SCREENS

# What each kind of screen adds (their bindings say the same; this is the one-page summary).
SCREEN_KEYS = [
    (
        "Lists",
        "/ search (as you type) · n/p or ]/[ next/previous page · s sort (or click a "
        "column header) · o owner me/everyone · f status filter · enter open",
    ),
    (
        "Board",
        "arrows move the focus · shift+→/shift+← or >/< move the deal a stage · w win · "
        "l lose · enter open · o owner · p pipeline · drag a card to a column (or click a "
        "column's title) to move it there",
    ),
    ("Deal", "e edit · m move to a stage · > next stage · w win · l lose · o reopen"),
    ("Lead", "e edit · c convert into company + contact (+ deal)"),
    ("Company, contact", "e edit; enter on a row opens it"),
    (
        "Calendar",
        "[ ] (page up/down) previous/next week · t today · d done · s reschedule · "
        "enter open · o me/everyone",
    ),
    (
        "Reports",
        "f funnel · c forecast · l lost deals · a activity · [ ] previous/next quarter · "
        "o me/everyone",
    ),
    ("Quotes", "read-only list: f status filter · o owner · n/p pages"),
    ("Forms", "enter or ctrl+s save · escape cancel; errors show next to the field"),
    (
        "Everywhere",
        "ctrl+p command palette: screens, actions, any record by name · q quit · escape back",
    ),
]


def _key(name: str) -> str:
    return {"question_mark": "?"}.get(name, name)


class HelpScreen(Screen[None]):
    """Keys and screens."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(Static(self._body(), id="help-text"), id="help-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Help"

    def _body(self) -> Any:
        screens = Table(title="Screens", title_justify="left", expand=True, show_edge=False)
        screens.add_column("key", no_wrap=True)
        screens.add_column("screen", no_wrap=True)
        screens.add_column("what")
        for s in SCREENS:
            screens.add_row(_key(s.key), s.title, s.help)
        actions = Table(title="From anywhere", title_justify="left", expand=True, show_edge=False)
        actions.add_column("key", no_wrap=True)
        actions.add_column("action", no_wrap=True)
        actions.add_column("what")
        for a in QUICK_ACTIONS:
            actions.add_row(_key(a.key), a.title, a.help)
        keys = Table(title="On each screen", title_justify="left", expand=True, show_edge=False)
        keys.add_column("screen", no_wrap=True)
        keys.add_column("keys")
        for name, text in SCREEN_KEYS:
            keys.add_row(name, text)
        from rich.console import Group

        return Group(screens, "", actions, "", keys)

    def action_back(self) -> None:
        self.app.pop_screen()
