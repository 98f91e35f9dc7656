"""Bases of the contributions: the period of activity, the prorated PASS and the single base of 2025.

CSS R613-17: the PASS is the one of 1 January of the income year, reduced pro rata of the affiliation when it
lasted less than a year. CSS L131-6 and L136-3 (from income 2025): one base for contributions and CSG-CRDS, the
revenu brut less a 26 % abatement bounded by 1.76 % and 130 % of the PASS (D136-5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from echeancier.contributions.situation import Situation
from echeancier.kernel.dates import days_between_inclusive, days_in_year
from echeancier.kernel.money import ZERO, round_euro
from echeancier.law.snapshot import LawSnapshot


@dataclass(frozen=True, slots=True)
class Activity:
    """The part of the income year during which the contributor was affiliated."""

    first_day: date
    last_day: date
    days: int
    partial: bool
    prorata: Decimal  # share of the year used to reduce the PASS (1 for a whole year)
    pass_proratise: Decimal


def activity(situation: Situation, law: LawSnapshot) -> Activity:
    """Days of activity in the year and the prorated PASS (R613-17).

    LAW: R613-17 prorates "au prorata de la durée d'affiliation" without saying over how many days; URSSAF and
    its official model divide by 365 (parameter `calcul.jours_prorata`), and a whole year is never reduced.
    """
    year = situation.year
    first = date(year, 1, 1)
    last = date(year, 12, 31)
    if situation.start_date is not None and situation.start_date > first:
        first = situation.start_date
    if situation.end_date is not None:
        last = situation.end_date
    days = days_between_inclusive(first, last)
    partial = days < days_in_year(year)
    if partial:
        prorata = min(Decimal(days) / Decimal(law.jours_prorata), Decimal(1))
        pass_proratise = round_euro(law.pass_annuel * prorata)
    else:
        prorata = Decimal(1)
        pass_proratise = law.pass_annuel
    return Activity(first, last, days, partial, prorata, pass_proratise)


def abattement(revenu_brut: Decimal, law: LawSnapshot) -> Decimal:
    """The 26 % abatement on the revenu brut, bounded by 1.76 % and 130 % of the PASS (CSS L136-3, D136-5).

    LAW: the bounds use the annual PASS, not the prorated one (URSSAF practice, official model).
    """
    assert law.abattement_taux is not None and law.abattement_plancher is not None
    assert law.abattement_plafond is not None
    value = law.abattement_taux * revenu_brut
    value = max(value, law.abattement_plancher * law.pass_annuel)
    value = min(value, law.abattement_plafond * law.pass_annuel)
    return round_euro(value)


def assiette_apres_abattement(revenu_brut: Decimal, law: LawSnapshot) -> tuple[Decimal, Decimal]:
    """(abattement, base) for income from 2025: base = revenu brut − abattement, never negative (L136-3)."""
    value = abattement(revenu_brut, law)
    return value, round_euro(max(ZERO, revenu_brut - value))


def assiette_forfaitaire(pass_proratise: Decimal, law: LawSnapshot) -> Decimal:
    """Flat-rate base of the provisional contributions of the first two years: 19 % of the prorated PASS
    (L131-6-2 al. 2, R131-2-1, D131-1, R613-17)."""
    return round_euro(law.forfait_assiette * pass_proratise)


def assiette_forfaitaire_ij(law: LawSnapshot) -> Decimal:
    """Flat-rate base of the indemnités journalières contribution: 40 % of the annual PASS (D621-3)."""
    return round_euro(law.forfait_assiette_ij * law.pass_annuel)
