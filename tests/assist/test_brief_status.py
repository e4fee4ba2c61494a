"""crm brief and crm status: what a fixture book says, and empty-safe on a new book."""

from __future__ import annotations

import pytest

from tests.conftest import Crm


@pytest.fixture
def book(team: Crm) -> Crm:
    """Acme with Ada, one open deal in Proposal, a past call, a task, a weekly meeting."""
    c = team
    c("company add 'Acme GmbH' --domain acme.example --class target")
    c("contact add 'Ada Lovelace' --email ada@acme.example --company 'Acme GmbH' --tag vip")
    c(
        "deal add 'Acme renewal' --company 'Acme GmbH' --contact ada@acme.example --amount 48000 "
        "--owner alice --close 2026-11-30 --at 2026-10-01"
    )
    c("deal move 'Acme renewal' Proposal --at 2026-11-03")
    c("deal add 'Acme old' --company 'Acme GmbH' --amount 1000 --owner alice")
    c("deal lose 'Acme old' --reason price")
    for day in range(16, 23):
        c(
            f"log call 'Call {day}' --with ada@acme.example --deal 'Acme renewal' "
            f"--at '2026-11-{day} 09:00'"
        )
    c("activity add task 'Send proposal' --with ada@acme.example --due 2026-11-20")
    c(
        "activity add meeting 'Weekly sync' --with ada@acme.example --start '2026-11-24 10:00' "
        "--duration 30m --every weekly"
    )
    return c


class TestBrief:
    """Profile, company, open deals with days in stage, last five interactions, tasks, meeting."""

    def test_contact_brief(self, book: Crm) -> None:
        b = book.json("brief ada@acme.example")
        assert (b["type"], b["name"]) == ("contact", "Ada Lovelace")
        assert b["profile"]["email"] == "ada@acme.example"
        assert b["profile"]["tags"] == ["vip"]
        assert b["company"]["name"] == "Acme GmbH"
        assert b["company"]["classification"] == "target"
        [deal] = b["open_deals"]
        assert (deal["name"], deal["stage"], deal["days_in_stage"]) == (
            "Acme renewal",
            "Proposal",
            20,
        )
        assert [i["subject"] for i in b["last_interactions"]] == [
            "Call 22",
            "Call 21",
            "Call 20",
            "Call 19",
            "Call 18",
        ]
        assert [t["subject"] for t in b["open_tasks"]] == ["Send proposal"]
        assert b["next_meeting"]["subject"] == "Weekly sync"
        assert b["next_meeting"]["when"].startswith("2026-11-24T09:00")
        assert b["recent_changes"]

    def test_company_brief_covers_its_people_and_deals(self, book: Crm) -> None:
        b = book.json("brief 'Acme GmbH'")
        assert b["type"] == "company"
        assert [d["name"] for d in b["open_deals"]] == ["Acme renewal"]  # the lost one is not open
        assert len(b["last_interactions"]) == 5

    def test_deal_and_lead_brief(self, book: Crm) -> None:
        b = book.json("brief 'Acme renewal'")
        assert b["type"] == "deal" and b["company"]["name"] == "Acme GmbH"
        assert b["next_meeting"]["subject"] == "Weekly sync"
        book("lead add 'Grace Hopper' --email grace@navy.example --company 'Navy Labs'")
        lead = book.json("brief grace@navy.example")
        assert lead["type"] == "lead" and lead["open_deals"] == [] and lead["company"] is None

    def test_table_output(self, book: Crm) -> None:
        out = book("brief ada@acme.example").stdout
        for heading in (
            "Ada Lovelace",
            "Open deals",
            "Last interactions",
            "Open tasks",
            "Weekly sync",
        ):
            assert heading in out

    def test_quotes_and_open_balance(self, book: Crm) -> None:
        from tests.search.test_search import _required, writer

        with writer(book) as w:
            deal = w.row("SELECT id FROM deals WHERE name = 'Acme renewal'")
            assert deal is not None
            w.insert(
                "quotes",
                _required(
                    w,
                    "quotes",
                    {
                        "number": "Q-7",
                        "deal_id": deal["id"],
                        "status": "accepted",
                        "currency": "EUR",
                    },
                ),
            )
            order = {
                "number": "O-7",
                "deal_id": deal["id"],
                "amount_milli": 48_000_000,
                "currency": "EUR",
            }
            o = w.insert("orders", _required(w, "orders", order))
            pay = {
                "deal_id": deal["id"],
                "order_id": o["id"],
                "amount_milli": 20_000_000,
                "currency": "EUR",
                "paid_at": w.at,
            }
            w.insert("payments", _required(w, "payments", pay))
        b = book.json("brief ada@acme.example")
        assert [q["number"] for q in b["quotes"]] == ["Q-7"]
        assert b["open_balance"] == {"EUR": "28000.00"}

    def test_quote_to_cash_through_the_cli(self, book: Crm) -> None:
        book("product add SKU-1 'Onboarding workshop' --price 1000")
        book("quote new --deal 'Acme renewal' --valid 30d")
        number = book("quote list -q").stdout.split()[0]
        book(f"quote line add {number} --product SKU-1 --qty 3 --discount 10")
        book(f"quote send {number}")
        book(f"quote accept {number}")
        book("payment add 'Acme renewal' 1000")
        b = book.json("brief 'Acme GmbH'")
        assert [(q["number"], q["status"], q["total"]) for q in b["quotes"]] == [
            (number, "accepted", "2700.00")
        ]
        assert b["open_balance"] == {"EUR": "1700.00"}
        assert book.json("brief ada@acme.example")["open_balance"] == {"EUR": "1700.00"}
        hits = book.json("search onboarding --type quote")
        assert [(h["type"], h["name"], h["owner"]["name"]) for h in hits] == [
            ("quote", number, "Acme renewal")
        ]

    def test_bad_handles(self, book: Crm) -> None:
        run = book("brief nobody-at-all", ok=False)
        assert run.exit_code == 1 and run.stderr.startswith("error: no contact, company")
        book("lead add 'Acme GmbH' --email buyer@acme.example")
        run = book("brief 'Acme GmbH'", ok=False)
        assert run.exit_code == 1 and "ambiguous" in run.stderr
        assert book.json("brief 'Acme GmbH' --type company")["type"] == "company"
        assert book("brief x --type planet", ok=False).exit_code == 1


