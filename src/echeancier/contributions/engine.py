"""The indicative simulation of L613-3 al. 1: every contribution of one income year.

The rules are selected by the income year (parameter `regime.assiette`): up to 2024 the contributions are assessed
on the revenu professionnel and CSG-CRDS on that income plus the compulsory contributions; from 2025 on the single
base of L131-6 and L136-3 (revenu brut less 26 %).

The rules are those of `simulate_many` (`contributions.year`), evaluated on Python ints; the explanation of each
line (base, rate, tranches, minimum, ceiling, ACRE exemption) is derived from the integers they computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from echeancier.contributions import (
    allocations_familiales,
    csg_crds,
    formation_professionnelle,
    indemnites_journalieres,
    invalidite_deces,
    maladie_maternite,
    retraite_base,
    retraite_complementaire,
)
from echeancier.contributions.assiettes import assiette_forfaitaire, day_number, prorata
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.result import Line, Simulation
from echeancier.contributions.situation import Situation, situation_from_mapping
from echeancier.contributions.year import Cotisations, cotisations, on_base, rows_of
from echeancier.kernel.money import ZERO
from echeancier.law.loader import Law
from echeancier.law.snapshot import LawSnapshot, snapshot, snapshot_of

if TYPE_CHECKING:
    from echeancier.rights import Rights

_CENT = Decimal(100)
_PROFESSIONS = {p: code for code, p in enumerate(formation_professionnelle.PROFESSIONS)}


def simulate(situation: Situation | Mapping[str, Any], law: LawSnapshot | Law | None = None) -> Simulation:
    """Every contribution owed for `situation` (a Situation or a mapping of its fields).

    `law`: the snapshot of the income year, or a `Law` (the parameters, e.g. overridden by an organism) from which
    the snapshot of the situation's year is taken; by default the law shipped with the package.
    Raises `InputError` (naming the field) for input that cannot be simulated.
    """
    if not isinstance(situation, Situation):
        situation = situation_from_mapping(situation)
    if law is None:
        law = snapshot(situation.year)
    elif isinstance(law, Law):
        law = snapshot_of(law, situation.year)
    if situation.income_is_net:
        from echeancier.contributions.net import simulate_from_net

        return simulate_from_net(situation, law)
    return compute(situation, law, situation.income)


def compute(situation: Situation, law: LawSnapshot, income: Decimal, notes: tuple[str, ...] = ()) -> Simulation:
    """The contributions for a given gross income (the situation's own income field is not read)."""
    if income < ZERO:
        # CSS L131-6, R613-1-2 VI: a deficit counts as a nil income.
        notes = (*notes, "deficit_as_zero")
        income = ZERO
    scaled = income * _CENT
    cents = int(scaled)
    if cents != scaled:
        # LAW (docs/law-choices.md, 50): an income is counted in whole cents, rounded half up.
        cents = int(scaled.to_integral_value(rounding=ROUND_HALF_UP))
        income = Decimal(cents) / _CENT
    figures = law.exact
    start = day_number(situation.start_date, figures.first_day)
    end = day_number(situation.end_date, figures.last_day)
    acre = situation.acre and situation.start_date is not None
    rows, abattement = rows_of(SCALAR, figures, cents, start, end, acre, not situation.rsa)
    profession = _PROFESSIONS[situation.profession]
    computed = cotisations(SCALAR, rows)
    # L136-3 (former wording): up to 2024 the CSG-CRDS base is the revenu professionnel plus the cotisations.
    base_csg = rows.assiette if figures.apres_reforme else cents + 100 * computed.total
    cfp = formation_professionnelle.rule(SCALAR, figures, profession)
    first_years = (
        situation.start_date is not None and situation.year - situation.start_date.year < law.forfait_duree_annees
    )
    return _simulation(situation, law, income, rows, computed, base_csg, cfp, abattement, notes, first_years)


def _forfait(situation: Situation, law: LawSnapshot, rows: Rows, cfp: int) -> Simulation:
    """Provisional contributions of the first two civil years of activity, on the flat-rate base (L131-6-2 al. 2,
    R613-5 III, R131-2-1, D131-1): 19 % of the prorated PASS, 40 % of the PASS for the indemnités journalières.
    CSG-CRDS is assessed on the flat-rate base itself. ACRE applies (the provisional amounts are net of it)."""
    figures = law.exact
    base = assiette_forfaitaire(rows.pass_proratise, figures)
    forfait_rows = on_base(SCALAR, rows, base, figures.forfait_assiette_ij)
    computed = cotisations(SCALAR, forfait_rows)
    euros = Decimal(base) / _CENT
    return _simulation(situation, law, euros, forfait_rows, computed, base, cfp, None, ("forfait_debut_activite",))


@dataclass(frozen=True, slots=True)
class _Explanation:
    """The values the rules computed for one situation, from which its lines are explained when asked for."""

    situation: Situation
    law: LawSnapshot
    rows: Rows
    traces: tuple[Any, ...]
    csg: csg_crds.CsgCrds
    cfp: int
    first_years: bool  # the flat-rate provisional contributions of the first two years apply

    def lines(self) -> tuple[Line, ...]:
        law, assiette = self.law, self.rows.assiette
        maladie, ij, rb, rci, id_, af = self.traces
        return (
            maladie_maternite.explain(maladie, law, assiette),
            indemnites_journalieres.explain(ij, law),
            retraite_base.explain(rb, law),
            retraite_complementaire.explain(rci, law),
            invalidite_deces.explain(id_, law),
            allocations_familiales.explain(af, law, assiette),
            csg_crds.explain(self.csg, law),
            formation_professionnelle.explain(self.cfp, self.situation.profession, law),
        )

    def forfait(self) -> Simulation | None:
        return _forfait(self.situation, self.law, self.rows, self.cfp) if self.first_years else None

    def rights(self) -> Rights:
        from echeancier.rights import of_traces

        return of_traces(self.situation, self.law, self.rows, self.traces)


def _simulation(
    situation: Situation,
    law: LawSnapshot,
    income: Decimal,
    rows: Rows,
    computed: Cotisations,
    base_csg: int,
    cfp: int,
    abattement: int | None,
    notes: tuple[str, ...],
    first_years: bool = False,
) -> Simulation:
    csg = csg_crds.rule(law.exact, base_csg)
    return Simulation(
        situation=situation,
        year=situation.year,
        regime=law.regime,
        income=income,
        assiette_sociale=Decimal(rows.assiette) / _CENT,
        assiette_csg=Decimal(base_csg) / _CENT,
        abattement=None if abattement is None else Decimal(abattement),
        pass_annuel=law.pass_annuel,
        pass_proratise=Decimal(rows.pass_proratise),
        jours_activite=rows.days,
        prorata=prorata(rows.days, rows.partial, law.jours_prorata),
        amounts=(*(trace.amount for trace in computed.traces), csg.amount, cfp),
        explanation=_Explanation(situation, law, rows, computed.traces, csg, cfp, first_years),
        acre_fraction=_acre_fraction(rows),
        notes=notes,
    )


def _acre_fraction(rows: Rows) -> Decimal:
    """The share of the year covered by ACRE, for display (the computation keeps the exact ratio)."""
    if rows.acre is None:
        return ZERO
    return Decimal(rows.acre.num) / Decimal(rows.acre.den)
