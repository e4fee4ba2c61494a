"""Detail screens for a deal, a company (the 360° view), a contact, a lead and an activity:
fields, an edit form (validation by the services, shown next to the field), timelines of
activities, stage history and changes, and each record's own verbs (move, win, lose,
convert, done, reschedule) — each a call of the service the command uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from crmcli.services.book import Book
from crmcli.tui import format as fmt
from crmcli.tui.screens.forms import Field, FormScreen, Values
from crmcli.tui.widgets.table import Col, RecordTable

Section = tuple[str, Sequence[Col], list[dict[str, Any]], str | None]

ACTIVITY_COLUMNS = (
    Col(
        "when",
        "When",
        fmt=lambda r: fmt.when(r.get("when") or r.get("start_at") or r.get("due_at")),
    ),
    Col("kind", "Kind"),
    Col("subject", "Subject"),
    Col("done", "Done", fmt=lambda r: "✓" if r.get("done") or r.get("done_at") else ""),
)
CHANGE_COLUMNS = (
    Col("at", "When", fmt=lambda r: fmt.when(r.get("at"))),
    Col("user", "User"),
    Col("field", "Field", fmt=lambda r: r.get("field") or r.get("op")),
    Col("old", "Was", fmt=lambda r: _brief(r.get("old_label") or r.get("old"))),
    Col("new", "Now", fmt=lambda r: _brief(r.get("new_label") or r.get("new"))),
)


def _brief(value: Any) -> Any:
    if isinstance(value, dict):
        return f"{{{len(value)} fields}}"
    return fmt.when(value) if hasattr(value, "tzinfo") else value


def _activity_line(activity: dict[str, Any] | None) -> str | None:
    """``Mon 23 Nov 10:00 Weekly sync`` for a company's next or last activity."""
    if not activity:
        return None
    at = activity.get("when") or activity.get("start_at") or activity.get("due_at")
    return f"{fmt.when(at or activity.get('done_at'))} {activity['subject']}"


def _changes(book: Book, entity: str, record_id: str) -> list[dict[str, Any]]:
    from crmcli.services.history import record_history

    _, _, changes = record_history(book, record_id, entity=entity, limit=50)
    return list(reversed(changes))  # newest first, like the deal card


def _edits(fields: Sequence[Field], values: Values) -> dict[str, Any]:
    """The fields the user changed (an emptied field clears it: the services read '')."""
    return {f.name: values[f.name].strip() for f in fields if values[f.name].strip() != f.value}


def _text(record: dict[str, Any], key: str) -> str:
    """A field's current value as the edit form shows it ('' for none)."""
    value = record.get(key)
    return "" if value is None else str(value)


def _owner_field(record: dict[str, Any]) -> Field:
    return Field("owner", "Owner", _text(record, "owner"), words=("owner", "user", "rep"))


def _money_col(key: str, label: str) -> Col:
    """A right-aligned amount in the row's own currency."""
    return Col(key, label, fmt=lambda r: fmt.money(r.get(key), r.get("currency")), right=True)


# Payments as the deal and the company 360° view list them.
PAYMENT_COLUMNS = (
    Col("paid_at", "Paid", fmt=lambda r: fmt.when(r.get("paid_at"), with_time=False)),
    Col("deal", "Deal"),
    _money_col("amount", "Amount"),
    Col("method", "Method"),
)
ORDER_COLUMNS = (
    Col("number", "Order"),
    Col("status", "Status"),
    _money_col("amount", "Amount"),
    _money_col("balance", "Owed"),
    Col("due_date", "Due"),
)


