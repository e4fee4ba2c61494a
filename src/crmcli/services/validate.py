"""Validation of the text people type, shared by every service, import and the TUI."""

from __future__ import annotations

import re
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
        raise InvalidInput(f"{what} cannot be empty", hint="give a value")
    if len(value) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters", hint="shorten it")
    return value


def clean_email(text: str) -> str:
    """A syntactically valid e-mail address, normalised (no network lookup)."""
    from email_validator import EmailNotValidError, validate_email  # 30 ms, only when validating

    try:
        result = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            f"{text!r} is not a valid e-mail address: {exc}",
            hint="check the address, e.g. ada@acme.example",
        ) from exc
    return str(result.normalized)


DEFAULT_PHONE_REGION = "US"


def phone_region() -> str:
    """The region national phone numbers are read in: ``CRM_PHONE_REGION``, the locale, or US."""
    import os

    explicit = os.environ.get("CRM_PHONE_REGION", "").strip().upper()
    if explicit:
        return explicit
    for var in ("LC_ALL", "LC_TELEPHONE", "LANG"):
        value = os.environ.get(var, "")
        # en_GB.UTF-8 -> GB; C, POSIX and C.UTF-8 name no country.
        territory = value.split(".", 1)[0].partition("_")[2]
        if len(territory) == 2 and territory.isalpha():
            return territory.upper()
    return DEFAULT_PHONE_REGION


def clean_phone(text: str, *, region: str | None = None) -> str:
    """A phone number normalised to E.164 (``+442079460000``); national forms use the region."""
    import phonenumbers  # 20 ms, only when validating

    raw = text.strip()
    region = region or phone_region()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            f"{text!r} is not a phone number",
            hint=f"type it with the country code (+44 20 7946 0000); national numbers are read "
            f"as {region} (set CRM_PHONE_REGION)",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            f"{text!r} is not a valid phone number",
            hint=f"type it with the country code (+44 20 7946 0000); national numbers are read "
            f"as {region} (set CRM_PHONE_REGION)",
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def clean_domain(text: str) -> str:
    """A lower-case internet domain (``acme.example``); a URL or e-mail is cut down to its host."""
    raw = text.strip().lower()
    if "@" in raw:
        raw = raw.rsplit("@", 1)[1]
    if "://" in raw:
        raw = raw.split("://", 1)[1]
    raw = raw.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].rstrip(".")
    raw = raw.removeprefix("www.")
    try:
        ascii_host = raw.encode("idna").decode("ascii") if raw else ""
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidInput(f"{text!r} is not a domain name", hint="e.g. acme.example")
    return raw


def clean_url(text: str) -> str:
    """A web address with a scheme (``https://`` is added when missing) and a valid host."""
    raw = text.strip()
    if not raw:
        raise InvalidInput(
            "the web address is empty", hint="give a web address such as acme.example"
        )
    if "://" not in raw:
        raw = "https://" + raw
    from urllib.parse import urlsplit

    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{text!r} is not a web address", hint="e.g. https://acme.example")
    if any(c.isspace() for c in raw):
        raise InvalidInput(f"{text!r} is not a web address", hint="remove the spaces")
    clean_domain(parts.hostname)
    return raw
