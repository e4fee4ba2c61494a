"""A quote as a document a customer can receive: PDF, HTML or Markdown.

The renderers take a :class:`QuoteDocument` whose amounts are already formatted (the
quotes service owns the figures and their money format); this module only lays them out.

PDF is made with fpdf2: pure Python, no system libraries (WeasyPrint needs Pango, Typst a
binary), fast enough for a whole ``crm quote render`` in well under a second, and it embeds
TrueType subsets. Text a built-in PDF font can show (Windows-1252: Western European names,
€) is set in Helvetica; a document with any other character (上海通用汽车, Ελλάδα, Москва)
is set in WenQuanYi Micro Hei, a CJK + Latin + Greek + Cyrillic TrueType font shipped on
PyPI (``paperang-p2-fonts-cjk``), so installing crmcli with pip is all it takes. Parsing
that 5 MB font costs ~0.3 s, which is why documents that don't need it don't load it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

CORE_ENCODING = "windows-1252"


@dataclass(frozen=True)
class DocumentLine:
    """One row of the line table, every cell already formatted."""

    position: int
    description: str
    quantity: str
    unit_price: str
    amount: str
    sku: str = ""
    unit: str = ""
    discount: str = ""
    tax: str = ""
    charge: bool = False


@dataclass(frozen=True)
class QuoteDocument:
    """Everything a quote document shows (amounts as formatted text)."""

    number: str
    version: int
    status: str
    issued: str
    valid_until: str
    currency: str
    seller: tuple[str, ...]
    customer: tuple[str, ...]
    lines: tuple[DocumentLine, ...]
    summary: tuple[tuple[str, str], ...]  # (label, amount) rows; the last one is the total
    title: str = "Quote"
    deal: str = ""
    terms: str = ""
    notes: str = ""
    seller_logo: str | None = None
    footer: tuple[str, ...] = field(default_factory=tuple)

    def texts(self) -> list[str]:
        """Every piece of text the document prints (to choose a font that covers them)."""
        out = [self.number, self.status, self.title, self.deal, self.terms, self.notes]
        out += [*self.seller, *self.customer, *self.footer]
        for line in self.lines:
            out += [line.description, line.sku, line.unit, line.quantity, line.unit_price]
            out += [line.amount, line.discount, line.tax]
        for label, amount in self.summary:
            out += [label, amount]
        return out


def needs_unicode_font(document: QuoteDocument) -> bool:
    """True when some text is outside what the built-in PDF fonts can encode."""
    try:
        "\n".join(document.texts()).encode(CORE_ENCODING)
    except UnicodeEncodeError:
        return True
    return False


def unicode_font_path() -> Path:
    """The bundled CJK-capable TrueType font (from the ``paperang-p2-fonts-cjk`` wheel)."""
    import paperang_p2_fonts_cjk  # the font package: a data file, no code worth the name

    return Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"


# -- PDF -------------------------------------------------------------------------------------
_HEAD = ("#", "Description", "Qty", "Unit price", "Disc.", "Tax", "Amount")
_WIDTHS = (8, 78, 16, 26, 14, 12, 26)


def render_pdf(document: QuoteDocument) -> bytes:
    """The quote as a PDF (A4, one or more pages)."""
    from fpdf import FPDF  # ~0.3 s: only `quote render --pdf` pays for it
    from fpdf.enums import XPos, YPos

    unicode = needs_unicode_font(document)

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            face(8)
            self.set_text_color(110)
            text = "  ·  ".join(document.footer) if unicode else "  -  ".join(document.footer)
            self.cell(0, 5, text, align="L")
            self.cell(
                0, 5, f"{document.number} v{document.version}  {self.page_no()}/{{nb}}", align="R"
            )
            self.set_text_color(0)

    pdf = _Pdf(format="A4", unit="mm")
    pdf.core_fonts_encoding = CORE_ENCODING
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(16, 16, 16)
    if unicode:
        pdf.add_font("body", "", str(unicode_font_path()))

    def face(size: float, bold: bool = False) -> None:
        # The CJK font has no bold face: emphasis there is size alone.
        if unicode:
            pdf.set_font("body", "", size + (0.5 if bold else 0))
        else:
            pdf.set_font("helvetica", "B" if bold else "", size)

    pdf.add_page()
    width = pdf.epw
    top = pdf.get_y()
    if document.seller_logo:
        pdf.image(document.seller_logo, x=pdf.l_margin, y=top, h=14)
        pdf.set_y(top + 16)
    # seller (left) and the quote's identity (right)
    face(11, bold=True)
    for i, text in enumerate(document.seller):
        if i == 1:
            face(9)
        pdf.cell(width / 2, 5 if i else 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    after_seller = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width / 2, top)
    face(20, bold=True)
    pdf.cell(width / 2, 10, document.title.upper(), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    face(9)
    for label, value in (
        ("Number", document.number),
        ("Version", str(document.version)),
        ("Date", document.issued),
        ("Valid until", document.valid_until),
        ("Status", document.status),
    ):
        if value:
            pdf.set_x(pdf.l_margin + width / 2)
            pdf.cell(width / 4, 5, label, align="R")
            pdf.cell(width / 4, 5, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(after_seller, pdf.get_y()) + 6)
    # customer
    face(8)
    pdf.set_text_color(110)
    pdf.cell(0, 5, "PREPARED FOR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    for i, text in enumerate(document.customer):
        face(11 if i == 0 else 9, bold=i == 0)
        pdf.cell(0, 6 if i == 0 else 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.deal:
        face(9)
        pdf.cell(0, 5, f"Re: {document.deal}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)
    # the line table
    face(9)
    scale = width / sum(_WIDTHS)
    widths = tuple(w * scale for w in _WIDTHS)
    with pdf.table(
        col_widths=widths,
        text_align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
        headings_style=_heading_style(unicode),
        first_row_as_headings=True,
    ) as grid:
        grid.row(_HEAD)
        for line in document.lines:
            description = line.description
            if line.sku:
                description = f"{description}\n{line.sku}"
            quantity = f"{line.quantity} {line.unit}".strip()
            grid.row(
                (
                    str(line.position),
                    description,
                    quantity,
                    line.unit_price,
                    line.discount,
                    line.tax,
                    line.amount,
                )
            )
    pdf.ln(4)
    # summary, right-aligned; the last row (the total) stands out
    for i, (label, amount) in enumerate(document.summary):
        last = i == len(document.summary) - 1
        if last:
            pdf.set_draw_color(0)
            y = pdf.get_y() + 1
            pdf.line(pdf.l_margin + width * 0.5, y, pdf.l_margin + width, y)
            pdf.ln(2)
        face(11 if last else 9, bold=last)
        pdf.set_x(pdf.l_margin + width * 0.4)
        pdf.cell(width * 0.35, 7 if last else 5.5, label, align="R")
        pdf.cell(
            width * 0.25, 7 if last else 5.5, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    for heading, text in (("Terms", document.terms), ("Notes", document.notes)):
        if text:
            pdf.ln(6)
            face(9, bold=True)
            pdf.cell(0, 5, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            face(9)
            pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _heading_style(unicode: bool) -> object:
    from fpdf.fonts import FontFace

    if unicode:
        return FontFace(fill_color=(235, 238, 242))
    return FontFace(emphasis="BOLD", fill_color=(235, 238, 242))


# -- HTML ------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","PingFang SC",
"Microsoft YaHei",sans-serif;color:#111;max-width:52rem;margin:2rem auto;padding:0 1rem}
header{display:flex;justify-content:space-between;gap:2rem}
h1{font-size:1.8rem;margin:0;text-align:right;letter-spacing:.05em}
.meta{text-align:right;font-size:.9rem}.meta dt{display:inline;color:#555}
.meta dd{display:inline;margin:0 0 0 .5rem}.meta div{margin:.1rem 0}
.seller p,.customer p{margin:.1rem 0}.label{color:#666;font-size:.75rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%;margin-top:1.5rem;font-size:.9rem}
th{background:#ebeef2;text-align:left}th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd}
.num{text-align:right;white-space:nowrap}.sku{color:#666;font-size:.8rem}
.summary{margin-left:auto;margin-top:1rem;width:auto}.summary td{border:0}
.summary tr.total td{font-weight:bold;font-size:1.1rem;border-top:2px solid #111}
"""


