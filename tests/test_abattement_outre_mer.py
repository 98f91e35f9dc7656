"""The régime de croisière abattement of the collectivités of CSS L751-1 (L756-4, D756-4 I 2°, 3° and II): worked by
hand line by line (docs/overseas-exemptions.md, 3), its properties, one text on every path, hostile inputs.

2024: PASS 46 368 €; the abattement is whole below 69 552 € (150 %), nil from 115 920 € (250 %); 2023 (secu-
independants.fr, "DROM"): PASS 43 992 €, 65 988 € and 109 980 €.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from echeancier import simulate
from echeancier.cli import run_jsonl
from echeancier.contributions import debut_outre_mer, jsonl
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import InputError
from echeancier.contributions.vectorized import simulate_many
from echeancier.law import snapshot

OFF = {"abattement_outre_mer": False}
ABATED = ("maladie_maternite", "indemnites_journalieres", "retraite_base", "allocations_familiales", "csg_crds")
KEPT = ("retraite_complementaire", "invalidite_deces", "formation_professionnelle")
FOURTH_YEAR_2024: dict[str, Any] = {"year": 2024, "profession": "artisan", "department": "974"}


def both(**situation: Any) -> tuple[Any, Any]:
    """(without, with) the abattement."""
    return simulate({**situation, **OFF}), simulate(situation)


def test_the_thresholds_urssaf_and_secu_independants_publish() -> None:
    for year, pass_, full, nil in ((2023, 43992, 65988, 109980), (2024, 46368, 69552, 115920)):
        law = snapshot(year)
        assert law.pass_annuel == pass_
        assert law.om_croisiere_seuil_degressivite * pass_ == full
        assert law.om_croisiere_seuil_sortie * pass_ == nil
        assert (law.om_croisiere_taux, law.om_croisiere_taux_troisieme_annee, law.om_croisiere_limite) == (
            Fraction(1, 2),
            Fraction(3, 4),
            1,
        )


def test_60000_euros_fourth_year_2024_worked_by_hand_line_by_line() -> None:
    # Below 150 % of the PASS: 50 % of each abated contribution's amount for an income equal to the PASS.
    # Retraite de base: 17.75 % × 46 368 + 0.60 % × 13 632 = 8 230.32 + 81.79 = 8 312.11 → 8 312 €; at the PASS
    # 8 230 €, abattement 4 115 €: 4 197 € (docs/overseas-exemptions.md, 3: 4 196,95 €).
    # Maladie: 6.70 % × 60 000 = 4 020 €; at the PASS (100 % of it, D621-2: 4 % + 2.70 % × 40 / 50 = 6.16 %)
    # 46 368 × 6.16 % = 2 856.27 → 2 856 €, abattement 1 428 €: 2 592 €.
    # IJ: 0.50 % × 60 000 = 300 €; at the PASS 231.84 → 232 €, abattement 116 €: 184 €.
    # AF: 3.10 % × 60 000 = 1 860 €; at the PASS 1 437.41 → 1 437 €, abattement 718.50 → 719 €: 1 141 €.
    # CSG-CRDS (2024: income + cotisations): at the PASS 46 368 + 2 856 + 232 + 8 230 + 3 280 (RCI 7 % × 42 946 +
    # 8 % × 3 422) + 603 + 1 437 = 63 006 €, × 9.70 % = 6 111.58 → 6 112 €, abattement 3 056 €; 7 709 − 3 056 = 4 653 €.
    # Retraite complémentaire, invalidité-décès and CFP: unchanged.
    without, abated = both(**FOURTH_YEAR_2024, income=60000)
    assert without.amounts == (4020, 300, 8312, 4371, 603, 1860, 7709, 134)
    assert abated.amounts == (2592, 184, 4197, 4371, 603, 1141, 4653, 134)
    assert abated.total == 17875
    line = abated.line("retraite_base")
    assert (line.gross, line.exoneration, line.exoneration_label) == (8312, 4115, debut_outre_mer.CROISIERE_LABEL)
    assert line.exoneration_reference == "CSS L756-4, D756-4" and line.reference.endswith("CSS L756-4, D756-4")
    assert abated.line("retraite_complementaire").exoneration == 0
    assert abated.notes == (debut_outre_mer.CROISIERE_NOTE,)
    assert without.notes == ("exonerations_outre_mer_non_appliquees:974",)
    assert abated.to_dict()["contributions"]["retraite_base"]["abattement_outre_mer"] == 4115


def test_80000_euros_fourth_year_2024_degressive_worked_by_hand() -> None:
    # f = (115 920 − 80 000) / 46 368 = 35 920 / 46 368 = 0.774672…; each abattement = 50 % × amount at the PASS × f.
    # Retraite de base: 8 432.11 → 8 432 €; 4 115 × f = 3 187.77 → 3 188 €: 5 244 € (section 3: 5 244,21 €).
    # Maladie 5 360 − 1 428 × f (1 106.23 → 1 106) = 4 254 €; IJ 400 − 116 × f (89.86 → 90) = 310 €;
    # AF 2 480 − 718.50 × f (556.60 → 557) = 1 923 €; CSG-CRDS 10 015 − 3 056 × f (2 367.40 → 2 367) = 7 648 €.
    without, abated = both(**FOURTH_YEAR_2024, income=80000)
    assert [without.amount(k) for k in ABATED] == [5360, 400, 8432, 2480, 10015]
    assert [abated.amount(k) for k in ABATED] == [4254, 310, 5244, 1923, 7648]
    assert [abated.amount(k) for k in KEPT] == [without.amount(k) for k in KEPT]


@pytest.mark.parametrize(("income", "nothing"), [(115920, True), (200000, True), (115000, False), (69552, False)])
def test_nil_from_250_percent_and_whole_up_to_150(income: int, nothing: bool) -> None:
    without, abated = both(**FOURTH_YEAR_2024, income=income)
    assert (abated.amounts == without.amounts) is nothing
    if income == 69552:  # whole: 50 % of the amounts at the PASS, as at 60 000 €
        assert abated.line("retraite_base").exoneration == 4115


def test_the_third_civil_year_after_the_start_exemption_at_75_percent_pro_rata() -> None:
    # Created 1 March 2023, start exemption asked: 2025 is the third civil year; 1 January – 28 February (59 days)
    # inside the 24 months, 306 days after them. Income 30 000 € (2025: base 22 200 €), below the PASS.
    # Maladie 8.5 % × 22 200 = 1 887 €: exempted 1 887 × (59 + 75 % × 306) / 365 = 1 887 × 288.5 / 365 = 1 491.51
    # → 1 492 €: 395 €. Invalidité-décès (not abated, start exemption only): 1.3 % × 22 200 = 288.60 → 289 €,
    # exempted 289 × 59 / 365 = 46.72 → 47 €: 242 €. Retraite complémentaire: unchanged.
    situation = {"year": 2025, "profession": "artisan", "department": "971", "start_date": "2023-03-01"}
    without, abated = both(**situation, income=30000, exoneration_debut_outre_mer=True)
    plain = simulate({**situation, "income": 30000, **OFF})
    assert (plain.amount("maladie_maternite"), abated.amount("maladie_maternite")) == (1887, 395)
    assert (plain.amount("invalidite_deces"), abated.amount("invalidite_deces")) == (289, 242)
    assert abated.amount("retraite_complementaire") == plain.amount("retraite_complementaire")
    line = abated.line("maladie_maternite")
    assert (line.exoneration_label, line.exoneration_reference) == (
        debut_outre_mer.BOTH_LABEL,
        "CSS L756-2, L756-4, D756-4",
    )
    assert abated.notes == (debut_outre_mer.NOTE, debut_outre_mer.CROISIERE_NOTE)
    assert without.amount("maladie_maternite") == 1887 - 305  # the start exemption alone (59 days)
    # Without the start exemption (not a début d'activité, row 333): 50 %, 1 887 − 943.50 → 944 = 943 €.
    assert simulate({**situation, "income": 30000}).amount("maladie_maternite") == 943


def test_minimums_are_abated_as_the_amounts_due() -> None:
    # 2025, nil income, La Réunion: IJ 94 € → 94 − 47 = 47 €; retraite de base 955 € → 955 − 477.50 (→ 478) = 477 €;
    # invalidité-décès 70 € (L632-1, not abated); maladie and AF nil.
    without, abated = both(year=2025, profession="commercant", department="974", income=0)
    assert without.amounts[:6] == (0, 94, 955, 0, 70, 0)
    assert abated.amounts[:6] == (0, 47, 477, 0, 70, 0)


@pytest.mark.parametrize("extra", [{"pension_invalidite_mois": 4}, {"exoneration_age": True}])
def test_not_cumulated_with_the_invalidity_or_age_exemptions(extra: dict[str, Any]) -> None:
    with_it = simulate({**FOURTH_YEAR_2024, "income": 60000, **extra})
    assert with_it.amounts == simulate({**FOURTH_YEAR_2024, "income": 60000, **extra, **OFF}).amounts
    assert "exonerations_outre_mer_non_appliquees:974" in with_it.notes


def test_outside_the_collectivites_nothing_changes() -> None:
    for department in (None, "75", "976"):
        situation = {"year": 2025, "profession": "artisan", "income": 30000, "department": department}
        assert simulate(situation).amounts == simulate({**situation, **OFF}).amounts


def test_the_explanation_and_the_json_say_it() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "echeancier.cli",
            "simulate",
            "--year",
            "2024",
            "--profession",
            "artisan",
            "--income",
            "60000",
            "--department",
            "974",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    from echeancier.kernel.fmt import format_euros

    assert "abattement outre-mer (régime de croisière)" in out and f"-{format_euros(4115)}" in out
    assert "CSS L756-4, D756-4" in out and format_euros(17875) in out
    off = subprocess.run(
        [
            sys.executable,
            "-m",
            "echeancier.cli",
            "simulate",
            "--year",
            "2024",
            "--profession",
            "artisan",
            "--income",
            "60000",
            "--department",
            "974",
            "--sans-abattement-outre-mer",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(off)["total"] == 27309


@pytest.mark.parametrize("value", ["oui", 2, "maybe", [True]])
def test_a_bad_flag_is_one_french_line_naming_the_field(value: Any) -> None:
    with pytest.raises(InputError) as error:
        simulate({**FOURTH_YEAR_2024, "income": 1, "abattement_outre_mer": value})
    assert error.value.field == "abattement_outre_mer" and "\n" not in error.value.message
    columns = {"year": [2024, 2024], "profession": ["artisan"] * 2, "income": [1, 1], "department": ["974", "75"]}
    with pytest.raises(InputError) as row_error:
        simulate_many({**columns, "abattement_outre_mer": [True, value]})
    assert row_error.value.field == "abattement_outre_mer"


def test_the_api_takes_it_as_a_boolean_only() -> None:
    from fastapi.testclient import TestClient

    from echeancier.api.app import Settings, create_app

    client = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
    situation = {**FOURTH_YEAR_2024, "income": 60000}
    assert client.post("/v1/simulations", json=situation).json()["total"] == 17875
    assert client.post("/v1/simulations", json={**situation, **OFF}).json()["total"] == 27309
    bad = client.post("/v1/simulations", json={**situation, "abattement_outre_mer": "non"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "abattement_outre_mer"
    batch = client.post(
        "/v1/simulations:batch",
        json={"year": [2024] * 2, "profession": ["artisan"] * 2, "income": [60000] * 2, "department": ["974"] * 2}
        | {"abattement_outre_mer": [None, False]},
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["total"] == [17875, 27309]


def test_an_overseas_echeancier_calls_the_abated_provisional_contributions(tmp_path: Path) -> None:
    # docs/examples/13-outre-mer.yaml: a commerçant of La Réunion since 2015, income 2024 35 000 €, year 2026.
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import loads_scenario

    text = (Path(__file__).resolve().parents[1] / "docs" / "examples" / "13-outre-mer.yaml").read_text()
    abated = build_echeancier(loads_scenario(text))
    off = build_echeancier(
        loads_scenario(text.replace('department: "974"', 'department: "974"\n  abattement_outre_mer: false'))
    )
    totals = [sum(part.amount for i in e.instalments for part in i.parts) for e in (abated, off)]
    assert totals[0] < totals[1]
    assert debut_outre_mer.CROISIERE_NOTE in abated.notes
    assert not any(note.startswith("exonerations_outre_mer_non_appliquees") for note in abated.notes)
    assert "exonerations_outre_mer_non_appliquees:974" in off.notes


def test_a_campaign_computes_the_abattement_as_the_replay() -> None:
    import pyarrow as pa

    from echeancier.schedule.campaign import compute_partition
    from tests.test_campaign import differences, random_accounts

    rows = random_accounts(21, 2026, 90)
    for i, row in enumerate(rows):
        row["abattement_outre_mer"] = None if i % 2 else False  # the law's default, or switched off
    partition = compute_partition(pa.Table.from_pylist(rows), 2026)
    found = differences(rows, 2026, partition.instalments, partition.refunds, partition.accounts)
    assert not found, "\n".join(found[:3])
    paths = partition.accounts.column("path").to_pylist()
    notes = partition.accounts.column("notes").to_pylist()
    abated = [i for i, row in enumerate(rows) if row["department"] in ("971", "974") and i % 2]
    assert abated and all("abattement_outre_mer" in notes[i] for i in abated)
    assert any(paths[i] == "array" for i in abated)  # on the arrays (`vectorized._abattement`), equal to the replay
    off = [i for i, row in enumerate(rows) if row["department"] in ("971", "974") and not i % 2]
    assert off and all("exonerations_outre_mer_non_appliquees" in notes[i] for i in off)


YEARS = st.sampled_from([2023, 2024, 2025, 2026])
STARTS = st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 12, 31))
INCOMES = st.integers(min_value=0, max_value=300_000)
DEPARTMENTS = st.sampled_from(["971", "972", "973", "974", "977", "978"])


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    year=YEARS,
    start=st.none() | STARTS,
    income=INCOMES,
    profession=st.sampled_from(["artisan", "commercant", "liberal"]),
    department=DEPARTMENTS,
    debut=st.booleans(),
)
def test_the_abattement_never_increases_a_contribution(
    year: int, start: date | None, income: int, profession: str, department: str, debut: bool
) -> None:
    assume(start is None or start.year <= year)
    assume(start is not None or not debut)
    situation = {
        "year": year,
        "profession": profession,
        "income": income,
        "department": department,
        "start_date": None if start is None else start.isoformat(),
        "exoneration_debut_outre_mer": debut,
    }
    without, abated = simulate({**situation, **OFF}), simulate(situation)
    for key, before, after in zip(CONTRIBUTIONS, without.amounts, abated.amounts, strict=True):
        assert 0 <= after <= before, key
        if key in KEPT and not debut:
            assert after == before, key
    if income >= 2 * without.pass_proratise + without.pass_proratise / 2 and not debut:
        assert abated.amounts == without.amounts


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(year=st.sampled_from([2025, 2026]), income=INCOMES, department=DEPARTMENTS)
def test_the_third_civil_year_owes_no_more_than_the_fourth(year: int, income: int, department: str) -> None:
    # Created on 1 January: the third civil year lies wholly after the 24 months (75 %), the fourth at 50 %.
    base = {"year": year, "profession": "artisan", "income": income, "department": department}
    third = simulate({**base, "start_date": f"{year - 2}-01-01", "exoneration_debut_outre_mer": True})
    fourth = simulate({**base, "start_date": f"{year - 3}-01-01", "exoneration_debut_outre_mer": True})
    assert all(a <= b for a, b in zip(third.amounts, fourth.amounts, strict=True))
    assert third.pass_proratise == fourth.pass_proratise


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    year=YEARS,
    start=STARTS,
    incomes=st.lists(INCOMES, min_size=1, max_size=6),
    flags=st.lists(st.sampled_from([None, True, False]), min_size=6, max_size=6),
)
def test_batch_equals_scalar(year: int, start: date, incomes: list[int], flags: list[bool | None]) -> None:
    assume(start.year <= year)
    rows = [
        {
            "year": year,
            "profession": "commercant",
            "income": income,
            "department": ("974", "75", "971")[i % 3],
            "start_date": start.isoformat(),
            "abattement_outre_mer": flags[i],
        }
        for i, income in enumerate(incomes)
    ]
    columns: dict[str, Any] = {name: [row[name] for row in rows] for name in rows[0]}
    batch = simulate_many(columns)
    for i, row in enumerate(rows):
        given = {k: v for k, v in row.items() if v is not None}
        assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulate(given).amounts), row


def test_jsonl_writes_what_each_line_alone_writes() -> None:
    lines = [
        {**FOURTH_YEAR_2024, "income": income, **extra}
        for income in (0, 30000, 60000, 80000, 200000)
        for extra in ({}, OFF, {"department": "75"}, {"start_date": "2022-01-01", "exoneration_debut_outre_mer": True})
    ]
    lines.append({**FOURTH_YEAR_2024, "income": 1, "abattement_outre_mer": "peut-être"})
    raw = [(json.dumps(line) + "\n").encode() for line in lines]
    alone = io.StringIO()
    run_jsonl(raw, alone)  # the scalar path, line by line
    for size in (1, 7, 1000):
        together = io.StringIO()
        jsonl.run_lines((raw[i : i + size] for i in range(0, len(raw), size)), together)
        assert together.getvalue() == alone.getvalue()
    written = alone.getvalue().splitlines()
    assert json.loads(written[8])["total"] == 17875 and json.loads(written[9])["total"] == 27309
    assert "abattement_outre_mer" in written[-1]


def test_an_income_given_net_is_solved_with_the_abattement() -> None:
    # 2025: net = revenu brut − every contribution; 2024: net = revenu professionnel − non-deductible CSG-CRDS (the
    # line's share left due after the abattement).
    later = simulate({**FOURTH_YEAR_2024, "year": 2025, "income": 30000, "income_is_net": True})
    assert later.income - later.total == 30000 and debut_outre_mer.CROISIERE_NOTE in later.notes
    before = simulate({**FOURTH_YEAR_2024, "income": 40000, "income_is_net": True})
    gross = simulate({**FOURTH_YEAR_2024, "income": before.income})
    assert gross.amounts == before.amounts
    line = gross.line("csg_crds")
    assert line.gross is not None and line.amount < line.gross


def test_a_conjoint_collaborateur_keeps_their_own_contributions() -> None:
    situation = {**FOURTH_YEAR_2024, "income": 60000, "conjoint_collaborateur": "forfaitaire"}
    without, abated = both(**situation)
    assert abated.conjoint_amounts == without.conjoint_amounts
    assert abated.amount("retraite_base") == 4197


def test_a_campaign_names_a_bad_flag_on_its_row() -> None:
    import pyarrow as pa

    from echeancier.schedule.campaign import compute_partition
    from tests.test_campaign import random_accounts

    rows = random_accounts(3, 2026, 4)
    for row in rows:
        row["department"], row["abattement_outre_mer"] = "974", "peut-être"
    partition = compute_partition(pa.Table.from_pylist(rows), 2026)
    errors = partition.accounts.column("error").to_pylist()
    assert all(error is not None and "abattement_outre_mer" in error and "\n" not in error for error in errors)


def test_the_command_line_refuses_the_option_with_an_input_file(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({**FOURTH_YEAR_2024, "income": 1}) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "echeancier.cli", "simulate", "--input", str(path), "--sans-abattement-outre-mer"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "--sans-abattement-outre-mer" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_2025_below_the_pass_half_of_each_abated_contribution() -> None:
    # 2025, revenu brut 40 000 € (base 29 600 €), below the PASS (47 100 €): min(R, PASS) = R, so 50 % of each
    # abated contribution itself. Maladie 8.5 % × 29 600 = 2 516 → 1 258 €; IJ 148 → 74 €; retraite de base
    # 17.87 % × 29 600 = 5 289.52 → 5 290 → 2 645 €; AF 3.1 % → 918 → 459 €; CSG-CRDS 9.7 % → 2 871, abattement
    # 1 435.50 → 1 436 €: 1 435 €.
    without, abated = both(year=2025, profession="artisan", department="974", income=40000)
    assert [without.amount(k) for k in ABATED] == [2516, 148, 5290, 918, 2871]
    assert [abated.amount(k) for k in ABATED] == [1258, 74, 2645, 459, 1435]


def test_2025_the_pass_is_compared_with_the_revenu_brut() -> None:
    # LAW (docs/law-choices.md, 334): R and "an income equal to the PASS" are revenus bruts. 55 000 € (base 40 700 €,
    # itself below the PASS): the abattement is 50 % of the amounts for a revenu brut of 47 100 € (base 34 854 €):
    # maladie 8.5 % × 34 854 = 2 962.59 → 2 963, half 1 481.50 → 1 482, due 3 460 − 1 482 = 1 978 €; IJ 204 − 87 =
    # 117 €; retraite de base 7 273 − 3 114 (half of 6 228) = 4 159 €; AF 1 262 − 540 = 722 €; CSG-CRDS
    # 3 948 − 1 691 (half of 3 381, 1 690.50) = 2 257 €.
    without, abated = both(year=2025, profession="artisan", department="974", income=55000)
    assert [without.amount(k) for k in ABATED] == [3460, 204, 7273, 1262, 3948]
    assert [abated.amount(k) for k in ABATED] == [1978, 117, 4159, 722, 2257]


def test_an_echeancier_inside_the_24_months_has_only_the_start_exemption_note(tmp_path: Path) -> None:
    # Created 1 March 2025 in Guadeloupe with the start exemption: 2025 and 2026 lie inside the 24 months, the
    # abattement (on by default) has no day of them: the same calls as with it switched off, one note.
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import loads_scenario

    text = (
        "contributor:\n  profession: artisan\n  activity_start: 2025-03-01\n  department: '971'\n"
        "  exoneration_debut_outre_mer: true\n{extra}years: [2025, 2026]\n"
    )
    default = build_echeancier(loads_scenario(text.format(extra="")))
    off = build_echeancier(loads_scenario(text.format(extra="  abattement_outre_mer: false\n")))
    assert default.notes == off.notes == (debut_outre_mer.NOTE,)
    assert [i.amount for i in default.instalments] == [i.amount for i in off.instalments]
