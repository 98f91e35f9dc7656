"""The rights of the new populations (docs/law-choices.md, 343–346) against URSSAF's model's rights rules
(`tests/data/oracle/rights-populations-grid.jsonl`, 300 rows, seed 4646, provenance in tests/data/oracle/README.md):
invalidity pensioners, professions libérales réglementées of the Cipav, the CAVEC and the CNBF, heads with a
conjoint collaborateur; and, where the model is silent, the texts by hand (the conjoint's own rights).

Where the project reads the texts otherwise than the model, the test checks the project's reading and that the
difference is the documented one (docs/oracle-differences.md, "Rights of the new populations"):
- pensioners: R351-12 5° counts whole calendar quarters (⌈months / 3⌉), the model 4 × months / 12, not whole;
- the quarters at the minimum base and of a partial year above the prorated PASS, and the IJ of the first three
  years, as the rights grid (rows 200 and 203; tests/test_rights_oracle.py);
- the CNBF: the model applies the CNAVPL's points to the avocats, who are not its members (L651-1): not computed.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from echeancier import simulate
from echeancier.contributions.exact import SCALAR, half_up
from echeancier.law.snapshot import snapshot
from echeancier.rights import rights_figures
from echeancier.rights.rules import indemnites_journalieres

GRID = Path(__file__).resolve().parent / "data" / "oracle" / "rights-populations-grid.jsonl"
GRID_SHA256 = "5e4fb901679293c4745abc5e9d54570e516e679e54ef686cc7430b5a2fc73406"
ROWS = [json.loads(line) for line in GRID.read_text().splitlines() if line.strip()]


def _kind(situation: dict[str, Any]) -> str:
    if situation.get("pension_invalidite_mois"):
        return "pensionne"
    return str(situation.get("section") or "conjoint")


def test_the_grid_is_the_one_its_readme_describes() -> None:
    assert hashlib.sha256(GRID.read_bytes()).hexdigest() == GRID_SHA256
    assert len(ROWS) == 300
    kinds = [_kind(row["situation"]) for row in ROWS]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "pensionne": 100,
        "cipav": 45,
        "cavec": 25,
        "cnbf": 30,
        "conjoint": 100,
    }


def _ij(row: dict[str, Any], result: Any, plafond: int) -> None:
    """The IJ against the model; in the first three civil years the model's figure is D622-7 I on the same row."""
    situation, model_ij = row["situation"], row["expected"]["ij"]
    law = snapshot(situation["year"])
    f = rights_figures(law)
    ij = result.rights.indemnites_journalieres
    if ij.premieres_annees:
        base_ij = int(result.line("indemnites_journalieres").base * 100)
        general = indemnites_journalieres(SCALAR, f, [base_ij] * 3, [f.pass_annuel] * 3, f.pass_annuel)
        ceiling = plafond * 100 * f.pass_annuel // 10**4
        general_amount = half_up(min(3 * base_ij, 3 * ceiling), 3 * f.ij_diviseur)
        assert bool(general.eligible) == (model_ij is not None)
        assert general_amount == (0 if model_ij is None else round(Decimal(str(model_ij)) * 100))
    else:
        assert ij.eligible == (model_ij is not None)
        assert ij.montant_journalier == (0 if model_ij is None else round(Decimal(str(model_ij)), 2))


