"""Deals: the opportunity pipeline.

``create_deal`` is the one way a deal comes to be (``crm deal add``, lead conversion,
import): it validates, places the deal in its pipeline's first open stage (or the stage
asked for) and writes the first stage-history row in the caller's transaction.

Every later stage change goes through :func:`enter_stage`, which appends a
``stage_history`` row (stated time, acting user) and sets ``stage_changed_at``; closing
sets ``status`` and ``closed_at``, reopening clears them and keeps the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from crmcli import clock
from crmcli.errors import InvalidInput, NotFound
from crmcli.money import from_milli, parse_currency, parse_money, round_money, to_milli
from crmcli.services.book import Book
from crmcli.services.handles import change_handle, contains_pattern, resolve, short
from crmcli.services.records import public
from crmcli.services.users import find_owner, is_me
from crmcli.services.validate import clean_text
from crmcli.storage.db import Reader, Row, Writer, as_datetime

STATUSES = ("open", "won", "lost", "closed", "all")
SORTS = {
    "updated": "updated_at DESC, id",
    "created": "created_at DESC, id",
    "amount": "amount_milli DESC, id",
    "close": "expected_close IS NULL, expected_close, id",
    "name": "lower(name), id",
}
EDITABLE = (
    "name",
    "company",
    "contact",
    "amount",
    "currency",
    "probability",
    "close",
    "source",
    "next_step",
    "owner",
    "notes",
    "forecast",
)
_CLEAR = ("", "none", "-")


# -- pipelines and stages ------------------------------------------------------------------
def default_pipeline(reader: Reader) -> Row:
    """The pipeline new deals go to when none is named."""
    row = reader.row(
        "SELECT * FROM pipelines WHERE is_default = ? AND deleted_at IS NULL "
        "ORDER BY position LIMIT 1",
        (True,),
    ) or reader.row("SELECT * FROM pipelines WHERE deleted_at IS NULL ORDER BY position LIMIT 1")
    if row is None:
        raise NotFound("this book has no pipeline", hint="crm pipeline add NAME")
    return row


def find_pipeline(reader: Reader, handle: str | None) -> Row:
    """A pipeline by name (or id prefix); the default pipeline when ``handle`` is None."""
    if handle is None:
        return default_pipeline(reader)
    return resolve(reader, "pipeline", handle)


def pipeline_stages(reader: Reader, pipeline_id: str) -> list[Row]:
    """The stages of a pipeline in order."""
    return reader.rows(
        "SELECT * FROM stages WHERE pipeline_id = ? AND deleted_at IS NULL ORDER BY position",
        (pipeline_id,),
    )


def find_stage(reader: Reader, pipeline_id: str, name_or_position: str) -> Row:
    """A stage of ``pipeline_id`` by (case-insensitive, unique-prefix) name or 1-based position."""
    stages = pipeline_stages(reader, pipeline_id)
    text = name_or_position.strip().lower()
    if text.isdigit():
        position = int(text)
        if 1 <= position <= len(stages):
            return stages[position - 1]
    exact = [s for s in stages if s["name"].lower() == text]
    prefixed = exact or [s for s in stages if s["name"].lower().startswith(text)]
    if len(prefixed) == 1:
        return prefixed[0]
    names = ", ".join(s["name"] for s in stages)
    if prefixed:
        raise InvalidInput(f"stage {name_or_position!r} is ambiguous", hint=f"stages: {names}")
    raise NotFound(f"no stage {name_or_position!r} in this pipeline", hint=f"stages: {names}")


def stage_in(reader: Reader, pipeline: Row, text: str) -> Row:
    """A stage of ``pipeline``; a stage of another pipeline is named as such in the error."""
    try:
        return find_stage(reader, pipeline["id"], text)
    except NotFound as exc:
        other = reader.row(
            "SELECT p.name AS pipeline FROM stages s JOIN pipelines p ON p.id = s.pipeline_id "
            "WHERE lower(s.name) = lower(?) AND s.pipeline_id <> ? AND s.deleted_at IS NULL "
            "AND p.deleted_at IS NULL LIMIT 1",
            (text.strip(), pipeline["id"]),
        )
        if other is not None:
            raise InvalidInput(
                f"stage {text.strip()!r} belongs to pipeline {other['pipeline']!r}, "
                f"not to {pipeline['name']!r}",
                hint=f"to change pipeline: --pipeline {other['pipeline']!r}; {exc.hint}",
            ) from exc
        raise


def first_stage(
    reader: Reader, pipeline_id: str, kind: str, *, stages: Sequence[Row] | None = None
) -> Row:
    """The first stage of ``kind`` in a pipeline: where new deals start, won and lost ones end."""
    if stages is None:
        stages = pipeline_stages(reader, pipeline_id)
    found = next((s for s in stages if s["kind"] == kind), None)
    if found is None:
        name = reader.get("pipelines", pipeline_id)["name"]
        example = "NAME" if kind == "open" else f"'Closed {kind.title()}'"
        raise InvalidInput(
            f"pipeline {name!r} has no {kind} stage",
            hint=f"crm pipeline stage add {example} --kind {kind} --pipeline {name!r}",
        )
    return found


def all_stages(reader: Reader) -> dict[str, Row]:
    """Every stage by id (a small table), deleted ones included for old history rows."""
    return {s["id"]: s for s in reader.rows("SELECT * FROM stages")}


def parse_probability(value: str | int | None, *, what: str = "probability") -> int | None:
    """A whole percentage 0–100 (``40`` or ``40%``); None stays None."""
    if value is None:
        return None
    if isinstance(value, int):
        number = Decimal(value)
    else:
        raw = value.strip().removesuffix("%").strip()
        try:
            number = Decimal(raw)
        except InvalidOperation as exc:
            raise InvalidInput(f"{what} {value!r} is not a number", hint="e.g. 40 or 40%") from exc
    if not number.is_finite() or not 0 <= number <= 100:
        raise InvalidInput(
            f"{what} must be between 0 and 100, not {value}",
            hint="give a whole number from 0 to 100",
        )
    if number != number.to_integral_value():
        raise InvalidInput(
            f"{what} must be a whole percentage, not {value}",
            hint="give a whole number from 0 to 100",
        )
    return int(number)


# -- how a deal looks to people and scripts --------------------------------------------------
def effective_probability(deal: Row, stage: Row) -> int:
    """Won deals count 100%, lost 0%, open ones their override or the stage default."""
    if deal["status"] == "won":
        return 100
    if deal["status"] == "lost":
        return 0
    return int(deal["probability"] if deal["probability"] is not None else stage["probability"])


def weighted_amount(deal: Row, stage: Row) -> Decimal:
    """amount × probability, rounded half-up at the currency's minor unit."""
    amount = from_milli(deal["amount_milli"], deal["currency"]) or Decimal(0)
    return round_money(amount * effective_probability(deal, stage) / 100, deal["currency"])


