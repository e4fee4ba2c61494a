"""crm company: classification, dedupe, the 360° view, merge, and handover."""

from __future__ import annotations

from decimal import Decimal

from tests.parties.helpers import add_activity, add_deal, count, query, seed


class TestAddEdit:
    def test_fields_classification_and_domain_from_website(self, team):
        team(
            "company add 'Acme GmbH' --website https://www.acme.example/about --class key-account "
            "--industry Software --size 250 --territory DACH --phone '+49 30 1234567' "
            "--address 'Hauptstr. 1' --city Berlin --country DE --owner alice --source event "
            "--tag partner --notes 'big one' --external-id sf-1"
        )
        acme = team.json("company show acme.example")
        assert acme["domain"] == "acme.example"
        assert acme["classification"] == "key_account"
        assert (acme["size"], acme["territory"], acme["owner"]) == (250, "DACH", "alice")
        assert acme["phone"] == "+49301234567"
        team("company edit Acme --class 'key account' --size 300 --untag partner")
        acme = team.json("company show Acme")
        assert (acme["classification"], acme["size"], acme["tags"]) == ("key_account", 300, [])

    def test_list_filters(self, crm):
        crm("company add Alpha --class target --industry Retail --tag ref")
        crm("company add Beta --class key_account --industry Software --size 5000")
        crm("company add Gamma --industry software --size 10")
        names = lambda args: [c["name"] for c in crm.json(f"company list {args}")]  # noqa: E731
        assert names("--class target") == ["Alpha"]
        assert names("--class key-account") == ["Beta"]
        assert names("--industry SOFTWARE --sort -size") == ["Beta", "Gamma"]
        assert names("--tag ref") == ["Alpha"]
        assert names("--search gam") == ["Gamma"]
        assert names("--limit 1") == ["Alpha"]

    def test_bad_input(self, crm):
        for args, words in (
            ("company add X --class vip", "classification must be"),
            ("company add X --domain 'not a domain'", "not a domain"),
            ("company add X --website 'ftp://x.example'", "not a web address"),
            ("company add X --owner nobody", "unknown owner"),
        ):
            run = crm(args, ok=False)
            assert run.exit_code == 1 and words in run.stderr, args
        assert count(crm.db, "companies") == 0

    def test_duplicates(self, crm):
        crm("company add 'Acme GmbH' --domain acme.example")
        run = crm("company add 'Acme Germany' --domain ACME.example", ok=False)
        assert run.exit_code == 1 and "same domain" in run.stderr
        run = crm("company add 'ACME GmbH.'", ok=False)
        assert run.exit_code == 1 and "possible duplicate" in run.stderr
        crm("company add 'ACME GmbH.' --force")
        crm("company add 'Acme Ltd'")  # a different name enough: no prompt
        assert count(crm.db, "companies") == 3

    def test_delete(self, crm):
        crm("company add Acme")
        crm("company delete Acme")
        assert crm.json("company list") == []


