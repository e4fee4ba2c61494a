"""crm contact: capture with validation and dedupe, lists with filters, edit, delete, merge."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.parties.helpers import add_activity, add_deal, count, query


class TestSpecExamples:
    """The SPEC §3 examples for companies and contacts work verbatim."""

    def test_company_then_contact(self, crm):
        crm('company add "Acme GmbH" --domain acme.example --class target')
        crm(
            'contact add "Ada Lovelace" --email ada@acme.example --phone "+44 20 7946 0000" '
            '--company "Acme GmbH"'
        )
        ada = crm.json("contact show ada@acme.example")
        assert ada["phone"] == "+442079460000"
        assert ada["company"] == "Acme GmbH"
        assert ada["email"] == "ada@acme.example"
        acme = crm.json('company show "Acme GmbH"')
        assert acme["classification"] == "target"
        assert [c["name"] for c in acme["contacts"]] == ["Ada Lovelace"]


class TestAdd:
    """Every field is an option; bad input is one clear line, exit 1, nothing written."""

    def test_all_fields_and_tags(self, team):
        team(
            'contact add "Linus T" --email LT@Kernel.example --phone "+1 415 555 2671" '
            "--title CTO --company Kernel --owner alice --source referral --tag vip --tag Beta "
            "--notes 'met at FOSDEM' --external-id hs-1"
        )
        c = team.json("contact show LT@kernel.example")
        assert c["email"] == "LT@kernel.example"
        assert c["phone"] == "+14155552671"
        assert (c["title"], c["owner"], c["source"], c["external_id"]) == (
            "CTO",
            "alice",
            "referral",
            "hs-1",
        )
        assert c["tags"] == ["beta", "vip"]
        assert c["company"] == "Kernel"  # an unknown company name creates the company
        assert team.json("company list")[0]["name"] == "Kernel"

    def test_owner_defaults_to_the_acting_user(self, team):
        team.user = "bob"
        team("contact add Someone")
        assert team.json("contact show Someone")["owner"] == "bob"

    def test_national_number_uses_the_default_region(self, crm):
        crm("contact add Brit --phone '020 7946 0001'", env={"CRM_PHONE_REGION": "GB"})
        assert crm.json("contact show Brit")["phone"] == "+442079460001"

    def test_bad_input_is_refused_and_nothing_is_written(self, team):
        for args, words in (
            ("contact add X --email not-an-email", "not a valid e-mail"),
            ("contact add X --phone 12", "not a valid phone number"),
            ("contact add X --phone abc", "not a phone number"),
            ("contact add X --owner zed", "unknown owner 'zed'"),
            ("contact add ''", "name cannot be empty"),
        ):
            run = team(args, ok=False)
            assert run.exit_code == 1, args
            assert words in run.stderr
            assert run.stderr.startswith("error: ")
            assert "Traceback" not in run.stderr
        assert team.json("contact list") == []
        assert team.json("company list") == []

    def test_inactive_owner_refused(self, team):
        team("user edit bob --inactive")
        run = team("contact add X --owner bob", ok=False)
        assert run.exit_code == 1 and "inactive" in run.stderr


class TestDuplicates:
    """Same e-mail or phone is a duplicate; a close name at the same company is a likely one."""

    def test_same_email_any_case_is_refused_even_with_force(self, crm):
        crm("contact add Ada --email ada@acme.example")
        for extra in ("", " --force"):
            run = crm(f"contact add 'Ada L' --email ADA@acme.example{extra}", ok=False)
            assert run.exit_code == 1
            assert "already exists" in run.stderr
        assert len(crm.json("contact list")) == 1

    def test_same_phone_in_another_format_is_refused_unless_forced(self, crm):
        crm("contact add Ada --phone '+44 20 7946 0000'")
        run = crm("contact add Bob --phone '+44 (0)20 7946 0000'", ok=False)
        assert run.exit_code == 1 and "same phone" in run.stderr
        crm("contact add Bob --phone '+442079460000' --force")
        assert len(crm.json("contact list")) == 2

    def test_underscore_in_an_address_is_not_a_wildcard(self, crm, tmp_path):
        """A further address 'axb@…' is not the same e-mail as 'a_b@…'."""
        card = tmp_path / "ann.vcf"
        card.write_text(
            "BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nEMAIL:ann@x.example\n"
            "EMAIL:axb@x.example\nEND:VCARD\n"
        )
        crm(f"import contact {card}")
        crm("contact add Bea --email a_b@x.example")
        run = crm("contact add Cy --email AXB@x.example", ok=False)
        assert run.exit_code == 1 and "already exists" in run.stderr
        assert sorted(c["name"] for c in crm.json("contact list")) == ["Ann", "Bea"]

    def test_similar_name_at_same_company_is_refused_in_scripts(self, crm):
        crm("contact add 'Ada Lovelace' --company Acme")
        run = crm("contact add 'Ada Lovelance' --company Acme", ok=False)
        assert run.exit_code == 1
        assert "possible duplicate" in run.stderr and "--force" in run.stderr
        crm("contact add 'Ada Lovelace' --company Other")  # another company: fine
        crm("contact add 'Lovelace, Ada' --company Acme --force")
        assert len(crm.json("contact list")) == 3


class TestList:
    """Filters a user reaches for, sort, limit, and the machine formats."""

    def _book(self, team):
        team(
            "contact add 'Ada Lovelace' --email ada@acme.example --company Acme --owner alice "
            "--tag webinar --source web --at 2026-10-01"
        )
        team(
            "contact add 'Alan Turing' --email alan@bletchley.example --company Bletchley "
            "--owner bob --notes 'enigma expert' --at 2026-11-01"
        )
        team(
            "contact add 'Grace Hopper' --email grace@navy.example --company Navy "
            "--owner alice --tag webinar --tag champion --at 2026-11-20"
        )

    def names(self, team, args):
        return [c["name"] for c in team.json(f"contact list {args}")]

    def test_filters(self, team):
        self._book(team)
        assert self.names(team, "--owner alice") == ["Ada Lovelace", "Grace Hopper"]
        assert self.names(team, "--tag webinar --tag champion") == ["Grace Hopper"]
        assert self.names(team, "--company Bletchley") == ["Alan Turing"]
        assert self.names(team, "--source WEB") == ["Ada Lovelace"]
        assert self.names(team, "--search enigma") == ["Alan Turing"]  # notes
        assert self.names(team, "--search navy") == ["Grace Hopper"]  # company / e-mail
        assert self.names(team, "--created-from 2026-10-15") == ["Alan Turing", "Grace Hopper"]
        assert self.names(team, "--created-to 2026-11-01") == ["Ada Lovelace", "Alan Turing"]
        assert self.names(team, "--sort -created --limit 2") == ["Grace Hopper", "Alan Turing"]
        assert self.names(team, "--sort company") == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]

    def test_owner_me_is_the_acting_user_in_every_list(self, team):
        """`--owner me` (any case) means the acting user, for contacts, companies and leads."""
        team.user = "bob"
        for noun in ("contact", "company", "lead"):
            team(f"{noun} add Mine --owner bob")
            team(f"{noun} add Theirs --owner alice --force")
            for spelling in ("me", "ME", " Me"):
                rows = team.json(noun, "list", "--owner", spelling)
                assert [r["name"] for r in rows] == ["Mine"], (noun, spelling)

    def test_unknown_sort_key(self, crm):
        run = crm("contact list --sort shoe", ok=False)
        assert run.exit_code == 1 and "sort by" in run.stderr

    def test_csv_quiet_and_json_shape(self, team):
        self._book(team)
        csv_out = team("contact list --csv").stdout.splitlines()
        assert csv_out[0].startswith("id,handle,")
        assert len(csv_out) == 4
        handles = team("contact list -q").stdout.split()
        assert len(handles) == 3 and all(len(h) == 8 for h in handles)
        row = team.json("contact list --limit 1")[0]
        for key in (
            "id",
            "handle",
            "name",
            "email",
            "phone",
            "company",
            "owner",
            "tags",
            "created_at",
            "updated_at",
        ):
            assert key in row
        assert "deleted_at" not in row


class TestEditDelete:
    def test_edit_fields_tags_and_clear(self, team):
        team("contact add Ada --email ada@acme.example --phone '+44 20 7946 0000' --tag old")
        team(
            "contact edit ada@acme.example --title Countess --owner bob --tag new --untag old "
            "--phone ''"
        )
        c = team.json("contact show Ada")
        assert (c["title"], c["owner"], c["phone"], c["tags"]) == ("Countess", "bob", None, ["new"])
        history = team.json("history Ada")["changes"]
        assert {h["field"] for h in history if h["op"] == "update"} >= {
            "title",
            "owner_id",
            "phone",
        }

    def test_retagging_restores_the_tag_row(self, crm):
        crm("contact add Ada --tag x")
        crm("contact edit Ada --untag x")
        crm("contact edit Ada --tag x")
        assert crm.json("contact show Ada")["tags"] == ["x"]

    def test_edit_to_an_existing_email_is_refused(self, crm):
        crm("contact add Ada --email ada@acme.example")
        crm("contact add Bob --email bob@acme.example")
        run = crm("contact edit Bob --email ADA@acme.example", ok=False)
        assert run.exit_code == 1
        assert crm.json("contact show Bob")["email"] == "bob@acme.example"

    def test_delete_is_soft_and_undoable(self, crm):
        crm("contact add Ada")
        crm("contact delete Ada")
        assert crm.json("contact list") == []
        change = next(h for h in crm.json("history Ada")["changes"] if h["op"] == "delete")
        crm(f"history --undo {change['handle']}")
        assert [c["name"] for c in crm.json("contact list")] == ["Ada"]


class TestMerge:
    """Merging keeps every deal, activity, tag and history row, and records the merge."""

    def test_merge_keeps_all_links(self, crm):
        crm("contact add 'Ada Lovelace' --email ada@acme.example --company Acme --tag vip")
        crm(
            "contact add 'A. Lovelace' --email countess@home.example --phone '+44 20 7946 0000' "
            "--tag webinar --notes 'prefers mornings'"
        )
        keep = crm.json("contact show ada@acme.example")["id"]
        other = crm.json("contact show countess@home.example")["id"]
        deal = add_deal(crm.db, "Acme renewal", contact_id=other)
        activity = add_activity(crm.db, "Call", contact_id=other)
        before = query(crm.db, "SELECT count(*) FROM changes WHERE record_id = ?", (other,))[0][0]

        result = crm.json("contact merge ada@acme.example countess@home.example")
        assert result["moved"] == {"deals": 1, "activities": 1}

        kept = crm.json(f"contact show {keep[:8]}")
        assert kept["phone"] == "+442079460000"  # filled from the other
        assert kept["other_emails"] == ["countess@home.example"]
        assert kept["tags"] == ["vip", "webinar"]
        assert "prefers mornings" in kept["notes"]
        assert [d["name"] for d in kept["deals"]] == ["Acme renewal"]
        assert [m["id"] for m in kept["merged_from"]] == [other]
        assert query(crm.db, "SELECT contact_id FROM deals WHERE id = ?", (deal,)) == [(keep,)]
        assert query(crm.db, "SELECT contact_id FROM activities WHERE id = ?", (activity,)) == [
            (keep,)
        ]
        merged = query(
            crm.db,
            "SELECT merged_into_id, deleted_at IS NOT NULL FROM contacts WHERE id = ?",
            (other,),
        )
        assert merged == [(keep, 1)]
        after = query(crm.db, "SELECT count(*) FROM changes WHERE record_id = ?", (other,))[0][0]
        assert after > before  # nothing removed from history, the merge is recorded
        assert count(crm.db, "contacts") == 1
        # the merged address now finds the kept contact
        assert crm.json("contact list --search countess")[0]["id"] == keep

    def test_merge_with_itself_is_an_error(self, crm):
        crm("contact add Ada --email ada@acme.example")
        run = crm("contact merge Ada ada@acme.example", ok=False)
        assert run.exit_code == 1 and "itself" in run.stderr
        assert count(crm.db, "contacts") == 1


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=999),
    st.sampled_from(
        [
            "+44 20 7946 0{:03d}",
            "+44 (0)20 7946 0{:03d}",
            "0044 20 7946 0{:03d}",
            "020 7946 0{:03d}",
            "+442079460{:03d}",
        ]
    ),
)
def test_every_way_of_writing_a_number_gives_one_e164(n, pattern):
    """Any spelling of a number normalises to the same E.164, so dedupe sees it."""
    from crmcli.services.validate import clean_phone

    assert clean_phone(pattern.format(n), region="GB") == f"+442079460{n:03d}"


class TestPromptOnATerminal:
    """A likely duplicate is asked about on a terminal (and only there)."""

    def _tty(self, monkeypatch):
        import types

        from crmcli.commands import _parties

        fake_stdin = types.SimpleNamespace(isatty=lambda: True)
        monkeypatch.setattr(_parties, "sys", types.SimpleNamespace(stdin=fake_stdin))

    def test_yes_adds_it(self, crm, monkeypatch):
        crm("contact add 'Ada Lovelace' --company Acme")
        self._tty(monkeypatch)
        run = crm("contact add 'Ada Lovelance' --company Acme", input="y\n")
        assert "possible duplicate" in run.stderr
        assert len(crm.json("contact list")) == 2

    def test_no_adds_nothing(self, crm, monkeypatch):
        crm("contact add 'Ada Lovelace' --company Acme")
        self._tty(monkeypatch)
        run = crm("contact add 'Ada Lovelance' --company Acme", input="n\n", ok=False)
        assert run.exit_code == 1 and "nothing added" in run.stderr
        assert len(crm.json("contact list")) == 1
