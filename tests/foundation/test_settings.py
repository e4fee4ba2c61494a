"""`crm config`: one TOML file, typed keys, comments kept, bad keys and values refused."""

from __future__ import annotations

from pathlib import Path


class TestConfig:
    """Settings round-trip through the file a person may also edit by hand."""

    def test_round_trip_and_defaults(self, crm, tmp_path: Path) -> None:
        assert crm("config get currency").stdout.strip() == "EUR"
        crm('config set seller.name "上海通用汽车 GmbH"')
        crm("config set payment_terms_days 14")
        crm("config set reporting_currency usd")
        assert crm("config get seller.name").stdout.strip() == "上海通用汽车 GmbH"
        settings = crm.json("config list")
        assert settings["payment_terms_days"] == 14
        assert settings["reporting_currency"] == "USD"
        assert settings["quote_prefix"] == "Q"
        path = tmp_path / "xdg-config" / "crmcli" / "config.toml"
        assert 'name = "上海通用汽车 GmbH"' in path.read_text()
        crm("config unset payment_terms_days")
        assert crm.json("config get payment_terms_days") == {
            "key": "payment_terms_days",
            "value": 30,
        }

    def test_crm_config_names_the_file_and_comments_survive(
        self, crm, tmp_path: Path, monkeypatch
    ) -> None:
        path = tmp_path / "mine.toml"
        path.write_text(
            '# my settings\ncurrency = "GBP"  # we sell in London\n\n[seller]\nname = "Acme"\n'
        )
        monkeypatch.setenv("CRM_CONFIG", str(path))
        assert crm("config get currency").stdout.strip() == "GBP"
        crm("config set seller.vat_id DE123456789")
        text = path.read_text()
        assert "# my settings" in text and "# we sell in London" in text
        assert 'vat_id = "DE123456789"' in text and 'name = "Acme"' in text

    def test_unknown_key_lists_the_valid_ones(self, crm) -> None:
        run = crm("config set sellr.name X", ok=False)
        assert run.exit_code == 1
        assert "unknown setting 'sellr.name'" in run.stderr and "seller.name" in run.stderr

    def test_wrong_types_are_refused_and_nothing_is_written(self, crm, tmp_path: Path) -> None:
        for argv, message in (
            ("config set payment_terms_days soon", "not a number of days"),
            ("config set currency EURO", "unknown currency"),
            ("config set seller.email not-an-email", "e-mail"),
            ("config set seller.logo /nope/logo.png", "no image file"),
        ):
            run = crm(argv, ok=False)
            assert run.exit_code == 1 and message in run.stderr.lower(), run.stderr
            assert "Traceback" not in run.stderr
        assert not (tmp_path / "xdg-config" / "crmcli" / "config.toml").exists()

    def test_a_broken_hand_edited_file_is_a_one_line_error(
        self, crm, tmp_path: Path, monkeypatch
    ) -> None:
        path = tmp_path / "bad.toml"
        path.write_text("currency = \n")
        monkeypatch.setenv("CRM_CONFIG", str(path))
        run = crm("config get currency", ok=False)
        assert run.exit_code == 1 and "not valid TOML" in run.stderr
