"""The rights a year's contributions open, written once over integers (`contributions.exact`) for one situation
(Python ints, `SCALAR`) and for many rows (NumPy int64 arrays, `VECTOR`), from what the contribution rules computed.

- `retraite_base`: the revenu cotisé and the quarters it validates (CSS R351-9 al. 3 through L634-2 and D634-1);
- `retraite_complementaire`: the RCI points and the yearly pension they add (CPSTI values, D635-9);
- `indemnites_journalieres`: the daily allowance of a sick leave (D622-7, D622-8), from the incomes of the
  reference years, each weighted by the contributions actually paid (`revenu_retenu`).

Units: cents for incomes and amounts of money, days, whole quarters, hundredths of a point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from echeancier.contributions.exact import EURO, FRAC, RATE, Bools, Ints, Ops, half_up
from echeancier.contributions.retraite_base import RetraiteBase
from echeancier.law.snapshot import Figures
from echeancier.rights.figures import MILLI, RightsFigures

REFERENCE_RETRAITE_BASE = "CSS R351-9 al. 3 (par L634-2 et D634-1), L351-2"
REFERENCE_RCI = "CSS D635-7, D635-9 (valeurs du point fixées par le CPSTI)"
REFERENCE_IJ = "CSS D622-1, D622-7, D622-8"


class DroitsRetraiteBase(NamedTuple):
    revenu_cotise: Ints  # cents, within the PASS
    trimestres: Ints
    exonere: Bools  # part of the contribution was exempted (ACRE): the revenu follows what is due


def retraite_base(k: Ops, f: RightsFigures, law: Figures, rb: RetraiteBase) -> DroitsRetraiteBase:
    """R351-9 al. 3: "autant de trimestres que le salaire annuel correspondant aux retenues subies [...] représente de
    fois le montant du SMIC en vigueur au 1er janvier [...] calculé sur la base de 150 heures, avec un maximum de
    quatre trimestres par année civile".

    LAW (docs/law-choices.md, 200): the income corresponding to the contributions is the whole base of the
    contribution (after the minimum base of D633-2: the uncapped rate of D633-3 applies to all of it), so that the
    minimum base of 450 hours validates exactly three quarters; when ACRE exempted part of the contribution
    (D131-6-1), it is the income whose contribution at the rate within the PASS equals what remains due (URSSAF's
    model's formula), never above that base. The revenu cotisé that the pension will average is that income within
    the annual PASS (R351-29, via L634-2).
    """
    due = rb.amount  # euros, after ACRE
    exonere = due < half_up(rb.gross, EURO)
    by_contribution = k.minimum(half_up(due * 100 * RATE, law.rb_taux_plafonne), rb.base)
    revenu = k.where(exonere, by_contribution, rb.base)
    trimestres = k.minimum(revenu // f.seuil_trimestre, f.trimestres_maximum)
    return DroitsRetraiteBase(k.minimum(revenu, 100 * f.pass_annuel), trimestres, exonere)


def trimestres_payes(k: Ops, f: RightsFigures, revenu_cotise: Ints, paye: Ints, du: Ints) -> Ints:
    """L351-2: the quarters count only if "un minimum de cotisations" was paid for the year. LAW (docs/law-choices.md,
    201): the revenu cotisé is weighted by paid / due (cents; everything counts when nothing was due or all was
    paid), then R351-9 applies to it."""
    complet = (paye >= du) | (du <= 0)
    revenu = k.where(complet, revenu_cotise, k.mul_div_half_up(revenu_cotise, k.maximum(paye, 0), k.maximum(du, 1)))
    return k.minimum(revenu // f.seuil_trimestre, f.trimestres_maximum)


class DroitsRetraiteComplementaire(NamedTuple):
    points: Ints  # hundredths of a point
    pension_annuelle: Ints  # cents of yearly pension


def retraite_complementaire(k: Ops, f: RightsFigures, cotisation: Ints) -> DroitsRetraiteComplementaire:
    """Points acquired = the RCI contribution (euros) / the purchase value of the year; the yearly pension they add
    = points × the service value. LAW (docs/law-choices.md, 202): the CPSTI's rounding of points is not published;
    points are shown to the hundredth (half up) and the pension is computed on the exact points, rounded once to
    the cent (URSSAF's model rounds the points to the unit)."""
    points = half_up(cotisation * 100 * MILLI, f.rci_valeur_achat)
    pension = half_up(cotisation * 100 * f.rci_valeur_service, f.rci_valeur_achat)
    return DroitsRetraiteComplementaire(points, pension)


def revenu_retenu(k: Ops, revenu: Ints, paye: Ints, du: Ints, echeancier_respecte: Bools) -> Ints:
    """D622-7 I al. 2 and 3: the income of a year whose contributions were not fully paid is weighted by paid / due,
    unless payment delays were granted and their instalments are respected at the date of the medical statement
    (cents, rounded half up)."""
    complet = (paye >= du) | (du <= 0) | echeancier_respecte
    return k.where(complet, revenu, k.mul_div_half_up(revenu, k.maximum(paye, 0), k.maximum(du, 1)))


class DroitsIndemnitesJournalieres(NamedTuple):
    revenu_moyen: Ints  # cents, the average income of the reference years before the ceiling
    eligible: Bools  # D622-8: the average reaches 10 % of the average PASS
    montant_journalier: Ints  # cents per day (0 when not eligible)
    plafond_journalier: Ints  # cents per day: the allowance of an average at the ceiling (what the explanation shows)


def indemnites_journalieres(
    k: Ops, f: RightsFigures, revenus: Sequence[Ints], plafonds: Sequence[int], pass_constat: int
) -> DroitsIndemnitesJournalieres:
    """D622-7 I: 1/730 of the average of the incomes retained for the health contributions of the reference years
    (`revenus`, cents, already weighted by `revenu_retenu`), within the PASS in force at the medical statement
    (`pass_constat`, euros); D622-8: nil when that average is below 10 % of the average of the PASS of those years
    (`plafonds`, euros). The same rule serves the first years (D622-7 II) with one annualised income."""
    n = len(revenus)
    total = revenus[0]
    for revenu in revenus[1:]:
        total = total + revenu
    eligible = total * FRAC >= f.ij_seuil_revenu * 100 * sum(plafonds)
    plafond = n * f.ij_plafond * 100 * pass_constat // FRAC  # n × the ceiling, in cents
    montant = half_up(k.minimum(total, plafond), n * f.ij_diviseur)
    return DroitsIndemnitesJournalieres(
        total // n, eligible, k.where(eligible, montant, 0), half_up(plafond, n * f.ij_diviseur)
    )


def revenu_annualise(k: Ops, revenu: Ints, jours: Ints, jours_annee: int) -> Ints:
    """D622-7 II: during the first three civil years of affiliation, the income of the period of activity over the
    number of days of activity, times 365 (cents, half up)."""
    return half_up(revenu * jours_annee, k.maximum(jours, 1))


class DroitsAnnee(NamedTuple):
    """The rights of one income year's contributions (see `year_rights`)."""

    retraite_base: DroitsRetraiteBase
    retraite_complementaire: DroitsRetraiteComplementaire
    indemnites_journalieres: DroitsIndemnitesJournalieres
    premieres_annees: Bools  # D622-7 II applied


def year_rights(
    k: Ops,
    f: RightsFigures,
    law: Figures,
    rb: RetraiteBase,
    rci_amount: Ints,
    assiette_ij: Ints,
    assiette: Ints,
    days: Ints,
    start: Ints,
    has_start: Bools,
    minimums: Bools,
) -> DroitsAnnee:
    """The rights the contributions of one income year open, for one situation or many rows.

    The daily allowance is that of a sick leave whose reference years all had this year's income and fully paid
    contributions (the reading of URSSAF's model for a simulation): the income retained for the health
    contributions is the base of the IJ contribution (`assiette_ij`, cents, with its minimum of 40 % of the PASS,
    D621-3). LAW (docs/law-choices.md, 203): during the first three civil years (`start` from 1 January of year − 2),
    D622-7 II annualises the income itself (`assiette`, the assiette sociale, over the days of activity), and the
    minimum base of the IJ contribution applies to the annualised income as it does to a year's income (not for
    RSA beneficiaries, `minimums` False).
    """
    droits_rb = retraite_base(k, f, law, rb)
    droits_rci = retraite_complementaire(k, f, rci_amount)
    premieres = has_start & (start >= f.premieres_annees_debut)
    plafonds = [f.pass_annuel] * f.ij_annees_reference
    general = indemnites_journalieres(k, f, [assiette_ij] * f.ij_annees_reference, plafonds, f.pass_annuel)
    annualise = revenu_annualise(k, assiette, days, law.jours_prorata)
    annualise = k.where(minimums, k.maximum(annualise, law.ij_assiette_minimale), annualise)
    debut = indemnites_journalieres(k, f, [annualise], [f.pass_annuel], f.pass_annuel)
    ij = DroitsIndemnitesJournalieres(
        k.where(premieres, debut.revenu_moyen, general.revenu_moyen),
        (premieres & debut.eligible) | (k.not_(premieres) & general.eligible),
        k.where(premieres, debut.montant_journalier, general.montant_journalier),
        k.where(premieres, debut.plafond_journalier, general.plafond_journalier),
    )
    return DroitsAnnee(droits_rb, droits_rci, ij, premieres)


# --------------------------------------------------------------------------------------------------------------
# The populations of the sections, the invalidity pensioners and the conjoint collaborateur

REFERENCE_CNAVPL = "CSS L643-1 (points de la CNAVPL) ; R351-9 al. 3 (trimestres)"
REFERENCE_CIPAV = "Décret n° 79-262 art. 2 ; statuts du régime complémentaire de la Cipav (points)"
REFERENCE_INVALIDITE = "CSS R351-12 5° (par L634-2)"
REFERENCE_IJ_CONJOINT = "CSS D622-7 (conjoint collaborateur : 1/730 de l'assiette de sa cotisation, D621-3)"


class DroitsCnavpl(NamedTuple):
    revenu_cotise: Ints  # cents, within the PASS
    trimestres: Ints
    points: Ints  # tenths of a point
    pension_annuelle: Ints  # cents of yearly pension


def retraite_base_cnavpl(
    k: Ops, f: RightsFigures, law: Figures, montant_1: Ints, montant_2: Ints, amount: Ints, pass_proratise: Ints
) -> DroitsCnavpl:
    """The retraite de base of a profession libérale of the CNAVPL (CSS L643-1): points for each tranche of the
    contribution of D642-3, in proportion of the year's tranche (`montant_1`, `montant_2`, euros, before ACRE) to
    its maximum — the tranche on the (prorated) PASS, on 5 (prorated) PASS — at `cnavpl_points_tranche_*` points
    for a maximum, each rounded to the tenth of a point; the yearly pension they add = points × the point's value.
    The quarters (R351-9 al. 3) on the revenu cotisé, the contribution due (`amount`, after ACRE) over the rate of
    tranche 1, rounded to the euro, within the PASS.

    LAW (docs/law-choices.md, 344): URSSAF's model's reading (`protection sociale . retraite . base . CNAVPL`,
    `… revenu cotisé`): ACRE reduces the quarters, not the points."""
    revenu = k.minimum(100 * half_up(amount * RATE, law.plr_rb_taux_tranche_1), 100 * f.pass_annuel)
    trimestres = k.minimum(revenu // f.seuil_trimestre, f.trimestres_maximum)
    maximum_1 = half_up(law.plr_rb_taux_tranche_1 * 100 * pass_proratise, EURO)
    maximum_2 = half_up(law.plr_rb_taux_tranche_2 * (law.plr_rb_plafond_tranche_2 // 100) * pass_proratise, EURO)
    points_1 = half_up(10 * f.cnavpl_points_tranche_1 * montant_1, k.maximum(maximum_1, 1))
    points_2 = half_up(10 * f.cnavpl_points_tranche_2 * montant_2, k.maximum(maximum_2, 1))
    points = points_1 + points_2
    return DroitsCnavpl(revenu, trimestres, points, half_up(points * f.cnavpl_valeur_point, 1000))


def trimestres_invalidite(k: Ops, f: RightsFigures, trimestres: Ints, mois: Ints) -> tuple[Ints, Ints]:
    """(the quarters of the year, those assimilated): R351-12 5° counts each calendar quarter in which an
    invalidity pension falls due; `mois` months of pension fall in at least ⌈mois / 3⌉ calendar quarters, added to
    the quarters of the contributions within the maximum of R351-9 (four a year).

    LAW (docs/law-choices.md, 343): the least count the months give (URSSAF's model adds 4 × mois / 12 quarters,
    not whole)."""
    per = f.invalidite_mois_par_trimestre
    assimiles = (mois + per - 1) // per
    total = k.minimum(trimestres + assimiles, f.trimestres_maximum)
    return total, total - trimestres
