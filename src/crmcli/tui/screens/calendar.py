"""The calendar: a week of the rep's activities, recurring series expanded (the agenda
service's week), with week navigation, today, mark done and reschedule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from crmcli import clock

KIND_MARK = {"call": "☎", "meeting": "◆", "task": "☐", "email": "✉", "note": "✎"}


class Item(Static, can_focus=True):
    """One activity (or occurrence) in a day."""

    def __init__(self, item: dict[str, Any], day_index: int) -> None:
        super().__init__(self._body(item), classes="item done" if item.get("done_at") else "item")
        self.item = item
        self.day_index = day_index

    @staticmethod
    def _body(item: dict[str, Any]) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        when = item.get("when")
        shown = (
            "all day" if item.get("all_day") or when is None else f"{clock.to_local(when):%H:%M}"
        )
        text.append(shown, style="bold")
        text.append(f" {KIND_MARK.get(item.get('kind') or '', '·')}")
        if item.get("recurring") or item.get("series_id"):
            text.append(" ↻")
        if item.get("done_at"):
            text.append(" ✓")
        text.append("\n" + str(item.get("subject") or ""))
        return text

    @property
    def handle(self) -> str:
        return str(self.item.get("handle") or self.item.get("id"))


class CalendarScreen(Screen[None]):
    """One week, Monday first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket,pageup", "week(-1)", "Prev week"),
        Binding("right_square_bracket,pagedown", "week(1)", "Next week"),
        Binding("t", "today", "Today"),
        Binding("d", "done", "Done"),
        Binding("s", "reschedule", "Reschedule"),
        Binding("enter", "open", "Open", show=False),
        Binding("o", "owner", "Owner", show=False),
        Binding("left", "focus_day(-1)", "←", show=False),
        Binding("right", "focus_day(1)", "→", show=False),
        Binding("up", "focus_item(-1)", "↑", show=False),
        Binding("down", "focus_item(1)", "↓", show=False),
        Binding("r", "reload", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: date = clock.today()
        self.everyone = False
        self.loads = 0
        self.keep_focus: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="week-bar", markup=False)
        yield Horizontal(id="week")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Calendar"
        self.reload()

    def reload(self) -> None:
        self.load(self.day, self.everyone)

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="calendar", exit_on_error=False)
    def load(self, day: date, everyone: bool) -> None:
        from crmcli.services.agenda import agenda

        app: Any = self.app
        week = app.service(lambda book: agenda(book, view="week", day=day, everyone=everyone))
        self.app.call_from_thread(self._show, week)  # type: ignore[arg-type]  # an async callback: awaited on the loop

    async def _show(self, week: dict[str, Any]) -> None:
        first: date = week["from"]
        days: list[list[dict[str, Any]]] = [[] for _ in range(7)]
        for item in week["items"]:
            when = item.get("when")
            if when is None:
                continue
            index = (clock.to_local(when).date() - first).days
            if 0 <= index < 7:
                days[index].append(item)
        iso = first.isocalendar()
        who = week["owner"] or "everyone"
        self.query_one("#week-bar", Static).update(
            f"Week {iso.week}, {iso.year} · {first:%d %b} – {week['to']:%d %b %Y} · {who} · "
            f"{len(week['items'])} activities"
        )
        container = self.query_one("#week", Horizontal)
        await container.remove_children()
        today = clock.today()
        columns = []
        for index, items in enumerate(days):
            day = first + timedelta(days=index)
            column = Vertical(
                Static(f"{day:%a %d}", classes="day-title"),
                VerticalScroll(*(Item(item, index) for item in items), classes="day-items"),
                classes="day today" if day == today else "day",
            )
            columns.append(column)
        await container.mount_all(columns)
        self._restore_focus()
        self.loads += 1

    def items(self) -> list[Item]:
        return list(self.query(Item))

    def _restore_focus(self) -> None:
        items = self.items()
        target = next((i for i in items if i.handle == self.keep_focus), None)
        if target is None:
            today = (clock.today() - (self.day - timedelta(days=self.day.weekday()))).days
            target = next((i for i in items if i.day_index >= today), items[0] if items else None)
        if target is not None:
            target.focus()
            target.scroll_visible()

    def focused_item(self) -> Item | None:
        return self.focused if isinstance(self.focused, Item) else None

    def _day_items(self, index: int) -> list[Item]:
        return [i for i in self.items() if i.day_index == index]

    def action_focus_day(self, step: int) -> None:
        current = self.focused_item()
        index = current.day_index if current else 0
        for probe in range(1, 7):
            items = self._day_items((index + step * probe) % 7)
            if items:
                items[0].focus()
                return

    def action_focus_item(self, step: int) -> None:
        current = self.focused_item()
        if current is None:
            self._restore_focus()
            return
        items = self._day_items(current.day_index)
        index = items.index(current) + step
        if 0 <= index < len(items):
            items[index].focus()
            items[index].scroll_visible()

    def action_week(self, step: int) -> None:
        self.day += timedelta(days=7 * step)
        self.keep_focus = None
        self.reload()

    def action_today(self) -> None:
        self.day = clock.today()
        self.keep_focus = None
        self.reload()

    def action_owner(self) -> None:
        self.everyone = not self.everyone
        self.reload()

    def action_done(self) -> None:
        from crmcli.services.activities import complete_activity

        item = self.focused_item()
        if item is None:
            return
        handle, undo = item.handle, bool(item.item.get("done_at"))
        self.keep_focus = handle
        self._write(
            lambda book: complete_activity(book, handle, undo=undo),
            "opened again" if undo else f"done: {item.item.get('subject')}",
        )

    @work(thread=True, exclusive=True, group="calendar-write", exit_on_error=False)
    def _write(self, job: Any, done: str) -> None:
        app: Any = self.app
        app.service(job)
        self.app.call_from_thread(self._written, done)

    def _written(self, done: str) -> None:
        self.notify(done, timeout=3, markup=False)
        self.reload()

    def action_reschedule(self) -> None:
        from crmcli.tui.screens.detail import reschedule_form

        item = self.focused_item()
        if item is None:
            return
        self.app.push_screen(
            reschedule_form(item.handle, item.item),
            lambda result: self.reload() if result else None,
        )

    def action_open(self) -> None:
        item = self.focused_item()
        if item is not None:
            app: Any = self.app
            self.keep_focus = item.handle
            app.open_record("activity", item.handle)

    def on_screen_resume(self) -> None:
        if self.loads:
            self.reload()

    def context(self) -> dict[str, str]:
        item = self.focused_item()
        if item is None:
            return {}
        return {
            k: item.item[f"{k}_id"]
            for k in ("deal", "contact", "company", "lead")
            if item.item.get(f"{k}_id")
        }
