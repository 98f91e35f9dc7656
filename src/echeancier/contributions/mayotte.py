"""The cotisations of a travailleur indépendant at Mayotte — ordonnance n° 96-1122, art. 28-1 to 28-8; décret
n° 2011-2085 of 30 December 2011 as amended (decree 2019-632). From income 2025, collected by the Urssaf for the
caisse de sécurité sociale de Mayotte.

Under the law of Mayotte (`law.snapshot.mayotte_snapshot`: its own PASS and SMIC) the six cotisations are:
- maladie: the contribution maladie, maternité, invalidité, décès et autonomie (art. 28-3) on the whole income,
  plus the cotisation (additionnelle) d'assurance maladie-maternité et autonomie (art. 28-4) on the income less
  half of it up to the PASS of Mayotte (décret 2011-2085, II; art. 28-5), each rounded to the euro (one line, two
  tranches, as CSG-CRDS: docs/law-choices.md, 184);
- no indemnités journalières, retraite complémentaire or invalidité-décès of the metropolitan régime;
- retraite de base (art. 28-2): a single rate on the income up to the PASS of Mayotte, at least 450 hours of the
  SMIC of Mayotte (none in a year of less than 90 days; the RSA does not remove it, docs/law-choices.md, 185);
- allocations familiales (art. 28-5): a single rate on the income up to the PASS of Mayotte, less half of it.
The halving of art. 28-5 applies once the activity has lasted 25 months, and in its first 24 months (art. 28-8)
every cotisation is exempted; both are read on 1 January of the income year (docs/law-choices.md, 183).
CSG-CRDS and the CFP are those of `csg_crds` and `formation_professionnelle` (the CFP on the PASS of Mayotte).

Written once over integers (`contributions.exact`), for one situation and for many rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, NamedTuple

from echeancier.contributions.context import Rows
from echeancier.contributions.exact import EURO, RATE, Bools, Ints, Ops, half_up
from echeancier.contributions.lines import euros, line, tranche
from echeancier.contributions.result import EXONERATION_MAYOTTE, Line
from echeancier.law.snapshot import LawSnapshot

REFERENCE_MALADIE = "ordonnance n° 96-1122 art. 28-3, 28-4, 28-5, 28-8"
REFERENCE_RETRAITE = "ordonnance n° 96-1122 art. 28-2, 28-8; décret n° 2011-2085"
REFERENCE_AF = "ordonnance n° 96-1122 art. 28-5, 28-8"
REFERENCE_NONE = "ordonnance n° 96-1122 (non due à Mayotte)"


def periods(r: Rows) -> tuple[Bools, Bools]:
    """(exempted: the activity had lasted less than 24 months on 1 January, art. 28-8; halved: at least 25 months,
    art. 28-5). LAW (docs/law-choices.md, 183): months of 365/12 days counted on 1 January of the income year, the
    day of the start included, as URSSAF's model does."""
    law = r.law
    lasted = 12 * (r.anciennete + 1)
    return lasted < law.my_exoneration, lasted >= law.my_abattement_after


class Maladie(NamedTuple):
    exempted: Bools
    base_contribution: Ints  # cents
    base_cotisation: Ints  # cents, after the halving up to the PASS
    contribution: Ints  # euros, art. 28-3, before the exemption
    cotisation: Ints  # euros, art. 28-4
    amount: Ints


def maladie(k: Ops, r: Rows) -> Maladie:
    law = r.law
    exempted, halved = periods(r)
    capped = k.minimum(r.assiette, 100 * r.pass_proratise)
    abattement = 100 * half_up(law.my_abattement * capped, 100 * RATE)  # rounded to the euro
    base_cotisation = r.assiette - k.where(halved, abattement, 0)
    contribution = half_up(law.my_contribution_maladie_taux * r.assiette, EURO)
    cotisation = half_up(law.my_cotisation_maladie_taux * base_cotisation, EURO)
    amount = k.where(exempted, 0, contribution + cotisation)
    return Maladie(exempted, r.assiette, base_cotisation, contribution, cotisation, amount)


class RetraiteBase(NamedTuple):
    exempted: Bools
    base: Ints  # cents, after the minimum and the PASS
    floored: Bools
    amount: Ints


def retraite_base(k: Ops, r: Rows) -> RetraiteBase:
    law = r.law
    exempted, _ = periods(r)
    floored = (r.days >= law.rb_duree_minimale_affiliation) & (r.assiette < law.rb_assiette_minimale)
    base = k.minimum(k.where(floored, law.rb_assiette_minimale, r.assiette), 100 * r.pass_proratise)
    amount = k.where(exempted, 0, half_up(law.my_rb_taux * base, EURO))
    return RetraiteBase(exempted, base, floored, amount)


class AllocationsFamiliales(NamedTuple):
    exempted: Bools
    base: Ints  # cents, up to the PASS, halved, rounded to the euro
    amount: Ints