class TestStatus:
    """The rep's day and the team's."""

    def test_rep_day(self, book: Crm) -> None:
        book.user = "alice"
        book("user quota set alice 2026-Q4 100000")
        book("deal add 'Quick win' --amount 25000 --owner alice")
        book("deal win 'Quick win'")
        book("activity add call 'Call Ada back' --with ada@acme.example --start '2026-11-23 15:00'")
        s = book.json("status")
        assert s["user"] == "alice"
        assert [a["subject"] for a in s["agenda"]] == ["Call Ada back"]
        assert [d["name"] for d in s["closing_this_month"]] == ["Acme renewal"]
        assert {p["stage"]: p["count"] for p in s["pipeline"]}["Proposal"] == 1
        a = s["attainment"]
        assert (a["period"], a["quota"], a["won"], a["attainment"]) == (
            "2026-Q4",
            "100000.00",
            "25000.00",
            0.25,
        )

    def test_overdue_and_idle(self, book: Crm) -> None:
        mine = book.json("status")  # the default user scheduled the task
        assert [o["subject"] for o in mine["overdue"]] == ["Send proposal"]
        s = book.json("status --team")
        assert s["user"] is None and s["overdue"] == [] and s["agenda"] == []
        users = {line["user"]: line for line in s["team"]}
        assert users["alice"]["open_deals"] == 1 and users["bob"]["open_deals"] == 0
        me = mine["user"]
        assert users[me]["overdue"] == 1 and users["alice"]["overdue"] == 0
        book("deal add 'Forgotten' --amount 10 --owner alice --at 2026-09-01")
        assert "Forgotten" in [d["name"] for d in book.json("status --team")["idle_deals"]]

    def test_table_output(self, book: Crm) -> None:
        out = book("status").stdout
        for heading in ("Status", "Overdue", "Send proposal"):
            assert heading in out
        out = book("status --team").stdout
        for heading in ("Status", "Pipeline", "Team", "alice", "bob"):
            assert heading in out


class TestEmptyBook:
    """A new book: nothing breaks, everything is empty."""

    def test_status_on_a_new_book(self, crm: Crm) -> None:
        s = crm.json("status")
        assert s["agenda"] == [] and s["overdue"] == [] and s["attainment"] is None
        assert all(p["count"] == 0 for p in s["pipeline"])
        assert crm("status").exit_code == 0
        assert crm.json("status --team")["team"][0]["open_deals"] == 0

    def test_brief_of_a_bare_contact(self, crm: Crm) -> None:
        crm("contact add 'Solo Person'")
        b = crm.json("brief 'Solo Person'")
        assert b["open_deals"] == [] and b["last_interactions"] == [] and b["next_meeting"] is None
        assert b["quotes"] == [] and b["open_balance"] == {}
        assert crm("brief 'Solo Person'").exit_code == 0