def render_html(document: QuoteDocument) -> str:
    """The quote as one self-contained HTML page (UTF-8, no external resources)."""
    e = html.escape
    meta = "".join(
        f"<div><dt>{e(label)}</dt><dd>{e(value)}</dd></div>"
        for label, value in (
            ("Number", document.number),
            ("Version", str(document.version)),
            ("Date", document.issued),
            ("Valid until", document.valid_until),
            ("Status", document.status),
        )
        if value
    )
    seller = "".join(
        f"<p><strong>{e(t)}</strong></p>" if i == 0 else f"<p>{e(t)}</p>"
        for i, t in enumerate(document.seller)
    )
    customer = "".join(
        f"<p><strong>{e(t)}</strong></p>" if i == 0 else f"<p>{e(t)}</p>"
        for i, t in enumerate(document.customer)
    )
    if document.deal:
        customer += f"<p>Re: {e(document.deal)}</p>"
    head = "".join(
        f'<th class="num">{e(h)}</th>' if i not in (1,) else f"<th>{e(h)}</th>"
        for i, h in enumerate(_HEAD)
    )
    rows = []
    for line in document.lines:
        sku = f'<div class="sku">{e(line.sku)}</div>' if line.sku else ""
        cells = [
            f'<td class="num">{line.position}</td>',
            f"<td>{e(line.description)}{sku}</td>",
            f'<td class="num">{e(f"{line.quantity} {line.unit}".strip())}</td>',
            f'<td class="num">{e(line.unit_price)}</td>',
            f'<td class="num">{e(line.discount)}</td>',
            f'<td class="num">{e(line.tax)}</td>',
            f'<td class="num">{e(line.amount)}</td>',
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    summary = "".join(
        f"<tr{' class=total' if i == len(document.summary) - 1 else ''}>"
        f'<td>{e(label)}</td><td class="num">{e(amount)}</td></tr>'
        for i, (label, amount) in enumerate(document.summary)
    )
    extra = "".join(
        f"<h3>{heading}</h3><p>{e(text).replace(chr(10), '<br>')}</p>"
        for heading, text in (("Terms", document.terms), ("Notes", document.notes))
        if text
    )
    footer = " · ".join(e(t) for t in document.footer)
    title = f"{document.title} {document.number} v{document.version}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><div class="seller">{seller}</div>'
        f'<div><h1>{e(document.title.upper())}</h1><dl class="meta">{meta}</dl></div></header>'
        f'<div class="label">PREPARED FOR</div><div class="customer">{customer}</div>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<table class="summary">{summary}</table>{extra}'
        f"<footer><p class=sku>{footer}</p></footer></body></html>\n"
    )


