"""The board: one column per open stage of the chosen pipeline, the biggest deals as cards.

Keys move the focus (arrows), move a card a stage on or back (shift+arrows, > and <), win
(w) or lose (l) it, open it (enter); the mouse drags a card onto another column. Every move
is ``deals.move_deal`` — the same call as ``crm deal move``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.errors import NoWidget
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from crmcli.tui import format as fmt

CARDS_PER_STAGE = 20


class Card(Static, can_focus=True):
    """One deal on the board."""

    def __init__(self, deal: dict[str, Any], stage_index: int, *, owner: bool = True) -> None:
        super().__init__(
            self._body(deal, owner=owner), classes="card idle" if deal["rotting"] else "card"
        )
        self.deal = deal
        self.stage_index = stage_index

    @staticmethod
    def _body(deal: dict[str, Any], *, owner: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(deal["name"] + "\n", style="bold")
        text.append(fmt.money(deal["amount"], deal["currency"], whole=True))
        if owner and deal.get("owner"):  # one rep's board: the owner goes without saying
            text.append(f" · {deal['owner']}")
        text.append("\n")
        if deal.get("company"):
            text.append(deal["company"] + "\n", style="dim")
        close = deal.get("expected_close")
        text.append(f"close {close.isoformat()}" if close else "no close date", style="dim")
        if deal["rotting"]:
            text.append(f"\n! {deal['idle_days']}d idle", style="bold red")
        return text

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        board = self.screen
        if isinstance(board, BoardScreen):
            board.dragging = self


class StageTitle(Static):
    """A column's heading: clicking it moves the focused card into that stage."""

    def on_click(self) -> None:
        board, column = self.screen, self.parent
        if isinstance(board, BoardScreen) and isinstance(column, StageColumn):
            card = board.focused_card()
            if card is not None:
                board.move_to_stage(card, column)


class StageColumn(Vertical):
    """A stage: its totals on top, its cards below."""

    def __init__(self, stage: dict[str, Any], index: int, *, owners: bool) -> None:
        super().__init__(classes="stage-column")
        self.stage = stage
        self.index = index
        self.owners = owners

    def compose(self) -> ComposeResult:
        s = self.stage
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"{s['stage']}\n", style="bold")
        # no currency: the bar above names it, and 80 columns leave 14 per stage
        title.append(
            f"{s['count']:,} · {fmt.money(s['amount'], None, whole=True)} · {s['probability']}%"
        )
        if s["rotting"]:
            title.append(f" · !{s['rotting']}", style="red")
        yield StageTitle(title, classes="stage-title")
        with VerticalScroll(classes="stage-cards"):
            for deal in s["cards"]:
                yield Card(deal, self.index, owner=self.owners)
            hidden = s["count"] - len(s["cards"])
            if hidden > 0:
                yield Static(f"… {hidden:,} more", classes="card-more")

    def cards(self) -> list[Card]:
        return list(self.query(Card))


