"""The command palette (ctrl+p): every screen, every quick action, and any record by name."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from crmcli.errors import CrmError
from crmcli.tui.registry import QUICK_ACTIONS, SCREENS

if TYPE_CHECKING:
    from crmcli.services.book import Book

RECORDS_PER_KIND = 5
# entity, palette label, the list service's module and function (searched by name)
_SEARCHED = (
    ("deal", "Deal", "crmcli.services.deals", "list_deals"),
    ("company", "Company", "crmcli.services.companies", "list_companies"),
    ("contact", "Contact", "crmcli.services.contacts", "list_contacts"),
    ("lead", "Lead", "crmcli.services.leads", "list_leads"),
)


def find_records(
    book: Book, text: str, *, per_kind: int = RECORDS_PER_KIND
) -> list[dict[str, str]]:
    """Records whose name has every word of ``text``, through each list service."""
    import importlib

    found: list[dict[str, str]] = []
    for entity, label, module, function in _SEARCHED:
        lister = getattr(importlib.import_module(module), function)
        extra: dict[str, Any] = {"status": "all"} if entity in ("deal", "lead") else {}
        for row in lister(book, search=text, limit=per_kind, **extra):
            found.append({"entity": entity, "label": label, "id": row["id"], "name": row["name"]})
    return found


class CrmCommands(Provider):
    """Screens, actions and records, matched fuzzily against what is typed."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        app: Any = self.app
        out: list[tuple[str, str, Any]] = [
            (f"Go to {s.title}", s.help, partial(app.action_switch, s.name)) for s in SCREENS
        ]
        out += [(a.title, a.help, getattr(app, f"action_{a.action}")) for a in QUICK_ACTIONS]
        screen_actions = getattr(self.screen, "palette_actions", None)
        if callable(screen_actions):
            out += list(screen_actions())
        return out

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)
        if len(query.strip()) < 2:
            return
        app: Any = self.app
        try:
            # its own connection, off the event loop: the palette stays responsive
            records = await asyncio.to_thread(app.with_book, partial(find_records, text=query))
        except CrmError:  # a half-typed query the services refuse: no record hits
            return
        for record in records:
            title = f"{record['label']}: {record['name']}"
            yield Hit(
                max(matcher.match(record["name"]), 0.5),
                matcher.highlight(title),
                partial(app.open_record, record["entity"], record["id"]),
                text=title,
                help=f"open this {record['entity']}",
            )
