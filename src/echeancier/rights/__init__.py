"""The rights opened by the contributions (L613-3 al. 1: "droits [...] en matière de prestations"): quarters of the
retraite de base, points of the retraite complémentaire, daily allowances of the health insurance, and what the
invalidité-décès contribution covers. The rules are written once over integers (`rights.rules`) and evaluated for
one simulation (`Simulation.rights`) and for a batch (`simulate_many(..., rights=True)`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from echeancier.contributions import professions_liberales
from echeancier.contributions.assiettes import day_number
from echeancier.contributions.exact import SCALAR, Ops
from echeancier.contributions.result import decimal
from echeancier.rights.figures import CNAVPL_SCALE, RightsFigures, rights_figures
from echeancier.rights.result import ConjointRights, RetraiteBaseRights, RetraiteComplementaireRights, Rights, build
from echeancier.rights.rules import (
    REFERENCE_CIPAV,
    REFERENCE_CNAVPL,
    REFERENCE_IJ_CONJOINT,
    REFERENCE_INVALIDITE,
    REFERENCE_RCI,
    REFERENCE_RETRAITE_BASE,
    DroitsAnnee,
    indemnites_journalieres,
    retraite_base,
    retraite_base_cnavpl,
    retraite_complementaire,
    trimestres_invalidite,
    year_rights,
)

if TYPE_CHECKING:
    from echeancier.contributions.conjoint_collaborateur import Conjoint
    from echeancier.contributions.context import Rows
    from echeancier.contributions.situation import Situation
    from echeancier.law.snapshot import LawSnapshot

__all__ = ["COLUMNS", "Rights", "RightsFigures", "columns", "columns_of", "of_traces", "rights_figures"]


def of_traces(
    situation: Situation,
    law: LawSnapshot,
    rows: Rows,
    traces: tuple[Any, ...],
    k: Ops = SCALAR,
    conjoint: Conjoint | None = None,
) -> Rights:
    """The rights of one simulation, from the values its contribution rules computed (`contributions.year`); `k`:
    the helpers they are computed with (`SCALAR`, or `traced.TRACED` for the columns of `simulate --jsonl`);
    `conjoint`: the conjoint collaborateur's contributions, whose own rights are added (docs/law-choices.md, 345).

    A profession libérale of the Cipav or the CAVEC (docs/law-choices.md, 344): the CNAVPL's points and quarters
    (`rules.retraite_base_cnavpl`), the Cipav's complementary points (the rule of the RCI's, with the Cipav's
    values), the IJ within 3 PASS (D622-7 I); the CAVEC's complementary points are said not computed. An invalidity
    pensioner (row 343): the quarters of the months of pension are added (`rules.trimestres_invalidite`)."""
    f = rights_figures(law)
    figures = law.exact
    section = law.section
    if section is not None:
        f = dataclasses.replace(
            f,
            ij_plafond=f.ij_plafond_liberal,
            rci_valeur_achat=f.cipav_valeur_achat,
            rci_valeur_service=f.cipav_valeur_service,
        )
    _maladie, ij, rb, rci, _id, _af = traces
    has_start = situation.start_date is not None
    start = day_number(situation.start_date, figures.first_day)
    computed = year_rights(
        k, f, figures, rb, rci.amount, ij.base, rows.assiette, rows.days, start, has_start, rows.minimums
    )
    rights = build(
        f,
        computed,
        start=situation.start_date,
        acre=situation.acre and section is None,
        rsa=situation.rsa,
        minimum=(law.rb_assiette_minimale_heures, figures.rb_assiette_minimale // f.seuil_trimestre)
        if rb.floored and section is None
        else None,
    )
    if section is not None:
        rights = _of_section(k, f, law, rows, rb, rights)
    if rows.invalidite is not None:
        total, assimiles = trimestres_invalidite(
            k, f, rights.retraite_base.trimestres, situation.pension_invalidite_mois
        )
        base = dataclasses.replace(rights.retraite_base, trimestres=int(total), trimestres_assimiles=int(assimiles))
        base = dataclasses.replace(base, reference=f"{base.reference} ; {REFERENCE_INVALIDITE}")
        rights = dataclasses.replace(rights, retraite_base=base, effets=(*rights.effets, PENSION_INVALIDITE))
    if conjoint is not None:
        rights = dataclasses.replace(rights, conjoint=_of_conjoint(k, f, figures, conjoint))
    return rights


def _of_section(k: Ops, f: RightsFigures, law: LawSnapshot, rows: Rows, rb: Any, rights: Rights) -> Rights:
    """The rights of a profession libérale réglementée of the CNAVPL (its points, quarters and complementary)."""
    cnavpl = retraite_base_cnavpl(k, f, law.exact, rb.montant_1, rb.montant_2, rb.amount, rows.pass_proratise)
    base = RetraiteBaseRights(
        trimestres=int(cnavpl.trimestres),
        revenu_cotise=decimal(cnavpl.revenu_cotise, 100),
        seuil_trimestre=rights.retraite_base.seuil_trimestre,
        trimestres_maximum=f.trimestres_maximum,
        reference=REFERENCE_CNAVPL,
        points=decimal(cnavpl.points, 10),
        valeur_point=decimal(f.cnavpl_valeur_point, CNAVPL_SCALE),
        pension_annuelle=decimal(cnavpl.pension_annuelle, 100),
    )
    complementaire = dataclasses.replace(rights.retraite_complementaire, reference=REFERENCE_CIPAV)
    if law.section != "cipav":
        complementaire = dataclasses.replace(
            rights.retraite_complementaire,
            non_calcules=f"points de la section {law.section} (ses statuts, classes de cotisation) non calculés",
            reference=professions_liberales.REFERENCE_CAVEC_RC,
        )
    return dataclasses.replace(rights, retraite_base=base, retraite_complementaire=complementaire)


def _of_conjoint(k: Ops, f: RightsFigures, figures: Any, conjoint: Conjoint) -> ConjointRights:
    """The conjoint collaborateur's own rights: the rules of the head's (R351-9 al. 3, the RCI's points) on the
    conjoint's contributions, and the daily allowance of D622-7: 1/730 of the base of their IJ contribution (40 %
    of the PASS, D621-3), none when it is not due (RSA or prime d'activité of the head, row 251)."""
    ij_trace, rb_trace, rci_trace, _ = conjoint.traces
    droits_rb = retraite_base(k, f, figures, rb_trace)
    droits_rci = retraite_complementaire(k, f, rci_trace.amount)
    ij = indemnites_journalieres(k, f, [ij_trace.base], [f.pass_annuel], f.pass_annuel)
    due = ij_trace.amount > 0
    return ConjointRights(
        retraite_base=RetraiteBaseRights(
            trimestres=int(droits_rb.trimestres),
            revenu_cotise=decimal(droits_rb.revenu_cotise, 100),
            seuil_trimestre=decimal(f.seuil_trimestre, 100),
            trimestres_maximum=f.trimestres_maximum,
            reference=REFERENCE_RETRAITE_BASE,
        ),
        retraite_complementaire=RetraiteComplementaireRights(
            points=decimal(droits_rci.points, 100),
            pension_annuelle=decimal(droits_rci.pension_annuelle, 100),
            valeur_achat=decimal(f.rci_valeur_achat, 1000),
            valeur_service=decimal(f.rci_valeur_service, 1000),
            reference=REFERENCE_RCI,
        ),
        ij_eligible=bool(due & ij.eligible),
        ij_montant_journalier=decimal(k.where(due, ij.montant_journalier, 0), 100),
        ij_reference=REFERENCE_IJ_CONJOINT,
    )


PENSION_INVALIDITE = (
    "Pension d'invalidité : les mois de pension sont assimilés à des périodes d'assurance (CSS R351-12 5°), "
    "comptés dans les trimestres ci-dessus ; les points de retraite complémentaire attribués sans cotisation "
    "(règlement du régime complémentaire, art. 2) ne sont pas comptés : les points ci-dessus sont ceux des "
    "cotisations payées."
)


# The columns `simulate_many(..., rights=True)` adds, in the order of `columns`: integers (cents, hundredths of a
# point, 0/1 for eligibility) so that the batch stays exact.
COLUMNS = (
    "rights.retraite_base.trimestres",
    "rights.retraite_base.revenu_cotise_cents",
    "rights.retraite_complementaire.points_centiemes",
    "rights.retraite_complementaire.pension_annuelle_cents",
    "rights.indemnites_journalieres.eligible",
    "rights.indemnites_journalieres.montant_journalier_cents",
)


def columns(computed: DroitsAnnee) -> tuple[Any, ...]:
    """The values of `COLUMNS` from the integer rules (Python ints or arrays)."""
    rb, rci, ij = computed.retraite_base, computed.retraite_complementaire, computed.indemnites_journalieres
    return (rb.trimestres, rb.revenu_cotise, rci.points, rci.pension_annuelle, ij.eligible, ij.montant_journalier)


def columns_of(rights: Rights) -> tuple[int, ...]:
    """The values of `COLUMNS` from a scalar result (the rows the batch sends to the scalar engine)."""
    rb, rci, ij = rights.retraite_base, rights.retraite_complementaire, rights.indemnites_journalieres
    return (
        rb.trimestres,
        int(rb.revenu_cotise * 100),
        int(rci.points * 100),
        int(rci.pension_annuelle * 100),
        int(ij.eligible),
        int(ij.montant_journalier * 100),
    )
