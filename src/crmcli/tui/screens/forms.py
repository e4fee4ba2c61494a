"""Small modal forms: quick actions (log an activity, schedule a follow-up, add a lead,
contact or deal), edit forms, lose-a-deal, convert-a-lead.

A form only collects text: it hands the values to a service function (the same one the
command calls), and a validation error the service raises is shown next to the field it is
about (the field whose value the message quotes, else the one it names), never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crmcli.errors import CrmError
from crmcli.services.book import Book

Values = dict[str, str]


@dataclass(frozen=True)
class Field:
    """One input: its service keyword, label, initial value, placeholder, and optionally
    where its known values come from (suggested as you type, listed under the field)."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    known: Callable[[Book], list[str]] | None = None
    words: tuple[str, ...] = ()

    def mentioned_by(self, message: str) -> bool:
        text = message.lower()
        names = (*self.words, self.label.lower(), self.name.replace("_", " "))
        return any(word and word in text for word in names)


def field_for(error: CrmError, fields: Sequence[Field], values: Mapping[str, str]) -> str | None:
    """The field a service's error is about: the one whose value it quotes, else names."""
    message = error.message
    for f in fields:
        value = values.get(f.name, "").strip()
        if value and (f"'{value}'" in message or f'"{value}"' in message):
            return f.name
    for f in fields:
        if f.mentioned_by(message):
            return f.name
    return None


def _optional(values: Mapping[str, str], *names: str) -> dict[str, Any]:
    """The non-empty ones of ``names`` (the services treat absent and empty differently)."""
    return {n: values[n].strip() for n in names if values.get(n, "").strip()}


