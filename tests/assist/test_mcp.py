"""crm mcp serve, driven as an assistant would: the SDK's stdio client against a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from typing import Any

import pytest

from tests.conftest import Crm


def _params(crm: Crm, *extra: str) -> Any:
    from mcp.client.stdio import StdioServerParameters

    env = {k: os.environ[k] for k in ("CRM_NOW", "CRM_TZ", "XDG_DATA_HOME") if k in os.environ}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "crmcli", "--db", str(crm.db), "--as", "alice", "mcp", "serve", *extra],
        env=env,
    )


def _data(result: Any) -> Any:
    """A tool result's JSON (structured content, else its text)."""
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


def drive(
    crm: Crm, calls: list[tuple[str, dict[str, Any]]], *extra: str
) -> tuple[list[str], list[Any]]:
    """Start the server, list its tools, make ``calls``; returns (tool names, results)."""
    from mcp import Client

    async def run() -> tuple[list[str], list[Any]]:
        async with Client(_params(crm, *extra)) as client:
            listed = await client.list_tools()
            results = [await client.call_tool(name, args) for name, args in calls]
            return [t.name for t in listed.tools], results

    return asyncio.run(run())


@pytest.fixture
def book(team: Crm) -> Crm:
    team("company add 'Acme GmbH' --domain acme.example")
    team("contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH'")
    team("deal add 'Acme renewal' --company 'Acme GmbH' --amount 48000 --owner alice")
    return team


class TestServer:
    """Tools are the services; writes land in the book and its history, marked as MCP's."""

    def test_list_search_and_log(self, book: Crm) -> None:
        names, (found, logged, brief, bad) = drive(
            book,
            [
                ("search", {"text": "acm"}),
                (
                    "log_activity",
                    {
                        "kind": "call",
                        "subject": "Talked renewal terms",
                        "contact": "ada@acme.example",
                        "deal": "Acme renewal",
                        "outcome": "positive",
                    },
                ),
                ("brief", {"handle": "ada@acme.example"}),
                ("show_deal", {"handle": "No Such Deal"}),
            ],
        )
        assert {"search", "brief", "status", "log_activity", "schedule_task", "move_deal"} <= set(
            names
        )
        assert {"list_contacts", "show_company", "list_deals", "add_lead", "win_deal"} <= set(names)
        hits = _data(found)["hits"]
        assert {(h["type"], h["name"]) for h in hits} >= {
            ("company", "Acme GmbH"),
            ("contact", "Ada Lovelace"),
            ("deal", "Acme renewal"),
        }
        assert not logged.is_error
        activity = _data(logged)
        assert activity["subject"] == "Talked renewal terms"
        assert _data(brief)["last_interactions"][0]["subject"] == "Talked renewal terms"
        assert bad.is_error and "no deal matches 'No Such Deal'" in bad.content[0].text

        conn = sqlite3.connect(book.db)
        row = conn.execute(
            "SELECT a.subject, u.username FROM activities a JOIN users u ON u.id = a.owner_id "
            "WHERE a.id = ?",
            (activity["id"],),
        ).fetchone()
        assert row == ("Talked renewal terms", "alice")
        changes = conn.execute(
            "SELECT c.actor, o.origin FROM changes c LEFT JOIN change_origins o "
            "ON o.change_id = c.id WHERE c.record_id = ?",
            (activity["id"],),
        ).fetchall()
        assert changes == [("alice", "mcp")]
        history = book.json("history", activity["id"][:8])["changes"]
        assert [(h["user"], h["via"], h["op"]) for h in history] == [("alice", "mcp", "create")]
        assert "alice (via mcp)" in book("history", activity["id"][:8]).stdout
        # a change typed at the CLI carries no origin
        book("deal edit 'Acme renewal' --next-step 'send contract'")
        assert book.json("history -n 1")[0]["via"] is None

    def test_input_schemas_describe_every_argument(self, book: Crm) -> None:
        from mcp import Client

        async def run() -> Any:
            async with Client(_params(book)) as client:
                return (await client.list_tools()).tools

        for t in asyncio.run(run()):
            assert t.description, t.name
            for name, prop in t.input_schema.get("properties", {}).items():
                assert prop.get("description"), f"{t.name}.{name}"

    def test_read_only_refuses_writes(self, book: Crm) -> None:
        names, (refused, found) = drive(
            book,
            [
                ("log_activity", {"kind": "call", "subject": "Sneaky"}),
                ("search", {"text": "ada"}),
            ],
            "--read-only",
        )
        assert "search" in names and "brief" in names
        assert not {"log_activity", "add_deal", "move_deal", "schedule_task"} & set(names)
        assert refused.is_error
        assert _data(found)["hits"][0]["name"] == "Ada Lovelace"
        conn = sqlite3.connect(book.db)
        assert conn.execute("SELECT count(*) FROM activities").fetchone() == (0,)

    def test_writes_go_through_validation(self, book: Crm) -> None:
        _, (task, moved, bad_stage, bad_kind) = drive(
            book,
            [
                (
                    "schedule_task",
                    {"subject": "Send contract", "due": "2026-11-25", "deal": "Acme renewal"},
                ),
                ("move_deal", {"deal": "Acme renewal", "stage": "Proposal"}),
                ("move_deal", {"deal": "Acme renewal", "stage": "Nirvana"}),
                ("log_activity", {"kind": "carrier pigeon", "subject": "x"}),
            ],
        )
        assert not task.is_error and not moved.is_error
        assert bad_stage.is_error and "\n" not in bad_stage.content[0].text
        assert bad_kind.is_error
        deal = book.json("deal show 'Acme renewal'")
        assert deal["stage"] == "Proposal"
        assert [h["to_stage"] for h in deal["stage_history"]][-1] == "Proposal"
