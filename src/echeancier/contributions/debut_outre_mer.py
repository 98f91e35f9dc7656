"""The exemptions of the collectivités of CSS L751-1: the start-of-activity exemption (CSS L756-2, D756-4 I 1° and
II) and the régime de croisière abattement (CSS L756-4, D756-4 I 2°, 3° and II).

Start of activity. For 24 months from the creation of the activity (`outre_mer.exoneration_debut_activite_duree_mois`),
the cotisations and contributions de sécurité sociale are not due, except the retraite complémentaire (L635-1); the
CFP, which is not a contribution de sécurité sociale, stays due (URSSAF, "Cotisations en début d'activité",
outre-mer). D756-4 sets the amount, the income R being compared with the PASS:

- R below 150 % of the PASS: 100 % of the exempted contributions, within the amounts due for an income of 110 % of
  the PASS (I 1°) — nothing of them is due below 110 %, the amounts at 110 % are exempted between 110 % and 150 %;
- R between 150 % and 250 % of the PASS: E / PSS × (2,5 PSS − R), E being the exemption at 150 % of the PASS, i.e.
  the amounts at 110 % (II); nil from 250 %.

Régime de croisière. After the 24 months (L756-4: "sont calculées", no request), the contributions other than the
retraite complémentaire (L635-1), the invalidité-décès cotisation (L632-1) and the CFP are reduced, on the part of
the income below the PASS, by an abattement of 75 % in the third civil year of activity (2°, D756-4 I 2°) and 50 %
from the fourth (1°, D756-4 I 3°), whole below 150 % of the PASS and decreasing to nil at 250 % (D756-4 II). Read
tranche by tranche (docs/overseas-exemptions.md, 3), that is D756-4's "x % of the contributions within the amounts
due for an income equal to the PASS".

Per contribution, with s the share of the year's days of activity inside the 24 months (0 without the
start-of-activity exemption), f(R) = 1 up to 150 %, (250 % PASS − R) / PASS up to 250 %, 0 beyond:

    exemption = amount(min(R, 110 % PASS)) × f(R) × s + amount(min(R, PASS)) × rate × f(R) × (1 − s)

rounded half up to the euro, never more than the amount due (each term nil for the contributions it leaves due).

LAW (docs/law-choices.md, 321–324 for the start, 330–339 for the abattement): the start exemption is asked for by the
contributor (`exoneration_debut_outre_mer`: whether the activity is a *début d'activité*, R131-3, is a fact the
situation does not otherwise hold); the abattement applies to every situation in a collectivité of L751-1
(`abattement_outre_mer`, true by default; false gives URSSAF's simulator's amounts, which do not compute it), except
with the invalidity or age exemptions it does not cumulate with (L756-4 last paragraph); its rate is 75 % only in the
third civil year of an activity that had the start exemption (the year that exemption ends), 50 % otherwise; R is
the income retained (before the 26 % abattement from 2025) "rapporté à l'année entière", i.e. compared with the
prorated PASS, and the amounts at 110 % / at the PASS are those the same rules compute for that income (minimums,
maladie's rate and the CSG-CRDS base included); a civil year partly inside the 24 months is shared by its days of
activity; the conjoint collaborateur's contributions and the rights are those before both.

One text for every path: `engine.compute` applies it (so `simulate`, the income given net and the échéancier, which
simulate); `simulate_many` computes the rows with the start exemption with the scalar engine
(`vectorized.SCALAR_FIELDS`) and the abattement alone with the same formula on arrays (`vectorized._abattement`,
proven equal), which the campaign's arrays use too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from echeancier.contributions.result import CONTRIBUTIONS, Line, Simulation
from echeancier.kernel.dates import add_months

if TYPE_CHECKING:
    from echeancier.contributions.result import Explanation
    from echeancier.contributions.situation import Situation
    from echeancier.law.snapshot import LawSnapshot
    from echeancier.rights import Rights

LABEL = "exonération de début d'activité outre-mer"
REFERENCE = "CSS L756-2, D756-4"
NOTE = "exoneration_debut_activite_outre_mer"
# Still due during the 24 months: the retraite complémentaire (L635-1, excluded by L756-2) and the CFP.
NOT_EXEMPTED = frozenset({"retraite_complementaire", "formation_professionnelle"})
CROISIERE_LABEL = "abattement outre-mer (régime de croisière)"
CROISIERE_REFERENCE = "CSS L756-4, D756-4"
CROISIERE_NOTE = "abattement_outre_mer"
BOTH_LABEL = "exonération de début d'activité et abattement outre-mer"
BOTH_REFERENCE = "CSS L756-2, L756-4, D756-4"
# LAW (docs/law-choices.md, 332): not abated after the 24 months: the cotisations of L632-1 (invalidité-décès) and
# L635-1 (retraite complémentaire), which L756-4 excludes, and the CFP (not a contribution de sécurité sociale).
NOT_ABATED = frozenset({"retraite_complementaire", "invalidite_deces", "formation_professionnelle"})


def window_share(situation: Situation, law: LawSnapshot) -> Fraction:
    """The share of the income year's days of activity that fall inside the 24 months from the creation."""
    assert situation.start_date is not None
    first, last = date(situation.year, 1, 1), date(situation.year, 12, 31)
    begin = max(situation.start_date, first)
    end = min(situation.end_date or last, last)
    if end < begin:
        return Fraction(0)
    window_end = add_months(situation.start_date, law.om_debut_duree_mois) - timedelta(days=1)
    inside = (min(end, window_end) - begin).days + 1
    return Fraction(max(inside, 0), (end - begin).days + 1)


