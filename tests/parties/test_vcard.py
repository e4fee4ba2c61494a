"""vCard export/import: readable by vobject, lossless round trip, re-import matches."""

from __future__ import annotations

import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from crmcli.io.vcard import parse_vcards, to_vcard
from tests.parties.helpers import count

ADA_CARD = """BEGIN:VCARD
VERSION:3.0
FN:Ada Lovelace
N:Lovelace;Ada;;;
EMAIL;TYPE=WORK:ada@acme.example
EMAIL;TYPE=HOME:ada@home.example
TEL;TYPE=CELL:+44 20 7946 0000
TEL;TYPE=WORK:+49 30 1234567
ORG:Acme GmbH;Research
TITLE:Countess
NOTE:Likes engines\\, poetry\\; and maths.\\nSecond line.
CATEGORIES:vip,webinar
END:VCARD
"""


def _cards(path):
    return list(vobject.readComponents(path.read_text(encoding="utf-8")))


class TestExport:
    def test_our_output_parses_with_vobject(self, crm, tmp_path):
        crm(
            "contact add 'Ada Lovelace' --email ada@acme.example --phone '+44 20 7946 0000' "
            "--company 'Acme GmbH' --title Countess --notes 'Line one\nLine; two, three' "
            "--tag webinar"
        )
        crm("contact add 'Alan Turing' --email alan@bletchley.example")
        out = tmp_path / "all.vcf"
        run = crm(f"export contact --vcf {out}")
        assert "wrote 2 contact(s)" in run.stderr
        cards = {c.fn.value: c for c in _cards(out)}
        ada = cards["Ada Lovelace"]
        assert ada.version.value == "3.0"
        assert ada.n.value.family == "Lovelace" and ada.n.value.given == "Ada"
        assert [e.value for e in ada.contents["email"]] == ["ada@acme.example"]
        assert ada.tel.value == "+442079460000"
        assert ada.org.value == ["Acme GmbH"]
        assert ada.title.value == "Countess"
        assert ada.note.value == "Line one\nLine; two, three"
        assert ada.categories.value == ["webinar"]
        assert b"\r\n" in out.read_bytes()

    def test_version_4_and_filters(self, crm, tmp_path):
        crm("contact add Ada --email ada@acme.example --phone '+44 20 7946 0000' --tag webinar")
        crm("contact add Alan --email alan@bletchley.example")
        out = tmp_path / "v4.vcf"
        crm(f"export contact --tag webinar --vcf {out} --version 4.0")
        (card,) = _cards(out)
        assert card.version.value == "4.0"
        assert card.tel.value == "tel:+442079460000"
        assert card.uid.value.startswith("urn:uuid:")
        run = crm(f"export contact --vcf {out} --version 2.1", ok=False)
        assert run.exit_code == 1

    def test_mail_merge_list(self, crm):
        crm("contact add Ada --email ada@acme.example --tag webinar")
        crm("contact add Alan --email alan@bletchley.example")
        lines = crm("export contact --tag webinar --fields name,email --csv").stdout.splitlines()
        assert lines == ["name,email", "Ada,ada@acme.example"]
        run = crm("export contact --fields name,shoe --csv", ok=False)
        assert run.exit_code == 1 and "unknown field" in run.stderr


class TestImport:
    def test_card_with_several_emails_and_phones_round_trips(self, crm, tmp_path):
        source = tmp_path / "ada.vcf"
        source.write_text(ADA_CARD, encoding="utf-8")
        run = crm(f"import contact {source}")
        assert "1 created" in run.stderr
        ada = crm.json("contact show ada@acme.example")
        assert ada["other_emails"] == ["ada@home.example"]
        assert (ada["phone"], ada["other_phones"]) == ("+442079460000", ["+49301234567"])
        assert (ada["company"], ada["title"]) == ("Acme GmbH", "Countess")
        assert ada["notes"] == "Likes engines, poetry; and maths.\nSecond line."
        assert ada["tags"] == ["vip", "webinar"]

        exported = tmp_path / "out.vcf"
        crm(f"export contact --vcf {exported}")
        (card,) = parse_vcards(exported.read_text(encoding="utf-8"))
        (original,) = parse_vcards(ADA_CARD)
        for key in ("name", "emails", "org", "title", "notes", "tags"):
            assert card[key] == original[key], key
        assert card["phones"] == ["+442079460000", "+49301234567"]

        # re-importing our own export (and the original) matches instead of duplicating
        run = crm(f"import contact {exported}")
        assert "0 created, 0 updated, 1 unchanged" in run.stderr
        run = crm(f"import contact {source}")
        assert "0 created" in run.stderr
        assert count(crm.db, "contacts") == 1

    def test_reimport_matches_on_email_and_updates(self, crm, tmp_path):
        crm("contact add 'Ada Lovelace' --email ada@acme.example")
        card = tmp_path / "c.vcf"
        card.write_text(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada King\r\n"
            "EMAIL:ADA@acme.example\r\nTITLE:Countess\r\nEND:VCARD\r\n"
        )
        result = crm.json(f"import contact {card}")
        assert (result["created"], result["updated"]) == (0, 1)
        ada = crm.json("contact show ada@acme.example")
        assert (ada["name"], ada["title"]) == ("Ada King", "Countess")

    def test_dry_run_writes_nothing(self, crm, tmp_path):
        source = tmp_path / "ada.vcf"
        source.write_text(ADA_CARD, encoding="utf-8")
        run = crm(f"import contact {source} --dry-run")
        assert "would import 1 created" in run.stderr
        assert count(crm.db, "contacts") == 0 and count(crm.db, "companies") == 0

    def test_bad_cards_are_rejected_with_reasons(self, crm, tmp_path):
        source = tmp_path / "mixed.vcf"
        source.write_text(
            ADA_CARD + "BEGIN:VCARD\nVERSION:3.0\nFN:Bad\nEMAIL:nope\nEND:VCARD\n", encoding="utf-8"
        )
        run = crm(f"import contact {source} --strict", ok=False)
        assert run.exit_code == 4 and "nothing written" in run.stderr
        assert count(crm.db, "contacts") == 0
        run = crm(f"import contact {source}", ok=False)
        assert run.exit_code == 4
        assert "card 2 (Bad)" in run.stderr and "not a valid e-mail" in run.stderr
        assert count(crm.db, "contacts") == 1

    def test_csv_and_missing_files(self, crm, tmp_path):
        (tmp_path / "c.csv").write_text("name\nAda\n")
        run = crm(f"import contact {tmp_path / 'c.csv'}")  # CSV goes to the CSV importer
        assert "1 created" in run.stderr
        run = crm(f"import contact {tmp_path / 'none.vcf'}", ok=False)
        assert run.exit_code == 1 and "cannot read" in run.stderr


_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=60, deadline=None)
@given(name=_text, title=_text, notes=_text, org=_text, version=st.sampled_from(["3.0", "4.0"]))
def test_vcard_text_fields_survive_a_round_trip(name, title, notes, org, version):
    """Whatever the text (commas, semicolons, backslashes, unicode), it comes back the same."""
    contact = {
        "id": "0b7c7f66-1111-2222-3333-444455556666",
        "name": name,
        "title": title,
        "notes": notes,
        "company": org,
        "email": "a@b.example",
        "phone": "+442079460000",
    }
    (card,) = parse_vcards(to_vcard(contact, version=version))
    assert (card["name"], card["title"], card["notes"], card["org"]) == (name, title, notes, org)
    assert card["emails"] == ["a@b.example"] and card["phones"] == ["+442079460000"]