class FormScreen(ModalScreen[object]):
    """A modal form: enter (or ctrl+s) saves through the service, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        submit: Callable[[Book, Values], object],
        *,
        done: str | Callable[[Any], str] = "saved",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.submit = submit
        self.done = done
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.form_title, id="form-title", markup=False)
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(f.label, classes="form-label")
                        yield Input(
                            f.value,
                            placeholder=f.placeholder,
                            id=f"field-{f.name}",
                            classes="form-input",
                            compact=True,
                        )
                    yield Static("", id=f"error-{f.name}", classes="form-error empty", markup=False)
            yield Static("", id="form-message", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}", Input).focus()
        if any(f.known for f in self.fields):
            self.load_known()

    @work(thread=True, exclusive=True, group="form-known", exit_on_error=False)
    def load_known(self) -> None:
        app: Any = self.app
        known = app.service(
            lambda book: {f.name: f.known(book) for f in self.fields if f.known is not None}
        )
        self.app.call_from_thread(self._show_known, known)

    def _show_known(self, known: dict[str, list[str]]) -> None:
        for name, values in known.items():
            field_input = self.query_one(f"#field-{name}", Input)
            field_input.suggester = SuggestFromList(values, case_sensitive=False)
            if values:
                hint = self.query_one(f"#error-{name}", Static)
                hint.update("known: " + ", ".join(values[:8]))
                hint.remove_class("empty")
                hint.add_class("hint")

    def values(self) -> Values:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.fields}

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        for f in self.fields:
            box = self.query_one(f"#error-{f.name}", Static)
            if "hint" not in box.classes:
                box.update("")
                box.add_class("empty")
        self.query_one("#form-message", Static).update("")
        self.save(self.values())

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def save(self, values: Values) -> None:
        app: Any = self.app
        try:
            result = app.with_book(lambda book: self.submit(book, values))
        except CrmError as exc:
            self.app.call_from_thread(self._failed, exc, values)
            return
        self.app.call_from_thread(self._saved, result)

    def _failed(self, exc: CrmError, values: Values) -> None:
        self.saving = False
        text = exc.message + (f" — {exc.hint}" if exc.hint else "")
        name = field_for(exc, self.fields, values)
        if name is None:
            self.query_one("#form-message", Static).update(text)
            return
        box = self.query_one(f"#error-{name}", Static)
        box.remove_class("empty", "hint")
        box.update(text)
        self.query_one(f"#field-{name}", Input).focus()

    def _saved(self, result: object) -> None:
        self.saving = False
        message = self.done(result) if callable(self.done) else self.done
        self.app.notify(message, timeout=4, markup=False)
        self.dismiss(result if result is not None else True)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few options (a stage, a pipeline): enter picks, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.choice_title = title
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.choice_title, id="form-title", markup=False)
            yield OptionList(
                *(Option(label, id=value) for value, label in self.options), id="choices"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the quick actions ----------------------------------------------------------------------
def _when(text: str) -> Any:
    from crmcli import clock

    return clock.parse_when(text) if text.strip() else None


def _duration(text: str) -> Any:
    from crmcli import clock

    return clock.parse_duration(text) if text.strip() else None


def _kinds(book: Book) -> list[str]:
    from crmcli.services.activities import book_activity_kinds

    return book_activity_kinds(book)


def _handle(context: Mapping[str, str], key: str) -> str:
    from crmcli.services.handles import short

    value = context.get(key)
    return short(value) if value else ""


def _links(context: Mapping[str, str]) -> list[Field]:
    fields = [
        Field("contact", "With", _handle(context, "contact"), "a contact: name or e-mail"),
        Field("deal", "Deal", _handle(context, "deal"), "a deal's name or id"),
    ]
    # a company or lead link only when the screen is about one (the form stays short)
    fields += [
        Field(key, key.title(), _handle(context, key))
        for key in ("company", "lead")
        if key in context
    ]
    return fields


def _log(book: Book, v: Values) -> object:
    from crmcli.services.activities import log_activity

    return log_activity(
        book,
        kind=v["kind"],
        subject=v["subject"],
        at=_when(v["when"]),
        duration=_duration(v["duration"]),
        **_optional(v, "contact", "deal", "company", "lead", "notes"),
    )


def _follow_up(book: Book, v: Values) -> object:
    from crmcli.services.activities import add_activity

    when = _when(v["when"])
    task = v["kind"].strip().lower() == "task"
    return add_activity(
        book,
        kind=v["kind"],
        subject=v["subject"],
        start=None if task else when,
        due=when if task else None,
        duration=_duration(v["duration"]),
        **_optional(v, "contact", "deal", "company", "lead", "notes"),
    )


def _lead(book: Book, v: Values) -> object:
    from crmcli.services.leads import add_lead

    return add_lead(
        book, name=v["name"], **_optional(v, "email", "phone", "company_name", "source")
    )


def _contact(book: Book, v: Values) -> object:
    from crmcli.services.contacts import add_contact

    return add_contact(book, name=v["name"], **_optional(v, "email", "phone", "title", "company"))


def _deal(book: Book, v: Values) -> object:
    from crmcli.services.deals import add_deal

    return add_deal(
        book, name=v["name"], **_optional(v, "amount", "currency", "company", "contact", "close")
    )


def quick_form(name: str, context: Mapping[str, str]) -> FormScreen:
    """The modal form of a quick action, prefilled from what the screen shows."""
    if name == "log":
        return FormScreen(
            "Log an activity",
            [
                Field("kind", "Kind", "call", "call, meeting, email, note, task", known=_kinds),
                Field("subject", "Subject", "", "what happened", words=("subject",)),
                *_links(context),
                Field("when", "When", "", "now; or yesterday 16:00", words=("date", "time")),
                Field("duration", "Duration", "", "e.g. 30m"),
                Field("notes", "Notes"),
            ],
            _log,
            done=lambda row: f"logged {row['kind']} {row['subject']!r}",
        )
    if name == "follow_up":
        return FormScreen(
            "Schedule a follow-up",
            [
                Field("kind", "Kind", "task", "task, call, meeting", known=_kinds),
                Field("subject", "Subject", "Follow up", words=("subject",)),
                *_links(context),
                Field(
                    "when",
                    "When",
                    "tomorrow 9:00",
                    "e.g. next friday 10:00",
                    words=("date", "time", "start", "due"),
                ),
                Field("duration", "Duration", "", "e.g. 30m (meetings)"),
                Field("notes", "Notes"),
            ],
            _follow_up,
            done=lambda row: f"scheduled {row['kind']} {row['subject']!r}",
        )
    if name == "lead":
        return FormScreen(
            "Add a lead",
            [
                Field("name", "Name", "", "the person", words=("name",)),
                Field("email", "E-mail", words=("e-mail", "email")),
                Field("phone", "Phone"),
                Field("company_name", "Company", "", "their company's name"),
                Field("source", "Source", "", "web, referral, event…"),
            ],
            _lead,
            done=lambda row: f"added lead {row['name']!r}",
        )
    if name == "contact":
        return FormScreen(
            "Add a contact",
            [
                Field("name", "Name", "", "the person", words=("name",)),
                Field("email", "E-mail", words=("e-mail", "email")),
                Field("phone", "Phone"),
                Field("title", "Title"),
                Field(
                    "company",
                    "Company",
                    _handle(context, "company"),
                    "a company (new names are created)",
                ),
            ],
            _contact,
            done=lambda row: f"added contact {row['name']!r}",
        )
    if name == "deal":
        return FormScreen(
            "Add a deal",
            [
                Field("name", "Name", "", "e.g. Acme renewal", words=("deal name", "name")),
                Field("company", "Company", _handle(context, "company")),
                Field("contact", "Contact", _handle(context, "contact")),
                Field("amount", "Amount", "", "e.g. 48000", words=("amount",)),
                Field("currency", "Currency", "", "default EUR", words=("currency",)),
                Field("close", "Close date", "", "e.g. 2026-12-15", words=("date", "close")),
            ],
            _deal,
            done=lambda row: f"added deal {row['name']!r}",
        )
    raise KeyError(name)