# The SQL twin of is_rotting (two ``cutoff`` parameters): untouched since the cutoff.
IDLE_SQL = (
    "COALESCE(stage_changed_at, created_at) < ? "
    "AND (last_activity_at IS NULL OR last_activity_at < ?)"
)


def last_touch(deal: Row) -> datetime | None:
    """The later of the last stage change and the last activity."""
    times = [
        t
        for t in (
            as_datetime(deal.get("stage_changed_at")) or as_datetime(deal.get("created_at")),
            as_datetime(deal.get("last_activity_at")),
        )
        if t is not None
    ]
    return max(times) if times else None


def is_rotting(deal: Row, stage: Row, now: datetime) -> bool:
    """Open, and neither moved nor touched by an activity for more than the stage's days."""
    days = stage.get("rotting_days")
    touched = last_touch(deal)
    if deal["status"] != "open" or not days or touched is None:
        return False
    return now - touched > timedelta(days=days)


def idle_days(deal: Row, now: datetime) -> int | None:
    """Whole days since an open deal was last moved or touched (None once closed)."""
    touched = last_touch(deal)
    return (now - touched).days if touched and deal["status"] == "open" else None


def view(
    deal: Row,
    stage: Row,
    *,
    now: datetime,
    names: dict[str, dict[str, str]] | None = None,
    pipeline: str | None = None,
) -> Row:
    """The public shape of a deal: amounts as Decimal, names beside ids, computed fields."""
    out = public(deal)
    names = names or {}
    out["pipeline"] = pipeline or names.get("pipelines", {}).get(deal["pipeline_id"])
    out["stage"] = stage["name"]
    out["stage_kind"] = stage["kind"]
    out["stage_probability"] = stage["probability"]
    out["effective_probability"] = effective_probability(deal, stage)
    out["company"] = names.get("companies", {}).get(deal.get("company_id") or "")
    out["contact"] = names.get("contacts", {}).get(deal.get("contact_id") or "")
    out["owner"] = names.get("users", {}).get(deal.get("owner_id") or "")
    out["weighted_amount"] = weighted_amount(deal, stage)
    changed = as_datetime(deal.get("stage_changed_at")) or as_datetime(deal.get("created_at"))
    out["days_in_stage"] = (now - changed).days if changed else None
    out["idle_days"] = idle_days(deal, now)
    out["rotting"] = is_rotting(deal, stage, now)
    return out


