"""ACRE: exemption of the first 12 months of a creation or takeover (CSS L131-6-4, D131-6-1).

Exempted: maladie-maternité, indemnités journalières, allocations familiales, retraite de base and invalidité-décès
(not the retraite complémentaire, CSG-CRDS or CFP). Full (up to the maximum share) when the base is below 75 % of
the prorated PASS, degressive to zero at 100 %: exemption = (PASS − R) × E / (PASS − 75 % PASS) × maximum share,
where E is the contribution computed on a base of 75 % of the PASS. From 2026 the maximum share is 25 %.
The exemption covers the part of the 12 months that falls in the income year.

Written once over integers (`contributions.exact`), on the rows that have an exemption.
"""

from __future__ import annotations

from echeancier.contributions.context import AcreRows, Rows
from echeancier.contributions.exact import EURO, Bools, Ints, Ops, half_up
from echeancier.law.snapshot import Figures


def acre_year_share(k: Ops, law: Figures, start: Ints, days: Ints) -> tuple[Bools, Ints, Ints]:
    """For rows with ACRE and a start date (days since 1970-01-01): (whether the exemption reaches this year, and
    the share of the year's activity it covers, num / den).

    LAW: D131-6-1 exempts the contributions due for the 12 months that follow the start of the activity; the
    contributions being annual, only the share of the year covered by those months is exempted. URSSAF counts the
    12 months as `jours_prorata` (365) days from the start date, the remaining days of a creation of the previous
    year being 365 − (1 January − start); the share is those days over the days of activity of the year (a year
    of activity counting 365 days, as for the prorated PASS), at most 1 — so a creation in the year is exempted
    for all of its days. Whether the 12 months (kernel.dates.add_months) end on or after 1 January is tabulated
    by the law (`Figures.acre_window`).
    """
    before = start < law.first_day
    elapsed = k.maximum(law.first_day - start, 0)
    remaining = law.acre_duree_jours - elapsed
    in_window = k.take(law.acre_window, k.minimum(elapsed, law.acre_duree_jours))
    active = k.minimum(days, law.jours_prorata)
    applies = k.not_(before) | (in_window & (remaining > 0))
    num = k.where(before, k.minimum(remaining, active), 1)
    den = k.where(before, active, 1)
    return applies, num, den


def kept_share(k: Ops, law: Figures, acre: AcreRows, base: Ints) -> tuple[Ints, Ints]:
    """What ACRE leaves due of a proportional contribution whose base D131-6-1 compares with the PASS is `base`
    (cents, on the ACRE rows), as kept / whole, exactly.

    The maximum share below 75 % of the prorated PASS (or for a nil base), nil above 100 %; between, for a
    contribution proportional to its base, (PASS − R) × E / (PASS − 75 % PASS) reduces to
    maximum × 75 % PASS × (PASS − R) / ((PASS − 75 % PASS) × R); times the share of the year, at most 1.
    """
    m_num, m_den = law.acre_maximum
    k_num, k_den = law.acre_ratio
    pass_ = acre.pass_proratise
    full = (100 * base < law.acre_seuil_degressivite * pass_) | (base <= 0)
    above = 100 * base > law.acre_seuil_sortie * pass_
    whole = k.where(full | above, m_den * acre.den, m_den * k_den * base * acre.den)
    degressive = m_num * k_num * (law.acre_seuil_sortie // 100 * pass_ - base) * acre.num
    exempted = k.where(above, 0, k.where(full, m_num * acre.num, degressive))
    return k.maximum(whole - exempted, 0), whole


def with_acre(k: Ops, r: Rows, gross: Ints, share: tuple[Ints, Ints] | None) -> Ints:
    """A proportional contribution (`gross` in 1e-8 €) less its ACRE share, rounded half up to the euro."""
    amount = half_up(gross, EURO)
    if r.acre is None or share is None:
        return amount
    kept, whole = share
    exempted = k.mul_div_half_up(k.gather(gross, r.acre.rows), kept, whole * EURO)
    return k.scatter(amount, r.acre.rows, exempted)


def assiette_share(k: Ops, r: Rows) -> tuple[Ints, Ints] | None:
    """The kept share for the assiette sociale (retraite de base, invalidité-décès, allocations familiales)."""
    if r.acre is None:
        return None
    if r.acre.share is None:
        r.acre.share = kept_share(k, r.law, r.acre, r.acre.assiette)
    return r.acre.share