def _model_like_quarters(result: Any) -> tuple[int, bool]:
    """(the quarters of the contributions alone, whether the model counts them otherwise: row 200)."""
    law = snapshot(result.year)
    f = rights_figures(law)
    rb = result.rights.retraite_base
    contributive = min(4, int(rb.revenu_cotise * 100) // f.seuil_trimestre)
    line = result.line("retraite_base")
    floored = line.minimum is not None and not line.exoneration
    partial = result.pass_proratise < line.base and result.jours_activite < 365 and not line.exoneration
    return contributive, floored or partial


@pytest.mark.parametrize("row", ROWS, ids=[row["situation"]["id"] for row in ROWS])
def test_rights_against_the_model(row: dict[str, Any]) -> None:
    situation, expected = row["situation"], row["expected"]
    result = simulate(situation)
    rights = result.rights
    kind = _kind(situation)
    f = rights_figures(snapshot(situation["year"]))
    if kind == "cnbf":
        assert rights.non_calcules == "droits de la CNBF (statuts de la CNBF) non calculés"
        return
    rb = rights.retraite_base
    if kind == "pensionne":
        months = situation["pension_invalidite_mois"]
        contributive, differs = _model_like_quarters(result)
        # ours: whole calendar quarters (R351-12 5°); the model: 4 × months / 12 (its share rounded to the percent)
        assert rb.trimestres == min(4, contributive + -(-months // 3))
        assert rb.trimestres_assimiles == rb.trimestres - contributive
        share = Decimal(round(Decimal(months) / 12 * 100)) / 100
        model = Decimal(str(expected["trimestres"]))
        if differs:
            assert model <= min(4, contributive + 4 * share)
        else:
            assert model == min(4, contributive + 4 * share)
        assert 0 <= rb.trimestres - model < 1 + differs
        assert expected["points"] is None  # the model does not compute a pensioner's RCI points
        _ij(row, result, 10**4)
        return
    if kind in ("cipav", "cavec"):
        assert rb.trimestres == expected["trimestres"]
        assert rb.revenu_cotise == Decimal(str(expected["revenu_cotise"]))
        assert rb.points == Decimal(str(expected["cnavpl_points"]))
        rc = rights.retraite_complementaire
        if kind == "cipav":
            cotisation = int(result.amount("retraite_complementaire"))
            assert half_up(cotisation * 1000, f.cipav_valeur_achat) == expected["cipav_points"]
            assert abs(rc.points - Decimal(str(expected["cipav_points"]))) <= Decimal("0.5")
        else:
            assert rc.non_calcules is not None and expected["cipav_points"] is None
        _ij(row, result, f.ij_plafond_liberal)
        return
    # a head with a conjoint collaborateur: the head's rights, on the base a sharing leaves (D633-19-2 4°, 5°)
    contributive, differs = _model_like_quarters(result)
    if differs:
        assert rb.trimestres >= expected["trimestres"]
    else:
        assert rb.trimestres == expected["trimestres"]
        assert abs(rb.revenu_cotise - Decimal(str(expected["revenu_cotise"]))) <= 4
    cotisation = int(result.amount("retraite_complementaire"))
    assert half_up(cotisation * 1000, f.rci_valeur_achat) == expected["points"]
    _ij(row, result, 10**4)
    assert rights.conjoint is not None


# --- worked by hand (where the model is silent: the conjoint's own rights) ----------------------------------------


def test_the_conjoints_own_rights_worked_by_hand() -> None:
    # 2026, flat base: 48,060 / 3 = 16,020 €. Quarters: 16,020 // (150 h × 12.02 € = 1,803 €) = 8 → 4 (R351-9).
    # RCI: 8.1 % × 16,020 = 1,297.62 → 1,298 €; / 21.726 € = 59.74 points; × 1.347 € = 80.48 € a year.
    # IJ (D622-7, the conjoint's IJ base of D621-3): 40 % × 48,060 = 19,224 € / 730 = 26.33 € a day.
    s = simulate({"year": 2026, "profession": "artisan", "income": 30000, "conjoint_collaborateur": "forfaitaire"})
    conjoint = s.rights.conjoint
    assert conjoint is not None
    assert (conjoint.retraite_base.trimestres, conjoint.retraite_base.revenu_cotise) == (4, 16020)
    assert (conjoint.retraite_complementaire.points, conjoint.retraite_complementaire.pension_annuelle) == (
        Decimal("59.74"),
        Decimal("80.48"),
    )
    assert (conjoint.ij_eligible, conjoint.ij_montant_journalier) == (True, Decimal("26.33"))
    data = s.to_dict()["rights"]["conjoint_collaborateur"]
    assert data["indemnites_journalieres"]["montant_journalier"] == 26.33
    # With the RSA the conjoint's IJ contribution is not due (row 251), and so no IJ; a third of a small income:
    # 2025, 6,000 € brut → 4,440 € of base, 1,480 € for the conjoint: no quarter (1,782 € each), no minimum.
    rsa = simulate(
        {
            "year": 2025,
            "profession": "artisan",
            "income": 6000,
            "rsa": True,
            "conjoint_collaborateur": "tiers_sans_partage",
        }
    )
    assert rsa.rights.conjoint is not None
    assert (rsa.rights.conjoint.ij_eligible, rsa.rights.conjoint.ij_montant_journalier) == (False, 0)
    assert rsa.rights.conjoint.retraite_base.trimestres == 0


def test_a_pensioners_assimilated_quarters_worked_by_hand() -> None:
    # 2025, RSA, 3,000 € brut: 1 quarter of the contributions (revenu cotisé under 2 × 1,782 €); 5 months of pension
    # fall in at least 2 calendar quarters (R351-12 5°): 3 quarters, 2 of them assimilated. The model: 1 + 4 × 42 %.
    s = simulate({"year": 2025, "profession": "artisan", "income": 3000, "rsa": True, "pension_invalidite_mois": 5})
    rb = s.rights.retraite_base
    assert (rb.trimestres, rb.trimestres_assimiles) == (3, 2)
    assert s.to_dict()["rights"]["retraite_base"]["trimestres_assimiles"] == 2
    full = simulate({"year": 2025, "profession": "artisan", "income": 30000, "pension_invalidite_mois": 12})
    assert (full.rights.retraite_base.trimestres, full.rights.retraite_base.trimestres_assimiles) == (4, 0)


def test_the_cavec_and_the_cnbf_say_what_is_not_computed_and_the_table_shows_it() -> None:
    from echeancier.rights.result import render

    cavec = simulate({"year": 2025, "profession": "liberal_reglementee", "section": "cavec", "income": 60000})
    assert cavec.rights.retraite_base.points == Decimal("529.7")  # 557 × 3,876 / 4,112 = 525.0, + 4.7
    assert cavec.rights.retraite_complementaire.non_calcules is not None
    table = "\n".join(render(cavec.rights))
    assert "Retraite de base (CNAVPL) : 529,7 points" in table and "non calculés" in table
    cnbf = simulate({"year": 2025, "profession": "liberal_reglementee", "section": "cnbf", "income": 60000})
    assert cnbf.to_dict()["rights"] == {"non_calcules": "droits de la CNBF (statuts de la CNBF) non calculés"}
    conjoint = simulate(
        {"year": 2026, "profession": "artisan", "income": 30000, "conjoint_collaborateur": "forfaitaire"}
    )
    shown = render(conjoint.rights)
    assert "  • Conjoint collaborateur (droits propres), retraite de base : 4 trimestres validés sur 4" in "\n".join(
        shown
    )
    assert all(line.startswith("  • ") for line in shown[1:])  # the web page and the PDF list them so


def test_the_batch_rights_of_a_section_are_the_scalar_ones() -> None:
    from echeancier.contributions.vectorized import simulate_many
    from echeancier.rights import columns_of

    situation = {"year": 2025, "profession": "liberal_reglementee", "section": "cipav", "income": 40000}
    batch = simulate_many({key: [value] for key, value in situation.items()}, rights=True)
    expected = columns_of(simulate(situation).rights)
    from echeancier.rights import COLUMNS

    assert [int(batch[key][0]) for key in COLUMNS] == list(expected)
    assert expected[2] == 6869  # the Cipav's points, in hundredths (3,256 / 47.40)


def test_an_accounts_quarters_keep_the_pensions_whatever_is_paid() -> None:
    # R351-12 5°: the quarters of the months of pension do not depend on the contributions paid (L351-2 weighs only
    # those of the contributions): nothing paid of 3,000 € (RSA) with 5 months of pension still gives 2 quarters.
    from datetime import date

    from echeancier.account.ledger import Posting, Statement
    from echeancier.rights.account import account_rights

    s = simulate({"year": 2025, "profession": "artisan", "income": 3000, "rsa": True, "pension_invalidite_mois": 5})
    due = int((s.total - s.amount("formation_professionnelle")) * 100)
    debit = Posting(1, date(2026, 6, 5), "debit", "regularisation", 2025, due, "REF")
    unpaid = Statement(date(2026, 12, 31), (debit,), (), (), (), (), (), (), due, 0, 0, 0, due, 0)
    rights = account_rights(s, unpaid)
    assert (rights.trimestres, rights.trimestres_si_tout_paye) == (2, 3)