def _with_changes(book: Book, entity: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record with its newest changes under ``changes``."""
    record["changes"] = _changes(book, entity, record["id"])
    return record


class DetailScreen(Screen[None]):
    """One record: fields on top, then its sections; escape goes back."""

    entity = "record"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("e", "edit", "Edit"),
        Binding("r", "reload", "Refresh", show=False),
    ]

    def __init__(self, record_id: str) -> None:
        super().__init__()
        self.record_id = record_id
        self.record: dict[str, Any] = {}
        self.loads = 0  # how many times the record was shown (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="detail-title", markup=False)
        yield VerticalScroll(Static("loading…", id="fields"), id="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.entity.title()
        self.reload()

    def reload(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- what a subclass says -----------------------------------------------------------------
    def fetch(self, book: Book) -> dict[str, Any]:
        raise NotImplementedError

    def title_of(self, record: dict[str, Any]) -> str:
        return str(record.get("name") or record.get("subject") or "")

    def fields(self, record: dict[str, Any]) -> list[tuple[str, Any]]:
        raise NotImplementedError

    def sections(self, record: dict[str, Any]) -> list[Section]:
        return []

    def edit_form(self, record: dict[str, Any]) -> list[Field]:
        return []

    def save_edit(self, book: Book, changes: dict[str, Any]) -> object:
        raise NotImplementedError

    def context(self) -> dict[str, str]:
        """What quick actions started here are about (log a call on this deal…)."""
        return {self.entity: self.record["id"]} if self.record.get("id") else {}

    # -- loading and showing -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load(self) -> None:
        app: Any = self.app
        record = app.service(self.fetch)
        self.app.call_from_thread(self._show, record)

    def _show(self, record: dict[str, Any]) -> None:
        self.record = record
        if record.get("id"):
            self.record_id = record["id"]
        self.query_one("#detail-title", Static).update(
            f"{self.entity.title()}: {self.title_of(record)}"
        )
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        pairs = [(k, v) for k, v in self.fields(record) if v not in (None, "", [])]
        half = (len(pairs) + 1) // 2
        left, right = pairs[:half], pairs[half:]
        for i, (label, value) in enumerate(left):
            other = right[i] if i < len(right) else ("", "")
            grid.add_row(
                label, Text(str(value)), other[0], Text(str(other[1]) if other[1] != "" else "")
            )
        self.query_one("#fields", Static).update(grid)
        body = self.query_one("#detail-body", VerticalScroll)
        body.remove_children(".detail-part")
        for title, columns, rows, opens in self.sections(record):
            heading = Static(
                f"{title} ({len(rows)})", classes="detail-heading detail-part", markup=False
            )
            table = RecordTable(columns, classes="detail-table detail-part")
            table.opens = opens  # type: ignore[attr-defined]
            body.mount(heading)
            body.mount(table)
            table.call_after_refresh(table.show, rows)
        self.loads += 1

    @on(DataTable.RowSelected, ".detail-table")
    def _open_row(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        opens = getattr(table, "opens", None)
        record = table.current() if isinstance(table, RecordTable) else None
        if opens and record:
            target = record.get("id") or record.get("handle")
            if target:
                app: Any = self.app
                app.open_record(opens, target)

    # -- writes --------------------------------------------------------------------------------
    def write(self, job: Callable[[Book], object], done: str) -> None:
        """Run a service write in a worker; on success say so and show the record again."""
        self._write(job, done)

    @work(thread=True, exclusive=True, group="detail-write", exit_on_error=False)
    def _write(self, job: Callable[[Book], object], done: str) -> None:
        app: Any = self.app
        app.service(job)
        self.app.call_from_thread(self._written, done)

    def _written(self, done: str) -> None:
        self.notify(done, timeout=4, markup=False)
        self.reload()

    def action_edit(self) -> None:
        if not self.record:
            return
        fields = self.edit_form(self.record)
        if not fields:
            self.notify(f"a {self.entity} is changed with its own verbs here", timeout=3)
            return

        def submit(book: Book, values: Values) -> object:
            changes = _edits(fields, values)
            if not changes:
                return None
            return self.save_edit(book, changes)

        self.app.push_screen(
            FormScreen(
                f"Edit {self.entity}: {self.title_of(self.record)}",
                fields,
                submit,
                done=f"{self.entity} saved",
            ),
            lambda result: self.reload() if result else None,
        )


def _known(column: str) -> Callable[[Book], list[str]]:
    def load(book: Book) -> list[str]:
        from crmcli.services.deals import lost_reasons

        found = lost_reasons(book)
        key = "reasons" if column == "lost_reason" else "competitors"
        return [str(x["reason" if key == "reasons" else "competitor"]) for x in found[key]]

    return load


class DealDetail(DetailScreen):
    """A deal: fields, activities, stage history, quotes, changes; move, win, lose, reopen."""

    entity = "deal"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "move", "Move"),
        Binding("greater_than_sign", "step(1)", "Next stage"),
        Binding("less_than_sign", "step(-1)", "Back a stage", show=False),
        Binding("w", "win", "Win"),
        Binding("l", "lose", "Lose"),
        Binding("o", "reopen", "Reopen", show=False),
    ]

    def fetch(self, book: Book) -> dict[str, Any]:
        from crmcli.services.deals import show_deal

        return show_deal(book, self.record_id)

    def fields(self, d: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            ("Stage", f"{d['stage']} ({d.get('pipeline') or ''})"),
            ("Status", d["status"]),
            ("Amount", fmt.money(d.get("amount"), d.get("currency"))),
            ("Weighted", fmt.money(d.get("weighted_amount"), d.get("currency"))),
            ("Probability", f"{d['effective_probability']}%"),
            ("Company", d.get("company")),
            ("Contact", d.get("contact")),
            ("Owner", d.get("owner")),
            ("Close", fmt.when(d.get("expected_close"))),
            ("Next step", d.get("next_step")),
            ("Source", d.get("source")),
            (
                "Idle",
                f"{d['idle_days']} days{' — rotting' if d.get('rotting') else ''}"
                if d.get("idle_days") is not None
                else None,
            ),
            ("Lost reason", d.get("lost_reason")),
            ("Competitor", d.get("competitor")),
            ("Handle", d.get("handle")),
            ("Notes", d.get("notes")),
        ]

    def sections(self, d: dict[str, Any]) -> list[Section]:
        return [
            ("Activities", ACTIVITY_COLUMNS, d.get("activities", []), "activity"),
            (
                "Stage history",
                (
                    Col("at", "When", fmt=lambda r: fmt.when(r.get("at"))),
                    Col("from_stage", "From"),
                    Col("to_stage", "To"),
                    Col("user", "By"),
                    Col("days", "Days", right=True),
                ),
                d.get("stage_history", []),
                None,
            ),
            (
                "Quotes",
                (
                    Col("number", "Number"),
                    Col("version", "v", right=True),
                    Col("status", "Status"),
                    _money_col("total", "Total"),
                ),
                d.get("quotes", []),
                None,
            ),
            ("Orders", ORDER_COLUMNS, d.get("orders", []), None),
            ("Payments", PAYMENT_COLUMNS, d.get("payments", []), None),
            ("Changes", CHANGE_COLUMNS, d.get("changes", []), None),
        ]

    def edit_form(self, d: dict[str, Any]) -> list[Field]:
        return [
            Field("name", "Name", _text(d, "name"), words=("deal name", "name")),
            Field("amount", "Amount", _text(d, "amount"), words=("amount",)),
            Field("currency", "Currency", _text(d, "currency"), words=("currency",)),
            Field(
                "probability",
                "Probability",
                "" if d.get("probability") is None else str(d["probability"]),
                "empty: the stage's",
                words=("probability",),
            ),
            Field(
                "close", "Close date", fmt.when(d.get("expected_close")), words=("date", "close")
            ),
            Field("next_step", "Next step", _text(d, "next_step")),
            Field("company", "Company", _text(d, "company")),
            Field("contact", "Contact", _text(d, "contact")),
            _owner_field(d),
            Field("source", "Source", _text(d, "source")),
        ]

    def save_edit(self, book: Book, changes: dict[str, Any]) -> object:
        from crmcli.services.deals import edit_deal

        return edit_deal(book, self.record_id, **changes)

    def action_move(self) -> None:
        self._choose_stage()

    @work(thread=True, exclusive=True, group="detail-stages", exit_on_error=False)
    def _choose_stage(self) -> None:
        from crmcli.services.pipelines import show_pipeline

        app: Any = self.app
        pipeline = app.service(lambda book: show_pipeline(book, self.record.get("pipeline")))
        options = [
            (s["name"], f"{s['position']}. {s['name']} ({s['probability']}%)")
            for s in pipeline["stages"]
            if s["kind"] != "lost"
        ]
        self.app.call_from_thread(self._pick_stage, options)

    def _pick_stage(self, options: list[tuple[str, str]]) -> None:
        from crmcli.tui.screens.forms import ChoiceScreen

        def chosen(stage: str | None) -> None:
            if stage:
                self.move_to(stage)

        self.app.push_screen(ChoiceScreen(f"Move {self.record['name']} to…", options), chosen)

    def _verb(self, verb: Callable[..., object], done: str, **options: Any) -> None:
        """Run one of the deal's verbs (a ``crmcli.services.deals`` call) on this deal."""
        deal = self.record_id
        self.write(lambda book: verb(book, deal, **options), done)

    def move_to(self, stage: str) -> None:
        from crmcli.services.deals import move_deal

        self._verb(move_deal, f"moved to {stage}", stage=stage)

    def action_step(self, step: int) -> None:
        from crmcli.services.deals import move_deal

        self._verb(move_deal, "moved", step=step)

    def action_win(self) -> None:
        from crmcli.services.deals import win_deal

        self._verb(win_deal, "deal won")

    def action_reopen(self) -> None:
        from crmcli.services.deals import reopen_deal

        self._verb(reopen_deal, "deal reopened")

    def action_lose(self) -> None:
        self.app.push_screen(
            lose_form(self.record_id, self.record.get("name", "")),
            lambda r: self.reload() if r else None,
        )


def lose_form(deal_id: str, name: str) -> FormScreen:
    """Lose a deal: a reason and a competitor, the ones in use suggested."""
    from crmcli.services.deals import lose_deal

    def submit(book: Book, v: Values) -> object:
        return lose_deal(book, deal_id, reason=v["reason"], competitor=v["competitor"] or None)

    return FormScreen(
        f"Lose {name}",
        [
            Field(
                "reason",
                "Reason",
                "",
                "why it was lost",
                known=_known("lost_reason"),
                words=("reason",),
            ),
            Field(
                "competitor",
                "Competitor",
                "",
                "who won it (optional)",
                known=_known("competitor"),
                words=("competitor",),
            ),
        ],
        submit,
        done="deal lost",
    )


class CompanyDetail(DetailScreen):
    """The 360° view of a company: contacts, deals and totals, quotes, payments, history."""

    entity = "company"

    def fetch(self, book: Book) -> dict[str, Any]:
        from crmcli.services.companies import show_company

        return show_company(book, self.record_id, history=30)

    def fields(self, c: dict[str, Any]) -> list[tuple[str, Any]]:
        totals = c.get("totals", {})

        def total(status: str) -> str:
            t = totals.get(status) or {}
            amounts = ", ".join(
                fmt.money(v, k, whole=True) for k, v in t.get("amounts", {}).items()
            )
            return f"{t.get('count', 0)}" + (f" · {amounts}" if amounts else "")

        nxt, last = c.get("next_activity"), c.get("last_activity")
        return [
            ("Class", c.get("classification")),
            ("Domain", c.get("domain")),
            ("Industry", c.get("industry")),
            ("Size", c.get("size")),
            ("City", ", ".join(x for x in (c.get("city"), c.get("country")) if x)),
            ("Phone", c.get("phone")),
            ("Owner", c.get("owner")),
            ("Tags", ", ".join(c.get("tags") or [])),
            ("Open deals", total("open")),
            ("Won", total("won")),
            ("Lost", total("lost")),
            ("Paid", ", ".join(fmt.money(v, k) for k, v in (totals.get("paid") or {}).items())),
            ("Next", _activity_line(nxt)),
            ("Last", _activity_line(last)),
            ("Handle", c.get("handle")),
        ]

    def sections(self, c: dict[str, Any]) -> list[Section]:
        return [
            (
                "Contacts",
                (
                    Col("name", "Name"),
                    Col("title", "Title"),
                    Col("email", "E-mail"),
                    Col("phone", "Phone"),
                ),
                c.get("contacts", []),
                "contact",
            ),
            (
                "Deals",
                (
                    Col("name", "Name"),
                    Col("stage", "Stage"),
                    _money_col("amount", "Amount"),
                    Col("owner", "Owner"),
                    Col("expected_close", "Close"),
                ),
                c.get("deals", []),
                "deal",
            ),
            (
                "Quotes",
                (
                    Col("number", "Number"),
                    Col("deal", "Deal"),
                    Col("status", "Status"),
                    _money_col("total", "Total"),
                ),
                c.get("quotes", []),
                None,
            ),
            ("Payments", PAYMENT_COLUMNS, c.get("payments", []), None),
            ("History", CHANGE_COLUMNS, c.get("history", []), None),
        ]

    def edit_form(self, c: dict[str, Any]) -> list[Field]:
        return [
            Field("name", "Name", _text(c, "name"), words=("company name", "name")),
            Field(
                "classification",
                "Class",
                _text(c, "classification"),
                "prospect, target, key-account",
                words=("classification", "class"),
            ),
            Field("domain", "Domain", _text(c, "domain"), words=("domain",)),
            Field("website", "Website", _text(c, "website"), words=("web address", "website")),
            Field("industry", "Industry", _text(c, "industry")),
            Field("size", "Size", _text(c, "size"), words=("size",)),
            Field("phone", "Phone", _text(c, "phone"), words=("phone",)),
            Field("city", "City", _text(c, "city")),
            Field("country", "Country", _text(c, "country")),
            _owner_field(c),
        ]

    def save_edit(self, book: Book, changes: dict[str, Any]) -> object:
        from crmcli.services.companies import edit_company

        owner = changes.pop("owner", None)
        return edit_company(book, self.record_id, owner=owner, **changes)


class ContactDetail(DetailScreen):
    """A contact: fields, deals, upcoming and recent activities, changes."""

    entity = "contact"

    def fetch(self, book: Book) -> dict[str, Any]:
        from crmcli.services.contacts import show_contact

        return _with_changes(book, "contact", show_contact(book, self.record_id))

    def fields(self, c: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            ("E-mail", c.get("email")),
            ("Phone", c.get("phone")),
            ("Title", c.get("title")),
            ("Company", c.get("company")),
            ("Owner", c.get("owner")),
            ("Source", c.get("source")),
            ("Tags", ", ".join(c.get("tags") or [])),
            ("Also", ", ".join([*(c.get("other_emails") or []), *(c.get("other_phones") or [])])),
            ("Handle", c.get("handle")),
            ("Notes", c.get("notes")),
        ]

    def sections(self, c: dict[str, Any]) -> list[Section]:
        deal_columns = (
            Col("name", "Name"),
            Col("stage", "Stage"),
            _money_col("amount", "Amount"),
            Col("expected_close", "Close"),
        )
        return [
            ("Deals", deal_columns, c.get("deals", []), "deal"),
            ("Upcoming", ACTIVITY_COLUMNS, c.get("upcoming_activities", []), "activity"),
            ("Recent", ACTIVITY_COLUMNS, c.get("recent_activities", []), "activity"),
            ("Changes", CHANGE_COLUMNS, c.get("changes", []), None),
        ]

    def context(self) -> dict[str, str]:
        out = super().context()
        if self.record.get("company_id"):
            out["company"] = self.record["company_id"]
        return out

    def edit_form(self, c: dict[str, Any]) -> list[Field]:
        return [
            Field("name", "Name", _text(c, "name"), words=("name",)),
            Field("email", "E-mail", _text(c, "email"), words=("e-mail", "email")),
            Field("phone", "Phone", _text(c, "phone"), words=("phone",)),
            Field("title", "Title", _text(c, "title"), words=("title",)),
            Field("company", "Company", _text(c, "company"), words=("company",)),
            _owner_field(c),
        ]

    def save_edit(self, book: Book, changes: dict[str, Any]) -> object:
        from crmcli.services.contacts import edit_contact

        owner = changes.pop("owner", None)
        company = changes.pop("company", None)
        return edit_contact(book, self.record_id, owner=owner, company=company, **changes)


class LeadDetail(DetailScreen):
    """A lead: fields, score breakdown, activities, changes; convert it (c)."""

    entity = "lead"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("c", "convert", "Convert")]

    def fetch(self, book: Book) -> dict[str, Any]:
        from crmcli.services.leads import show_lead

        return _with_changes(book, "lead", show_lead(book, self.record_id))

    def fields(self, lead: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            ("Status", lead.get("status")),
            ("Score", lead.get("score")),
            ("E-mail", lead.get("email")),
            ("Phone", lead.get("phone")),
            ("Title", lead.get("title")),
            ("Company", lead.get("company_name")),
            ("Source", lead.get("source")),
            ("Owner", lead.get("owner")),
            ("Tags", ", ".join(lead.get("tags") or [])),
            ("Disqualified", lead.get("disqualify_reason")),
            ("Handle", lead.get("handle")),
            ("Notes", lead.get("notes")),
        ]

    def sections(self, lead: dict[str, Any]) -> list[Section]:
        return [
            (
                "Score",
                (Col("rule", "Rule"), Col("points", "Points", right=True)),
                lead.get("score_breakdown", []),
                None,
            ),
            ("Activities", ACTIVITY_COLUMNS, lead.get("activities", []), "activity"),
            ("Changes", CHANGE_COLUMNS, lead.get("changes", []), None),
        ]

    def edit_form(self, lead: dict[str, Any]) -> list[Field]:
        return [
            Field("name", "Name", _text(lead, "name"), words=("name",)),
            Field("email", "E-mail", _text(lead, "email"), words=("e-mail", "email")),
            Field("phone", "Phone", _text(lead, "phone"), words=("phone",)),
            Field("title", "Title", _text(lead, "title")),
            Field("company_name", "Company", _text(lead, "company_name"), words=("company",)),
            Field("source", "Source", _text(lead, "source")),
            Field(
                "status",
                "Status",
                _text(lead, "status"),
                "new, working, qualified",
                words=("status",),
            ),
            _owner_field(lead),
        ]

    def save_edit(self, book: Book, changes: dict[str, Any]) -> object:
        from crmcli.services.leads import edit_lead

        owner = changes.pop("owner", None)
        status = changes.pop("status", None)
        return edit_lead(book, self.record_id, owner=owner, status=status, **changes)

    def action_convert(self) -> None:
        from crmcli.services.leads import convert_lead

        lead_id = self.record_id
        name = str(self.record.get("company_name") or self.record.get("name") or "")

        def submit(book: Book, v: Values) -> object:
            amount = v["amount"].strip() or None
            return convert_lead(
                book,
                lead_id,
                deal=v["deal"].strip() or None,
                amount=_amount(amount) if amount else None,
                currency=v["currency"].strip() or None,
            )

        def converted(result: Any) -> None:
            if not result:
                return
            app: Any = self.app
            self.reload()
            if result.get("deal"):
                app.open_record("deal", result["deal"]["id"])
            elif result.get("contact"):
                app.open_record("contact", result["contact"]["id"])

        self.app.push_screen(
            FormScreen(
                f"Convert {self.record.get('name')}",
                [
                    Field(
                        "deal",
                        "Deal",
                        name,
                        "a deal name (empty with no amount: no deal)",
                        words=("deal",),
                    ),
                    Field("amount", "Amount", "", "e.g. 12000", words=("amount",)),
                    Field("currency", "Currency", "", "default EUR", words=("currency",)),
                ],
                submit,
                done=lambda r: (
                    "converted into "
                    + ", ".join(k for k in ("company", "contact", "deal") if r.get(k))
                ),
            ),
            converted,
        )


