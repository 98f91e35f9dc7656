"""The rights of a year's contributions (`echeancier.rights`): worked examples checked by hand, properties, and the
same figures for one situation and for a batch."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.contributions.engine import simulate
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.retraite_base import RetraiteBase
from echeancier.contributions.vectorized import simulate_many
from echeancier.law.snapshot import snapshot
from echeancier.rights import COLUMNS, columns_of, rights_figures
from echeancier.rights.account import ReferenceYear, indemnite_journaliere, trimestres_valides
from echeancier.rights.rules import retraite_base

# SMIC horaire of 1 January (smic.yaml) × 150 hours, in cents: the revenu cotisé of one quarter (R351-9 al. 3).
# 2024: 11.65 × 150 = 1,747.50 €; 2025: 11.88 × 150 = 1,782 €; 2026: 12.02 × 150 = 1,803 €.
QUARTER = {2024: 174750, 2025: 178200, 2026: 180300}


def _quarters(year: int, base_cents: int) -> int:
    """The quarters of a retraite de base contribution on `base_cents`, not exempted (the rule alone)."""
    law = snapshot(year)
    figures = law.exact
    within = min(base_cents, 100 * figures.pass_annuel)
    above = base_cents - within
    gross = figures.rb_taux_plafonne * within + figures.rb_taux_deplafonne * above
    trace = RetraiteBase(base_cents, False, within, above, gross, (gross + 50_000_000) // 100_000_000)
    return int(retraite_base(SCALAR, rights_figures(law), figures, trace).trimestres)


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_one_quarter_per_150_hours_of_the_smic_of_1_january_at_most_four(year: int) -> None:
    q = QUARTER[year]
    assert rights_figures(snapshot(year)).seuil_trimestre == q
    # just under and at 150, 300, 450 and 600 hours, then far above: 0 1 1 2 2 3 3 4, and 4 at most
    cases = [(q - 1, 0), (q, 1), (2 * q - 1, 1), (2 * q, 2), (3 * q - 1, 2), (3 * q, 3), (4 * q - 1, 3), (4 * q, 4)]
    for base, expected in [*cases, (100 * q, 4)]:
        assert _quarters(year, base) == expected, (year, base)


def test_quarters_of_a_simulation_follow_the_income_under_the_rsa() -> None:
    # 2024: the revenu professionnel is the base; no minimum base under the RSA (D633-2).
    # 3,495 € = 300 hours × 11.65 → 2 quarters; 3,494.99 € → 1 quarter; 6,990 € = 600 hours → 4.
    def quarters(income: str) -> int:
        result = simulate({"year": 2024, "profession": "artisan", "income": income, "rsa": True})
        return result.rights.retraite_base.trimestres

    assert quarters("3494.99") == 1
    assert quarters("3495") == 2
    assert quarters("6989.99") == 3
    assert quarters("6990") == 4


@pytest.mark.parametrize(("year", "minimum"), [(2024, Decimal(5243)), (2025, Decimal(5346)), (2026, Decimal(5409))])
def test_the_minimum_base_validates_three_quarters(year: int, minimum: Decimal) -> None:
    # D633-2: 450 hours × SMIC of 1 January, rounded to the euro (2024: 450 × 11.65 = 5,242.50 → 5,243 €;
    # 2025: 450 × 11.88 = 5,346 €; 2026: 450 × 12.02 = 5,409 €) — three times the revenu of one quarter.
    result = simulate({"year": year, "profession": "commercant", "income": 0})
    rights = result.rights.retraite_base
    assert rights.revenu_cotise == minimum
    assert rights.trimestres == 3
    assert any("450 heures" in text and "3 trimestres" in text for text in result.rights.effets)


def test_revenu_cotise_is_capped_at_the_pass() -> None:
    # 2024, revenu professionnel 100,000 € > PASS 46,368 €: revenu cotisé 46,368 €, 4 quarters.
    rights = simulate({"year": 2024, "profession": "artisan", "income": 100000}).rights.retraite_base
    assert (rights.revenu_cotise, rights.trimestres) == (Decimal(46368), 4)


def test_acre_exempted_share_is_not_revenu_cotise() -> None:
    # 2026, start 1 March, revenu brut 30,000 €: retraite de base due after ACRE 2,975 € (URSSAF's model agrees);
    # revenu cotisé = 2,975 / 17.87 % = 16,648.01 € (2,975 × 10^8 / 178,700 = 1,664,801.3 cents, half up).
    result = simulate(
        {"year": 2026, "profession": "artisan", "income": 30000, "acre": True, "start_date": "2026-03-01"}
    )
    assert result.amount("retraite_base") == 2975
    assert result.rights.retraite_base.revenu_cotise == Decimal("16648.01")
    assert result.rights.retraite_base.trimestres == 4
    # a year fully exempted (2025: 100 % below 3/4 of the PASS) validates no quarter, and the result says so
    exempted = simulate(
        {"year": 2025, "profession": "artisan", "income": 10000, "acre": True, "start_date": "2025-01-01"}
    )
    assert exempted.amount("retraite_base") == 0
    assert exempted.rights.retraite_base.trimestres == 0
    assert any(text.startswith("ACRE") and "0 trimestre" in text for text in exempted.rights.effets)


def test_rci_points_at_the_pass() -> None:
    # 2026, revenu brut 64,946 €: assiette 64,946 − 26 % = 48,060.04 € (the PASS + 4 cents), RCI = 8.1 % × 48,060
    # + 9.1 % × 0.04 = 3,892.86 → 3,893 €. Points = 3,893 / 21.726 = 179.186… → 179.19; pension = 3,893 × 1.347
    # / 21.726 = 5,243.871 / 21.726 = 241.3638… → 241.36 € a year.
    result = simulate({"year": 2026, "profession": "artisan", "income": 64946})
    assert result.amount("retraite_complementaire") == 3893
    rci = result.rights.retraite_complementaire
    assert (rci.points, rci.pension_annuelle) == (Decimal("179.19"), Decimal("241.36"))
    assert (rci.valeur_achat, rci.valeur_service) == (Decimal("21.726"), Decimal("1.347"))


def test_ij_under_and_above_ten_percent_of_the_pass() -> None:
    # 2024 (revenu professionnel = base), RSA (no minimum IJ base): 10 % of the PASS = 4,636.80 €.
    def ij(income: str) -> Any:
        return simulate({"year": 2024, "profession": "artisan", "income": income, "rsa": True}).rights

    below = ij("4636.79").indemnites_journalieres
    assert (below.eligible, below.montant_journalier) == (False, Decimal(0))
    assert ij("4636.79").effets[-1].endswith("aucune indemnité journalière (CSS D622-8).")
    at = ij("4636.80").indemnites_journalieres
    # 4,636.80 / 730 = 6.3518… → 6.35 € a day
    assert (at.eligible, at.montant_journalier) == (True, Decimal("6.35"))
    # above the PASS: 46,368 / 730 = 63.5178… → 63.52 € a day, the maximum
    top = simulate({"year": 2024, "profession": "artisan", "income": 100000}).rights.indemnites_journalieres
    assert (top.montant_journalier, top.plafond_journalier, top.revenu_annuel_moyen) == (
        Decimal("63.52"),
        Decimal("63.52"),
        Decimal(100000),
    )


def test_minimum_ij_base_gives_the_minimum_allowance() -> None:
    # 2025, no income: IJ base 40 % × 47,100 = 18,840 € → 18,840 / 730 = 25.808… → 25.81 € a day.
    rights = simulate({"year": 2025, "profession": "liberal", "income": 0}).rights.indemnites_journalieres
    assert (rights.eligible, rights.montant_journalier) == (True, Decimal("25.81"))


def test_first_three_years_annualise_the_income() -> None:
    # D622-7 II: 2024, start 1 July (184 days), 20,000 € → 20,000 × 365 / 184 = 39,673.91 € (3,967,391.3 cents,
    # half up) → / 730 = 54.347… → 54.35 € a day, where D622-7 I would give 20,000 / 730 = 27.40 €.
    result = simulate({"year": 2024, "profession": "artisan", "income": 20000, "start_date": "2024-07-01"})
    ij = result.rights.indemnites_journalieres
    assert result.jours_activite == 184
    assert (ij.premieres_annees, ij.revenu_annuel_moyen, ij.montant_journalier) == (
        True,
        Decimal("39673.91"),
        Decimal("54.35"),
    )
    assert ij.affiliation_suffisante_le == date(2025, 7, 1)  # D622-1: one year of affiliation
    # an activity started four years before: D622-7 I
    later = simulate({"year": 2024, "profession": "artisan", "income": 20000, "start_date": "2020-07-01"})
    assert later.rights.indemnites_journalieres.premieres_annees is False
    assert later.rights.indemnites_journalieres.montant_journalier == Decimal("27.40")


def test_ij_cut_by_unpaid_contributions_and_the_payment_plan_exception() -> None:
    # Medical statement in 2026; reference years 2023-2025 at 30,000, 36,000 and 42,000 €; 2025 half paid.
    # D622-7 I al. 2: 42,000 × 1/2 = 21,000 → average (30,000 + 36,000 + 21,000) / 3 = 29,000 → / 730 = 39.726…
    # → 39.73 € a day. Al. 3 (delays granted, instalments respected): the whole 42,000 → 36,000 / 730 = 49.32 €.
    years = [
        ReferenceYear(2023, Decimal(30000), Decimal(9000), Decimal(9000)),
        ReferenceYear(2024, Decimal(36000), Decimal(11000), Decimal(11000)),
        ReferenceYear(2025, Decimal(42000), Decimal(13000), Decimal(6500)),
    ]
    cut = indemnite_journaliere(years, date(2026, 3, 2))
    assert (cut.eligible, cut.montant_journalier, cut.revenu_moyen) == (True, 3973, 2900000)
    plan = [*years[:2], ReferenceYear(2025, Decimal(42000), Decimal(13000), Decimal(6500), echeancier_respecte=True)]
    assert indemnite_journaliere(plan, date(2026, 3, 2)).montant_journalier == 4932
    # D622-8: average below 10 % of the average PASS of 2023-2025 ((43,992 + 46,368 + 47,100) / 3 × 10 % = 4,582 €)
    low = [ReferenceYear(y, Decimal(4581), Decimal(0), Decimal(0)) for y in (2023, 2024, 2025)]
    assert indemnite_journaliere(low, date(2026, 3, 2)).eligible is False
    enough = [ReferenceYear(y, Decimal(4582), Decimal(0), Decimal(0)) for y in (2023, 2024, 2025)]
    assert indemnite_journaliere(enough, date(2026, 3, 2)).eligible is True


def test_quarters_validated_by_what_was_paid() -> None:
    # L351-2: 2025, 10,000 € of revenu brut (base 7,400 € → 4 quarters) with half of the contribution paid:
    # 7,400 / 2 = 3,700 € → 3,700 // 1,782 = 2 quarters; nothing paid → 0; all paid → 4.
    result = simulate({"year": 2025, "profession": "artisan", "income": 10000})
    due = result.amount("retraite_base")
    assert result.rights.retraite_base.revenu_cotise == Decimal(7400)
    assert trimestres_valides(result, due) == 4
    assert trimestres_valides(result, due / 2) == 2
    assert trimestres_valides(result, Decimal(0)) == 0


def test_rights_in_json_after_the_existing_keys() -> None:
    data = simulate({"year": 2025, "profession": "artisan", "income": 37000}).to_dict()
    assert list(data)[-1] == "rights"
    rights = data["rights"]
    assert rights["retraite_base"]["trimestres"] == 4 and rights["retraite_base"]["reference"].startswith("CSS R351-9")
    assert rights["retraite_complementaire"]["points"] == 103.01  # 2,218 / 21.532 = 103.0094…
    assert rights["retraite_complementaire"]["pension_annuelle"] == 137.52  # 2,218 × 1.335 / 21.532 = 137.5163…
    assert rights["indemnites_journalieres"] == {
        "eligible": True,
        "montant_journalier": 37.51,  # 27,380 / 730 = 37.5068…
        "revenu_annuel_moyen": 27380,
        "seuil_revenu": 4710,
        "plafond_journalier": 64.52,
        "regle": "D622-7 I",
        "delai_carence_jours": 3,
        "reference": "CSS D622-1, D622-7, D622-8",
    }
    assert all(item["reference"] for item in rights["invalidite_deces"])
    json.dumps(data)


_SITUATION = st.fixed_dictionaries(
    {
        "year": st.sampled_from([2023, 2024, 2025, 2026]),
        "profession": st.sampled_from(["artisan", "commercant", "liberal"]),
        "rsa": st.booleans(),
    }
)


@settings(max_examples=200, deadline=None)
@given(_SITUATION, st.integers(0, 30_000_000), st.integers(0, 30_000_000))
def test_quarters_are_monotone_in_income_and_at_most_four(base: dict[str, Any], a: int, b: int) -> None:
    low, high = sorted((a, b))
    q_low = simulate({**base, "income": Decimal(low) / 100}).rights.retraite_base.trimestres
    q_high = simulate({**base, "income": Decimal(high) / 100}).rights.retraite_base.trimestres
    assert 0 <= q_low <= q_high <= 4


_ROW = st.fixed_dictionaries(
    {
        "year": st.sampled_from([2023, 2024, 2025, 2026]),
        "profession": st.sampled_from(["artisan", "commercant", "liberal"]),
        "income": st.integers(0, 40_000_000).map(lambda c: float(Decimal(c) / 100)),
        "start": st.one_of(st.none(), st.integers(-1200, 364)),
        "end": st.one_of(st.none(), st.integers(0, 364)),
        "acre": st.booleans(),
        "rsa": st.booleans(),
    }
)


def _situation(row: dict[str, Any]) -> dict[str, Any]:
    year = row["year"]
    first = date(year, 1, 1).toordinal()
    start = None if row["start"] is None else date.fromordinal(first + row["start"])
    end = None if row["end"] is None else date.fromordinal(first + row["end"])
    if start is not None and end is not None and end < start:
        end = None
    if end is not None and end.year != year:
        end = None
    return {
        "year": year,
        "profession": row["profession"],
        "income": row["income"],
        "start_date": start.isoformat() if start else None,
        "end_date": end.isoformat() if end else None,
        "acre": row["acre"] and start is not None,
        "rsa": row["rsa"],
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=40))
def test_batch_rights_equal_the_scalar_rights(rows: list[dict[str, Any]]) -> None:
    situations = [_situation(row) for row in rows]
    columns = {key: [s[key] for s in situations] for key in situations[0]}
    out = simulate_many(columns, rights=True)
    for i, situation in enumerate(situations):
        expected = columns_of(simulate(situation).rights)
        assert tuple(int(out[key][i]) for key in COLUMNS) == expected, situation


def test_batch_without_rights_keeps_its_columns() -> None:
    out = simulate_many({"year": [2025], "profession": ["artisan"], "income": [30000]})
    assert not any(key.startswith("rights.") for key in out)


def test_rights_in_every_interface() -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from echeancier.api.app import Settings, create_app
    from echeancier.cli import app

    runner = CliRunner()
    args = ["simulate", "--year", "2025", "--profession", "artisan", "--income", "3000"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0
    assert "Vos droits :" in table.output
    assert "Retraite de base : 3 trimestres validés sur 4" in table.output
    assert "25,81\u00a0€ par jour" in table.output  # 18,840 / 730
    as_json = json.loads(runner.invoke(app, [*args, "--json"]).output)
    line = '{"year": 2025, "profession": "artisan", "income": 3000}\n'
    as_jsonl = json.loads(runner.invoke(app, ["simulate", "--jsonl"], input=line).output)
    client = TestClient(create_app(Settings(rate_limit=0)))
    response = client.post("/v1/simulations", json={"year": 2025, "profession": "artisan", "income": 3000})
    assert response.status_code == 200
    assert as_json["rights"] == as_jsonl["rights"] == response.json()["rights"]
    assert as_json["rights"]["retraite_base"]["trimestres"] == 3


def test_rights_in_the_simulation_pdf() -> None:
    from echeancier.documents.pdf import simulation_html

    html = simulation_html(
        simulate({"year": 2025, "profession": "artisan", "income": 3000}), issued_on=date(2026, 1, 1)
    )
    assert "<h2>Vos droits</h2>" in html and "3 trimestres validés sur 4" in html


def test_rights_of_an_account_follow_what_was_paid(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from echeancier.cli import app

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "contributor: {profession: artisan, activity_start: 2015-01-01}\n"
        "incomes: {2024: 30000, 2025: 36000, 2026: 40000}\n"
        "events:\n  - {date: 2026-04-05, type: missed_payment}\n  - {date: 2026-05-05, type: missed_payment}\n"
        "years: [2026]\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["rights", str(scenario), "--year", "2026", "--format", "json"]
    # 30 June 2026: the April and May instalments (2 × 1,003.92 €) unpaid; the year's definitive contributions on
    # 40,000 € are 12,300 € (CFP apart), so 10,292.16 € paid: the IJ income 29,600 € (40,000 − 26 %) × 10,292.16 /
    # 12,300 = 24,768.12 € (D622-7 I al. 2); the revenu cotisé 29,600 € weighted the same way still validates 4.
    june = json.loads(runner.invoke(app, [*args, "--as-of", "2026-06-30"]).output)
    assert (june["due"], june["unpaid"], june["revenu_ij"], june["trimestres"]) == (12300, 2007.84, 24768.12, 4)
    # once recovered (R613-2 III: with the following instalments), nothing is unpaid and everything counts
    december = json.loads(runner.invoke(app, [*args, "--as-of", "2026-12-31"]).output)
    assert (december["unpaid"], december["revenu_ij"]) == (0, 29600)
    assert december["rights"]["retraite_base"]["trimestres"] == 4
    refused = runner.invoke(app, ["rights", str(scenario), "--year", "2023"])
    assert refused.exit_code == 2 and "--year" in refused.output


def test_law_show_prints_a_point_value_exactly() -> None:
    from typer.testing import CliRunner

    from echeancier.cli import app

    shown = CliRunner().invoke(app, ["law", "show", "droits.rci_valeur_achat", "--on", "2026-03-01"])
    assert shown.exit_code == 0 and "21,726\u00a0€" in shown.output
