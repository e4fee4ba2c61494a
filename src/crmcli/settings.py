"""User settings: one TOML file (``crm config``), typed keys with defaults.

The file lives in the platform's user config folder (``~/.config/crmcli/config.toml``;
``CRM_CONFIG`` names another). It is read with the standard library's ``tomllib`` and
written with ``tomlkit``, so a file someone edited by hand keeps its comments and order.
Settings belong to the person, not the book: the seller block printed on their quotes,
their currency defaults, their locale.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from crmcli.errors import InvalidInput

APP_NAME = "crmcli"


@dataclass(frozen=True)
class Key:
    """One setting: what it holds, its default, and how a typed value is checked."""

    name: str
    help: str
    parse: Callable[[str], Any]
    default: Any = None


def _text(value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("the value is empty", hint="use `crm config unset KEY` to clear it")
    return text


def _currency(value: str) -> str:
    from crmcli.money import parse_currency

    return parse_currency(value)


def _days(value: str) -> int:
    if not value.strip().isdigit() or int(value) > 3650:
        raise InvalidInput(f"{value!r} is not a number of days", hint="e.g. 30")
    return int(value)


def _prefix(value: str) -> str:
    text = value.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9]{0,7}", text):
        raise InvalidInput(f"{value!r} is not a number prefix", hint="1–8 letters/digits, e.g. Q")
    return text


def _locale(value: str) -> str:
    text = value.strip().replace("-", "_")
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z]{2,4})?", text):
        raise InvalidInput(f"{value!r} is not a locale", hint="e.g. de_DE, en_US, zh_CN")
    return text


def _email(value: str) -> str:
    from crmcli.services.validate import clean_email

    return clean_email(value)


def _image(value: str) -> str:
    path = Path(value).expanduser()
    if not path.is_file():
        raise InvalidInput(f"no image file {value!r}", hint="give the path of a PNG or JPEG logo")
    return str(path.resolve())


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("seller.name", "Your company's name, printed on quotes.", _text),
        Key("seller.address", "Postal address on quotes (use \\n for new lines).", _text),
        Key("seller.vat_id", "VAT / tax id printed on quotes.", _text),
        Key("seller.email", "Contact e-mail printed on quotes.", _email),
        Key("seller.logo", "Path of a PNG/JPEG logo for quotes.", _image),
        Key("currency", "Default currency of new deals, products and quotes.", _currency, "EUR"),
        Key("reporting_currency", "Currency reports convert into.", _currency, "EUR"),
        Key("payment_terms_days", "Days until an order is due.", _days, 30),
        Key("quote_prefix", "Prefix of quote numbers (Q-2026-…).", _prefix, "Q"),
        Key("locale", "Locale for amounts (de_DE); none: plain 1,250.00 EUR.", _locale),
    )
}


def config_path() -> Path:
    """The settings file: ``CRM_CONFIG``, else the platform's user config folder."""
    explicit = os.environ.get("CRM_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def _key(name: str) -> Key:
    found = KEYS.get(name.strip().lower())
    if found is None:
        raise InvalidInput(f"unknown setting {name!r}", hint=f"valid keys: {', '.join(KEYS)}")
    return found


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


@cache
def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {path}: {exc.strerror}",
            hint="check the path in CRM_CONFIG and that you may read it",
        ) from exc
    import tomllib  # only when there is a file to parse

    try:
        return _flatten(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            f"{path} is not valid TOML: {exc}", hint="fix the file or remove it"
        ) from exc


def _stored() -> dict[str, Any]:
    return _load(config_path())


def get(name: str) -> Any:
    """The value of a setting (the file's, else the default)."""
    key = _key(name)
    value = _stored().get(key.name)
    if value is None:
        return key.default
    return key.parse(str(value))  # a hand-edited file is checked like `crm config set`


def all_settings() -> dict[str, Any]:
    """Every key with its effective value (``None`` when unset and without a default)."""
    stored = _stored()
    return {name: (get(name) if name in stored else key.default) for name, key in KEYS.items()}


def set_value(name: str, text: str) -> Any:
    """Check ``text`` for ``name`` and write it to the file; returns the stored value."""
    key = _key(name)
    value = key.parse(text)
    _edit(lambda doc: _assign(doc, key.name, value))
    return value


def unset(name: str) -> None:
    """Remove a setting from the file (its default applies again)."""
    key = _key(name)
    _edit(lambda doc: _remove(doc, key.name))


def _assign(doc: Any, dotted: str, value: Any) -> None:
    import tomlkit

    *parents, leaf = dotted.split(".")
    table = doc
    for part in parents:
        if part not in table:
            table[part] = tomlkit.table()
        table = table[part]
    table[leaf] = value


def _remove(doc: Any, dotted: str) -> None:
    *parents, leaf = dotted.split(".")
    table = doc
    for part in parents:
        if part not in table:
            return
        table = table[part]
    if leaf in table:
        del table[leaf]


def _edit(change: Callable[[Any], None]) -> None:
    import tomlkit  # keeps comments and layout of a hand-edited file

    path = config_path()
    try:
        doc = (
            tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
        )
    except ValueError as exc:  # tomlkit.exceptions.ParseError is a ValueError
        raise InvalidInput(
            f"{path} is not valid TOML: {exc}", hint="fix the file or remove it"
        ) from exc
    change(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(tomlkit.dumps(doc), encoding="utf-8")
    temporary.replace(path)
    _load.cache_clear()