def allocations_familiales(k: Ops, r: Rows) -> AllocationsFamiliales:
    law = r.law
    exempted, halved = periods(r)
    capped = k.minimum(r.assiette, 100 * r.pass_proratise)
    base = 100 * half_up(k.where(halved, RATE - law.my_abattement, RATE) * capped, 100 * RATE)
    amount = k.where(exempted, 0, half_up(law.my_af_taux * base, EURO))
    return AllocationsFamiliales(exempted, base, amount)


class NonDue(NamedTuple):
    amount: Ints


def non_due(k: Ops, r: Rows) -> NonDue:
    """A cotisation of the metropolitan régime that Mayotte's does not have (IJ, retraite complémentaire,
    invalidité-décès): nil, in the shape of the rows."""
    return NonDue(0 * r.assiette)


COTISATIONS: tuple[Callable[[Ops, Rows], Any], ...] = (
    maladie,
    non_due,
    retraite_base,
    non_due,
    non_due,
    allocations_familiales,
)

# The conjoint collaborateur's (`contributions.conjoint_collaborateur`), in the order of its RULES: indemnités
# journalières, retraite de base, retraite complémentaire, invalidité-décès — only the retraite de base is due.
CONJOINT: tuple[Callable[[Ops, Rows], Any], ...] = (non_due, retraite_base, non_due, non_due)


# --------------------------------------------------------------------------------------------------------------
# The explanation (one situation)

EXEMPTED = EXONERATION_MAYOTTE
EXEMPTED_REFERENCE = "ordonnance n° 96-1122 art. 28-8"


def lines(traces: tuple[Any, ...], law: LawSnapshot) -> tuple[Line, ...]:
    """The six lines of the cotisations, in the order of `contributions.year.COTISATIONS`."""
    maladie_t, _, rb, _, _, af = traces
    figures = law.exact
    assert law.my_contribution_maladie_taux is not None and law.my_cotisation_maladie_taux is not None
    assert law.my_rb_taux is not None and law.my_af_taux is not None
    gross = maladie_t.contribution + maladie_t.cotisation
    maladie_line = Line(
        "maladie_maternite",
        base=euros(maladie_t.base_contribution),
        rate=law.my_contribution_maladie_taux,
        amount=euros(100 * maladie_t.amount),
        reference=REFERENCE_MALADIE,
        tranches=(
            tranche(
                "contribution maladie, maternité, invalidité, décès et autonomie",
                maladie_t.base_contribution,
                law.my_contribution_maladie_taux,
                figures.my_contribution_maladie_taux,
            ),
            tranche(
                "cotisation maladie-maternité et autonomie",
                maladie_t.base_cotisation,
                law.my_cotisation_maladie_taux,
                figures.my_cotisation_maladie_taux,
            ),
        ),
        gross=euros(100 * gross),
        exoneration=euros(100 * (gross - maladie_t.amount)),
        exoneration_label=EXEMPTED,
        exoneration_reference=EXEMPTED_REFERENCE,
    )
    af_gross = half_up(figures.my_af_taux * af.base, EURO)
    familiales = line(
        "allocations_familiales",
        base=af.base,
        rate=law.my_af_taux,
        amount=af.amount,
        gross=af_gross * EURO,
        tranches=(tranche("assiette (plafonnée, abattue)", af.base, law.my_af_taux, figures.my_af_taux),),
        reference=REFERENCE_AF,
    )
    return (
        maladie_line,
        _none("indemnites_journalieres"),
        _retraite(rb, law),
        _none("retraite_complementaire"),
        _none("invalidite_deces"),
        replace(familiales, exoneration_label=EXEMPTED, exoneration_reference=EXEMPTED_REFERENCE),
    )


def conjoint_lines(traces: tuple[Any, ...], law: LawSnapshot) -> tuple[Line, ...]:
    """The conjoint collaborateur's four lines (`CONJOINT`): its retraite de base, the three others not due."""
    _, rb, _, _ = traces
    return (
        _none("indemnites_journalieres"),
        _retraite(rb, law),
        _none("retraite_complementaire"),
        _none("invalidite_deces"),
    )


def _retraite(rb: RetraiteBase, law: LawSnapshot) -> Line:
    figures = law.exact
    assert law.my_rb_taux is not None
    gross = half_up(figures.my_rb_taux * rb.base, EURO)
    made = line(
        "retraite_base",
        base=rb.base,
        rate=law.my_rb_taux,
        amount=rb.amount,
        gross=gross * EURO,
        tranches=(tranche("dans la limite du plafond de Mayotte", rb.base, law.my_rb_taux, figures.my_rb_taux),),
        reference=REFERENCE_RETRAITE,
        minimum=rb.base if rb.floored else None,
    )
    return replace(made, exoneration_label=EXEMPTED, exoneration_reference=EXEMPTED_REFERENCE)


def _none(key: str) -> Line:
    zero = euros(0)
    return Line(key, base=zero, rate=zero, amount=zero, reference=REFERENCE_NONE, tranches=(), gross=zero)
