"""The Textual app: one factory, used by ``crm tui`` and by the Pilot and snapshot tests.

The TUI holds no domain logic: every read and write is a call of the same service function
the commands use (``crmcli.services``), made in a worker thread on a connection of its own
(``open_book`` opens one for each thread, kept for that thread's next calls), so the screen
never freezes on a large book and every write lands in history under the acting user.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from crmcli.errors import CrmError
from crmcli.services.book import Book
from crmcli.tui.palette import CrmCommands
from crmcli.tui.registry import QUICK_ACTIONS, SCREENS

T = TypeVar("T")


class Reported(Exception):
    """A service error that has been shown to the user already (ends a worker quietly)."""


def _theme_from_terminal() -> str:
    """Light or dark, as the terminal says: ``CRM_THEME``, else ``COLORFGBG`` (xterm, rxvt,
    Konsole, iTerm set it: "15;0" is light text on black), else dark."""
    chosen = os.environ.get("CRM_THEME", "").strip().lower()
    if chosen in ("light", "dark"):
        return f"textual-{chosen}"
    if chosen:
        return chosen
    background = os.environ.get("COLORFGBG", "").split(";")[-1]
    return "textual-light" if background in ("7", "15") else "textual-dark"


class CrmApp(App[None]):
    """The book of business, full screen: home, board, lists, details, calendar."""

    TITLE = "crmcli"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar[set[Any]] = {*App.COMMANDS, CrmCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        *(
            Binding(s.key, f"switch('{s.name}')", s.title, show=s.name in ("home", "board"))
            for s in SCREENS
        ),
        *(
            Binding(a.key, a.action, a.title, show=a.key in ("L", "question_mark"))
            for a in QUICK_ACTIONS
        ),
    ]

    def __init__(self, open_book: Callable[[], Book], *, start: str = "home") -> None:
        super().__init__()
        self._open_book = open_book
        self._thread_books = threading.local()
        self._opened: list[Book] = []  # every thread's connection, closed when the app ends
        self._busy: set[int] = set()  # those in a job now
        self._ended = False
        self._opened_lock = threading.Lock()
        self._start = start
        for entry in SCREENS:
            self.add_mode(entry.name, entry.factory)
        self.theme = _theme_from_terminal()

    def on_mount(self) -> None:
        self.switch_mode(self._start)

    # -- the one way screens reach the book -------------------------------------------------
    def with_book(self, job: Callable[[Book], T]) -> T:
        """Run ``job`` on the calling thread's own connection (call it from a worker thread).

        The connection is opened on the thread's first job and kept for its next ones: a page
        flip opens nothing and finds the pages it read in SQLite's cache. Each job is its own
        transaction, so it sees every write committed before it."""
        book: Book | None = getattr(self._thread_books, "book", None)
        with self._opened_lock:
            if self._ended:  # the app closed its connections: this job opens its own
                book = None
            elif book is None:
                book = self._thread_books.book = self._open_book()
                self._opened.append(book)
            if book is not None:
                self._busy.add(id(book))
        if book is None:
            once = self._open_book()
            try:
                return job(once)
            finally:
                once.close()
        try:
            return job(book)
        finally:
            with self._opened_lock:
                self._busy.discard(id(book))
                if self._ended:
                    book.close()  # it was in a job when the app ended

    def on_unmount(self) -> None:
        """The app ends: close its threads' connections (one in a job closes after it)."""
        with self._opened_lock:
            self._ended = True
            idle = [book for book in self._opened if id(book) not in self._busy]
        for book in idle:
            book.close()

    def service(self, job: Callable[[Book], T]) -> T:
        """``with_book``, showing a service error as a notification (and raising Reported)."""
        try:
            return self.with_book(job)
        except CrmError as exc:
            self.call_from_thread(self.show_error, exc)
            raise Reported from exc

    def show_error(self, exc: CrmError) -> None:
        """One line (plus the hint) in an error notification; never a traceback."""
        message = exc.message + (f"\n{exc.hint}" if exc.hint else "")
        self.notify(message, title="crm", severity="error", markup=False, timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly is reported, not a crash with a traceback."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, Reported):
                return
            if isinstance(error, CrmError):
                self.show_error(error)
                return
            self.notify(f"unexpected error: {error}", title="crm", severity="error", markup=False)

    # -- navigation ---------------------------------------------------------------------------
    def action_switch(self, name: str) -> None:
        """Show a top-level screen (its own stack: details opened there stay there)."""
        if self.current_mode != name:
            self.switch_mode(name)

    def open_record(self, entity: str, record_id: str) -> None:
        """Open a record's detail screen (deal, company, contact, lead, activity)."""
        from crmcli.tui.screens.detail import detail_screen

        self.push_screen(detail_screen(entity, record_id))

    def action_help(self) -> None:
        from crmcli.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    # -- quick actions from anywhere ----------------------------------------------------------
    def _record_context(self) -> dict[str, str]:
        """What the current screen is about (a deal, contact…), to prefill quick forms."""
        context = getattr(self.screen, "context", None)
        return dict(context()) if callable(context) else {}

    def _open_form(self, name: str) -> None:
        from crmcli.tui.screens import forms

        self.push_screen(forms.quick_form(name, self._record_context()), self._after_form)

    def _after_form(self, result: object) -> None:
        refresh = getattr(self.screen, "reload", None)
        if result and callable(refresh):
            refresh()

    def action_log_activity(self) -> None:
        self._open_form("log")

    def action_follow_up(self) -> None:
        self._open_form("follow_up")

    def action_add_lead(self) -> None:
        self._open_form("lead")

    def action_add_contact(self) -> None:
        self._open_form("contact")

    def action_add_deal(self) -> None:
        self._open_form("deal")


def make_app(open_book: Callable[[], Book], *, start: str = "home") -> CrmApp:
    """The app, given a way to open the book (each worker opens its own connection)."""
    return CrmApp(open_book, start=start)