def _amount(text: str) -> Any:
    from crmcli.money import parse_money

    return parse_money(text)


class ActivityDetail(DetailScreen):
    """An activity or one occurrence of a series: mark done (d), reschedule (s)."""

    entity = "activity"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "done", "Done"),
        Binding("s", "reschedule", "Reschedule"),
    ]

    def fetch(self, book: Book) -> dict[str, Any]:
        from crmcli.services.activities import show_activity

        return show_activity(book, self.record_id)

    def _me(self) -> str:
        return str(self.record.get("handle") or self.record_id)

    def _show(self, record: dict[str, Any]) -> None:
        keep = self.record_id  # an occurrence has no id of its own: keep its handle
        super()._show(record)
        if not record.get("id"):
            self.record_id = keep

    def fields(self, a: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            ("Kind", a.get("kind")),
            ("When", fmt.when(a.get("start_at"))),
            ("Ends", fmt.when(a.get("end_at"))),
            ("Due", fmt.when(a.get("due_at"))),
            ("Done", fmt.when(a.get("done_at"))),
            ("Outcome", a.get("outcome")),
            ("Where", a.get("location")),
            ("Deal", a.get("deal")),
            ("With", a.get("contact")),
            ("Company", a.get("company")),
            ("Lead", a.get("lead")),
            ("Owner", a.get("owner")),
            ("Repeats", a.get("rrule")),
            ("Handle", a.get("handle")),
            ("Notes", a.get("notes")),
        ]

    def sections(self, a: dict[str, Any]) -> list[Section]:
        upcoming = [
            {"when": at, "subject": a.get("subject"), "kind": a.get("kind")}
            for at in a.get("next_occurrences") or []
        ]
        return [("Next occurrences", ACTIVITY_COLUMNS[:3], upcoming, None)] if upcoming else []

    def context(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in ("deal", "contact", "company", "lead"):
            if self.record.get(f"{key}_id"):
                out[key] = self.record[f"{key}_id"]
        return out

    def action_done(self) -> None:
        from crmcli.services.activities import complete_activity

        handle, undo = self._me(), bool(self.record.get("done_at"))
        self.write(
            lambda book: complete_activity(book, handle, undo=undo),
            "opened again" if undo else "marked done",
        )

    def action_reschedule(self) -> None:
        self.app.push_screen(
            reschedule_form(self._me(), self.record), lambda r: self.reload() if r else None
        )


def reschedule_form(handle: str, record: dict[str, Any]) -> FormScreen:
    """Move an activity (or one occurrence) to a new time, keeping its length."""
    from crmcli import clock
    from crmcli.services.activities import reschedule_activity

    due_only = not record.get("start_at")

    def submit(book: Book, v: Values) -> object:
        when = clock.parse_when(v["when"])
        if due_only:
            return reschedule_activity(book, handle, due=when)
        return reschedule_activity(book, handle, start=when)

    current = record.get("start_at") or record.get("due_at")
    return FormScreen(
        f"Reschedule {record.get('subject')}",
        [
            Field(
                "when",
                "New time",
                fmt.editable(current),
                "e.g. tomorrow 15:00",
                words=("date", "time", "start", "due"),
            )
        ],
        submit,
        done="rescheduled",
    )


_SCREENS: dict[str, type[DetailScreen]] = {
    "deal": DealDetail,
    "company": CompanyDetail,
    "contact": ContactDetail,
    "lead": LeadDetail,
    "activity": ActivityDetail,
}


def detail_screen(entity: str, record_id: str) -> DetailScreen:
    """The detail screen of one record."""
    return _SCREENS[entity](record_id)