class Test360:
    """`crm company show` gathers contacts, deals with totals, quotes, activities, payments."""

    def test_view_on_a_fresh_book(self, crm):
        crm("company add 'Acme GmbH' --domain acme.example")
        crm("contact add Ada --email ada@acme.example --company Acme")
        company_id = crm.json("company show Acme")["id"]
        contact_id = crm.json("contact show Ada")["id"]
        won = add_deal(crm.db, "Won one", company_id=company_id)
        add_deal(crm.db, "Open one", company_id=company_id)

        def close(w):
            stage = w.row("SELECT id FROM stages WHERE kind = 'won'")
            w.update("deals", won, {"status": "won", "stage_id": stage["id"]})
            w.insert(
                "payments",
                {"deal_id": won, "amount_milli": 400000, "currency": "EUR", "paid_at": w.at},
            )

        seed(crm.db, close)
        add_activity(
            crm.db,
            "Past call",
            contact_id=contact_id,
            start_at="2026-11-01 10:00:00.000000+00:00",
            done_at="2026-11-01 10:30:00.000000+00:00",
        )
        add_activity(
            crm.db,
            "Next meeting",
            company_id=company_id,
            start_at="2026-12-01 10:00:00.000000+00:00",
        )
        view = crm.json("company show Acme")
        assert [c["name"] for c in view["contacts"]] == ["Ada"]
        assert [d["name"] for d in view["deals"]] == ["Open one", "Won one"]
        assert view["totals"]["open"] == {"count": 1, "amounts": {"EUR": "1000.00"}}
        assert view["totals"]["won"] == {"count": 1, "amounts": {"EUR": "1000.00"}}
        assert view["totals"]["paid"] == {"EUR": "400.00"}
        assert view["next_activity"]["subject"] == "Next meeting"
        assert view["last_activity"]["subject"] == "Past call"
        assert [p["amount"] for p in view["payments"]] == ["400.00"]
        assert view["history"] and view["history"][0]["at"]
        assert {h["entity"] for h in view["history"]} <= {"company", "contact", "deal"}
        assert ("deal", won[:8], "update", "status") in {
            (h["entity"], h["record"], h["op"], h["field"]) for h in view["history"]
        }
        table = crm("company show Acme").stdout
        for words in ("Contacts", "Deals", "Payments", "Next meeting", "Recent history"):
            assert words in table

    def test_view_on_the_demo_book_matches_the_tables(self, demo):
        key = demo.json("company list --class key-account --limit 1")[0]
        view = demo.json(f"company show {key['handle']}")
        deals = query(
            demo.db,
            "SELECT status, amount_milli FROM deals WHERE company_id = ? AND deleted_at IS NULL",
            (key["id"],),
        )
        assert len(view["deals"]) == len(deals)
        won_milli = sum(c for s, c in deals if s == "won")
        assert (
            sum(Decimal(v) * 1000 for v in view["totals"]["won"]["amounts"].values()) == won_milli
        )
        quotes = query(
            demo.db,
            "SELECT count(*) FROM quotes q JOIN deals d ON d.id = q.deal_id WHERE d.company_id = ?",
            (key["id"],),
        )[0][0]
        assert len(view["quotes"]) == quotes


class TestMerge:
    def test_merge_moves_contacts_deals_activities(self, crm):
        crm("company add 'Acme GmbH' --domain acme.example --tag partner")
        crm("company add 'ACME Germany' --website acme.de --industry Software --force")
        crm("contact add Ada --company 'ACME Germany'")
        other = crm.json("company show 'ACME Germany'")["id"]
        keep = crm.json("company show 'Acme GmbH'")["id"]
        deal = add_deal(crm.db, "Renewal", company_id=other)
        add_activity(crm.db, "Call", company_id=other)
        result = crm.json("company merge 'Acme GmbH' 'ACME Germany'")
        assert result["moved"] == {"contacts": 1, "deals": 1, "activities": 1}
        kept = crm.json("company show Acme")
        assert kept["industry"] == "Software"  # filled from the other
        assert [c["name"] for c in kept["contacts"]] == ["Ada"]
        assert query(crm.db, "SELECT company_id FROM deals WHERE id = ?", (deal,)) == [(keep,)]
        assert query(crm.db, "SELECT merged_into_id FROM companies WHERE id = ?", (other,)) == [
            (keep,)
        ]
        assert count(crm.db, "companies") == 1
        assert kept["tags"] == ["partner"]
        assert [d["name"] for d in kept["deals"]] == ["Renewal"]
        merge_logged = query(
            crm.db,
            "SELECT count(*) FROM changes WHERE record_id = ? AND field = 'merged_into_id'",
            (other,),
        )
        assert merge_logged == [(1,)]

    def test_merge_with_itself(self, crm):
        crm("company add Acme --domain acme.example")
        before = query(crm.db, "SELECT count(*) FROM changes")[0][0]
        run = crm("company merge Acme acme.example", ok=False)
        assert run.exit_code == 1 and "itself" in run.stderr
        assert query(crm.db, "SELECT count(*) FROM changes")[0][0] == before