def covers_years(start: date, years: set[int], months: int) -> bool:
    """Whether every income year of `years` lies wholly inside the `months` from `start`."""
    window_end = add_months(start, months) - timedelta(days=1)
    return bool(years) and all(date(year, 12, 31) <= window_end for year in years)


def abated(situation: Situation) -> bool:
    """Whether the régime de croisière abattement of L756-4 is computed for the situation (a collectivité of L751-1
    is the caller's to check): asked for by default, not with the exemptions it does not cumulate with.

    LAW (docs/law-choices.md, 330, 336): L756-4 "sont calculées" — no request; `abattement_outre_mer=False` gives
    the amounts of URSSAF's simulator, which does not compute it; L756-4 excludes any other exemption but L756-5 II
    and L756-2, so with the invalidity or age exemptions the situation asks for it is not computed (its note stays).
    """
    return situation.abattement_outre_mer and not situation.pension_invalidite_mois and not situation.exoneration_age


def croisiere_rate(situation: Situation, law: LawSnapshot) -> Decimal:
    """75 % in the third civil year of an activity that had the start exemption, 50 % otherwise (L756-4 1°, 2°).

    LAW (docs/law-choices.md, 333): the third civil year counts from `start_date`, the creation the start exemption
    runs from; an activity without it is not a *début d'activité* (R131-3: a transfer, a resumption) whose years
    the situation would count, so its rate is that of the fourth year and later."""
    start = situation.start_date
    if situation.exoneration_debut_outre_mer and start is not None and situation.year - start.year == 2:
        return law.om_croisiere_taux_troisieme_annee
    return law.om_croisiere_taux


def degressive(law: LawSnapshot, income: Decimal, pass_: Decimal, croisiere: bool = False) -> Fraction:
    """f(R) of D756-4: 1 up to 150 % of the PASS, (250 % PASS − R) / PASS up to 250 %, 0 beyond (the thresholds
    of the start exemption, or of the abattement with `croisiere`)."""
    low = law.om_croisiere_seuil_degressivite if croisiere else law.om_debut_seuil_degressivite
    high = law.om_croisiere_seuil_sortie if croisiere else law.om_debut_seuil_sortie
    if pass_ <= 0 or income <= low * pass_:
        return Fraction(1)
    if income >= high * pass_:
        return Fraction(0)
    return Fraction(high * pass_ - income) / Fraction(pass_)


def cap(law: LawSnapshot, pass_: Decimal) -> Decimal:
    """The income for which the exempted amounts are computed at most: 110 % of the (prorated) PASS."""
    return law.om_debut_seuil_totale * pass_


@dataclass(frozen=True, slots=True)
class Factors:
    """The two exemptions of one income year: the start exemption's share of the year and f(R), applied to the
    amounts at 110 % of the PASS; the abattement's rate × (1 − share) and f(R), applied to the amounts at the PASS."""

    debut_share: Fraction
    debut_f: Fraction
    croisiere_share: Fraction
    croisiere_f: Fraction

    @property
    def debut(self) -> Fraction:
        return self.debut_share * self.debut_f

    @property
    def croisiere(self) -> Fraction:
        return self.croisiere_share * self.croisiere_f


def factors(situation: Situation, law: LawSnapshot, income: Decimal, pass_: Decimal) -> tuple[Fraction, Factors]:
    """The share of the year inside the 24 months and the factors of the two exemptions for `income`."""
    share = window_share(situation, law) if situation.exoneration_debut_outre_mer else Fraction(0)
    croisiere = Fraction(0)
    if share < 1 and abated(situation):
        croisiere = Fraction(croisiere_rate(situation, law)) * (1 - share)
    return share, Factors(
        share, degressive(law, income, pass_), croisiere, degressive(law, income, pass_, croisiere=True)
    )


