"""The README is true: its Quickstart is what CI runs, and its examples work verbatim."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def code_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    blocks = code_blocks(section("Quickstart"))
    assert len(blocks) == 2 and all("\n" not in b for b in blocks)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert blocks[1] in ci


def test_everyday_examples_run_verbatim(crm) -> None:
    lines = code_blocks(section("Everyday use"))[0].splitlines()
    for line in lines:
        argv = shlex.split(line.split("  #")[0])
        assert argv[0] == "crm"
        crm(*argv[1:])


def test_changelog_is_keep_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text and "### Added" in text
    assert "keepachangelog.com" in text
