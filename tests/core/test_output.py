"""Output: JSON/CSV shapes for scripts, inert user text, errors on stderr only."""

from __future__ import annotations

import csv
import io
import os

from crmcli import __version__


class TestMachineOutput:
    """--json/--csv print one document on stdout, also when given after the verb."""

    def test_json_list_shape(self, crm) -> None:
        crm("user add alice --name 'Alice Ng' --team east")
        rows = crm.json("user list")
        alice = next(r for r in rows if r["username"] == "alice")
        assert len(alice["id"]) == 36 and alice["handle"] == "alice"
        assert alice["created_at"].endswith("+00:00")
        assert alice["active"] is True

    def test_output_flags_before_or_after_the_verb(self, crm) -> None:
        crm("user add alice")
        before = crm("--json user list").json()
        after = crm("user list --json").json()
        fmt = crm("user list --format json").json()
        assert before == after == fmt

    def test_csv(self, crm) -> None:
        crm("user add alice --name 'Alice Ng'")
        rows = list(csv.DictReader(io.StringIO(crm("user list --csv").stdout)))
        assert {r["username"] for r in rows} == {"alice", "root"}

    def test_quiet_prints_handles_for_piping(self, crm) -> None:
        crm("user add alice")
        crm("user add bob")
        assert crm("user list -q").stdout.split() == ["alice", "bob", "root"]

    def test_write_with_json_prints_the_record(self, crm) -> None:
        record = crm.json("user add carol --team west")
        assert record["username"] == "carol" and record["team"] == "west"

    def test_notes_go_to_stderr(self, crm) -> None:
        run = crm("user add dave")
        assert run.stdout == "" and "added user dave" in run.stderr

    def test_bad_format(self, crm) -> None:
        run = crm("user list --format xml", ok=False)
        assert run.exit_code == 2

    def test_version(self, crm) -> None:
        assert crm("--version").stdout.strip() == f"crm {__version__}"


class TestInertUserText:
    """User text is never markup, never a terminal escape, never a spreadsheet formula."""

    def test_markup_prints_literally(self, crm) -> None:
        run = crm("user", "add", "mallory", "--name", "[bold red]x[/]")
        assert run.exit_code == 0
        table = crm("user list").stdout
        assert "[bold red]x[/]" in table

    def test_escape_sequences_are_refused_on_input(self, crm) -> None:
        run = crm("user", "add", "eve", "--name", "evil\x1b[2Jname", ok=False)
        assert run.exit_code == 1 and "control characters" in run.stderr

    def test_control_characters_shown_escaped(self) -> None:
        from crmcli.output import safe

        assert safe("a\x1b[31mb") == "a\\x1b[31mb"

    def test_csv_neutralises_formulas(self, crm) -> None:
        crm("user", "add", "frank", "--name", '=HYPERLINK("http://x")')
        crm("user", "add", "gina", "--name", "+1 234")
        rows = {
            r["username"]: r for r in csv.DictReader(io.StringIO(crm("user list --csv").stdout))
        }
        assert rows["frank"]["name"].startswith("'=")
        assert rows["gina"]["name"] == "'+1 234"

    def test_no_color(self, crm) -> None:
        crm("user add alice")
        run = crm("user list", env={"NO_COLOR": "1"})
        assert "\x1b[" not in run.stdout

    def test_no_color_drops_colour_even_on_a_terminal(self, demo) -> None:
        red = "\x1b[31m"  # the board's idle-deal marker
        forced = {"FORCE_COLOR": "1"}  # Rich writes as to a terminal
        assert red in demo("board", env=forced).stdout  # the check below can fail
        assert red not in demo("board", env={**forced, "NO_COLOR": "1"}).stdout
        assert red not in demo("--no-color", "board", env=forced).stdout


class TestErrors:
    """One line and a hint on stderr, nothing on stdout, SPEC exit codes."""

    def test_not_found(self, crm) -> None:
        run = crm("user show nobody", ok=False)
        assert run.exit_code == 1
        assert run.stdout == ""
        assert run.stderr.startswith("error: no user matches 'nobody'")
        assert "Traceback" not in run.stderr

    def test_usage_error_is_2(self, crm) -> None:
        assert crm("user add", ok=False).exit_code == 2

    def test_unknown_acting_user(self, crm) -> None:
        crm("user list")  # the book exists; its default user is the OS user
        crm.user = "ghost"
        run = crm("user add alice", ok=False)
        assert (
            run.exit_code == 1
            and "unknown user 'ghost'" in run.stderr
            and "crm user add ghost" in run.stderr
        )

    def test_debug_shows_the_exception(self, crm) -> None:
        import pytest

        from crmcli.errors import NotFound

        os.environ["CRM_DEBUG"] = "1"
        try:
            with pytest.raises(NotFound):
                crm("user show nobody", ok=False)
        finally:
            del os.environ["CRM_DEBUG"]


class TestBadInputWritesNothing:
    """A bad value is refused before anything is written."""

    def test_bad_date(self, crm) -> None:
        crm("user list")
        before = len(crm.json("history -n 500"))
        run = crm("user add zed --at 'the day after never'", ok=False)
        assert run.exit_code == 1 and run.stderr.startswith("error: ") and "hint:" in run.stderr
        assert len(crm.json("history -n 500")) == before
        assert "zed" not in crm("user list -q").stdout


class TestNarrowTerminal:
    """At 80 columns a list wraps names, never an amount, a date, an id or a phone number."""

    def test_deal_list_keeps_tokens_whole(self, crm) -> None:
        crm("company", "add", "Bexhelixterra Holding SA")
        for n in range(3):
            crm(
                "deal",
                "add",
                f"Bexhelixterra expansion programme {n}",
                "--company",
                "Bexhelixterra Holding SA",
                "--amount",
                "1234567.89",
                "--close",
                "2026-12-11",
            )
        shown = crm("deal", "list", env={"COLUMNS": "80"}).stdout
        lines = shown.splitlines()
        assert max(len(line) for line in lines) <= 80
        assert shown.count("1,234,567.89") == 3 and shown.count("2026-12-11") == 3
        deal_ids = [d["id"][:8] for d in crm.json("deal", "list")]
        assert all(handle in shown for handle in deal_ids)

    def test_contact_list_keeps_phone_numbers_whole(self, crm) -> None:
        crm(
            "contact",
            "add",
            "Bartholomew Featherstonehaugh-Wright",
            "--email",
            "bartholomew.featherstonehaugh@example.com",
            "--phone",
            "+44 20 7946 3902",
            "--title",
            "Vice President Procurement",
        )
        shown = crm("contact", "list", env={"COLUMNS": "80"}).stdout
        assert max(len(line) for line in shown.splitlines()) <= 80
        phone = crm.json("contact", "list")[0]["phone"]
        assert phone.replace(" ", "") in shown.replace(" ", "") and phone in shown