class TestHandover:
    """A rep's open work moves to another rep in one transaction, one history entry each."""

    def _book(self, team):
        team("company add Acme --owner alice")
        team("company add Other --owner bob")
        team("contact add Ada --company Acme --owner alice")
        team("lead add Open --owner alice")
        team("lead add Gone --owner alice")
        team("lead disqualify Gone --reason spam")
        alice = team.json("user show alice")["id"]
        acme = team.json("company show Acme")["id"]
        add_deal(team.db, "Open deal", company_id=acme, owner_id=alice)
        won = add_deal(team.db, "Won deal", company_id=acme, owner_id=alice)
        seed(team.db, lambda w: w.update("deals", won, {"status": "won"}))
        add_activity(team.db, "Todo", owner_id=alice, due_at="2026-12-01 10:00:00.000000+00:00")
        add_activity(team.db, "Done", owner_id=alice, done_at="2026-11-01 10:00:00.000000+00:00")
        return alice

    def test_dry_run_lists_and_changes_nothing(self, team):
        self._book(team)
        before = query(team.db, "SELECT count(*) FROM changes")[0][0]
        result = team.json("company handover --from alice --to bob --dry-run")
        assert result["counts"] == {"lead": 1, "deal": 1, "company": 1, "contact": 1, "activity": 1}
        assert {r["name"] for r in result["records"]} == {
            "Open",
            "Open deal",
            "Acme",
            "Ada",
            "Todo",
        }
        assert query(team.db, "SELECT count(*) FROM changes")[0][0] == before

    def test_user_handover_moves_open_work_only(self, team):
        alice = self._book(team)
        run = team("user handover --from alice --to bob")
        assert "moved 1 lead, 1 deal, 1 company, 1 contact, 1 activity" in run.stderr
        still = query(
            team.db,
            "SELECT 'deal', name FROM deals WHERE owner_id = ? UNION ALL "
            "SELECT 'lead', name FROM leads WHERE owner_id = ? UNION ALL "
            "SELECT 'activity', subject FROM activities WHERE owner_id = ?",
            (alice, alice, alice),
        )
        assert sorted(still) == [("activity", "Done"), ("deal", "Won deal"), ("lead", "Gone")]
        owner_changes = query(
            team.db,
            "SELECT count(*) FROM changes WHERE op = 'update' "
            "AND field = 'owner_id' AND actor IS NOT NULL "
            "AND new_value LIKE ?",
            ("%" + team.json("user show bob")["id"] + "%",),
        )[0][0]
        assert owner_changes == 5

    def test_company_handover_limited_to_named_companies(self, team):
        self._book(team)
        team("company add Second --owner alice")
        result = team.json("company handover Second --from alice --to bob")
        assert result["counts"]["company"] == 1
        assert result["counts"] == {"lead": 0, "deal": 0, "company": 1, "contact": 0, "activity": 0}
        assert [(r["entity"], r["name"]) for r in result["records"]] == [("company", "Second")]
        assert team.json("company show Acme")["owner"] == "alice"
        assert team.json("company show Second")["owner"] == "bob"

    def test_inactive_target_is_refused(self, team):
        self._book(team)
        team("user edit bob --inactive")
        before = query(team.db, "SELECT count(*) FROM changes")[0][0]
        run = team("user handover --from alice --to bob", ok=False)
        assert run.exit_code == 1 and "inactive" in run.stderr
        assert query(team.db, "SELECT count(*) FROM changes")[0][0] == before
        run = team("company handover --from alice --to alice", ok=False)
        assert run.exit_code == 1 and "same rep" in run.stderr
        assert query(team.db, "SELECT count(*) FROM changes")[0][0] == before
