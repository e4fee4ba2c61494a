"""Validation of the text people type, shared by every service, import and the TUI."""

from __future__ import annotations

import unicodedata

from crmcli.errors import InvalidInput

# C0/C1 control characters (terminal escapes among them) are never stored in short fields.
_CONTROL = (
    {c for c in map(chr, range(0x20)) if c not in "\t\n"}
    | {chr(0x7F)}
    | {chr(c) for c in range(0x80, 0xA0)}
)


def clean_text(
    text: str, *, what: str, max_length: int = 500, required: bool = False, multiline: bool = False
) -> str:
    """Trim, normalise (NFC) and check a text field; control characters are refused."""
    value = unicodedata.normalize("NFC", text).strip()
    bad = set(value) & (_CONTROL if multiline else _CONTROL | {"\n", "\t"})
    if bad:
        raise InvalidInput(
            f"{what} contains control characters", hint="remove escapes and line breaks"
        )
    if required and not value:
        raise InvalidInput(f"{what} cannot be empty")
    if len(value) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters")
    return value


def clean_email(text: str) -> str:
    """A syntactically valid e-mail address, normalised (no network lookup)."""
    from email_validator import EmailNotValidError, validate_email  # 30 ms, only when validating

    try:
        result = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"{text!r} is not a valid e-mail address: {exc}") from exc
    return str(result.normalized)