def names_for(reader: Reader, deals: Sequence[Row]) -> dict[str, dict[str, str]]:
    """Names of the companies, contacts, owners and pipelines a page of deals refers to."""
    wanted = {
        "companies": ("name", {d["company_id"] for d in deals if d.get("company_id")}),
        "contacts": ("name", {d["contact_id"] for d in deals if d.get("contact_id")}),
        "users": ("username", {d["owner_id"] for d in deals if d.get("owner_id")}),
        "pipelines": ("name", {d["pipeline_id"] for d in deals if d.get("pipeline_id")}),
    }
    return {
        table: reader.values_by_id(table, column, ids) for table, (column, ids) in wanted.items()
    }


def views(
    reader: Reader,
    deals: Sequence[Row],
    *,
    now: datetime | None = None,
    stages: dict[str, Row] | None = None,
) -> list[Row]:
    """Public shapes of a page of deals (names fetched for that page only)."""
    now = now or clock.now()
    stages = stages if stages is not None else all_stages(reader)
    names = names_for(reader, deals)
    return [view(d, stages[d["stage_id"]], now=now, names=names) for d in deals]


# -- creating ------------------------------------------------------------------------------
def acting_user_id(w: Writer) -> str | None:
    """The id of the user the writer acts for (stage-history rows name them)."""
    found = w.scalar("SELECT id FROM users WHERE username = ?", (w.user,))
    return None if found is None else str(found)


def create_deal(
    w: Writer,
    *,
    name: str,
    amount: Decimal,
    currency: str = "EUR",
    owner_id: str | None = None,
    company_id: str | None = None,
    contact_id: str | None = None,
    lead_id: str | None = None,
    pipeline_id: str | None = None,
    stage_id: str | None = None,
    probability: int | None = None,
    expected_close: date | None = None,
    source: str | None = None,
    next_step: str | None = None,
    notes: str | None = None,
    external_id: str | None = None,
    record_id: str | None = None,
    created_at: datetime | None = None,
) -> Row:
    """Create a deal and its first stage-history row, inside the caller's transaction.

    ``record_id`` and ``created_at`` keep an imported deal's id and creation time.
    """
    name = clean_text(name, what="deal name", max_length=300, required=True)
    if amount < 0:
        raise InvalidInput("a deal amount cannot be negative", hint="give a positive --amount")
    if probability is not None and not 0 <= probability <= 100:
        raise InvalidInput(
            f"probability must be between 0 and 100, not {probability}",
            hint="give --probability from 0 to 100",
        )
    pipeline = w.get("pipelines", pipeline_id) if pipeline_id else default_pipeline(w)
    stages = pipeline_stages(w, pipeline["id"])
    if stage_id is None:
        stage = first_stage(w, pipeline["id"], "open", stages=stages)
    else:
        found = next((s for s in stages if s["id"] == stage_id), None)
        if found is None:
            raise InvalidInput(
                f"that stage is not in pipeline {pipeline['name']!r}",
                hint="see its stages: crm pipeline show",
            )
        stage = found
    status = stage["kind"]
    values: dict[str, Any] = {
        "name": name,
        "pipeline_id": pipeline["id"],
        "stage_id": stage["id"],
        "company_id": company_id,
        "contact_id": contact_id,
        "lead_id": lead_id,
        "owner_id": owner_id,
        "amount_milli": to_milli(round_money(amount, parse_currency(currency))),
        "currency": parse_currency(currency),
        "probability": probability,
        "expected_close": expected_close,
        "source": source,
        "next_step": next_step,
        "status": status,
        "stage_changed_at": w.at,
        "closed_at": w.at if status != "open" else None,
        "notes": notes,
        "external_id": external_id,
    }
    if record_id is not None:
        values["id"] = record_id
    if created_at is not None:
        values["created_at"] = created_at
    deal = w.insert("deals", values)
    w.insert(
        "stage_history",
        {
            "deal_id": deal["id"],
            "from_stage_id": None,
            "to_stage_id": stage["id"],
            "at": w.at,
            "user_id": acting_user_id(w) or owner_id,
        },
    )
    return deal


def _optional_text(value: str | None, *, what: str, max_length: int) -> str | None:
    if value is None:
        return None
    return clean_text(value, what=what, max_length=max_length) or None


def _close_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return clock.parse_date(value)


def find_rep(reader: Reader, handle: str | None, *, actor: Row, must_be_active: bool = True) -> Row:
    """The rep ``handle`` names (None or ``me``: ``actor``), by :func:`users.find_owner`.

    New owners must be active; filters (``must_be_active=False``) may name a rep who left.
    """
    if handle is None or is_me(handle):
        return actor
    return find_owner(reader, handle, must_be_active=must_be_active)


