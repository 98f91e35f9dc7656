"""The conjoint collaborateur (CSS L662-1, D633-19-2; C. trav. L6331-48 2°): the conjoint grid of URSSAF's official
model `modele-ti` to the euro by `simulate` and by `simulate_many`, worked examples by hand, and every interface.

Deliberate differences, each listed in docs/oracle-differences.md with its legal reasoning:
- DACRE (as for the public grid, tests/test_oracle.py): with ACRE the model leaves invalidité-décès unrounded (two
  decimals), the head's and the conjoint's; those lines are within 1 €, the total within 2 €.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier import simulate
from echeancier.contributions import conjoint_collaborateur
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import InputError
from echeancier.contributions.vectorized import RowInputError, simulate_many

GRID = Path(__file__).resolve().parent / "data" / "oracle" / "populations-conjoint-grid.jsonl"
GRID_SHA256 = "2bc20b226b2ded8dbe17ed78032065c1ca97788cbcfd538fad53f9763eabb1ac"
ROWS = [json.loads(line) for line in GRID.read_text().splitlines() if line.strip()]
FIELDS = ("year", "profession", "income", "start_date", "end_date", "acre", "rsa", "conjoint_collaborateur")
DACRE = {"invalidite_deces", "conjoint_invalidite_deces"}


def amount(simulation: Any, key: str) -> Decimal:
    if key == "total":
        return simulation.total
    if key.startswith("conjoint_"):
        return Decimal(simulation.conjoint_amounts[conjoint_collaborateur.KEYS.index(key.removeprefix("conjoint_"))])
    return simulation.amount(key)


def test_the_grid_is_the_one_its_readme_describes() -> None:
    assert hashlib.sha256(GRID.read_bytes()).hexdigest() == GRID_SHA256
    assert len(ROWS) == 300
    assert {row["situation"]["year"] for row in ROWS} == {2024, 2025, 2026}
    assert {row["situation"]["conjoint_collaborateur"] for row in ROWS} == set(conjoint_collaborateur.OPTIONS[1:])
    assert {row["situation"]["profession"] for row in ROWS} == {"artisan", "commercant", "liberal"}


@pytest.mark.parametrize("row", ROWS, ids=[row["situation"]["id"] for row in ROWS])
def test_every_contribution_to_the_euro_of_the_official_model(row: dict[str, Any]) -> None:
    simulation = simulate(row["situation"])
    unrounded = False
    for key, expected in row["expected"].items():
        value = Decimal(str(expected))
        if key in DACRE and value != value.to_integral_value():
            assert row["situation"].get("acre"), key  # DACRE only
            assert abs(amount(simulation, key) - value) < 1, key
            unrounded = True
        elif key == "total" and unrounded:
            assert abs(amount(simulation, key) - value) < 2, key
        else:
            assert amount(simulation, key) == value, key
    assert Decimal(sum(simulation.conjoint_amounts)) == Decimal(str(row["also"]["conjoint_total"])) or unrounded
    assert simulation.conjoint_assiette == Decimal(str(row["also"]["conjoint_assiette"]))


def test_the_batch_path_equals_the_scalar_engine_on_every_row_and_mixed_with_rows_without_a_conjoint() -> None:
    situations = [row["situation"] for row in ROWS]
    situations += [{"year": 2025, "profession": "artisan", "income": 30000}, {**situations[0], "id": "none"}]
    situations[-1]["conjoint_collaborateur"] = None
    columns = {name: [s.get(name) for s in situations] for name in FIELDS}
    columns["acre"] = [bool(value) for value in columns["acre"]]
    columns["rsa"] = [bool(value) for value in columns["rsa"]]
    batch = simulate_many(columns)
    keys = (*CONTRIBUTIONS, *conjoint_collaborateur.COLUMNS, "total")
    for i, situation in enumerate(situations):
        simulation = simulate(situation)
        expected = [*simulation.amounts, *(simulation.conjoint_amounts or (0, 0, 0, 0)), int(simulation.total)]
        assert [int(batch[key][i]) for key in keys] == expected, situation.get("id")
    without = simulate_many({name: columns[name] for name in ("year", "profession", "income")})
    assert not any(key in without for key in conjoint_collaborateur.COLUMNS)  # no column in, none out


def test_worked_by_hand_a_shared_base() -> None:
    # 2025, commerçant, revenu brut 42 742 €: abatement 26 % = 11 112.92 → 11 113 €, assiette sociale 31 629 €.
    # Tiers avec partage (D633-19-2 4°): the conjoint's base 31 629 / 3 = 10 543 €; the head's retraite and
    # invalidité-décès on 31 629 − 10 543 = 21 086 €.
    # Head: retraite de base 17.87 % × 21 086 = 3 768.07 → 3 768 €; retraite complémentaire 8.1 % × 21 086
    # = 1 707.97 → 1 708 €; invalidité-décès 1.3 % × 21 086 = 274.12 → 274 €; maladie, IJ, AF, CSG-CRDS on the whole
    # 31 629 € as without a conjoint. CFP at the conjoint rate: 0.34 % × 47 100 = 160.14 → 160 €.
    # Conjoint: IJ 0.5 % × 40 % × 47 100 = 0.5 % × 18 840 = 94.20 → 94 €; retraite de base 17.87 % × 10 543
    # = 1 884.03 → 1 884 €; retraite complémentaire 8.1 % × 10 543 = 853.98 → 854 €; invalidité-décès 1.3 % ×
    # 10 543 = 137.06 → 137 €. URSSAF's model: 13 484 € in all.
    situation = {
        "year": 2025,
        "profession": "commercant",
        "income": 42742,
        "conjoint_collaborateur": "tiers_avec_partage",
    }
    simulation = simulate(situation)
    alone = simulate({**situation, "conjoint_collaborateur": None})
    assert simulation.conjoint_assiette == 10543
    assert simulation.amounts[2:5] == (3768, 1708, 274)
    assert simulation.amount("formation_professionnelle") == 160 and alone.amount("formation_professionnelle") == 118
    assert simulation.conjoint_amounts == (94, 1884, 854, 137)
    for key in ("maladie_maternite", "indemnites_journalieres", "allocations_familiales", "csg_crds"):
        assert simulation.amount(key) == alone.amount(key)
    assert simulation.total == 13484
    assert [line.reference.endswith("CSS L662-1, D633-19-2") for line in simulation.conjoint_lines] == [True] * 4


def test_worked_by_hand_the_flat_base_and_the_artisans_cfp() -> None:
    # 2026, artisan, revenu brut 30 000 €, forfaitaire (D633-19-2 1°): a third of the 2026 PASS, 48 060 / 3 =
    # 16 020 €. Conjoint: retraite de base 17.87 % × 16 020 = 2 862.77 → 2 863 €; retraite complémentaire 8.1 % ×
    # 16 020 = 1 297.62 → 1 298 €; invalidité-décès 1.3 % × 16 020 = 208.26 → 208 €; IJ 0.5 % × 40 % × 48 060 =
    # 96.12 → 96 €. The head's own contributions are unchanged, and an artisan's CFP stays at 0.29 % (CGI 1601 B:
    # no conjoint rate): 0.29 % × 48 060 = 139.37 → 139 €.
    situation = {"year": 2026, "profession": "artisan", "income": 30000, "conjoint_collaborateur": "forfaitaire"}
    simulation = simulate(situation)
    alone = simulate({**situation, "conjoint_collaborateur": None})
    assert simulation.conjoint_assiette == 16020
    assert simulation.conjoint_amounts == (96, 2863, 1298, 208)
    assert simulation.amounts == alone.amounts
    assert simulation.amount("formation_professionnelle") == 139
    assert simulation.total == alone.total + 96 + 2863 + 1298 + 208


def test_worked_by_hand_2024_the_csg_base_includes_the_conjoints_contributions() -> None:
    # 2024 (former L136-3): the CSG-CRDS base is the revenu professionnel plus every compulsory contribution the
    # head paid, the conjoint's included. Libéral, 20 000 €, moitié sans partage: the conjoint's base 10 000 €.
    situation = {
        "year": 2024,
        "profession": "liberal",
        "income": 20000,
        "conjoint_collaborateur": "moitie_sans_partage",
    }
    simulation = simulate(situation)
    head = sum(simulation.amounts[:6])
    assert simulation.conjoint_assiette == 10000
    assert simulation.assiette_csg == 20000 + head + sum(simulation.conjoint_amounts)


def test_with_the_rsa_the_conjoint_owes_no_minimum() -> None:
    # A nil income with the RSA: no minimum base for the head (the exception of D633-2, D632-1, D621-3) nor the
    # conjoint (docs/law-choices.md, 251): nothing is due on a shared base of nothing, and the conjoint's IJ on the
    # minimum base is not called (URSSAF's model).
    simulation = simulate(
        {
            "year": 2025,
            "profession": "artisan",
            "income": 0,
            "rsa": True,
            "conjoint_collaborateur": "tiers_avec_partage",
        }
    )
    assert simulation.conjoint_amounts == (0, 0, 0, 0)


def test_the_explanation_and_the_json() -> None:
    simulation = simulate(
        {"year": 2025, "profession": "liberal", "income": 60000, "conjoint_collaborateur": "moitie_sans_partage"}
    )
    data = simulation.to_dict()
    block = data["conjoint_collaborateur"]
    assert block["option"] == "moitie_sans_partage"
    assert block["assiette"] == 22200  # (60 000 − 26 %) / 2
    assert list(block["contributions"]) == list(conjoint_collaborateur.KEYS)
    assert block["total"] == sum(simulation.conjoint_amounts)
    assert data["total"] == sum(simulation.amounts) + block["total"]
    assert "conjoint_collaborateur" not in simulate({"year": 2025, "profession": "liberal", "income": 1}).to_dict()


def test_the_first_two_years_flat_rate_block_has_the_conjoint_too() -> None:
    data = simulate(
        {
            "year": 2025,
            "profession": "artisan",
            "income": 9000,
            "start_date": "2025-02-01",
            "conjoint_collaborateur": "forfaitaire",
        }
    ).to_dict()
    assert data["forfait_debut_activite"]["conjoint_collaborateur"]["total"] > 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tiers", "doit être forfaitaire, tiers_sans_partage"),
        (True, "reçu True"),
        (1, "reçu 1"),
        ("Forfaitaire", "doit être"),
    ],
)
def test_a_bad_option_is_one_message_naming_the_field(value: Any, message: str) -> None:
    situation = {"year": 2025, "profession": "artisan", "income": 1000, "conjoint_collaborateur": value}
    with pytest.raises(InputError) as caught:
        simulate(situation)
    assert caught.value.field == "conjoint_collaborateur"
    assert message in caught.value.message
    with pytest.raises(RowInputError) as row_error:
        simulate_many(
            {name: [None, value] if name == "conjoint_collaborateur" else [situation[name]] * 2 for name in situation}
        )
    assert (row_error.value.row, row_error.value.field) == (1, "conjoint_collaborateur")


def test_mayotte_and_the_drom_are_computed() -> None:
    # Mayotte's own base (docs/law-choices.md, 340; tests/test_conjoint_mayotte.py), the DROM's of D633-19-2.
    situation = {"year": 2025, "profession": "artisan", "income": 1000, "conjoint_collaborateur": "forfaitaire"}
    assert simulate({**situation, "department": "976"}).conjoint_amounts == (0, 406, 0, 0)
    batch = simulate_many({**{k: [v] for k, v in situation.items()}, "department": ["976"]})
    assert int(batch["conjoint_retraite_base"][0]) == 406
    assert simulate({**situation, "department": "971"}).conjoint_amounts  # the DROM have it


# --- every interface ----------------------------------------------------------------------------------------------


def test_the_command_line_and_jsonl() -> None:
    from typer.testing import CliRunner

    from echeancier.cli import app

    runner = CliRunner()
    base = ["simulate", "--year", "2025", "--profession", "commercant", "--income", "42742"]
    one = runner.invoke(app, [*base, "--conjoint-collaborateur", "tiers_avec_partage", "--json"])
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout)["total"] == 13484
    table = runner.invoke(app, [*base, "--conjoint-collaborateur", "tiers_avec_partage"])
    assert "Conjoint : retraite de base" in table.stdout and "10\u202f543\xa0€" in table.stdout
    bad = runner.invoke(app, [*base, "--conjoint-collaborateur", "tiers"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("erreur: --conjoint-collaborateur: doit être")
    lines = (
        '{"year": 2025, "profession": "commercant", "income": 42742, "conjoint_collaborateur": "tiers_avec_partage"}\n'
        '{"year": 2025, "profession": "commercant", "income": 1, "conjoint_collaborateur": "x"}\n'
    )
    streamed = runner.invoke(app, ["simulate", "--jsonl"], input=lines)
    first, second = (json.loads(line) for line in streamed.stdout.splitlines())
    assert first == json.loads(one.stdout)
    assert second["error"].startswith("conjoint_collaborateur: ")
    mixed = runner.invoke(app, ["simulate", "--jsonl", "--conjoint-collaborateur", "forfaitaire"], input=lines)
    assert mixed.exit_code == 2


def test_the_api_single_and_batch() -> None:
    from fastapi.testclient import TestClient

    from echeancier.api.app import Settings, create_app

    client = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
    situation = {
        "year": 2025,
        "profession": "commercant",
        "income": 42742,
        "conjoint_collaborateur": "tiers_avec_partage",
    }
    one = client.post("/v1/simulations", json=situation)
    assert one.status_code == 200, one.text
    assert one.json()["conjoint_collaborateur"]["total"] == 94 + 1884 + 854 + 137
    batch = client.post(
        "/v1/simulations:batch",
        json={
            "year": [2025, 2025],
            "profession": ["commercant"] * 2,
            "income": [42742, 42742],
            "conjoint_collaborateur": ["tiers_avec_partage", None],
        },
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["conjoint_retraite_base"] == [1884, 0]
    alone = simulate({**situation, "conjoint_collaborateur": None})
    assert batch.json()["total"] == [13484, int(alone.total)]
    bad = client.post("/v1/simulations", json={**situation, "conjoint_collaborateur": "moitie"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "conjoint_collaborateur"


def test_a_portfolio_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from echeancier.cli import app

    path = tmp_path / "clients.csv"
    path.write_text(
        "client;annee;profession;revenu;conjoint\r\n"
        "A;2025;commerçant;42742;Tiers avec partage\r\n"
        "B;2025;artisan;30000;\r\n"
        "C;2025;artisan;30000;tiers\r\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["simulate", "--input", str(path), "--output", str(out)])
    assert result.exit_code == 1  # row C
    rows = [line.split(";") for line in out.read_text(encoding="utf-8-sig").splitlines()]
    header = rows[0]
    assert header[header.index("Total") - 4 : header.index("Total")] == [
        "Conjoint : indemnités journalières",
        "Conjoint : retraite de base",
        "Conjoint : retraite complémentaire",
        "Conjoint : invalidité-décès",
    ]
    assert rows[1][header.index("Total")] == "13484"
    assert rows[2][header.index("Conjoint : retraite de base")] == "0"
    assert "conjoint : doit être" in rows[3][-1]


SCENARIO = """
contributor:
  profession: commercant
  activity_start: 2019-03-01
  payment: {frequency: monthly, day: 5, direct_debit: true}
  conjoint_collaborateur: tiers_sans_partage
