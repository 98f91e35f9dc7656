"""The indicative simulation of L613-3 al. 1: every contribution of one income year.

The rules are selected by the income year (parameter `regime.assiette`): up to 2024 the contributions are assessed
on the revenu professionnel and CSG-CRDS on that income plus the compulsory contributions; from 2025 on the single
base of L131-6 and L136-3 (revenu brut less 26 %).

The rules are those of `simulate_many` (`contributions.year`), evaluated on Python ints; the explanation of each
line (base, rate, tranches, minimum, ceiling, ACRE exemption) is derived from the integers they computed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from echeancier.contributions import (
    allocations_familiales,
    csg_crds,
    formation_professionnelle,
    indemnites_journalieres,
    invalidite_deces,
    maladie_maternite,
    mayotte,
    retraite_base,
    retraite_complementaire,
)
from echeancier.contributions.assiettes import assiette_forfaitaire, day_number, prorata
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import SCALAR, Bools, Ints, Ops
from echeancier.contributions.result import Line, Simulation, decimal
from echeancier.contributions.situation import Situation, situation_from_mapping
from echeancier.contributions.territory import MAYOTTE, OUTRE_MER, territory
from echeancier.contributions.territory import notes as territory_notes
from echeancier.contributions.year import LONG_AGO, Cotisations, cotisations, on_base, rows_of
from echeancier.kernel.money import ZERO
from echeancier.law.loader import Law
from echeancier.law.snapshot import Figures, LawSnapshot, mayotte_snapshot, snapshot, snapshot_of

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
    income, cents, deficit = counted_income(income)
    if deficit:
        notes = (*notes, DEFICIT)
    where = territory(situation.department)
    if where == MAYOTTE and not law.mayotte:
        # Ordonnance 96-1122: Mayotte has its own PASS, SMIC and cotisations, from income 2025 (before: the
        # metropolitan rules, note `regles_metropolitaines:976`).
        law = mayotte_snapshot(law) or law
    figures = law.exact
    start = day_number(situation.start_date, LONG_AGO)
    end = day_number(situation.end_date, figures.last_day)
    acre = situation.acre and situation.start_date is not None
    notes = (*notes, *territory_notes(situation.department, acre, law.mayotte))
    profession = _PROFESSIONS[situation.profession]
    year = of_year(SCALAR, figures, cents, start, end, acre, not situation.rsa, profession, where == OUTRE_MER)
    return simulation_of(situation, law, income, *year, notes, in_first_years(situation, law))


class Year(NamedTuple):
    """What the rules computed for one income year: the rows, the cotisations, the CSG-CRDS base, the CFP."""

    rows: Rows
    computed: Cotisations
    base_csg: Ints
    cfp: Ints
    abattement: Ints | None


def of_year(
    k: Ops,
    figures: Figures,
    cents: Ints,
    start: Ints,
    end: Ints,
    acre: Bools,
    minimums: Bools,
    profession: Ints,
    outre_mer: Bools,
) -> Year:
    """Every contribution of an income year for incomes in cents (≥ 0), on Python ints (`simulate`) or on the
    columns of many rows (`simulate --jsonl`): `contributions.year`, then the CSG-CRDS base and the CFP.
    `outre_mer` where the activity is in a collectivité of CSS L751-1 (`contributions.territory`)."""
    rows, abattement = rows_of(k, figures, cents, start, end, acre, minimums, outre_mer)
    computed = cotisations(k, rows)
    base_csg = rows.assiette if figures.apres_reforme else csg_crds.former_base(k, cents, 100 * computed.total)
    cfp = formation_professionnelle.rule(k, figures, profession)
    return Year(rows, computed, base_csg, cfp, abattement)


DEFICIT = "deficit_as_zero"


def counted_income(income: Decimal) -> tuple[Decimal, int, bool]:
    """(the income retained, the same in cents, whether it was a deficit) for a gross income in euros."""
    deficit = income < ZERO
    if deficit:
        # CSS L131-6, R613-1-2 VI: a deficit counts as a nil income.
        income = ZERO
    scaled = income * _CENT
    cents = int(scaled)
    if cents != scaled:
        # LAW (docs/law-choices.md, 50): an income is counted in whole cents, rounded half up.
        cents = int(scaled.to_integral_value(rounding=ROUND_HALF_UP))
        income = Decimal(cents) / _CENT
    return income, cents, deficit


def in_first_years(situation: Situation, law: LawSnapshot) -> bool:
    """Whether the flat-rate provisional contributions of the first two civil years of activity apply."""
    start = situation.start_date
    return start is not None and situation.year - start.year < law.forfait_duree_annees


def _forfait(situation: Situation, law: LawSnapshot, rows: Rows, cfp: int) -> Simulation:
    """Provisional contributions of the first two civil years of activity, on the flat-rate base (L131-6-2 al. 2,
    R613-5 III, R131-2-1, D131-1): 19 % of the prorated PASS, 40 % of the PASS for the indemnités journalières.
    CSG-CRDS is assessed on the flat-rate base itself. ACRE applies (the provisional amounts are net of it)."""
    figures = law.exact
    base = assiette_forfaitaire(rows.pass_proratise, figures)
    forfait_rows = on_base(SCALAR, rows, base, figures.forfait_assiette_ij)
    computed = cotisations(SCALAR, forfait_rows)
    euros = decimal(base, 100)
    return simulation_of(situation, law, euros, forfait_rows, computed, base, cfp, None, ("forfait_debut_activite",))


def _made(line: Line) -> Line:
    """A line already explained (Mayotte's lines are made together, `contributions.mayotte.lines`)."""
    return line


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
        return tuple(make() for make in self.line_makers())

    def line_makers(self) -> tuple[Callable[[], Line], ...]:
        """One function per line, in the order of CONTRIBUTIONS (`simulate --jsonl` explains each line apart)."""
        law, assiette = self.law, self.rows.assiette
        if law.mayotte:
            return (
                *(partial(_made, line) for line in mayotte.lines(self.traces, law)),
                partial(csg_crds.explain, self.csg, law),
                partial(formation_professionnelle.explain, self.cfp, self.situation.profession, law),
            )
        maladie, ij, rb, rci, id_, af = self.traces
        return (
            partial(maladie_maternite.explain, maladie, law, assiette, self.rows.outre_mer),
            partial(indemnites_journalieres.explain, ij, law),
            partial(retraite_base.explain, rb, law),
            partial(retraite_complementaire.explain, rci, law),
            partial(invalidite_deces.explain, id_, law),
            partial(allocations_familiales.explain, af, law, assiette, self.rows.outre_mer),
            partial(csg_crds.explain, self.csg, law),
            partial(formation_professionnelle.explain, self.cfp, self.situation.profession, law),
        )

    def forfait(self) -> Simulation | None:
        return _forfait(self.situation, self.law, self.rows, self.cfp) if self.first_years else None

    def rights(self) -> Rights:
        from echeancier.rights import of_traces

        return of_traces(self.situation, self.law, self.rows, self.traces)


def simulation_of(
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
        assiette_sociale=decimal(rows.assiette, 100),
        assiette_csg=decimal(base_csg, 100),
        abattement=None if abattement is None else decimal(abattement),
        pass_annuel=law.pass_annuel,
        pass_proratise=decimal(rows.pass_proratise),
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
    return decimal(rows.acre.num, rows.acre.den)
