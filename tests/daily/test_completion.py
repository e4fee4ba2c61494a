"""Shell completion: the generated scripts, and completion through Click's variables."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _complete(line: str, *, env: dict[str, str] | None = None, style: str = "bash_complete"):
    """What `crm` answers to the shell for ``line`` (completing its last word)."""
    words = line.split(" ")
    full = {
        **os.environ,
        "_CRM_COMPLETE": style,
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "crmcli"], env=full, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return [x for x in done.stdout.splitlines() if x]


class TestScripts:
    """`crm completion SHELL` prints Typer's script for `crm`, bound to _CRM_COMPLETE."""

    def test_bash(self, crm) -> None:
        script = crm("completion bash").stdout
        assert "_CRM_COMPLETE=complete_bash" in script
        assert "complete -o default -F _crm_completion crm" in script
        if shutil.which("bash"):
            checked = subprocess.run(["bash", "-n"], input=script, text=True, check=False)
            assert checked.returncode == 0

    def test_zsh_and_fish(self, crm) -> None:
        zsh = crm("completion zsh").stdout
        assert zsh.lstrip().startswith("#compdef crm")
        assert "_CRM_COMPLETE=complete_zsh" in zsh
        fish = crm("completion fish").stdout
        assert "complete --command crm" in fish
        assert "_CRM_COMPLETE=complete_fish" in fish

    def test_unknown_shell_is_a_usage_error(self, crm) -> None:
        run = crm("completion tcsh", ok=False)
        assert run.exit_code == 2

    def test_install_completion_writes_the_bash_script(self, tmp_path: Path) -> None:
        home = tmp_path / "home"
        home.mkdir()
        env = {
            **os.environ,
            "HOME": str(home),
            "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
        }
        done = subprocess.run(
            [sys.executable, "-m", "crmcli", "--install-completion", "bash"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        installed = (home / ".bash_completions" / "crm.sh").read_text()
        assert "_CRM_COMPLETE=complete_bash" in installed
        assert "crm.sh" in (home / ".bashrc").read_text()


class TestNounsAndVerbs:
    """Nouns come from the lazy table; a noun's verbs from its own module only."""

    def test_nouns(self) -> None:
        assert _complete("crm de") == ["deal", "demo"]
        assert "completion" in _complete("crm co")

    def test_verbs(self) -> None:
        verbs = _complete("crm deal ")
        assert {"add", "list", "show", "move", "win", "lose"} <= set(verbs)

    def test_options(self) -> None:
        assert "--limit" in _complete("crm deal list --li")

    def test_typer_style_instruction_too(self) -> None:
        assert _complete("crm de", style="complete_bash") == ["deal", "demo"]

    def test_nouns_complete_without_importing_noun_modules(self) -> None:
        code = (
            "import os, sys, runpy\n"
            "os.environ.update(_CRM_COMPLETE='bash_complete', COMP_WORDS='crm d', COMP_CWORD='1')\n"
            "sys.argv = ['crm']\n"
            "try:\n    runpy.run_module('crmcli', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('crmcli.commands.')),"
            " file=sys.stderr)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert done.stderr.strip().splitlines()[-1] == "[]"


class TestHandles:
    """Handles complete from the book: names and e-mails starting with what was typed."""

    @pytest.fixture
    def book(self, team) -> Path:
        team("company add 'Acme GmbH' --domain acme.example")
        team("company add 'Acorn Ltd'")
        team("contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH'")
        team("contact add 'Grace Hopper' --email grace@navy.example")
        team("lead add 'Alan Turing' --email alan@bletchley.example")
        team("deal add 'Acme renewal' --company 'Acme GmbH' --amount 100")
        team("deal add 'Acme upsell' --company 'Acme GmbH' --amount 100")
        team("deal add 'Globex pilot' --amount 100")
        return team.db

    def test_deals(self, book: Path) -> None:
        assert _complete(f"crm --db {book} deal show Acme") == ["Acme renewal", "Acme upsell"]

    def test_typed_case_is_kept(self, book: Path) -> None:
        assert _complete(f"crm --db {book} deal move acme r") == []  # a new word: the stage
        assert _complete(f"crm --db {book} deal show acme") == ["acme renewal", "acme upsell"]

    def test_contacts_by_name_and_email(self, book: Path) -> None:
        assert _complete(f"crm --db {book} contact show Ada") == ["Ada Lovelace"]
        assert _complete(f"crm --db {book} contact show ada@") == ["ada@acme.example"]
        # Lower-case typing completes names too (handles match in any case).
        assert _complete(f"crm --db {book} contact show ada") == [
            "ada Lovelace",
            "ada@acme.example",
        ]

    def test_companies_leads_users(self, book: Path) -> None:
        assert _complete(f"crm --db {book} company show Ac") == ["Acme GmbH", "Acorn Ltd"]
        assert _complete(f"crm --db {book} company show acme.") == ["acme.example"]
        assert _complete(f"crm --db {book} lead show al") == [
            "alan Turing",
            "alan@bletchley.example",
        ]
        assert _complete(f"crm --db {book} user show b") == ["bob", "bob Okafor"]

    def test_accented_names(self, team) -> None:
        team("contact add 'Éléonore Ürsel' --email el@example.fr")
        team("contact add 'Émile Zola' --email ez@example.fr")
        # SQLite's lower() keeps É: what was typed is folded the same way, and a prefix
        # followed by a non-ASCII letter (Él|é…) stays inside the range.
        assert _complete(f"crm --db {team.db} contact show É") == ["Éléonore Ürsel", "Émile Zola"]
        assert _complete(f"crm --db {team.db} contact show Él") == ["Éléonore Ürsel"]

    def test_the_database_from_the_environment(self, book: Path) -> None:
        assert _complete("crm deal show Glo", env={"CRM_DB": str(book)}) == ["Globex pilot"]

    def test_no_book_no_suggestions_and_nothing_created(self, tmp_path: Path) -> None:
        missing = tmp_path / "none.db"
        assert _complete(f"crm --db {missing} deal show A") == []
        assert not missing.exists()

    def test_zsh_shows_the_e_mail_beside_the_name(self, book: Path) -> None:
        line = f"crm --db {book} contact show Gra"
        out = _complete(line, style="zsh_complete", env={"_TYPER_COMPLETE_ARGS": line})
        assert any('"Grace Hopper":"grace@navy.example"' in x for x in out)