@dataclass
class ProductLine:
    """A price-book product on a deal: SKU (or name) and quantity."""

    product: str
    quantity: Decimal = Decimal(1)


def _parse_quantity(text: str | Decimal | int) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise InvalidInput(
            f"quantity {text!r} is not a number", hint="give a number, e.g. --qty 3"
        ) from exc
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"quantity must be positive, not {text}", hint="give --qty 1 or more")
    return value


def product_lines(
    products: Sequence[str], quantities: Sequence[str | Decimal | int]
) -> list[ProductLine]:
    """Pair ``--product`` options with ``--qty`` options (in order; missing ones are 1)."""
    if len(quantities) > len(products):
        raise InvalidInput("more --qty than --product options", hint="give one --qty per --product")
    return [
        ProductLine(p, _parse_quantity(quantities[i]) if i < len(quantities) else Decimal(1))
        for i, p in enumerate(products)
    ]


def _resolve_lines(reader: Reader, lines: Sequence[ProductLine]) -> list[tuple[Row, Decimal]]:
    out = []
    for line in lines:
        product = resolve(reader, "product", line.product)
        if not product.get("active", True):
            raise InvalidInput(
                f"product {product['sku']} is inactive",
                hint="choose an active product",
            )
        out.append((product, line.quantity))
    return out


def add_deal(
    book: Book,
    *,
    name: str,
    amount: str | Decimal | None = None,
    currency: str | None = None,
    company: str | None = None,
    contact: str | None = None,
    owner: str | None = None,
    pipeline: str | None = None,
    stage: str | None = None,
    probability: str | int | None = None,
    close: date | str | None = None,
    source: str | None = None,
    next_step: str | None = None,
    notes: str | None = None,
    products: Sequence[ProductLine] = (),
    at: datetime | None = None,
) -> Row:
    """``crm deal add``: resolve the handles, validate, create the deal (and its lines)."""
    parsed_amount = None if amount is None else parse_money(amount)
    parsed_currency = None if currency is None else parse_currency(currency)
    parsed_probability = parse_probability(probability)
    expected_close = _close_date(close)
    source = _optional_text(source, what="source", max_length=100)
    next_step = _optional_text(next_step, what="next step", max_length=500)
    notes = _optional_text(notes, what="notes", max_length=20_000) if notes else None
    with book.write(at=at) as w:
        owner_id = find_rep(w, owner, actor=book.actor)["id"]
        company_row = resolve(w, "company", company) if company else None
        contact_row = resolve(w, "contact", contact) if contact else None
        company_id = company_row["id"] if company_row else None
        if company_id is None and contact_row is not None:
            company_id = contact_row.get("company_id")
        pipeline_row = find_pipeline(w, pipeline)
        stage_row = stage_in(w, pipeline_row, stage) if stage else None
        if stage_row is not None and stage_row["kind"] != "open":
            raise InvalidInput(
                f"a new deal goes into an open stage, not {stage_row['name']!r}",
                hint="add it, then: crm deal win / crm deal lose --reason …",
            )
        lines = _resolve_lines(w, products)
        for product, _ in lines:
            wanted = parsed_currency or product["currency"]
            if product["currency"] != wanted:
                raise InvalidInput(
                    f"product {product['sku']} is priced in {product['currency']}, "
                    f"the deal in {wanted}",
                    hint="price the line in the deal's currency, or change the deal's --currency",
                )
        if parsed_currency is None:
            parsed_currency = lines[0][0]["currency"] if lines else "EUR"
        if parsed_amount is None:
            parsed_amount = sum(
                (from_milli(p["unit_price_milli"], p["currency"]) or Decimal(0)) * q
                for p, q in lines
            ) or Decimal(0)
            parsed_amount = round_money(Decimal(parsed_amount), parsed_currency)
        deal = create_deal(
            w,
            name=name,
            amount=parsed_amount,
            currency=parsed_currency,
            owner_id=owner_id,
            company_id=company_id,
            contact_id=contact_row["id"] if contact_row else None,
            pipeline_id=pipeline_row["id"],
            stage_id=stage_row["id"] if stage_row else None,
            probability=parsed_probability,
            expected_close=expected_close,
            source=source,
            next_step=next_step,
            notes=notes,
        )
        for product, quantity in lines:
            w.insert(
                "deal_lines",
                {
                    "deal_id": deal["id"],
                    "product_id": product["id"],
                    "description": product["name"],
                    "quantity": str(quantity),
                    "unit_price_milli": product["unit_price_milli"],
                    "discount_pct": "0",
                },
            )
        return _view_one(w, w.get("deals", deal["id"]))


def _view_one(reader: Reader, deal: Row) -> Row:
    return views(reader, [deal])[0]


