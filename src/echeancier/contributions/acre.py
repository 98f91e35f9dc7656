"""ACRE: exemption of the first 12 months of a creation or takeover (CSS L131-6-4, D131-6-1).

Exempted: maladie-maternité, indemnités journalières, allocations familiales, retraite de base and invalidité-décès
(not the retraite complémentaire, CSG-CRDS or CFP). Full (up to the maximum share) when the base is below 75 % of
the prorated PASS, degressive to zero at 100 %: exemption = (PASS − R) × E / (PASS − 75 % PASS) × maximum share,
where E is the contribution computed on a base of 75 % of the PASS. From 2026 the maximum share is 25 %.
The exemption covers the part of the 12 months that falls in the income year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from echeancier.contributions.assiettes import Activity
from echeancier.contributions.situation import Situation
from echeancier.kernel.dates import ONE_DAY, add_months
from echeancier.law.snapshot import LawSnapshot


@dataclass(frozen=True, slots=True)
class Acre:
    fraction: tuple[int, int]  # share of the year's activity covered by the 12 months, numerator / denominator
    maximum: Decimal  # maximum exempted share (1 before 2026, 0.25 from 2026)
    seuil_degressivite: Decimal  # in euros (75 % of the prorated PASS)
    seuil_sortie: Decimal  # in euros (100 % of the prorated PASS)


def acre(situation: Situation, period: Activity, law: LawSnapshot) -> Acre | None:
    """The ACRE exemption that applies to this income year, or None.

    LAW: D131-6-1 exempts the contributions due for the 12 months that follow the start of the activity; the
    contributions being annual, only the share of the year covered by those months is exempted. URSSAF counts the
    12 months as `jours_prorata` (365) days from the start date, the remaining days of a creation of the previous
    year being 365 − (1 January − start); the share is those days over the days of activity of the year (a year
    of activity counting 365 days, as for the prorated PASS), at most 1 — so a creation in the year is exempted
    for all of its days.
    """
    if not situation.acre or situation.start_date is None:
        return None
    start = situation.start_date
    window_last = add_months(start, law.acre_duree_mois) - ONE_DAY
    if window_last < period.first_day:
        return None
    year_start = date(situation.year, 1, 1)
    if start >= year_start:
        fraction = (1, 1)
    else:
        remaining = law.jours_prorata * law.acre_duree_mois // 12 - (year_start - start).days
        if remaining <= 0:
            return None
        days = min(period.days, law.jours_prorata)
        fraction = (min(remaining, days), days)
    return Acre(
        fraction=fraction,
        maximum=law.acre_exoneration_maximale,
        seuil_degressivite=law.acre_seuil_degressivite * period.pass_proratise,
        seuil_sortie=law.acre_seuil_sortie * period.pass_proratise,
    )


def taux_exoneration(exemption: Acre | None, assiette: Decimal) -> tuple[int, int]:
    """Share of a proportional contribution exempted for a base `assiette` (D131-6-1), as an exact ratio
    (numerator, denominator), at most 1.

    For a contribution proportional to its base, (PASS − R) × E / (PASS − 75 % PASS) reduces to
    75 % PASS × (PASS − R) / ((PASS − 75 % PASS) × R) of the contribution. Exact integers rather than decimals:
    a decimal quotient is rounded to 28 digits and an exact half euro could then round down.
    """
    if exemption is None or assiette > exemption.seuil_sortie:
        return (0, 1)
    m_num, m_den = exemption.maximum.as_integer_ratio()
    if assiette < exemption.seuil_degressivite or assiette <= 0:
        num, den = m_num, m_den
    else:
        d_num, d_den = exemption.seuil_degressivite.as_integer_ratio()
        span_num, span_den = (exemption.seuil_sortie - exemption.seuil_degressivite).as_integer_ratio()
        gap_num, gap_den = (exemption.seuil_sortie - assiette).as_integer_ratio()
        r_num, r_den = assiette.as_integer_ratio()
        num = m_num * d_num * gap_num * span_den * r_den
        den = m_den * d_den * gap_den * span_num * r_num
    f_num, f_den = exemption.fraction
    num, den = num * f_num, den * f_den
    return (num, den) if num < den else (1, 1)
