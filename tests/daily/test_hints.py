"""Every error line says what to do next (a hint), where there is something to do."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "crmcli"


# Messages that already say what to do next need no separate hint.
_IMPERATIVE = (
    "give ",
    "use ",
    "name ",
    "say ",
    "change ",
    "drop ",
    "choose ",
    "pass ",
    "reschedule ",
    "--",
)
_ERRORS = {"InvalidInput", "NotFound", "Conflict", "DatabaseError", "UserError", "LockTimeout"}
# Row-level reasons of an import: each becomes the ``_error`` cell of its row in the reject
# file, beside the row itself, where the summary line already says what to do with them.
_ROW_REASONS = {Path("importing/entities.py"), Path("importing/convert.py")}


def _text(node: ast.expr | None) -> str:
    """The literal text of a message (the constant parts of an f-string)."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return ""


def _raises_without_hint() -> list[str]:
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or path.relative_to(SRC) in _ROW_REASONS:
            continue
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            if not (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and isinstance(node.exc.func, ast.Name)
                and node.exc.func.id in _ERRORS
            ):
                continue
            if any(k.arg == "hint" for k in node.exc.keywords):
                continue
            first = node.exc.args[0] if node.exc.args else None
            message = _text(first).lower()
            if message.startswith(_IMPERATIVE) or any(f"; {v}" in message for v in _IMPERATIVE):
                continue
            missing.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return missing


def test_every_error_says_what_to_do_next() -> None:
    """Each raised error has a hint, unless its message is itself the instruction."""
    assert _raises_without_hint() == []
