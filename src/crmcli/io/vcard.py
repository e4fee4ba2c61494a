"""vCard (RFC 2426 3.0 / RFC 6350 4.0) for contacts, through vobject.

3.0 is written by default because khard, Thunderbird, macOS and Outlook read it; 4.0 on
request. Reading accepts both. What travels: FN/N (name), every EMAIL and TEL (the first,
or the one marked preferred, is the primary), ORG (company), TITLE, NOTE, CATEGORIES
(tags) and UID (the contact's id, so a re-import updates instead of duplicating).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crmcli.errors import InvalidInput

VERSIONS = ("3.0", "4.0")


def _name_parts(name: str) -> tuple[str, str]:
    """(given, family) for the N property: the last word is taken as the family name."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    return " ".join(words[:-1]), words[-1]


def to_vcard(contact: Mapping[str, Any], *, version: str = "3.0") -> str:
    """One contact as a vCard (CRLF line endings, folded as the RFC says)."""
    import vobject  # 40 ms, only for vCard import/export

    if version not in VERSIONS:
        raise InvalidInput(
            f"vCard version must be 3.0 or 4.0, not {version!r}",
            hint="use --version 3.0 or 4.0",
        )
    v4 = version == "4.0"
    card = vobject.vCard()
    card.add("version").value = version
    card.add("uid").value = f"urn:uuid:{contact['id']}" if v4 else str(contact["id"])
    name = str(contact["name"])
    card.add("fn").value = name
    given, family = _name_parts(name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    emails = [contact.get("email"), *(contact.get("other_emails") or [])]
    for i, address in enumerate(a for a in emails if a):
        line = card.add("email")
        line.value = address
        if v4:
            if i == 0:
                line.params["PREF"] = ["1"]
        else:
            line.params["TYPE"] = ["INTERNET", "PREF"] if i == 0 else ["INTERNET"]
    phones = [contact.get("phone"), *(contact.get("other_phones") or [])]
    for i, number in enumerate(n for n in phones if n):
        line = card.add("tel")
        if v4:
            line.value = f"tel:{number}"
            line.params["VALUE"] = ["uri"]
            line.params["TYPE"] = ["voice"]
            if i == 0:
                line.params["PREF"] = ["1"]
        else:
            line.value = number
            line.params["TYPE"] = ["VOICE", "PREF"] if i == 0 else ["VOICE"]
    if contact.get("company"):
        card.add("org").value = [str(contact["company"])]
    if contact.get("title"):
        card.add("title").value = str(contact["title"])
    if contact.get("notes"):
        card.add("note").value = str(contact["notes"])
    if contact.get("tags"):
        card.add("categories").value = list(contact["tags"])
    return str(card.serialize())


def write_vcards(contacts: Iterable[Mapping[str, Any]], *, version: str = "3.0") -> str:
    """Several contacts as one .vcf document."""
    return "".join(to_vcard(c, version=version) for c in contacts)


def _is_preferred(line: Any) -> bool:
    types = [t.lower() for t in line.params.get("TYPE", [])]
    return "pref" in types or bool(line.params.get("PREF"))


def _values(card: Any, key: str) -> list[str]:
    lines = card.contents.get(key, [])
    ordered = sorted(lines, key=lambda line: not _is_preferred(line))  # stable: pref first
    out = []
    for line in ordered:
        value = str(line.value).strip()
        if key == "tel":
            value = value.removeprefix("tel:")
        if value:
            out.append(value)
    return out


def _text(card: Any, key: str) -> str | None:
    lines = card.contents.get(key)
    if not lines:
        return None
    value = lines[0].value
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value).strip()
    return text or None


def _name(card: Any) -> str:
    name = _text(card, "fn")
    if name:
        return name
    lines = card.contents.get("n")
    if lines:
        n = lines[0].value
        parts = [n.prefix, n.given, n.additional, n.family, n.suffix]
        flat = [" ".join(x) if isinstance(x, list) else str(x) for x in parts]
        return " ".join(x for x in flat if x).strip()
    return ""


def parse_vcards(text: str) -> list[dict[str, Any]]:
    """Every card of a .vcf document as a plain dict (name, emails, phones, org, …).

    A document vobject cannot read at all raises InvalidInput; checking each field is the
    importer's job, so one bad card does not sink the others.
    """
    import vobject

    try:
        cards = list(vobject.readComponents(text, ignoreUnreadable=True))
    except Exception as exc:  # vobject raises its own ParseError and plain ValueErrors
        raise InvalidInput(
            f"not a readable vCard file: {exc}".splitlines()[0],
            hint="check that it is a .vcf file (BEGIN:VCARD … END:VCARD)",
        ) from exc
    out = []
    for card in cards:
        if card.name.upper() != "VCARD":
            continue
        categories: list[str] = []
        for line in card.contents.get("categories", []):
            value = line.value
            categories += value if isinstance(value, list) else str(value).split(",")
        org = card.contents.get("org")
        org_name = None
        if org:
            value = org[0].value
            org_name = (value[0] if isinstance(value, list) and value else str(value)) or None
        out.append(
            {
                "name": _name(card),
                "emails": _values(card, "email"),
                "phones": _values(card, "tel"),
                "org": org_name,
                "title": _text(card, "title"),
                "notes": _text(card, "note"),
                "tags": [c.strip() for c in categories if c.strip()],
                "uid": _text(card, "uid"),
            }
        )
    return out
