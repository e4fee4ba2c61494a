"""Commission statements as documents a rep can be handed: PDF (fpdf2) and HTML.

The same machinery as quote documents: fpdf2 (pure Python), Helvetica for text the
built-in PDF fonts can encode (Windows-1252), else the bundled WenQuanYi Micro Hei
(``paperang-p2-fonts-cjk``), loaded only when a name needs it. One page (or more) per rep:
the header figures, every line with its basis, rate and amount, and the total.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

CORE_ENCODING = "windows-1252"
_HEAD = ("Date", "Deal", "Kind", "Share", "Plan", "Basis", "Rate", "Amount")
_WIDTHS = (20, 50, 22, 13, 22, 20, 14, 21)


def _money(value: Any) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def _rate(line: Mapping[str, Any]) -> str:
    text = f"{(Decimal(line['rate']) * 100).normalize():f}%"
    return text + (" *" if line.get("above_quota") else "")


def _share(line: Mapping[str, Any]) -> str:
    share = line.get("share")
    return "" if share is None else f"{Decimal(share).normalize():f}%"


def _kind(line: Mapping[str, Any]) -> str:
    kind = str(line["kind"])
    if line.get("origin"):
        kind += f" ({line['origin']})"
    return kind + (" (cap)" if line.get("capped") else "")


def _cells(line: Mapping[str, Any]) -> tuple[str, ...]:
    day = line.get("date")
    return (
        "" if day is None else str(day),
        str(line.get("deal") or ""),
        _kind(line),
        _share(line),
        str(line.get("plan") or ""),
        _money(line["basis"]),
        _rate(line),
        _money(line["amount"]),
    )


def _summary(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    attainment = statement.get("attainment")
    return [
        ("Plan", ", ".join(statement["plans"]) or str(statement.get("plan") or "")),
        ("Quota", _money(statement["quota"]) if statement["quota"] is not None else "none"),
        ("Basis", _money(statement["basis"])),
        ("Attainment", "no quota" if attainment is None else f"{attainment * 100:.1f}%"),
        ("Total", f"{_money(statement['total'])} {statement['currency']}"),
    ]


def _texts(report: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for statement in report["statements"]:
        parts += [str(statement.get("name") or ""), str(statement["rep"]), *statement["plans"]]
        parts += [str(line.get("deal") or "") for line in statement["lines"]]
    return "\n".join(parts)


def needs_unicode_font(report: Mapping[str, Any]) -> bool:
    """True when a name is outside what the built-in PDF fonts can encode."""
    try:
        _texts(report).encode(CORE_ENCODING)
    except UnicodeEncodeError:
        return True
    return False


def unicode_font_path() -> Path:
    """The bundled CJK-capable TrueType font (from the ``paperang-p2-fonts-cjk`` wheel)."""
    import paperang_p2_fonts_cjk  # a font package: data, no code

    return Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"


def statement_pdf(report: Mapping[str, Any]) -> bytes:
    """Every statement of the report as a PDF, one rep per page (A4 landscape-free)."""
    from fpdf import FPDF  # ~0.3 s: only --pdf pays for it
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    unicode = needs_unicode_font(report)
    period = report["period"]
    state = "closed (paid out)" if report.get("closed") else "open (provisional)"

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            face(8)
            self.set_text_color(110)
            self.cell(0, 5, f"Commission statement {period['label']} - {state}", align="L")
            self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")
            self.set_text_color(0)

    pdf = _Pdf(format="A4", unit="mm")
    pdf.core_fonts_encoding = CORE_ENCODING
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(14, 14, 14)
    if unicode:
        pdf.add_font("body", "", str(unicode_font_path()))

    def face(size: float, bold: bool = False) -> None:
        if unicode:  # the CJK font has no bold face: emphasis is size alone
            pdf.set_font("body", "", size + (0.5 if bold else 0))
        else:
            pdf.set_font("helvetica", "B" if bold else "", size)

    statements: Sequence[Mapping[str, Any]] = report["statements"] or [
        {"rep": "-", "name": "no rep on a plan", "plans": [], "plan": None, "quota": None,
         "basis": Decimal(0), "attainment": None, "total": Decimal(0), "currency": "",
         "lines": []}
    ]  # fmt: skip
    for statement in statements:
        pdf.add_page()
        face(16, bold=True)
        pdf.cell(0, 9, "Commission statement", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        face(11)
        who = str(statement.get("name") or statement["rep"])
        if statement.get("name") and statement["name"] != statement["rep"]:
            who += f" ({statement['rep']})"
        pdf.cell(0, 6, who, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.cell(
            0,
            6,
            f"{period['label']}: {period['from']} to {period['to']}, {state}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(3)
        for label, value in _summary(statement):
            face(10, bold=label == "Total")
            pdf.cell(30, 6, label)
            pdf.cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        face(8.5)
        with pdf.table(
            col_widths=_WIDTHS,
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
            line_height=5.5,
            first_row_as_headings=True,
            headings_style=FontFace(
                emphasis=None if unicode else "BOLD", fill_color=(235, 238, 242)
            ),
        ) as table:
            table.row(_HEAD)
            for line in statement["lines"]:
                table.row(_cells(line))
            total_row = table.row()
            for _ in range(len(_HEAD) - 2):
                total_row.cell("")
            total_row.cell("Total")
            total_row.cell(_money(statement["total"]))
        if not statement["lines"]:
            face(9)
            pdf.ln(2)
            pdf.cell(0, 5, "Nothing credited in this period.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        face(7.5)
        pdf.multi_cell(
            0,
            4,
            "Each line: basis x rate, rounded half-up to the cent; the total is the sum of the "
            "lines. * the rate is accelerated above quota. Corrections (clawback, adjustment) "
            "name the closed period they correct.",
        )
    return bytes(pdf.output())


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans",sans-serif;color:#111;
max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:2rem 0 .3rem}
.period{color:#555;margin:0 0 1rem}
dl{display:grid;grid-template-columns:8rem auto;gap:.15rem .8rem;margin:.5rem 0 1rem}
dt{color:#555}dd{margin:0}dd.total{font-weight:bold}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #ddd;text-align:left}
th{background:#eef0f3}.num{text-align:right;white-space:nowrap}
tr.total td{font-weight:bold;border-top:2px solid #111}
.neg{color:#a40000}.note{color:#666;font-size:.8rem;margin-top:.6rem}
@media print{section{page-break-after:always}}
"""