# -- Markdown --------------------------------------------------------------------------------
def _md(text: str) -> str:
    """Text made inert in a Markdown table cell."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")
    for char in "*_`[]<>#":
        out = out.replace(char, "\\" + char)
    return out


def render_markdown(document: QuoteDocument) -> str:
    """The quote as Markdown (a table per section; pastes into e-mail or a wiki)."""
    out = [f"# {_md(document.title)} {_md(document.number)} (version {document.version})", ""]
    for label, value in (
        ("Date", document.issued),
        ("Valid until", document.valid_until),
        ("Status", document.status),
        ("Currency", document.currency),
    ):
        if value:
            out.append(f"- **{label}:** {_md(value)}")
    out += ["", "**From**", ""]
    out += [f"{_md(t)}  " for t in document.seller]
    out += ["", "**Prepared for**", ""]
    out += [f"{_md(t)}  " for t in document.customer]
    if document.deal:
        out.append(f"Re: {_md(document.deal)}")
    out += ["", "| " + " | ".join(_HEAD) + " |", "|---:|---|---:|---:|---:|---:|---:|"]
    for line in document.lines:
        description = _md(line.description) + (f" ({_md(line.sku)})" if line.sku else "")
        cells = [
            str(line.position),
            description,
            _md(f"{line.quantity} {line.unit}".strip()),
            _md(line.unit_price),
            _md(line.discount),
            _md(line.tax),
            _md(line.amount),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "| | |", "|---|---:|"]
    for i, (label, amount) in enumerate(document.summary):
        last = i == len(document.summary) - 1
        cell = f"**{_md(label)}** | **{_md(amount)}**" if last else f"{_md(label)} | {_md(amount)}"
        out.append(f"| {cell} |")
    for heading, text in (("Terms", document.terms), ("Notes", document.notes)):
        if text:
            out += ["", f"## {heading}", "", _md(text)]
    if document.footer:
        out += ["", "---", " · ".join(_md(t) for t in document.footer)]
    return "\n".join(out) + "\n"
