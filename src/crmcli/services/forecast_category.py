"""Forecast categories of open deals (``crm deal edit D --forecast commit``).

A deal without one falls in the category its probability gives (the deal's override, else
its stage's): ≥ 80% commit, ≥ 40% best case, > 0% pipeline, 0% omitted.
"""

from __future__ import annotations

from crmcli.errors import InvalidInput

CATEGORIES = ("commit", "best-case", "pipeline", "omitted")
COMMIT_AT, BEST_CASE_AT = 80, 40


def parse_category(text: str) -> str | None:
    """A forecast category (``none`` clears it back to the probability's default)."""
    value = text.strip().lower().replace("_", "-").replace(" ", "-")
    if value in ("", "none", "-", "default"):
        return None
    if value == "best":
        value = "best-case"
    if value not in CATEGORIES:
        raise InvalidInput(
            f"forecast category must be one of {', '.join(CATEGORIES)}, not {text!r}",
            hint="or none to follow the stage probability",
        )
    return value


def default_category(probability: int) -> str:
    """The category a probability gives a deal with none set."""
    if probability >= COMMIT_AT:
        return "commit"
    if probability >= BEST_CASE_AT:
        return "best-case"
    return "pipeline" if probability > 0 else "omitted"
