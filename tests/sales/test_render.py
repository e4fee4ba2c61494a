"""The quote as a document: PDF text (pypdf), HTML, Markdown, CJK names, the seller block."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Crm
from tests.sales.conftest import new_quote


@pytest.fixture
def chinese(team: Crm) -> tuple[Crm, str]:
    """A quote for 上海通用汽车 with a line 服务费, a product line and a charge."""
    team("company add 上海通用汽车 --city 上海 --country CN")
    team("contact add 李雷 --email li@sgm.example --company 上海通用汽车")
    team("deal add 'SGM rollout' --company 上海通用汽车 --contact li@sgm.example --amount 1")
    team("product add SKU-1 'CRM Seat (annual)' --price 480 --tax 19")
    number: str = new_quote(team, "SGM rollout", "--terms", "Net 30 days. 付款期限30天")["number"]
    team(f"quote line add {number} --text 服务费 --price 1200 --qty 2 --tax 6")
    team(f"quote line add {number} --product SKU-1 --qty 3 --discount 10")
    team(f"quote line add {number} --text Shipping --price 50 --charge")
    return team, number


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


class TestPdf:
    def test_the_pdf_holds_number_lines_total_and_the_chinese_names(
        self, chinese: tuple[Crm, str], tmp_path: Path
    ) -> None:
        crm, number = chinese
        crm("config set seller.name 'Example Software GmbH'")
        crm("config set seller.vat_id DE123456789")
        target = tmp_path / "quote.pdf"
        run = crm(f"quote render {number} --pdf {target}")
        assert run.stdout == "" and f"wrote {target}" in run.stderr
        assert target.read_bytes().startswith(b"%PDF")
        text = pdf_text(target)
        quote = crm.json(f"quote show {number}")
        total = f"{float(quote['total']):,.2f} EUR"
        for expected in (
            number,
            "上海通用汽车",
            "服务费",
            "李雷",
            "CRM Seat (annual)",
            "Shipping",
            "SKU-1",
            total,
            "Example Software GmbH",
            "VAT ID DE123456789",
            "付款期限30天",
            "2026-12-23",
        ):
            assert expected in text, expected
        # 2 × 1,200 = 2,400.00 (6%: 144.00); 3 × 480 × 0.9 = 1,296.00 (19%: 246.24); 50 charge
        assert total == "4,136.24 EUR"
        assert "Tax 6% on 2,400.00" in text and "Tax 19% on 1,296.00" in text

    def test_latin_text_uses_the_builtin_font(self, sales: Crm, tmp_path: Path) -> None:
        number = new_quote(sales)["number"]
        sales(f"quote line add {number} --product SKU-1 --qty 2")
        target = tmp_path / "q.pdf"
        sales(f"quote render {number} --pdf {target}")
        reader = PdfReader(target)
        fonts = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
        names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
        assert names <= {"/Helvetica", "/Helvetica-Bold"}  # nothing embedded: small and fast
        assert "1,142.40 EUR" in pdf_text(target)  # 960 + 19%

    def test_fifty_lines_flow_onto_more_pages(self, sales: Crm, tmp_path: Path) -> None:
        number = new_quote(sales)["number"]
        for n in range(50):
            sales(f"quote line add {number} --text 'Item {n + 1}' --price {n + 1}")
        target = tmp_path / "long.pdf"
        sales(f"quote render {number} --pdf {target}")
        reader = PdfReader(target)
        assert len(reader.pages) >= 2
        text = pdf_text(target)
        assert all(f"Item {n}" in text for n in range(1, 51))
        assert "1,275.00 EUR" in text  # 1 + 2 + … + 50

    def test_rendering_into_a_missing_folder_writes_nothing(
        self, chinese: tuple[Crm, str], tmp_path: Path
    ) -> None:
        crm, number = chinese
        run = crm(
            f"quote render {number} --html {tmp_path / 'ok.html'} --pdf {tmp_path / 'no' / 'q.pdf'}",
            ok=False,
        )
        assert run.exit_code == 1 and "does not exist" in run.stderr
        assert list(tmp_path.glob("*.html")) == []


class TestHtmlAndMarkdown:
    def test_html_is_escaped_and_complete(self, chinese: tuple[Crm, str], tmp_path: Path) -> None:
        crm, number = chinese
        crm(f"quote line add {number} --text '<script>x</script>' --price 1")
        target = tmp_path / "q.html"
        crm(f"quote render {number} --html {target}")
        page = target.read_text()
        assert page.startswith("<!DOCTYPE html>") and 'charset="utf-8"' in page
        assert "上海通用汽车" in page and "服务费" in page and number in page
        assert "<script>" not in page and "&lt;script&gt;" in page

    def test_markdown_to_stdout(self, chinese: tuple[Crm, str]) -> None:
        crm, number = chinese
        text = crm(f"quote render {number} --md").stdout
        assert text.startswith(f"# Quote {number} (version 1)")
        assert "| 1 | 服务费 | 2 | 1,200.00 |  | 6% | 2,400.00 |" in text
        assert "**Total** | **4,136.24 EUR**" in text


def test_the_locale_setting_formats_the_documents_amounts(sales: Crm) -> None:
    number = new_quote(sales)["number"]
    sales(f"quote line add {number} --product SKU-2")
    sales("config set locale de_DE")
    text = sales(f"quote render {number} --md").stdout
    assert "2.975,00\xa0€" in text  # 2,500 + 19%, as Germans write it
    assert "2.975,00\xa0€" in sales("quote list").stdout