incomes: {2023: 30000, 2024: 36000}
events:
  - {date: 2025-05-20, type: declaration, year: 2024}
years: [2025]
"""


def test_the_echeancier_calls_the_conjoints_part_as_its_own_line_on_the_same_due_dates() -> None:
    from echeancier.contributions.engine import compute
    from echeancier.contributions.situation import Profession, Situation
    from echeancier.law.snapshot import provisional_snapshot
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import loads_scenario

    with_conjoint = build_echeancier(loads_scenario(SCENARIO))
    without = build_echeancier(loads_scenario(SCENARIO.replace("  conjoint_collaborateur: tiers_sans_partage\n", "")))
    # The provisional contributions of 2025 on the 2023 income (former rules with the 2025 PASS, the échéancier's):
    # the conjoint's share of them is called on the same twelve due dates as the head's.
    situation = Situation(
        year=2025, profession=Profession.commercant, income=Decimal(30000), conjoint_collaborateur="tiers_sans_partage"
    )
    provisional = compute(situation, provisional_snapshot(2025), Decimal(30000))
    conjoint = Decimal(sum(provisional.conjoint_amounts))
    assert with_conjoint.year_total(2025, ("conjoint_collaborateur",)) == conjoint == 2699
    days = [i.due_date for i in with_conjoint.instalments if any(p.kind == "conjoint_collaborateur" for p in i.parts)]
    assert days == [i.due_date for i in with_conjoint.instalments if any(p.kind == "provisional" for p in i.parts)]
    assert len(days) == 12
    for instalment in with_conjoint.instalments:  # each part is a whole number of cents
        assert all(part.amount == part.amount.quantize(Decimal("0.01")) for part in instalment.parts)
    assert not any(p.kind == "conjoint_collaborateur" for i in without.instalments for p in i.parts)
    assert with_conjoint.year_total(2025) > without.year_total(2025)


def test_a_scenario_refuses_a_bad_option_with_its_line() -> None:
    from echeancier.schedule.scenario import ScenarioError, loads_scenario

    with pytest.raises(ScenarioError) as caught:
        loads_scenario(SCENARIO.replace("tiers_sans_partage", "tiers"))
    assert "conjoint_collaborateur" in str(caught.value)


def test_the_documents_name_the_conjoints_lines() -> None:
    from datetime import date

    from echeancier.documents.echeancier import to_json, to_table
    from echeancier.documents.pdf import simulation_html
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import loads_scenario

    result = simulate(
        {"year": 2025, "profession": "commercant", "income": 42742, "conjoint_collaborateur": "tiers_avec_partage"}
    )
    assert "Conjoint : retraite de base" in simulation_html(result, issued_on=date(2026, 1, 5))
    e = build_echeancier(loads_scenario(SCENARIO))
    assert "provisionnelles du conjoint collaborateur 2025" in to_table(e)
    kinds = {part["kind"] for instalment in to_json(e)["instalments"] for part in instalment["parts"]}
    assert "conjoint_collaborateur" in kinds


@settings(max_examples=60, deadline=None)
@given(
    year=st.sampled_from([2024, 2025, 2026]),
    profession=st.sampled_from(["artisan", "commercant", "liberal"]),
    income=st.integers(min_value=0, max_value=500_000),
    share=st.sampled_from(["tiers", "moitie"]),
)
def test_sharing_moves_the_base_and_not_sharing_leaves_the_head_alone(
    year: int, profession: str, income: int, share: str
) -> None:
    situation = {"year": year, "profession": profession, "income": income}
    alone = simulate(situation)
    without = simulate({**situation, "conjoint_collaborateur": f"{share}_sans_partage"})
    shared = simulate({**situation, "conjoint_collaborateur": f"{share}_avec_partage"})
    # D633-19-2 2°, 3°: the head's six cotisations are those without a conjoint (up to 2024 the CSG-CRDS base adds
    # the conjoint's contributions, former L136-3; the CFP is at the conjoint rate, L6331-48 2°).
    assert without.amounts[:6] == alone.amounts[:6]
    if year >= 2025:
        assert without.amount("csg_crds") == alone.amount("csg_crds")
    # 4°, 5°: the same conjoint base, taken off the head's (the RCI has no minimum base, D635-7).
    assert shared.conjoint_assiette == without.conjoint_assiette
    if alone.line("retraite_complementaire").capped is None:
        head = shared.line("retraite_complementaire").base
        assert head + shared.conjoint_assiette == alone.line("retraite_complementaire").base
    # the batch path computes the same on the three rows
    rows = [situation, {**situation, "conjoint_collaborateur": f"{share}_sans_partage"}]
    rows.append({**situation, "conjoint_collaborateur": f"{share}_avec_partage"})
    batch = simulate_many({name: [row.get(name) for row in rows] for name in (*situation, "conjoint_collaborateur")})
    assert [int(value) for value in batch["total"]] == [alone.total, without.total, shared.total]


def test_jsonl_chunks_explain_conjoint_lines_as_the_scalar_path_byte_for_byte() -> None:
    import io
    import random

    from echeancier.cli import run_jsonl
    from echeancier.contributions import jsonl
    from tests.test_jsonl_batch import situation

    rng = random.Random(5150)
    raw = []
    for i in range(800):
        data = situation(rng, i)
        if rng.random() < 0.7:
            data["conjoint_collaborateur"] = rng.choice((*conjoint_collaborateur.OPTIONS, "tiers"))
        raw.append((json.dumps(data) + "\n").encode())
    scalar, chunks = io.StringIO(), io.StringIO()
    run_jsonl(raw, scalar)
    jsonl.run_lines([raw[i : i + 300] for i in range(0, len(raw), 300)], chunks)
    assert chunks.getvalue() == scalar.getvalue()
    assert scalar.getvalue().count('"conjoint_collaborateur": {') > 200
