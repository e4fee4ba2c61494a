"""The registration point of the TUI: every screen and quick action the app offers.

Screens for quotes, reports, search or sync join by adding one ``ScreenEntry`` (or calling
:func:`register_screen`); the key bindings, the command palette and the help screen are all
built from these two lists, so a new screen shows up everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class ScreenEntry:
    """A top-level screen: its name (the ``switch`` target), title, key and what builds it."""

    name: str
    title: str
    key: str
    help: str
    factory: Callable[[], Screen[None]]


@dataclass(frozen=True)
class QuickAction:
    """An action reachable from every screen: its app action name, key and palette text."""

    action: str
    key: str
    title: str
    help: str


def _home() -> Screen[None]:
    from crmcli.tui.screens.home import HomeScreen

    return HomeScreen()


def _board() -> Screen[None]:
    from crmcli.tui.screens.board import BoardScreen

    return BoardScreen()


def _list(kind: str) -> Callable[[], Screen[None]]:
    def build() -> Screen[None]:
        from crmcli.tui.screens.lists import ListScreen

        return ListScreen(kind)

    return build


def _reports() -> Screen[None]:
    from crmcli.tui.screens.reports import ReportScreen

    return ReportScreen()


def _calendar() -> Screen[None]:
    from crmcli.tui.screens.calendar import CalendarScreen

    return CalendarScreen()


SCREENS: list[ScreenEntry] = [
    ScreenEntry("home", "Home", "1", "today's agenda, overdue, pipeline, idle deals", _home),
    ScreenEntry("board", "Board", "2", "the pipeline, one column per stage", _board),
    ScreenEntry("leads", "Leads", "3", "every open lead", _list("leads")),
    ScreenEntry("contacts", "Contacts", "4", "people at companies", _list("contacts")),
    ScreenEntry("companies", "Companies", "5", "customers and prospects", _list("companies")),
    ScreenEntry("deals", "Deals", "6", "open deals", _list("deals")),
    ScreenEntry("activities", "Activities", "7", "calls, meetings, tasks", _list("activities")),
    ScreenEntry("calendar", "Calendar", "8", "the week, recurring series expanded", _calendar),
    ScreenEntry("quotes", "Quotes", "9", "quotes by status (read-only)", _list("quotes")),
    ScreenEntry("reports", "Reports", "0", "funnel, forecast, lost deals, activity", _reports),
]

QUICK_ACTIONS: list[QuickAction] = [
    QuickAction("log_activity", "L", "Log an activity", "record a call, meeting or note"),
    QuickAction("follow_up", "F", "Schedule a follow-up", "a task or meeting in the future"),
    QuickAction("add_lead", "N", "Add a lead", "capture a new lead"),
    QuickAction("add_contact", "C", "Add a contact", "a person, optionally at a company"),
    QuickAction("add_deal", "D", "Add a deal", "a new opportunity in the first stage"),
    QuickAction("toggle_dark", "T", "Toggle light/dark theme", "switch the colour theme"),
    QuickAction("help", "question_mark", "Help", "every screen and key"),
]


def register_screen(entry: ScreenEntry) -> None:
    """Add a screen (quotes, reports, …): it gets its key, a palette command and help."""
    if any(s.name == entry.name for s in SCREENS):
        raise ValueError(f"a screen named {entry.name!r} is registered already")
    SCREENS.append(entry)


def screen_entry(name: str) -> ScreenEntry:
    """The registered screen called ``name``."""
    for entry in SCREENS:
        if entry.name == name:
            return entry
    raise KeyError(name)