def statement_html(report: Mapping[str, Any]) -> str:
    """Every statement of the report as one self-contained HTML page (text escaped)."""
    esc = html.escape
    period = report["period"]
    state = "closed (paid out)" if report.get("closed") else "open (provisional)"
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Commission {esc(period['label'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>Commission statements {esc(period['label'])}</h1>",
        f'<p class="period">{esc(period["from"])} to {esc(period["to"])}, {state}</p>',
    ]
    if not report["statements"]:
        out.append("<p>No rep is on a plan in this period.</p>")
    numeric = {3, 5, 6, 7}
    for statement in report["statements"]:
        who = esc(str(statement.get("name") or statement["rep"]))
        if statement.get("name") and statement["name"] != statement["rep"]:
            who += f" <small>({esc(statement['rep'])})</small>"
        out.append(f"<section><h2>{who}</h2><dl>")
        for label, value in _summary(statement):
            css = ' class="total"' if label == "Total" else ""
            out.append(f"<dt>{label}</dt><dd{css}>{esc(value)}</dd>")
        out.append("</dl><table><thead><tr>")
        out += [f"<th{' class=num' if i in numeric else ''}>{h}</th>" for i, h in enumerate(_HEAD)]
        out.append("</tr></thead><tbody>")
        for line in statement["lines"]:
            cells = _cells(line)
            negative = Decimal(line["amount"]) < 0
            classes = [
                " ".join(
                    (["num"] if i in numeric else []) + (["neg"] if negative and i == 7 else [])
                )
                for i in range(len(cells))
            ]
            row = "".join(
                f'<td class="{css}">{esc(c)}</td>' for css, c in zip(classes, cells, strict=True)
            )
            out.append(f"<tr>{row}</tr>")
        out.append(
            f'<tr class="total"><td colspan="7">Total</td>'
            f'<td class="num">{esc(_money(statement["total"]))} {esc(statement["currency"])}</td>'
            "</tr></tbody></table>"
        )
        out.append(
            '<p class="note">Each line: basis × rate, rounded half-up to the cent; the total is '
            "the sum of the lines. * accelerated above quota.</p></section>"
        )
    out.append("</body></html>")
    return "\n".join(out)
