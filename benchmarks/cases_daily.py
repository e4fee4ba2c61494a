"""Daily-path figures (issue 8): shell completion answers at every Tab, so it is timed too."""

from __future__ import annotations

from harness import Case

CASES = [
    # A deal name from the 100k-deal book, as `crm deal show Acme<Tab>` asks for it.
    Case(
        "completion: deal show <Tab> (handles)",
        [],
        uses_book=False,  # the shell passes the line in COMP_WORDS, --db included
        env={
            "_CRM_COMPLETE": "bash_complete",
            "COMP_WORDS": "crm --db {book} deal show Ac",
            "COMP_CWORD": "5",
        },
    ),
    Case(
        "completion: crm de<Tab> (nouns)",
        [],
        uses_book=False,
        env={"_CRM_COMPLETE": "bash_complete", "COMP_WORDS": "crm de", "COMP_CWORD": "1"},
    ),
]
