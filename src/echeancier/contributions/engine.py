"""The indicative simulation of L613-3 al. 1: every contribution of one income year.

The rules are selected by the income year (parameter `regime.assiette`): up to 2024 the contributions are assessed
on the revenu professionnel and CSG-CRDS on that income plus the compulsory contributions; from 2025 on the single
base of L131-6 and L136-3 (revenu brut less 26 %).

The rules are those of `simulate_many` (`contributions.year`), evaluated on Python ints; the explanation of each
line (base, rate, tranches, minimum, ceiling, ACRE exemption) is derived from the integers they computed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from echeancier.contributions import (
    allocations_familiales,
    conjoint_collaborateur,
    csg_crds,
    debut_outre_mer,
    exonerations,
    formation_professionnelle,
    indemnites_journalieres,
    invalidite_deces,
    maladie_maternite,
    mayotte,
    pamc,
    professions_liberales,
    retraite_base,
    retraite_complementaire,
)
from echeancier.contributions.assiettes import day_number, income_cents, prorata
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import EURO, SCALAR, Bools, Ints, Ops, half_up
from echeancier.contributions.result import CONTRIBUTIONS, Line, Simulation, decimal
from echeancier.contributions.situation import Situation, situation_from_mapping
from echeancier.contributions.territory import MAYOTTE, OUTRE_MER, territory
from echeancier.contributions.territory import notes as territory_notes
from echeancier.contributions.year import LONG_AGO, Cotisations, forfait, rows_of, with_conjoint
from echeancier.kernel.money import ZERO
from echeancier.law.loader import Law
from echeancier.law.snapshot import Figures, LawSnapshot, mayotte_snapshot, section_snapshot, snapshot, snapshot_of

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
        situation = situation_from_mapping(situation, law=law if isinstance(law, Law) else None)
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
    if situation.section is not None:
        # A profession libérale réglementée: the rules and figures of its section (`professions_liberales`), for a
        # health section those of its variant (the médecin's secteur, the CARCDSF's métier: `pamc.variant`).
        code = pamc.variant(situation.section.value, situation.secteur, situation.metier, situation.classe_cnbf)
        if law.section != code:
            law = section_snapshot(law, code)
    figures = law.exact
    start = day_number(situation.start_date, LONG_AGO)
    if situation.acre and start < figures.first_day and figures.acre_maximum_anterieur != figures.acre_maximum:
        # LAW (docs/law-choices.md, 280): an ACRE of an activity started before the year may have its own maximum
        # share (`acre.exoneration_maximale_creation_anterieure`).
        law = dataclasses.replace(law, acre_exoneration_maximale=law.acre_exoneration_maximale_anterieure)
        figures = law.exact
    end = day_number(situation.end_date, figures.last_day)
    acre = situation.acre and situation.start_date is not None
    notes = (*notes, *territory_notes(situation.department, acre, law.mayotte))
    profession = _PROFESSIONS[situation.profession]
    option = situation.conjoint_collaborateur
    conjoint = None if option is None else conjoint_collaborateur.code(option)
    year = of_year(
        SCALAR,
        figures,
        cents,
        start,
        end,
        acre,
        not situation.rsa,
        profession,
        where == OUTRE_MER,
        conjoint=conjoint,
        invalidite=situation.pension_invalidite_mois or None,
        age=situation.exoneration_age or None,
        remplacant=situation.remplacant,
    )
    first_years = in_first_years(situation, law)
    rows, computed, base_csg, cfp, abattement, cc, extras = year
    result = simulation_of(
        situation, law, income, rows, computed, base_csg, cfp, abattement, notes, first_years, cc, extras=extras
    )
    if where == OUTRE_MER and (situation.exoneration_debut_outre_mer or debut_outre_mer.abated(situation)):
        # CSS L756-2, L756-4, D756-4: the start-of-activity exemption and the régime de croisière abattement of the
        # collectivités of L751-1, limited to the amounts due for an income of 110 % of the PASS / of the PASS, which
        # the same rules compute (`contributions.debut_outre_mer`).
        off = {"exoneration_debut_outre_mer": False, "abattement_outre_mer": False}
        without = situation.model_copy(update=off)
        result = debut_outre_mer.apply(situation, law, result, partial(compute, without, law, notes=notes))
    return result


class Year(NamedTuple):
    """What the rules computed for one income year: the rows, the cotisations, the CSG-CRDS base, the CFP."""

    rows: Rows
    computed: Cotisations
    base_csg: Ints
    cfp: Ints
    abattement: Ints | None
    conjoint: conjoint_collaborateur.Conjoint | None = None  # the conjoint collaborateur's contributions
    extras: pamc.Extras | None = None  # a health section's PCV, contribution additionnelle and CURPS


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
    *,
    conjoint: Ints | None = None,
    invalidite: Ints | None = None,
    age: Bools | None = None,
    remplacant: bool = False,
) -> Year:
    """Every contribution of an income year for incomes in cents (≥ 0), on Python ints (`simulate`) or on the
    columns of many rows (`simulate --jsonl`): `contributions.year`, then the CSG-CRDS base and the CFP.
    `outre_mer` where the activity is in a collectivité of CSS L751-1 (`contributions.territory`); `conjoint` the
    option code of a conjoint collaborateur (`conjoint_collaborateur.OPTIONS`, 0: none; None: none on any row);
    `invalidite` and `age` the exemptions of `contributions.exonerations`, where given."""
    rows, abattement = rows_of(k, figures, cents, start, end, acre, minimums, outre_mer, invalidite, age)
    computed, cc = with_conjoint(k, rows, conjoint)
    total = computed.total if cc is None else computed.total + cc.amount
    extras = None if figures.pamc is None or not figures.pamc.conventionne else pamc.extras(k, rows)
    if extras is not None:
        total = total + extras.pcv  # the PCV is a cotisation (CSS L645-2); the two contributions are not
    # L136-3 (former wording): up to 2024 the CSG-CRDS base is the revenu professionnel plus the cotisations (the
    # conjoint collaborateur's included: the head pays them out of the same income).
    base_csg = rows.assiette if figures.apres_reforme else csg_crds.former_base(k, cents, 100 * total)
    cfp = formation_professionnelle.rule(k, figures, profession, None if conjoint is None else conjoint > 0)
    if extras is not None:
        csg = csg_crds.rule(figures, base_csg)
        before = total + csg.amount + cfp + extras.cma  # every contribution but the CURPS
        extras = pamc.curps_due(k, rows, extras, cents, before, half_up(csg.other, EURO))
        if remplacant:
            # CSP L4031-4: a praticien practising only as a remplaçant at 1 January owes no CURPS.
            extras = extras._replace(curps=0)
    return Year(rows, computed, base_csg, cfp, abattement, cc, extras)


DEFICIT = "deficit_as_zero"


def counted_income(income: Decimal) -> tuple[Decimal, int, bool]:
    """(the income retained, the same in cents, whether it was a deficit) for a gross income in euros."""
    deficit = income < ZERO
    if deficit:
        # CSS L131-6, R613-1-2 VI: a deficit counts as a nil income.
        income = ZERO
    cents = income_cents(income)  # LAW (docs/law-choices.md, 50): in whole cents, rounded half up
    if cents != income * _CENT:
        income = Decimal(cents) / _CENT
    return income, cents, deficit


def in_first_years(situation: Situation, law: LawSnapshot) -> bool:
    """Whether the flat-rate provisional contributions of the first two civil years of activity apply."""
    start = situation.start_date
    return start is not None and situation.year - start.year < law.forfait_duree_annees


def _forfait(situation: Situation, law: LawSnapshot, rows: Rows, cfp: int, k: Ops = SCALAR) -> Simulation:
    """Provisional contributions of the first two civil years of activity, on the flat-rate base (L131-6-2 al. 2,
    R613-5 III, R131-2-1, D131-1): 19 % of the prorated PASS, 40 % of the PASS for the indemnités journalières.
    CSG-CRDS is assessed on the flat-rate base itself. ACRE applies (the provisional amounts are net of it)."""
    option = situation.conjoint_collaborateur
    forfait_rows, computed, base, cc = forfait(k, rows, None if option is None else conjoint_collaborateur.code(option))
    euros = decimal(base, 100)
    notes = ("forfait_debut_activite",)
    return simulation_of(situation, law, euros, forfait_rows, computed, base, cfp, None, notes, False, cc)


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
    conjoint: conjoint_collaborateur.Conjoint | None = None
    ops: Ops = SCALAR  # what the flat-rate block and the rights compute with (`traced.TRACED` for `--jsonl`)
    extras: pamc.Extras | None = None  # a health section's PCV, contribution additionnelle and CURPS

    def lines(self) -> tuple[Line, ...]:
        return tuple(make() for make in self.line_makers())

    def line_makers(self) -> tuple[Callable[[], Line], ...]:
        """One function per line, in the order of CONTRIBUTIONS (`simulate --jsonl` explains each line apart)."""
        law, assiette = self.law, self.rows.assiette
        if law.section is not None:
            return tuple(partial(_made, line) for line in self._section_lines())
        if law.mayotte:
            return (
                *(partial(_made, line) for line in mayotte.lines(self.traces, law)),
                partial(csg_crds.explain, self.csg, law),
                partial(
                    formation_professionnelle.explain,
                    self.cfp,
                    self.situation.profession,
                    law,
                    self.conjoint is not None,
                ),
            )
        maladie, ij, rb, rci, id_, af = self.traces
        makers = (
            partial(maladie_maternite.explain, maladie, law, assiette, self.rows.outre_mer),
            partial(indemnites_journalieres.explain, ij, law),
            partial(retraite_base.explain, rb, law),
            partial(retraite_complementaire.explain, rci, law),
            partial(invalidite_deces.explain, id_, law),
            partial(allocations_familiales.explain, af, law, assiette, self.rows.outre_mer),
            partial(csg_crds.explain, self.csg, law),
            partial(
                formation_professionnelle.explain, self.cfp, self.situation.profession, law, self.conjoint is not None
            ),
        )
        if self.rows.invalidite is None and self.rows.age is None:
            return makers
        # One situation with an exemption of `contributions.exonerations`: its lines say it (the RCI line's gross is
        # its amount, so the amount before the exemption is given).
        before = {"retraite_complementaire": half_up(rci.gross, EURO * rci.scale)}
        return exonerations.explained(
            makers, CONTRIBUTIONS, before, self.rows.invalidite is not None, self.rows.age is not None
        )

    def conjoint_lines(self) -> tuple[Line, ...]:
        return () if self.conjoint is None else conjoint_collaborateur.lines(self.conjoint, self.law)

    def section_lines(self) -> tuple[Line, ...]:
        if self.extras is None or self.law.section is None:
            return ()
        who = professions_liberales.COLLECTED_BY_EXTRAS[pamc.section_name(self.law.section)]
        return pamc.extra_lines(self.extras, self.law, who)

    def _section_lines(self) -> tuple[Line, ...]:
        """The lines of a profession libérale réglementée, each with the body that collects it."""
        law, assiette = self.law, self.rows.assiette
        maladie, ij, rb, rc, id_, af = self.traces
        own = professions_liberales.EXPLAIN[law.exact.section]
        health = law.exact.pamc is not None
        lines = (
            pamc.explain_maladie(maladie, law, assiette)
            if health
            else maladie_maternite.explain(maladie, law, assiette),
            professions_liberales.explain_non_due(ij, law)
            if isinstance(ij, professions_liberales.NonDue)
            else indemnites_journalieres.explain(ij, law),
            own[0](rb, law, assiette),
            own[1](rc, law, assiette),
            own[2](id_, law, assiette),
            pamc.explain_allocations(af, law, assiette)
            if health
            else allocations_familiales.explain(af, law, assiette),
            csg_crds.explain(self.csg, law),
            formation_professionnelle.explain(self.cfp, self.situation.profession, law, self.conjoint is not None),
        )
        assert law.section is not None
        return professions_liberales.collected(lines, law.section)

    def forfait(self) -> Simulation | None:
        return _forfait(self.situation, self.law, self.rows, self.cfp, self.ops) if self.first_years else None

    def rights(self) -> Rights:
        from echeancier.rights import of_traces

        section = None if self.law.section is None else pamc.section_name(self.law.section)
        if self.law.mayotte or section not in (None, "cipav", "cavec"):
            # LAW (docs/law-choices.md, 187, 344): the rights of Mayotte's régime, of the CNBF and of the health
            # sections (whose retraite de base the CPAM's participation reduces) are not computed.
            from echeancier.rights.result import not_computed

            return not_computed(self.situation.year, None if self.law.mayotte else section)

        return of_traces(self.situation, self.law, self.rows, self.traces, self.ops, self.conjoint)


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
    conjoint: conjoint_collaborateur.Conjoint | None = None,
    *,
    extras: pamc.Extras | None = None,
) -> Simulation:
    csg = csg_crds.rule(law.exact, base_csg)
    extra: dict[str, Any] = {}
    if extras is not None:
        extra["section_amounts"] = tuple(int(a) for a in extras.amounts)
    if conjoint is not None:
        extra = {
            "conjoint_amounts": tuple(trace.amount for trace in conjoint.traces),
            "conjoint_assiette": decimal(conjoint.base, 100),
        }
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
        explanation=_Explanation(situation, law, rows, computed.traces, csg, cfp, first_years, conjoint, extras=extras),
        acre_fraction=_acre_fraction(rows),
        notes=notes,
        **extra,
    )


def _acre_fraction(rows: Rows) -> Decimal:
    """The share of the year covered by ACRE, for display (the computation keeps the exact ratio)."""
    if rows.acre is None:
        return ZERO
    return decimal(rows.acre.num, rows.acre.den)
