"""Shell completion callbacks for handle arguments (Typer's ``autocompletion=``).

They run inside ``crm`` started by the shell with ``_CRM_COMPLETE`` set: the root callback
has not run, so the ``--db`` typed on the line is read from the root context's params.
"""

from __future__ import annotations

import os

import typer


def _candidates(ctx: typer.Context, entity: str, incomplete: str) -> list[tuple[str, str]]:
    from crmcli.config import default_db_path
    from crmcli.errors import CrmError
    from crmcli.services.completion import complete_handles

    root = ctx.find_root()
    target = root.params.get("db") or os.environ.get("CRM_DB") or str(default_db_path())
    try:
        found = complete_handles(target, entity, incomplete)
    except CrmError:  # a damaged or foreign file: no suggestions, never a traceback
        return []
    # Shells keep only what starts with the typed text. Handles match in any case, so
    # lower-case typing completes names too, the typed letters kept: "acme" → "acme renewal".
    n = len(incomplete)
    out = []
    for c in found:
        if c.value.startswith(incomplete):
            out.append((c.value, c.help))
        elif incomplete == incomplete.lower():
            out.append((incomplete + c.value[n:], c.help))
    return out


def deals(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Deal names starting with what was typed."""
    return _candidates(ctx, "deal", incomplete)


def contacts(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Contact names and e-mails starting with what was typed."""
    return _candidates(ctx, "contact", incomplete)


def companies(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Company names and domains starting with what was typed."""
    return _candidates(ctx, "company", incomplete)


def leads(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Lead names and e-mails starting with what was typed."""
    return _candidates(ctx, "lead", incomplete)


def users(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Active reps' usernames, e-mails and names starting with what was typed."""
    return _candidates(ctx, "user", incomplete)