class BoardScreen(Screen[None]):
    """The pipeline board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "focus_column(-1)", "←", show=False),
        Binding("right", "focus_column(1)", "→", show=False),
        Binding("up", "focus_card(-1)", "↑", show=False),
        Binding("down", "focus_card(1)", "↓", show=False),
        Binding("shift+right,greater_than_sign", "move(1)", "Move →"),
        Binding("shift+left,less_than_sign", "move(-1)", "Move ←"),
        Binding("w", "win", "Win"),
        Binding("l", "lose", "Lose"),
        Binding("enter", "open", "Open"),
        Binding("o", "owner", "Owner"),
        Binding("p", "pipeline", "Pipeline"),
        Binding("r", "reload", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.owner: str | None = "me"
        self.pipeline: str | None = None
        self.board: dict[str, Any] = {}
        self.dragging: Card | None = None
        self.keep_focus: str | None = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="board-bar", markup=False)
        yield Horizontal(id="board-columns")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Board"
        self.reload()

    def reload(self) -> None:
        self.load(self.pipeline, self.owner)

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def load(self, pipeline: str | None, owner: str | None) -> None:
        from crmcli.services.board import board

        app: Any = self.app
        found = app.service(
            lambda book: board(book, pipeline=pipeline, owner=owner, cards=CARDS_PER_STAGE)
        )
        self.app.call_from_thread(self._show, found)  # type: ignore[arg-type]  # an async callback: awaited on the loop

    async def _show(self, found: dict[str, Any]) -> None:
        self.board = found
        who = found["owner"] or "everyone"
        self.query_one("#board-bar", Static).update(
            f"{found['pipeline']} · {who} · {found['count']:,} open · "
            f"{fmt.money(found['amount'], found['currency'], whole=True)} · weighted "
            f"{fmt.money(found['weighted_amount'], found['currency'], whole=True)}"
            + (f" · {found['rotting']:,} idle" if found["rotting"] else "")
        )
        columns = self.query_one("#board-columns", Horizontal)
        await columns.remove_children()
        await columns.mount_all(
            StageColumn(s, i, owners=found["owner"] is None) for i, s in enumerate(found["stages"])
        )
        self._restore_focus()
        self.loads += 1

    def _restore_focus(self) -> None:
        cards = list(self.query(Card))
        target = next((c for c in cards if c.deal["id"] == self.keep_focus), None)
        if target is None and cards:
            target = cards[0]
        if target is not None:
            target.focus()
            target.scroll_visible()

    # -- focus --------------------------------------------------------------------------------
    def focused_card(self) -> Card | None:
        return self.focused if isinstance(self.focused, Card) else None

    def _columns(self) -> list[StageColumn]:
        return list(self.query(StageColumn))

    def action_focus_column(self, step: int) -> None:
        columns = self._columns()
        if not columns:
            return
        card = self.focused_card()
        index = card.stage_index if card else 0
        row = card.parent.children.index(card) if card and card.parent else 0
        for probe in range(1, len(columns)):
            target = (index + step * probe) % len(columns)
            cards = columns[target].cards()
            if cards:
                cards[min(row, len(cards) - 1)].focus()
                return

    def action_focus_card(self, step: int) -> None:
        card = self.focused_card()
        if card is None:
            self._restore_focus()
            return
        cards = self._columns()[card.stage_index].cards()
        index = cards.index(card) + step
        if 0 <= index < len(cards):
            cards[index].focus()
            cards[index].scroll_visible()

    # -- moves --------------------------------------------------------------------------------
    def _write(self, job: Any, done: str, deal_id: str) -> None:
        self.keep_focus = deal_id
        self._run_write(job, done)

    @work(thread=True, exclusive=True, group="board-write", exit_on_error=False)
    def _run_write(self, job: Any, done: str) -> None:
        app: Any = self.app
        app.service(job)
        self.app.call_from_thread(self._written, done)

    def _written(self, done: str) -> None:
        self.notify(done, timeout=3, markup=False)
        self.reload()

    def action_move(self, step: int) -> None:
        from crmcli.services.deals import move_deal

        card = self.focused_card()
        if card is None:
            return
        deal = card.deal
        self._write(
            lambda book: move_deal(book, deal["id"], step=step), f"moved {deal['name']}", deal["id"]
        )

    def move_to_stage(self, card: Card, column: StageColumn) -> None:
        """Move ``card`` to the stage of ``column`` (a drop, or a click on a column title)."""
        from crmcli.services.deals import move_deal

        if column.index == card.stage_index:
            return
        deal, stage = card.deal, column.stage["stage"]
        pipeline = self.board.get("pipeline")
        self._write(
            lambda book: move_deal(book, deal["id"], stage=stage, pipeline=pipeline),
            f"moved {deal['name']} to {stage}",
            deal["id"],
        )

    def on_mouse_up(self, event: events.MouseUp) -> None:
        card, self.dragging = self.dragging, None
        if card is None:
            return
        widget: Widget | None
        try:
            widget, _ = self.get_widget_at(event.screen_x, event.screen_y)
        except NoWidget:  # released outside every widget
            return
        while widget is not None and not isinstance(widget, StageColumn):
            widget = widget.parent if isinstance(widget.parent, Widget) else None
        if isinstance(widget, StageColumn):
            self.move_to_stage(card, widget)

    def action_win(self) -> None:
        from crmcli.services.deals import win_deal

        card = self.focused_card()
        if card is None:
            return
        deal = card.deal
        self._write(lambda book: win_deal(book, deal["id"]), f"won {deal['name']}", deal["id"])

    def action_lose(self) -> None:
        from crmcli.tui.screens.detail import lose_form

        card = self.focused_card()
        if card is None:
            return
        self.app.push_screen(
            lose_form(card.deal["id"], card.deal["name"]),
            lambda result: self.reload() if result else None,
        )

    def action_open(self) -> None:
        card = self.focused_card()
        if card is not None:
            app: Any = self.app
            self.keep_focus = card.deal["id"]
            app.open_record("deal", card.deal["id"])

    def on_screen_resume(self) -> None:
        if self.loads:
            self.reload()  # a deal may have moved on its detail screen

    def action_owner(self) -> None:
        self.owner = None if self.owner else "me"
        self.reload()

    def action_pipeline(self) -> None:
        self._pipelines()

    @work(thread=True, exclusive=True, group="board-pipelines", exit_on_error=False)
    def _pipelines(self) -> None:
        from crmcli.services.pipelines import list_pipelines

        app: Any = self.app
        found = app.service(list_pipelines)
        self.app.call_from_thread(self._pick_pipeline, [(p["name"], p["name"]) for p in found])

    def _pick_pipeline(self, options: list[tuple[str, str]]) -> None:
        from crmcli.tui.screens.forms import ChoiceScreen

        def chosen(name: str | None) -> None:
            if name:
                self.pipeline = name
                self.keep_focus = None
                self.reload()

        self.app.push_screen(ChoiceScreen("Show pipeline…", options), chosen)

    def context(self) -> dict[str, str]:
        card = self.focused_card()
        return {"deal": card.deal["id"]} if card else {}
