"""SPEC §3's commission examples, verbatim, give SPEC §5's statement line."""

from __future__ import annotations

import shlex

EXAMPLES = """
crm user add alice --name "Alice Ng" --team east
crm user add bob --name "Bob Okafor" --team west
crm company add "Acme GmbH" --domain acme.example --class target
crm deal add "Acme renewal" --company "Acme GmbH" --amount 48000 --currency EUR --owner alice --close 2026-12-15
crm deal move "Acme renewal" Proposal --at 2026-10-01
crm deal win "Acme renewal" --at 2026-11-20
crm user quota set alice 2026-Q4 100000
crm plan add standard --tiers "0:5%,50000:8%,100000:10%" --trigger won --accelerator 1.5
crm plan assign standard alice
crm deal split "Acme renewal" alice=60 bob=40
"""


def test_spec_commission_examples_verbatim(crm) -> None:
    for line in EXAMPLES.strip().splitlines():  # bob is added: a split names known reps
        crm(*shlex.split(line)[1:])
    report = crm.json(*shlex.split("report commission --period 2026-Q4 --rep alice --json"))
    assert report["period"] == {"label": "2026-Q4", "from": "2026-10-01", "to": "2026-12-31"}
    (alice,) = report["statements"]
    # alice's 60% of 48,000 = 28,800, all in the first band: 28,800 × 5% = 1,440.00
    assert (alice["rep"], alice["plan"], alice["quota"], alice["basis"], alice["total"]) == (
        "alice",
        "standard",
        "100000.00",
        "28800.00",
        "1440.00",
    )
    assert alice["attainment"] == 0.288
    (line,) = alice["lines"]
    assert {k: line[k] for k in ("deal", "kind", "basis", "rate", "amount")} == {
        "deal": "Acme renewal",
        "kind": "commission",
        "basis": "28800.00",
        "rate": "0.05",
        "amount": "1440.00",
    }
    assert line["deal_id"] == crm.json("deal show 'Acme renewal'")["id"]


def test_readme_commission_examples_run_verbatim(reps, tmp_path, monkeypatch) -> None:
    """The README's Commission block, line by line, on a book with the deal it names."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = re.search(r"^## Commission\n(.*?)(?=^## )", readme, re.S | re.M)
    assert section
    block = re.findall(r"```sh\n(.*?)```", section.group(1), re.S)[0]
    monkeypatch.chdir(tmp_path)
    reps("deal add 'Acme renewal' --amount 48000 --owner alice --at 2026-10-01")
    reps("deal win 'Acme renewal' --at 2026-11-20")
    for line in block.strip().splitlines():
        argv = shlex.split(line.split("  #")[0])
        assert argv[0] == "crm"
        reps(*argv[1:])
    assert (tmp_path / "statements.pdf").exists() and (tmp_path / "statements.html").exists()
    # alice: 60% of 48,000 = 28,800 at 5% = 1,440.00
    assert (
        reps.json("report commission --period 2026-Q4 --rep alice")["statements"][0]["total"]
        == "1440.00"
    )