def apply(
    situation: Situation,
    law: LawSnapshot,
    simulation: Simulation,
    capped: Callable[[Decimal], Simulation],
) -> Simulation:
    """`simulation` less the exemptions; `capped(income)` simulates the same situation, without them, for another
    income (the amounts due at 110 % of the PASS, at the PASS)."""
    pass_ = simulation.pass_proratise
    share, factor = factors(situation, law, simulation.income, pass_)
    if not share and not abated(situation):
        return simulation  # neither applies to this year: the result (and its note) as computed
    amounts = simulation.amounts

    def at(limit: Decimal) -> tuple[int, ...]:
        return capped(limit).amounts if simulation.income > limit else amounts

    at_cap = at(cap(law, pass_)) if factor.debut else amounts
    at_pass = at(law.om_croisiere_limite * pass_) if factor.croisiere else amounts
    exempted, labels = exemptions(amounts, at_cap, at_pass, factor)
    notes = simulation.notes
    computed = share == 1 or abated(situation)
    if computed:
        # Every day of the year has its exemption computed: nothing of L756-2 / L756-4 is left out.
        notes = tuple(note for note in notes if not note.startswith("exonerations_outre_mer_non_appliquees"))
    added = ((NOTE,) if share else ()) + ((CROISIERE_NOTE,) if share < 1 and abated(situation) else ())
    return reduced(simulation, exempted, labels, (*notes, *added), share, factor)


def exemptions(
    amounts: tuple[int, ...], at_cap: tuple[int, ...], at_pass: tuple[int, ...], factor: Factors
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The exemption of each contribution (whole euros): its amount at 110 % of the PASS times the start factor
    plus its amount at the PASS times the abattement's, rounded half up, never more than its amount; each term nil
    for the contributions it leaves due. Also which exemptions each line has (1: start, 2: abattement, 3: both)."""
    out: list[int] = []
    which: list[int] = []
    for key, amount, capped, limited in zip(CONTRIBUTIONS, amounts, at_cap, at_pass, strict=True):
        debut = Fraction(0) if key in NOT_EXEMPTED else capped * factor.debut
        croisiere = Fraction(0) if key in NOT_ABATED else limited * factor.croisiere
        off = min(amount, _half_up(debut + croisiere))
        out.append(off)
        which.append((1 if debut else 0) + (2 if croisiere else 0) if off else 0)
    return tuple(out), tuple(which)


def reduced(
    simulation: Simulation,
    exempted: tuple[int, ...],
    labels: tuple[int, ...],
    notes: tuple[str, ...],
    share: Fraction,
    factor: Factors,
) -> Simulation:
    amounts = tuple(amount - off for amount, off in zip(simulation.amounts, exempted, strict=True))
    explanation = Exempted(simulation.explanation, exempted, labels, share, factor, simulation.situation, notes)
    return replace(simulation, amounts=amounts, explanation=explanation, notes=notes)


def _half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


@dataclass(frozen=True, slots=True)
class Exempted:
    """The explanation of a simulation with the exemptions: each exempted line says its amount before them, the
    amount exempted and the articles; the flat-rate provisional contributions of the first years get the same
    shares."""

    inner: Explanation
    exempted: tuple[int, ...]
    which: tuple[int, ...]
    share: Fraction
    factor: Factors
    situation: Situation
    notes: tuple[str, ...]

    def lines(self) -> tuple[Line, ...]:
        return tuple(
            _line(line, off, which)
            for line, off, which in zip(self.inner.lines(), self.exempted, self.which, strict=True)
        )

    def conjoint_lines(self) -> tuple[Line, ...]:
        return self.inner.conjoint_lines()

    def section_lines(self) -> tuple[Line, ...]:
        # A section is refused overseas (docs/law-choices.md, 263): nothing of a section's is exempted here.
        return self.inner.section_lines()

    def forfait(self) -> Simulation | None:
        provisional = self.inner.forfait()
        if provisional is None:
            return None
        # The flat-rate bases (19 % of the PASS, 40 % for the IJ) are below the PASS: their own amounts are the
        # limits, and f = 1.
        own = provisional.amounts
        factor = replace(self.factor, debut_f=Fraction(1), croisiere_f=Fraction(1))
        off, which = exemptions(own, own, own, factor)
        notes = (*provisional.notes, *(note for note in self.notes if note in (NOTE, CROISIERE_NOTE)))
        return reduced(provisional, off, which, notes, self.share, factor)

    def rights(self) -> Rights:
        return self.inner.rights()


_WHICH = {1: (LABEL, REFERENCE), 2: (CROISIERE_LABEL, CROISIERE_REFERENCE), 3: (BOTH_LABEL, BOTH_REFERENCE)}


def _line(line: Line, off: int, which: int) -> Line:
    if not off:
        return line
    label, reference = _WHICH[which]
    return replace(
        line,
        amount=line.amount - off,
        gross=line.amount,
        exoneration=Decimal(off),
        exoneration_label=label,
        exoneration_reference=reference,
        reference=f"{line.reference}; {reference}",
    )


__all__ = [
    "CROISIERE_LABEL",
    "CROISIERE_NOTE",
    "CROISIERE_REFERENCE",
    "LABEL",
    "NOTE",
    "REFERENCE",
    "abated",
    "apply",
    "covers_years",
    "croisiere_rate",
    "degressive",
    "exemptions",
    "window_share",
]
