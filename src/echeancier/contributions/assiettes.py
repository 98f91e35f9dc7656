"""Bases of the contributions: the period of activity, the prorated PASS and the single base of 2025.

CSS R613-17: the PASS is the one of 1 January of the income year, reduced pro rata of the affiliation when it
lasted less than a year. CSS L131-6 and L136-3 (from income 2025): one base for contributions and CSG-CRDS, the
revenu brut less a 26 % abatement bounded by 1.76 % and 130 % of the PASS (D136-5).

Written once over integers (`contributions.exact`): days since 1970-01-01, incomes and bases in cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from echeancier.contributions.exact import EURO, FRAC, SCALAR, Bools, Ints, Ops, half_up
from echeancier.contributions.result import decimal
from echeancier.contributions.situation import Situation
from echeancier.law.snapshot import EPOCH, Figures, LawSnapshot


def income_cents(income: Decimal) -> int:
    """An income in euros counted in whole cents, rounded half up (away from zero for a deficit), by `simulate`
    (`engine.counted_income`) and `simulate_many` alike.

    LAW (docs/law-choices.md, 50): URSSAF declares incomes in whole euros and every amount here is in cents."""
    scaled = income * 100
    cents = int(scaled)
    if cents != scaled:
        cents = int(scaled.to_integral_value(rounding=ROUND_HALF_UP))
    return cents


def activity_days(k: Ops, law: Figures, start: Ints, end: Ints) -> tuple[Ints, Bools, Ints]:
    """(days of activity in the year, whether the year is partial, prorated PASS in euros) — R613-17.

    `start` and `end` are the start and end dates of the activity, 1 January and 31 December when not given.

    LAW: R613-17 prorates "au prorata de la durée d'affiliation" without saying over how many days; URSSAF and
    its official model divide by 365 (parameter `calcul.jours_prorata`), and a whole year is never reduced. The
    prorated PASS, PASS × min(days, 365) / 365 rounded half up to the euro, is read from a table of the law by
    number of days (`Figures.pass_proratise`: a lookup is cheaper than a division on many rows).
    """
    first = k.maximum(start, law.first_day)
    days = k.maximum(end - first + 1, 0)
    partial = days < law.days_in_year
    prorated = k.take(law.pass_proratise, k.minimum(days, law.jours_prorata))
    return days, partial, k.where(partial, prorated, law.pass_annuel)


def assiette_sociale(k: Ops, law: Figures, income: Ints) -> tuple[Ints | None, Ints]:
    """(abattement in euros, or None up to 2024; assiette sociale in cents) for an income in cents, never negative.

    Up to 2024 the revenu professionnel itself. From 2025 (CSS L136-3, D136-5) the revenu brut less 26 %, the
    abatement rounded to the euro and bounded by 1.76 % and 130 % of the PASS (rounding is monotonic: rounding the
    bounded value or bounding the rounded value by rounded bounds is the same), the base rounded to the euro.

    LAW: the bounds use the annual PASS, not the prorated one (URSSAF practice, official model).
    """
    if not law.apres_reforme:
        return None, income
    abattement = half_up(law.abattement_taux * income, EURO)
    abattement = k.minimum(k.maximum(abattement, law.abattement_plancher), law.abattement_plafond)
    return abattement, 100 * half_up(k.maximum(income - 100 * abattement, 0), 100)


def assiette_forfaitaire(pass_proratise: Ints, law: Figures) -> Ints:
    """Flat-rate base of the provisional contributions of the first two years, in cents: 19 % of the prorated PASS
    rounded to the euro (L131-6-2 al. 2, R131-2-1, D131-1, R613-17)."""
    return 100 * half_up(law.forfait_assiette * pass_proratise, FRAC)


# --------------------------------------------------------------------------------------------------------------
# One situation, for display and for the callers that want the period of a Situation


@dataclass(frozen=True, slots=True)
class Activity:
    """The part of the income year during which the contributor was affiliated."""

    first_day: date
    last_day: date
    days: int
    partial: bool
    prorata: Decimal  # share of the year used to reduce the PASS (1 for a whole year), for display
    pass_proratise: Decimal


def day_number(day: date | None, default: int) -> int:
    """A date as days since 1970-01-01 (NumPy's datetime64[D]), `default` when not given."""
    return default if day is None else day.toordinal() - EPOCH


def activity(situation: Situation, law: LawSnapshot) -> Activity:
    """Days of activity in the year and the prorated PASS of `situation` (R613-17, `activity_days`)."""
    figures = law.exact
    start = day_number(situation.start_date, figures.first_day)
    end = day_number(situation.end_date, figures.last_day)
    days, partial, pass_proratise = activity_days(SCALAR, figures, start, end)
    return Activity(
        first_day=date.fromordinal(max(start, figures.first_day) + EPOCH),
        last_day=date.fromordinal(end + EPOCH),
        days=days,
        partial=partial,
        prorata=prorata(days, partial, law.jours_prorata),
        pass_proratise=Decimal(pass_proratise),
    )


def prorata(days: int, partial: bool, jours_prorata: int) -> Decimal:
    """days / 365, at most 1 (1 for a whole year): the reduction of the PASS, as a decimal for display."""
    return min(decimal(days, jours_prorata), Decimal(1)) if partial else Decimal(1)
