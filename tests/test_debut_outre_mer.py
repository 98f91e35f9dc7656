"""The start-of-activity exemption of the collectivités of CSS L751-1 (L756-2, D756-4 I 1° and II):
worked by hand, against the thresholds URSSAF publishes, scalar = batch, and its properties.

URSSAF, "Cotisations en début d'activité" (outre-mer, indépendant; docs/overseas-exemptions.md 2.5), 2024: total
below 51 005 € (110 % of the PASS), equal to the value at 110 % between 51 005 € and 69 552 € (150 %), degressive
between 69 552 € and 115 920 € (250 %), none above; exempted: maladie, IJ, retraite de base, invalidité-décès,
allocations familiales, CSG-CRDS; still due: retraite complémentaire and CFP.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from echeancier import simulate
from echeancier.contributions import debut_outre_mer
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import InputError
from echeancier.contributions.vectorized import simulate_many
from echeancier.law import snapshot
from echeancier.law.snapshot import provisional_snapshot

EXEMPTED = [key for key in CONTRIBUTIONS if key not in ("retraite_complementaire", "formation_professionnelle")]
# The start exemption alone: the régime de croisière abattement (L756-4) off (tests/test_abattement_outre_mer.py).
OFF = {"abattement_outre_mer": False}
BASE: dict[str, Any] = {"year": 2024, "profession": "artisan", "department": "971", "start_date": "2023-03-01", **OFF}
ASK = {"exoneration_debut_outre_mer": True}


def both(income: int | str, **extra: Any) -> tuple[Any, Any]:
    """(without, with) the exemption."""
    situation = {**BASE, "income": income, **extra}
    return simulate(situation), simulate({**situation, **ASK})


def test_urssaf_thresholds_of_2024_are_110_150_and_250_percent_of_the_pass() -> None:
    law = snapshot(2024)
    assert law.pass_annuel == 46368
    assert debut_outre_mer.cap(law, law.pass_annuel) == Decimal("51004.80")  # URSSAF: 51 005 €
    assert law.om_debut_seuil_degressivite * law.pass_annuel == 69552
    assert law.om_debut_seuil_sortie * law.pass_annuel == 115920
    assert law.om_debut_duree_mois == 24


def test_below_110_percent_only_the_retraite_complementaire_and_the_cfp_are_due() -> None:
    # 2024, second civil year (created 1 March 2023: the 24 months run to 28 February 2025), income 30 000 €.
    without, exempted = both(30000)
    assert [exempted.amount(key) for key in EXEMPTED] == [0] * len(EXEMPTED)
    for key in ("retraite_complementaire", "formation_professionnelle"):
        assert exempted.amount(key) == without.amount(key)
    line = exempted.line("retraite_base")
    assert (line.amount, line.gross, line.exoneration) == (0, without.amount("retraite_base"), line.gross)
    assert line.reference.endswith("CSS L756-2, D756-4")
    assert exempted.to_dict()["contributions"]["retraite_base"]["exoneration_debut_outre_mer"] == line.gross
    # The whole year lies inside the 24 months: nothing of L756-4 is left uncomputed for it.
    assert without.notes == ("exonerations_outre_mer_non_appliquees:971",)
    assert exempted.notes == (debut_outre_mer.NOTE,)


def test_between_110_and_150_percent_the_amounts_at_110_percent_are_exempted() -> None:
    at_cap = simulate({**BASE, "income": "51004.80"})
    without, exempted = both(60000)
    for key in EXEMPTED:
        assert exempted.amount(key) == without.amount(key) - at_cap.amount(key), key
    assert exempted.amount("retraite_base") > 0  # the part above 110 % of the PASS stays due


def test_between_150_and_250_percent_worked_by_hand() -> None:
    # Income 90 000 € in 2024: f = (115 920 − 90 000) / 46 368 = 25 920 / 46 368.
    # Maladie at 110 % of the PASS: 6.70 % × 51 004.80 = 3 417.32 → 3 417 €; × f = 1 910.12 → 1 910 € exempted;
    # due 6.70 % × 90 000 = 6 030 − 1 910 = 4 120 €.
    # Retraite de base at 110 %: 17.75 % × 46 368 + 0.60 % × 4 636.80 = 8 258.14 → 8 258 €; × f = 4 616.32 → 4 616 €;
    # due 17.75 % × 46 368 + 0.60 % × 43 632 = 8 492.11 → 8 492 − 4 616 = 3 876 €.
    without, exempted = both(90000)
    assert (without.amount("maladie_maternite"), exempted.amount("maladie_maternite")) == (6030, 4120)
    assert (without.amount("retraite_base"), exempted.amount("retraite_base")) == (8492, 3876)


def test_from_250_percent_nothing_is_exempted() -> None:
    without, exempted = both(115920)
    assert exempted.amounts == without.amounts


def test_the_third_civil_year_is_exempted_for_its_days_inside_the_24_months() -> None:
    # 2025, created 1 March 2023: 1 January – 28 February 2025 = 59 of 365 days. Maladie 8.5 % × (30 000 − 26 %) =
    # 8.5 % × 22 200 = 1 887 €; exempted 1 887 × 59 / 365 = 305.02 → 305 €; due 1 582 €.
    without, exempted = both(30000, year=2025)
    assert (without.amount("maladie_maternite"), exempted.amount("maladie_maternite")) == (1887, 1582)
    # The rest of the year falls under L756-4, switched off here: its note stays.
    assert exempted.notes == ("exonerations_outre_mer_non_appliquees:971", debut_outre_mer.NOTE)


def test_after_the_24_months_nothing_changes() -> None:
    without, exempted = both(30000, year=2026)
    assert exempted.amounts == without.amounts and exempted.notes == without.notes


def test_the_provisional_contributions_of_the_first_years_call_only_the_rci_and_the_cfp() -> None:
    without, exempted = both(30000)
    assert without.forfait is not None and exempted.forfait is not None
    assert [exempted.forfait.amount(key) for key in EXEMPTED] == [0] * len(EXEMPTED)
    assert exempted.forfait.amount("retraite_complementaire") == without.forfait.amount("retraite_complementaire")
    assert exempted.to_dict()["forfait_debut_activite"]["total"] == int(
        without.forfait.amount("retraite_complementaire") + without.forfait.amount("formation_professionnelle")
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"department": "75"}, "exoneration_debut_outre_mer"),
        ({"department": "976"}, "exoneration_debut_outre_mer"),
        ({"department": None}, "exoneration_debut_outre_mer"),
        ({"start_date": None}, "exoneration_debut_outre_mer"),
        ({"conjoint_collaborateur": "forfaitaire"}, "exoneration_debut_outre_mer"),
        ({"pension_invalidite_mois": 3}, "exoneration_debut_outre_mer"),
    ],
)
def test_combinations_the_law_or_the_engine_excludes_are_refused(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as error:
        simulate({**BASE, "income": 30000, **ASK, **extra})
    assert error.value.field == field
    assert "\n" not in error.value.message


def test_the_batch_computes_what_simulate_computes() -> None:
    rows = [
        {**BASE, "income": income, "year": year, "exoneration_debut_outre_mer": ask}
        for income in (0, 30000, 60000, 90000, 200000)
        for year in (2023, 2024, 2025, 2026)
        for ask in (False, True)
    ]
    columns: dict[str, Any] = {name: [row[name] for row in rows] for name in rows[0]}
    columns["exoneration_debut_outre_mer"] = np.array(columns["exoneration_debut_outre_mer"])
    batch = simulate_many(columns)
    for i, row in enumerate(rows):
        assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulate(row).amounts), row


def test_an_echeancier_of_a_creation_overseas_calls_only_the_rci_and_the_cfp(tmp_path: Path) -> None:
    # Created 1 March 2025 in Guadeloupe: 2025 and 2026 lie inside the 24 months (to 28 February 2027). Without a
    # known income the échéancier calls the flat-rate provisional contributions of the first two years: with the
    # exemption, their retraite complémentaire and the CFP only — what `simulate` gives for those years.
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import load_scenario

    text = (
        "contributor:\n  profession: artisan\n  activity_start: 2025-03-01\n  department: '971'\n"
        "  exoneration_debut_outre_mer: {ask}\n  abattement_outre_mer: false\nyears: [2025, 2026]\n"
    )
    called = {}
    for ask in ("true", "false"):
        path = tmp_path / f"{ask}.yaml"
        path.write_text(text.format(ask=ask))
        e = build_echeancier(load_scenario(path))
        called[ask] = (sum(part.amount for i in e.instalments for part in i.parts), e.notes)
    expected = 0
    for year in (2025, 2026):
        # The échéancier computes the provisional contributions with the law known when it calls them.
        situation = {"year": year, "profession": "artisan", "income": 0, "department": "971", **OFF}
        forfait = simulate({**situation, "start_date": "2025-03-01", **ASK}, provisional_snapshot(year)).forfait
        assert forfait is not None and [forfait.amount(key) for key in EXEMPTED] == [0] * len(EXEMPTED)
        expected += forfait.total
    assert called["true"] == (expected, (debut_outre_mer.NOTE,))
    assert called["false"][0] > expected
    assert "exonerations_outre_mer_non_appliquees:971" in called["false"][1]


YEARS = st.sampled_from([2023, 2024, 2025, 2026])
STARTS = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
INCOMES = st.integers(min_value=0, max_value=400_000)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    year=YEARS,
    start=STARTS,
    income=INCOMES,
    profession=st.sampled_from(["artisan", "commercant", "liberal"]),
    department=st.sampled_from(["971", "972", "973", "974", "977", "978"]),
)
def test_the_exemption_never_increases_a_contribution(
    year: int, start: date, income: int, profession: str, department: str
) -> None:
    assume(start.year <= year)
    situation = {
        "year": year,
        "profession": profession,
        "income": income,
        "department": department,
        "start_date": start.isoformat(),
        **OFF,
    }
    without = simulate(situation)
    exempted = simulate({**situation, **ASK})
    for key, before, after in zip(CONTRIBUTIONS, without.amounts, exempted.amounts, strict=True):
        assert 0 <= after <= before, key
        if key in ("retraite_complementaire", "formation_professionnelle"):
            assert after == before, key
    if Decimal(income) >= 2 * without.pass_proratise + without.pass_proratise / 2:
        assert exempted.amounts == without.amounts  # nil from 250 % of the PASS


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(year=YEARS, start=STARTS, incomes=st.lists(INCOMES, min_size=1, max_size=6))
def test_batch_equals_scalar_on_any_rows(year: int, start: date, incomes: list[int]) -> None:
    assume(start.year <= year)
    rows = [
        {
            "year": year,
            "profession": "commercant",
            "income": income,
            "department": "974",
            "start_date": start.isoformat(),
            "exoneration_debut_outre_mer": i % 2 == 0,
            **OFF,
        }
        for i, income in enumerate(incomes)
    ]
    columns: dict[str, Any] = {name: [row[name] for row in rows] for name in rows[0]}
    batch = simulate_many(columns)
    for i, row in enumerate(rows):
        assert [int(batch[key][i]) for key in CONTRIBUTIONS] == list(simulate(row).amounts), row


def test_an_income_given_net_is_solved_with_the_exemption() -> None:
    # 2024: net = revenu professionnel − CSG non déductible − CRDS; all CSG-CRDS exempted below 110 % of the PASS,
    # so a net of 20 000 € is a revenu professionnel of 20 000 €. Between 110 % and 150 % the part of each CSG-CRDS
    # tranche left due is in proportion to the line: net 60 000 € → 60 322 € (322 € of non-deductible CSG-CRDS).
    low = simulate({**BASE, "income": 20000, "income_is_net": True, **ASK})
    assert low.income == 20000 and low.amount("csg_crds") == 0
    mid = simulate({**BASE, "income": 60000, "income_is_net": True, **ASK})
    assert mid.income == 60322
    # 2025: net = revenu brut − every contribution.
    later = simulate({**BASE, "year": 2025, "income": 30000, "income_is_net": True, **ASK})
    assert later.income - later.total == 30000
