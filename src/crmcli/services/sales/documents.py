"""A quote as the customer receives it: the figures of :mod:`.quotes` laid out by
:mod:`crmcli.io.quote_render` (PDF, HTML, Markdown)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from crmcli.errors import InvalidInput
from crmcli.io.quote_render import DocumentLine, QuoteDocument
from crmcli.money import format_money
from crmcli.services.book import Book
from crmcli.services.sales.config import setting
from crmcli.services.sales.quotes import QuoteView, find_quote, quote_view
from crmcli.storage.db import Reader

Kind = Literal["pdf", "html", "md"]


def _amount(value: Decimal) -> str:
    """A table cell: the amount at its currency's minor unit with thousands separators."""
    return f"{value:,}"


def _pct(value: Decimal) -> str:
    if value == 0:
        return ""
    text = f"{value.normalize():f}"
    return f"{text}%"


def _seller() -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    name = setting("seller.name") or ""
    address = setting("seller.address") or ""
    vat = setting("seller.vat_id") or ""
    email = setting("seller.email") or ""
    block = [name or "(set your name: crm config set seller.name …)"]
    # `crm config set seller.address 'Street 1\n10115 Berlin'` keeps the \n as typed
    lines = str(address).replace("\\n", "\n").split("\n")
    block += [part.strip() for part in lines if part.strip()]
    if vat:
        block.append(f"VAT ID {vat}")
    if email:
        block.append(str(email))
    footer = tuple(str(x) for x in (name, email, f"VAT ID {vat}" if vat else "") if x)
    logo = setting("seller.logo")
    if logo and not Path(str(logo)).is_file():
        raise InvalidInput(
            f"the logo {logo} (crm config seller.logo) is missing",
            hint="crm config set seller.logo PATH, or crm config unset seller.logo",
        )
    return tuple(block), footer, str(logo) if logo else None


def _customer(reader: Reader, quote: QuoteView) -> tuple[str, ...]:
    lines: list[str] = []
    if quote["company_id"]:
        company = reader.get("companies", quote["company_id"], include_deleted=True)
        lines.append(company["name"])
        if company.get("address"):
            lines += [p.strip() for p in str(company["address"]).split("\n") if p.strip()]
        place = " ".join(str(company.get(k) or "") for k in ("city", "country")).strip()
        if place:
            lines.append(place)
    if quote["contact_id"]:
        contact = reader.get("contacts", quote["contact_id"], include_deleted=True)
        email = f" <{contact['email']}>" if contact.get("email") else ""
        lines.append(f"{contact['name']}{email}")
    return tuple(lines) or ("(no customer on the deal)",)


def build_document(reader: Reader, quote: QuoteView) -> QuoteDocument:
    """The document of a quote: seller (``crm config``), customer, lines, totals, terms."""
    currency = quote["currency"]

    locale = setting("locale")  # `crm config set locale de_DE`: 1.250,00 €

    def money(value: Decimal) -> str:
        return format_money(value, currency, locale=locale)

    summary: list[tuple[str, str]] = [("Subtotal", money(quote["subtotal"]))]
    if quote["line_discounts"]:
        summary.append(("Line discounts", money(-quote["line_discounts"])))
    if quote["quote_discount"]:
        summary.append((f"Discount {_pct(quote['discount_pct'])}", money(-quote["quote_discount"])))
    if quote["charges"]:
        summary.append(("Charges", money(quote["charges"])))
    for band in quote["taxes"]:
        if band["rate"] != 0:
            summary.append(
                (f"Tax {_pct(band['rate'])} on {_amount(band['base'])}", money(band["tax"]))
            )
    summary.append(("Total", money(quote["total"])))
    seller, footer, logo = _seller()
    return QuoteDocument(
        number=quote["number"],
        version=quote["version"],
        status=quote["status"],
        issued=quote["created_at"].date().isoformat(),
        valid_until=quote["valid_until"].isoformat() if quote["valid_until"] else "",
        currency=currency,
        seller=seller,
        customer=_customer(reader, quote),
        lines=tuple(
            DocumentLine(
                position=line["position"],
                description=line["description"],
                sku=line["sku"] or "",
                quantity=f"{line['quantity']:f}",
                unit=line["unit"] or "",
                unit_price=_amount(line["unit_price"]),
                discount=_pct(line["discount_pct"]),
                tax=_pct(line["tax_pct"]),
                amount=_amount(line["net"]),
                charge=line["kind"] == "charge",
            )
            for line in quote["lines"]
        ),
        summary=tuple(summary),
        deal=quote["deal"],
        terms=quote["terms"] or "",
        notes=quote["notes"] or "",
        seller_logo=logo,
        footer=footer,
    )


def render_quote(book: Book, handle: str, *, kind: Kind) -> bytes:
    """The quote rendered as a PDF, an HTML page or Markdown (bytes, UTF-8 for text)."""
    from crmcli.io import quote_render

    with book.read() as r:
        document = build_document(r, quote_view(r, find_quote(r, handle)))
    if kind == "pdf":
        return quote_render.render_pdf(document)
    if kind == "html":
        return quote_render.render_html(document).encode()
    return quote_render.render_markdown(document).encode()


def render_targets(*, pdf: str | None, html: str | None, md: str | None) -> list[tuple[Kind, str]]:
    """The documents asked for, as (kind, file) pairs ('-': stdout), checked before any is
    rendered so that all of them are written, or none: at least one, each into a folder
    that exists."""
    asked: tuple[tuple[Kind, str | None], ...] = (("pdf", pdf), ("html", html), ("md", md))
    targets = [(kind, target) for kind, target in asked if target]
    if not targets:
        raise InvalidInput("say what to render", hint="--pdf FILE, --html FILE or --md")
    for _, target in targets:
        folder = Path(target).expanduser().parent
        if target != "-" and not folder.is_dir():
            raise InvalidInput(
                f"cannot write {target}: the folder {folder} does not exist",
                hint="create it first, or choose another place",
            )
    return targets