# -- finding and listing ---------------------------------------------------------------------
def find_deal(reader: Reader, handle: str) -> Row:
    """A deal by id prefix or (unique) name."""
    return resolve(reader, "deal", handle)


def _rotting_clause(
    reader: Reader, now: datetime, stage_ids: set[str] | None
) -> tuple[str, list[Any]]:
    """SQL matching idle open deals: one (stage, cutoff) pair per stage with a threshold."""
    parts: list[str] = []
    params: list[Any] = []
    for stage in all_stages(reader).values():
        if stage["deleted_at"] or stage["kind"] != "open" or not stage["rotting_days"]:
            continue
        if stage_ids is not None and stage["id"] not in stage_ids:
            continue
        cutoff = now - timedelta(days=stage["rotting_days"])
        parts.append(f"(stage_id = ? AND {IDLE_SQL})")
        params += [stage["id"], cutoff, cutoff]
    return ("(" + " OR ".join(parts) + ")" if parts else "1 = 0"), params


def list_deals(
    book: Book,
    *,
    owner: str | None = None,
    pipeline: str | None = None,
    stage: str | None = None,
    status: str = "open",
    company: str | None = None,
    rotting: bool = False,
    sort: str = "updated",
    limit: int = 50,
    offset: int = 0,
    search: str | None = None,
) -> list[Row]:
    """A page of deals, most recently updated first unless ``sort`` says otherwise.

    ``offset`` skips that many (the TUI's pages); ``search``: every word in the name.
    """
    if status not in STATUSES:
        raise InvalidInput(
            f"status must be one of {', '.join(STATUSES)}, not {status!r}",
            hint="e.g. --status open",
        )
    if sort not in SORTS:
        raise InvalidInput(
            f"sort must be one of {', '.join(SORTS)}, not {sort!r}", hint="e.g. --sort -amount"
        )
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    if offset < 0:
        raise InvalidInput("the offset cannot be negative", hint="start at 0")
    now = clock.now()
    where = ["deleted_at IS NULL"]
    params: list[Any] = []
    # Before the read (the actor is looked up in its own transaction); only --owner needs it.
    actor = book.actor if owner else {}
    with book.read() as r:
        if rotting:
            status = "open"
        if status in ("open", "won", "lost"):
            where.append("status = ?")
            params.append(status)
        elif status == "closed":
            where.append("status IN (?, ?)")
            params += ["won", "lost"]
        if owner:
            where.append("owner_id = ?")
            params.append(find_rep(r, owner, actor=actor, must_be_active=False)["id"])
        if company:
            where.append("company_id = ?")
            params.append(resolve(r, "company", company)["id"])
        stage_ids: set[str] | None = None
        if pipeline or stage:
            pipeline_row = find_pipeline(r, pipeline)
            if stage:
                found = stage_in(r, pipeline_row, stage)
                stage_ids = {found["id"]}
                where.append("stage_id = ?")
                params.append(found["id"])
            else:
                stage_ids = {s["id"] for s in pipeline_stages(r, pipeline_row["id"])}
                where.append("pipeline_id = ?")
                params.append(pipeline_row["id"])
        if rotting:
            clause, args = _rotting_clause(r, now, stage_ids)
            where.append(clause)
            params += args
        for word in (search or "").split():
            where.append("lower(name) LIKE ? ESCAPE '\\'")
            params.append(contains_pattern(word))
        rows = r.rows(
            f"SELECT * FROM deals WHERE {' AND '.join(where)} ORDER BY {SORTS[sort]} "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return views(r, rows, now=now)


# -- show ------------------------------------------------------------------------------------
def stage_history(reader: Reader, deal_id: str) -> list[Row]:
    """A deal's stage changes by stated time; ties (backfills, a fixed clock) in entry order."""
    return reader.rows(
        "SELECT h.* FROM stage_history h LEFT JOIN changes c ON c.entity = ? "
        "AND c.record_id = h.id AND c.op = ? "
        "WHERE h.deal_id = ? AND h.deleted_at IS NULL ORDER BY h.at, c.hlc",
        ("stage_history", "create", deal_id),
    )


def show_deal(book: Book, handle: str, *, limit: int = 20) -> Row:
    """A deal with its stage timeline, activities, quotes, products and change history."""
    from crmcli.services.history import changes_where  # the one labelled change-log query
    from crmcli.services.sales.deal_lines import deal_lines
    from crmcli.services.sales.summary import deal_sales

    now = clock.now()
    with book.read() as r:
        deal = find_deal(r, handle)
        stages = all_stages(r)
        out = views(r, [deal], now=now, stages=stages)[0]
        users = {u["id"]: u["username"] for u in r.rows("SELECT id, username FROM users")}
        history = stage_history(r, deal["id"])
        timeline = []
        for i, h in enumerate(history):
            left = history[i + 1]["at"] if i + 1 < len(history) else None
            end = left or (deal["closed_at"] if deal["status"] != "open" else now)
            timeline.append(
                {
                    "at": h["at"],
                    "from_stage": stages[h["from_stage_id"]]["name"]
                    if h["from_stage_id"] in stages
                    else None,
                    "to_stage": stages[h["to_stage_id"]]["name"],
                    "user": users.get(h["user_id"] or ""),
                    "days": max(0, (as_datetime(end) - h["at"]).days) if end is not None else None,
                }
            )
        out["stage_history"] = timeline
        out["activities"] = [
            {
                "id": a["id"],
                "handle": short(a["id"]),
                "kind": a["kind"],
                "subject": a["subject"],
                "when": a["start_at"] or a["due_at"] or a["created_at"],
                "done": a["done_at"] is not None,
                "owner": users.get(a["owner_id"] or ""),
            }
            for a in r.rows(
                "SELECT id, kind, subject, start_at, due_at, done_at, created_at, owner_id "
                "FROM activities WHERE deal_id = ? AND deleted_at IS NULL "
                "ORDER BY COALESCE(start_at, due_at, created_at) DESC LIMIT ?",
                (deal["id"], limit),
            )
        ]
        out["quotes"] = [
            public(q)
            for q in r.rows(
                "SELECT id, number, version, status, total_milli, currency, valid_until, sent_at "
                "FROM quotes WHERE deal_id = ? AND deleted_at IS NULL ORDER BY number, version",
                (deal["id"],),
            )
        ]
        out["lines"] = deal_lines(r, deal)  # numbered as crm deal line remove takes them
        out.update(deal_sales(r, deal["id"]))  # orders, payments, balance, expenses
        out["changes"] = [
            {
                "at": c["at"],
                "user": c["user"],
                "op": c["op"],
                "field": c["field"],
                "old": _brief(c.get("old_label") or c["old"]),
                "new": _brief(c.get("new_label") or c["new"]),
                "change": short(c["id"]),
            }
            for c in changes_where(
                r, "entity = ? AND record_id = ?", ("deals", deal["id"]), limit=limit
            )
        ]
    return out


def _brief(value: Any) -> Any:
    """A logged value for the deal card: a created record's whole dict is just counted."""
    return f"{{{len(value)} fields}}" if isinstance(value, dict) else value


# -- edit, delete ------------------------------------------------------------------------------
def edit_deal(book: Book, handle: str, *, at: datetime | None = None, **changes: Any) -> Row:
    """Change a deal's fields (not its stage: that is :func:`move_deal`).

    Text fields, ``probability`` and ``close`` are cleared by an empty string or ``none``.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            f"cannot edit {', '.join(sorted(unknown))} of a deal",
            hint="see what can change: crm deal edit --help",
        )
    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        raise InvalidInput("nothing to change", hint="see: crm deal edit --help")

    def cleared(key: str) -> bool:
        return isinstance(given.get(key), str) and given[key].strip().lower() in _CLEAR

    values: dict[str, Any] = {}
    if "name" in given:
        values["name"] = clean_text(given["name"], what="deal name", max_length=300, required=True)
    if "amount" in given:
        amount = parse_money(given["amount"])  # re-rounded in the deal's currency below
    if "currency" in given:
        values["currency"] = parse_currency(given["currency"])
    if "probability" in given:
        values["probability"] = (
            None if cleared("probability") else parse_probability(given["probability"])
        )
    if "forecast" in given:
        from crmcli.services.forecast_category import parse_category

        values["forecast_category"] = parse_category(given["forecast"])
    if "close" in given:
        values["expected_close"] = None if cleared("close") else _close_date(given["close"])
    for key, column, length in (
        ("source", "source", 100),
        ("next_step", "next_step", 500),
        ("notes", "notes", 20_000),
    ):
        if key in given:
            values[column] = _optional_text(
                given[key], what=key.replace("_", " "), max_length=length
            )
    with book.write(at=at) as w:
        deal = find_deal(w, handle)
        if "amount" in given:
            currency = str(values.get("currency", deal["currency"]))
            values["amount_milli"] = to_milli(round_money(amount, currency))
        if "owner" in given:
            values["owner_id"] = find_rep(w, given["owner"], actor=book.actor)["id"]
        if "company" in given:
            values["company_id"] = (
                None if cleared("company") else resolve(w, "company", given["company"])["id"]
            )
        if "contact" in given:
            values["contact_id"] = (
                None if cleared("contact") else resolve(w, "contact", given["contact"])["id"]
            )
        w.update("deals", deal["id"], values)
        return _view_one(w, w.get("deals", deal["id"]))


def delete_deal(book: Book, handle: str, *, at: datetime | None = None) -> tuple[Row, str]:
    """Soft-delete a deal; returns it and the change id that undoes the deletion."""
    with book.write(at=at) as w:
        deal = find_deal(w, handle)
        change = w.delete("deals", deal["id"])
        return public(deal), change_handle(change)


# -- stage changes -----------------------------------------------------------------------------
@dataclass
class StageChange:
    """What a move/win/lose/reopen did (``moved`` is False when the deal stayed put)."""

    deal: Row
    from_stage: str | None
    to_stage: str
    moved: bool = True
    warnings: list[str] = field(default_factory=list)


def enter_stage(
    w: Writer, deal: Row, stage: Row, extra: dict[str, Any], *, actor_id: str | None
) -> list[str]:
    """Append the stage-history row and update the deal, at the writer's stated time.

    ``actor_id`` is :func:`acting_user_id`, looked up once by callers that move many deals.
    """
    warnings = []
    previous = as_datetime(deal.get("stage_changed_at"))
    if previous is not None and w.at < previous:
        warnings.append(
            f"the stated time {clock.to_local(w.at):%Y-%m-%d %H:%M} is before the deal's last "
            f"stage change ({clock.to_local(previous):%Y-%m-%d %H:%M}); the history keeps both"
        )
    w.insert(
        "stage_history",
        {
            "deal_id": deal["id"],
            "from_stage_id": deal["stage_id"],
            "to_stage_id": stage["id"],
            "at": w.at,
            "user_id": actor_id,
        },
    )
    w.update(
        "deals",
        deal["id"],
        {
            "stage_id": stage["id"],
            "pipeline_id": stage["pipeline_id"],
            "stage_changed_at": w.at,
            **extra,
        },
    )
    return warnings


def _require_open(deal: Row, verb: str) -> None:
    if deal["status"] != "open":
        raise InvalidInput(
            f"deal {deal['name']!r} is {deal['status']}; reopen it before you {verb} it",
            hint=f"crm deal reopen {short(deal['id'])}",
        )


def _current_stage(reader: Reader, deal: Row) -> Row:
    return reader.get("stages", deal["stage_id"], include_deleted=True)


def _change_stage(
    w: Writer, deal: Row, current: Row, target: Row, extra: dict[str, Any]
) -> StageChange:
    """Enter ``target`` and report the move: what move, win, lose and reopen all end with."""
    warnings = enter_stage(w, deal, target, extra, actor_id=acting_user_id(w))
    return StageChange(
        _view_one(w, w.get("deals", deal["id"])), current["name"], target["name"], True, warnings
    )


def move_deal(
    book: Book,
    handle: str,
    *,
    stage: str | None = None,
    step: int = 0,
    pipeline: str | None = None,
    at: datetime | None = None,
) -> StageChange:
    """Move an open deal to a stage (name or position), or one open stage on/back (``step``)."""
    if (stage is None) == (step == 0):
        raise InvalidInput("name a stage, or use --next or --back (one of them)")
    with book.write(at=at) as w:
        deal = find_deal(w, handle)
        _require_open(deal, "move")
        current = _current_stage(w, deal)
        if step:
            if pipeline:
                raise InvalidInput("--next/--back move within the deal's pipeline; name a stage")
            opens = [s for s in pipeline_stages(w, deal["pipeline_id"]) if s["kind"] == "open"]
            index = next((i for i, s in enumerate(opens) if s["id"] == current["id"]), 0)
            target_index = index + step
            if not 0 <= target_index < len(opens):
                where = "last" if step > 0 else "first"
                hint = (
                    f"win it: crm deal win {short(deal['id'])}"
                    if step > 0
                    else "there is no earlier open stage"
                )
                raise InvalidInput(
                    f"deal {deal['name']!r} is in the {where} open stage ({current['name']})",
                    hint=hint,
                )
            target = opens[target_index]
        else:
            assert stage is not None
            pipeline_row = (
                find_pipeline(w, pipeline) if pipeline else w.get("pipelines", deal["pipeline_id"])
            )
            target = stage_in(w, pipeline_row, stage)
        if target["kind"] == "lost":
            raise InvalidInput(
                "a deal is lost with a reason",
                hint=f"crm deal lose {short(deal['id'])} --reason … [--competitor …]",
            )
        if target["id"] == current["id"]:
            return StageChange(_view_one(w, deal), current["name"], target["name"], moved=False)
        extra: dict[str, Any] = {}
        if target["kind"] == "won":
            extra = {"status": "won", "closed_at": w.at}
        return _change_stage(w, deal, current, target, extra)


def win_deal(book: Book, handle: str, *, at: datetime | None = None) -> StageChange:
    """Close a deal as won: its pipeline's won stage, ``status`` won, ``closed_at`` set."""
    with book.write(at=at) as w:
        deal = find_deal(w, handle)
        _require_open(deal, "win")
        target = first_stage(w, deal["pipeline_id"], "won")
        extra = {"status": "won", "closed_at": w.at}
        return _change_stage(w, deal, _current_stage(w, deal), target, extra)


def normalise_value(reader: Reader, column: str, text: str, *, lower: bool) -> str:
    """An existing value of ``column`` equal up to case and spacing, else the cleaned text.

    Keeps lost reasons and competitors groupable: "Price" and "price " become "price".
    """
    value = " ".join(text.split())
    existing = reader.rows(
        f"SELECT {column} AS value, count(*) AS n FROM deals WHERE {column} IS NOT NULL "
        f"GROUP BY {column} ORDER BY n DESC, {column}"
    )
    for row in existing:
        if row["value"].casefold() == value.casefold():
            return str(row["value"])
    return value.lower() if lower else value


def known_values(reader: Reader, column: str, *, limit: int = 50) -> list[Row]:
    """The values of ``lost_reason`` or ``competitor`` on lost deals, most used first."""
    assert column in ("lost_reason", "competitor")
    return reader.rows(
        f"SELECT {column} AS value, count(*) AS deals FROM deals "
        f"WHERE status = ? AND deleted_at IS NULL AND {column} IS NOT NULL "
        f"GROUP BY {column} ORDER BY deals DESC, {column} LIMIT ?",
        ("lost", limit),
    )


def lost_reasons(book: Book) -> dict[str, list[Row]]:
    """The lost reasons and competitors in use, with how many lost deals name each."""
    with book.read() as r:
        return {
            "reasons": [
                {"reason": x["value"], "deals": x["deals"]} for x in known_values(r, "lost_reason")
            ],
            "competitors": [
                {"competitor": x["value"], "deals": x["deals"]}
                for x in known_values(r, "competitor")
            ],
        }


def lose_deal(
    book: Book,
    handle: str,
    *,
    reason: str | None,
    competitor: str | None = None,
    at: datetime | None = None,
) -> StageChange:
    """Close a deal as lost with a (normalised) reason and optional competitor."""
    reason_text = clean_text(reason or "", what="lost reason", max_length=100)
    competitor_text = _optional_text(competitor, what="competitor", max_length=200)
    with book.write(at=at) as w:
        if not reason_text:
            known = [x["value"] for x in known_values(w, "lost_reason", limit=8)]
            raise InvalidInput(
                "a lost deal needs a reason: --reason …",
                hint="reasons in use: " + ", ".join(known) if known else "e.g. --reason price",
            )
        deal = find_deal(w, handle)
        _require_open(deal, "lose")
        target = first_stage(w, deal["pipeline_id"], "lost")
        extra = {
            "status": "lost",
            "closed_at": w.at,
            "lost_reason": normalise_value(w, "lost_reason", reason_text, lower=True),
            "competitor": normalise_value(w, "competitor", competitor_text, lower=False)
            if competitor_text
            else None,
        }
        return _change_stage(w, deal, _current_stage(w, deal), target, extra)


def reopen_deal(
    book: Book, handle: str, *, stage: str | None = None, at: datetime | None = None
) -> StageChange:
    """Reopen a won or lost deal into the stage it was closed from (or ``stage``)."""
    with book.write(at=at) as w:
        deal = find_deal(w, handle)
        if deal["status"] == "open":
            raise InvalidInput(
                f"deal {deal['name']!r} is already open", hint="move it with: crm deal move"
            )
        stages = all_stages(w)
        current = stages[deal["stage_id"]]
        if stage is not None:
            target = stage_in(w, w.get("pipelines", deal["pipeline_id"]), stage)
            if target["kind"] != "open":
                raise InvalidInput(
                    f"reopen into an open stage, not {target['name']!r}",
                    hint="name an open stage: crm pipeline show",
                )
        else:
            entered = [
                h for h in stage_history(w, deal["id"]) if h["to_stage_id"] == deal["stage_id"]
            ]
            before = entered[-1]["from_stage_id"] if entered else None
            target = stages.get(before or "")  # type: ignore[assignment]
            if (
                target is None
                or target["kind"] != "open"
                or target["deleted_at"]
                or target["pipeline_id"] != deal["pipeline_id"]
            ):
                target = first_stage(w, deal["pipeline_id"], "open")
        extra = {"status": "open", "closed_at": None, "lost_reason": None, "competitor": None}
        return _change_stage(w, deal, current, target, extra)
