"""The amounts the échéancier calls, computed by the contribution engine (or taken from an URSSAF notice).

- Definitive contributions of year Y: the contributions of Y on the income of Y (L131-6-2 al. 3), CFP apart.
- Provisional contributions of year N (L131-6-2 al. 2): on the income of N-2, then of N-1 once declared, "rapporté
  à l'année entière" when that year's affiliation was incomplete and "réduit au prorata de la durée d'affiliation"
  when N's is (R131-3-1); for the first two civil years on the flat-rate base (R613-5 III, R131-2-1, D131-1); net
  of ACRE (L131-6-4).
- CFP of year N (C. trav. L6331-48): called on its own with the November instalment.

LAW (DESIGN §2 decision 6): provisional contributions of a year use that year's parameters; when they are not
known yet (the instalments of N+1 are called in spring N), the last known year's parameters are used and the note
`parametres_provisoires` says so (URSSAF recomputes the instalments in January).

LAW (addendum Q3, parameter `regime.assiette_provisionnelles`): the provisional contributions of 2025, their
ajustement included, follow the former rules with the 2025 PASS and RCI ceiling, as URSSAF called them; the
reform applies from the régularisation of 2025.

LAW (DESIGN §2 decision 7, addendum Q3): provisional contributions of a year under the single base of 2025 computed
on an income declared under the former definition (revenu professionnel, net of contributions) convert it to a
revenu brut as the former CSG-CRDS base, revenu + compulsory contributions (option `conversion`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from echeancier.contributions.engine import compute
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.professions_liberales import collected_elsewhere
from echeancier.contributions.result import Simulation
from echeancier.contributions.situation import Situation
from echeancier.kernel.dates import days_between_inclusive, days_in_year
from echeancier.kernel.money import ZERO
from echeancier.law import Law, load_law, supported_years
from echeancier.law.snapshot import LawSnapshot, provisional_snapshot, snapshot_of
from echeancier.schedule.rules import annualised as annualised_rule
from echeancier.schedule.scenario import Contributor


@dataclass(frozen=True, slots=True)
class Computed:
    amount: Decimal  # contributions, CFP excluded
    cfp: Decimal
    simulation: Simulation | None
    provisional_law: bool  # the parameters of an earlier year were used
    conjoint: Decimal = ZERO  # the conjoint collaborateur's contributions, included in `amount`


def law_for(year: int, law: Law | None = None) -> tuple[LawSnapshot, bool]:
    """The `law` (the packaged one when None) of `year`, or the last known year's (and True) when `year` is past
    the parameters."""
    law = law or load_law()
    years = supported_years(law)
    if year > years[-1]:
        return snapshot_of(law, years[-1]), True
    return snapshot_of(law, year), False


def provisional_law_for(year: int, law: Law | None = None) -> tuple[LawSnapshot, bool]:
    """The law of the provisional contributions of `year` (`regime.assiette_provisionnelles`: in 2025 the former
    rules with the 2025 PASS, URSSAF practice), or the last known one (and True) past the parameters."""
    law = law or load_law()
    years = supported_years(law)
    if year > years[-1]:
        return provisional_snapshot(years[-1], law), True
    return provisional_snapshot(year, law), False


def _situation(contributor: Contributor, year: int, income: Decimal, end: date | None) -> Situation:
    start = contributor.activity_start
    # Built without validation: `year` may lie past the law's last year (computed with the last known law).
    return Situation.model_construct(
        id=None,
        year=year,
        profession=contributor.profession,
        income=income,
        # The start date is kept every year: the rules read it beyond the first two years too (the CNBF's forfaits
        # follow the years of practice; Mayotte's 24-month exemption, art. 28-8, reaches a third civil year, and
        # its halving from the 25th month, art. 28-5); elsewhere an older start changes no amount.
        start_date=start,
        end_date=end if end is not None and end.year == year else None,
        acre=contributor.acre and start.year >= year - 1,
        rsa=contributor.rsa,
        income_is_net=False,
        department=contributor.department,
        conjoint_collaborateur=contributor.conjoint_collaborateur,
        section=contributor.section,
        secteur=contributor.secteur,
        metier=contributor.metier,
        classe_cnbf=contributor.classe_cnbf,
        remplacant=contributor.remplacant,
        pension_invalidite_mois=contributor.pension_invalidite_mois,
        exoneration_age=contributor.exoneration_age,
        exoneration_debut_outre_mer=contributor.exoneration_debut_outre_mer,
        abattement_outre_mer=contributor.abattement_outre_mer,
    )


def _computed(simulation: Simulation, provisional_law: bool) -> Computed:
    cfp = simulation.amount("formation_professionnelle")  # without building the explanation
    amount = simulation.total - cfp
    section = simulation.situation.section
    if section is not None:
        # LAW (docs/law-choices.md, 265): what the section's own caisse collects (CSS R642-2) is not called by the
        # Urssaf's échéancier.
        amount -= collected_elsewhere(simulation.amounts, section.value, extras=simulation.section_amounts)
    return Computed(amount, cfp, simulation, provisional_law, Decimal(sum(simulation.conjoint_amounts)))


def definitive(
    contributor: Contributor, year: int, income: Decimal, end: date | None = None, law: Law | None = None
) -> Computed:
    """Contributions of `year` on its own income (the régularisation's target), CFP apart."""
    snapshot, provisional_law = law_for(year, law)
    return _computed(compute(_situation(contributor, year, income, end), snapshot, income), provisional_law)


def is_debut_activite(contributor: Contributor, year: int, law: Law | None = None) -> bool:
    """First two civil years of activity (L131-6-2 al. 2, R613-5 III; R131-3 for what is a start)."""
    snapshot, _ = law_for(year, law)
    return 0 <= year - contributor.activity_start.year < snapshot.forfait_duree_annees


def forfait(contributor: Contributor, year: int, end: date | None = None, law: Law | None = None) -> Computed:
    """Provisional contributions of the first two civil years, on the flat-rate base, net of ACRE."""
    snapshot, provisional_law = provisional_law_for(year, law)
    simulation = compute(_situation(contributor, year, ZERO, end), snapshot, ZERO)
    assert simulation.forfait is not None
    return _computed(simulation.forfait, provisional_law)


def annualised(contributor: Contributor, basis_year: int, income: Decimal, law: Law | None = None) -> Decimal:
    """R131-3-1 1°: the income of a year of incomplete affiliation, brought to a whole year."""
    start = contributor.activity_start
    if start.year != basis_year or start == date(basis_year, 1, 1):
        return income
    days = days_between_inclusive(start, date(basis_year, 12, 31))
    snapshot, _ = law_for(basis_year, law)
    # The one text of the campaign's arrays (`rules.annualised`), on the income's own decimal digits.
    exponent = max(0, -int(income.as_tuple().exponent))
    counted = min(snapshot.jours_prorata, days_in_year(basis_year))
    whole = annualised_rule(SCALAR, int(income.scaleb(exponent)), 10**exponent, counted, days)
    return Decimal(whole)


def needs_conversion(basis_year: int, year: int, law: Law | None = None) -> bool:
    """An income of `basis_year` is of the former definition and `year`'s provisional rules take the single base
    of 2025 (DESIGN §2 decision 7): the one test, for the replay and for the campaign."""
    target_law, _ = provisional_law_for(year, law)
    if not target_law.apres_reforme:
        return False  # same definition: no conversion (and no need of the basis year's law)
    basis_law, _ = law_for(basis_year, law)
    return not basis_law.apres_reforme


def converted(contributor: Contributor, basis_year: int, year: int, income: Decimal, law: Law | None = None) -> Decimal:
    """The basis income in the definition of `year`'s rules (DESIGN §2 decision 7)."""
    if not needs_conversion(basis_year, year, law):
        return income
    basis_law, _ = law_for(basis_year, law)
    basis = compute(_situation(contributor, basis_year, income, None), basis_law, income)
    return basis.assiette_csg


def called_basis(year: int, incomes: Collection[int]) -> int | None:
    """The income year on which the provisional contributions called for `year` are computed when `year` is not
    replayed (`called_for`: the régularisation of `year` sets its definitive contributions against them): the
    income of `year` - 1 when known (the basis of the ajustement, R613-5 I 2°), else that of `year` - 2 (the
    provisional basis, L131-6-2 al. 2); None when neither is known. One text for the replay and the campaign."""
    return next((basis for basis in (year - 1, year - 2) if basis in incomes), None)


def provisional(
    contributor: Contributor,
    year: int,
    basis_year: int,
    income: Decimal,
    end: date | None = None,
    law: Law | None = None,
) -> Computed:
    """Provisional contributions of `year` on the income of `basis_year` (R131-3-1), CFP apart."""
    base = converted(contributor, basis_year, year, annualised(contributor, basis_year, income, law), law)
    snapshot, provisional_law = provisional_law_for(year, law)
    return _computed(compute(_situation(contributor, year, base, end), snapshot, base), provisional_law)


def estimated(
    contributor: Contributor, year: int, income: Decimal, end: date | None = None, law: Law | None = None
) -> Computed:
    """Provisional contributions of `year` on the income estimated for that very year (L131-6-2 al. 4)."""
    snapshot, provisional_law = provisional_law_for(year, law)
    return _computed(compute(_situation(contributor, year, income, end), snapshot, income), provisional_law)


def cfp(contributor: Contributor, year: int, law: Law | None = None) -> Decimal:
    """The CFP of `year` (the whole PASS: not prorated)."""
    return (
        forfait(contributor, year, law=law).cfp
        if is_debut_activite(contributor, year, law)
        else definitive(contributor, year, ZERO, law=law).cfp
    )
