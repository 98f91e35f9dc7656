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

One text for every path: the rules (`limit`, `degressive`, `factors`, `exemptions`) are written once over integers
with the helpers of `contributions.exact` — incomes and the prorated PASS in cents, amounts in whole euros, every
factor an exact fraction (`Ratio`), one `half_up` per contribution. `engine.compute` evaluates them on Python ints
(`apply`: so `simulate`, the income given net and the échéancier, which simulate) and explains each line from the
terms they computed; `simulate_many` evaluates the same functions on int64 arrays for the abattement alone
(`vectorized._abattement`, which the campaign's arrays use too) and gives the rows with the start exemption to the
scalar engine (`vectorized.SCALAR_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple, Protocol

from echeancier.contributions.exact import SCALAR, Bools, Ints, Ops, half_up
from echeancier.contributions.result import CONTRIBUTIONS, Line, Simulation, decimal
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


class Ratio(NamedTuple):
    """num / den, den > 0: a figure of the law as an exact fraction, or a factor of the exemptions (Python ints for
    one situation, NumPy int64 arrays for many rows)."""

    num: Ints
    den: Ints


class OverseasFigures(NamedTuple):
    """The figures of D756-4 as exact fractions of the (prorated) PASS, read once from the snapshot for both
    paths."""

    debut_totale: Ratio  # 110 %: the income whose amounts the start exemption covers at most (I 1°)
    debut_degressivite: Ratio  # 150 %
    debut_sortie: Ratio  # 250 %
    croisiere_taux: Ratio  # 50 % (L756-4 1°)
    croisiere_taux_troisieme_annee: Ratio  # 75 % (L756-4 2°)
    croisiere_limite: Ratio  # 100 %: the abattement is on the part of the income below the PASS
    croisiere_degressivite: Ratio  # 150 %
    croisiere_sortie: Ratio  # 250 %


def overseas_figures(law: LawSnapshot) -> OverseasFigures:
    def ratio(figure: Decimal) -> Ratio:
        return Ratio(*Fraction(figure).as_integer_ratio())

    return OverseasFigures(
        ratio(law.om_debut_seuil_totale),
        ratio(law.om_debut_seuil_degressivite),
        ratio(law.om_debut_seuil_sortie),
        ratio(law.om_croisiere_taux),
        ratio(law.om_croisiere_taux_troisieme_annee),
        ratio(law.om_croisiere_limite),
        ratio(law.om_croisiere_seuil_degressivite),
        ratio(law.om_croisiere_seuil_sortie),
    )


def window_share(situation: Situation, law: LawSnapshot) -> Ratio:
    """The share of the income year's days of activity that fall inside the 24 months from the creation."""
    assert situation.start_date is not None
    first, last = date(situation.year, 1, 1), date(situation.year, 12, 31)
    begin = max(situation.start_date, first)
    end = min(situation.end_date or last, last)
    if end < begin:
        return Ratio(0, 1)
    window_end = add_months(situation.start_date, law.om_debut_duree_mois) - timedelta(days=1)
    inside = (min(end, window_end) - begin).days + 1
    return Ratio(max(inside, 0), (end - begin).days + 1)


def covers_years(start: date, years: set[int], months: int) -> bool:
    """Whether every income year of `years` lies wholly inside the `months` from `start`."""
    window_end = add_months(start, months) - timedelta(days=1)
    return bool(years) and all(date(year, 12, 31) <= window_end for year in years)


class _Abated(Protocol):
    """What `abated` reads: a `Situation`, or the contributor of a scenario (`schedule.scenario.Contributor`)."""

    @property
    def abattement_outre_mer(self) -> bool: ...

    @property
    def pension_invalidite_mois(self) -> int: ...

    @property
    def exoneration_age(self) -> bool: ...


def abated(situation: _Abated) -> bool:
    """Whether the régime de croisière abattement of L756-4 is computed for the situation or the contributor (a
    collectivité of L751-1 is the caller's to check): asked for by default, not with the exemptions it does not
    cumulate with.

    LAW (docs/law-choices.md, 330, 336): L756-4 "sont calculées" — no request; `abattement_outre_mer=False` gives
    the amounts of URSSAF's simulator, which does not compute it; L756-4 excludes any other exemption but L756-5 II
    and L756-2, so with the invalidity or age exemptions the situation asks for it is not computed (its note stays).
    """
    return situation.abattement_outre_mer and not situation.pension_invalidite_mois and not situation.exoneration_age


def third_year(situation: Situation) -> bool:
    """Whether the income year is the third civil year of an activity that had the start exemption (L756-4 2°).

    LAW (docs/law-choices.md, 333): the third civil year counts from `start_date`, the creation the start exemption
    runs from; an activity without it is not a *début d'activité* (R131-3: a transfer, a resumption) whose years
    the situation would count, so its rate is that of the fourth year and later."""
    start = situation.start_date
    return situation.exoneration_debut_outre_mer and start is not None and situation.year - start.year == 2


def croisiere_rate(situation: Situation, law: LawSnapshot) -> Decimal:
    """75 % in the third civil year of an activity that had the start exemption, 50 % otherwise (L756-4 1°, 2°)."""
    return law.om_croisiere_taux_troisieme_annee if third_year(situation) else law.om_croisiere_taux


# --------------------------------------------------------------------------------------------------------------
# The rules, written once over integers (`contributions.exact`): Python ints for one situation (`apply`, which
# explains them), int64 arrays for many rows (`vectorized._abattement`, the batch and the campaign). Incomes and the
# prorated PASS in cents; amounts in whole euros; every factor an exact fraction `Ratio`.


def limit(pass_cents: Ints, figure: Ratio) -> Ints:
    """figure × PASS in cents (110 % or 100 % of the prorated PASS): the income whose amounts are exempted at most.

    LAW (docs/law-choices.md, 430): rounded half up to the cent, as an income is counted (row 50); the figures of
    the law (110 %, 100 % of a PASS in whole euros) give whole cents, so nothing is rounded today."""
    return half_up(pass_cents * figure.num, figure.den)


def degressive(k: Ops, cents: Ints, pass_cents: Ints, low: Ratio, high: Ratio) -> Ratio:
    """f(R) of D756-4 II: 1 up to `low` × PASS (150 %), (`high` × PASS − R) / PASS up to `high` × PASS (250 %), 0
    beyond; R the income retained in cents, compared with the prorated PASS (1 without a PASS)."""
    whole = (pass_cents <= 0) | (cents * low.den <= low.num * pass_cents)
    nil = k.not_(whole) & (cents * high.den >= high.num * pass_cents)
    num = k.where(whole, 1, k.where(nil, 0, high.num * pass_cents - high.den * cents))
    return Ratio(num, k.where(whole | nil, 1, high.den * pass_cents))


class Factor(NamedTuple):
    """fixed × f: `fixed` the same for the whole year (the share of the 24 months, the rate: Python ints), `f` the
    degressive factor f(R) of each row."""

    fixed: Ratio
    f: Ratio


def factors(
    k: Ops,
    figures: OverseasFigures,
    cents: Ints,
    pass_cents: Ints,
    share: Ratio | None,
    rate: Ratio | None,
    flat: bool = False,
) -> tuple[Factor | None, Factor | None]:
    """The factors of the two exemptions of an income year: the start exemption's share × f(R), applied to the
    amounts at 110 % of the PASS (None: no start exemption); the abattement's rate × (1 − share) × f(R), applied to
    the amounts at the PASS (None: no abattement). `share`: the days inside the 24 months / the days of activity;
    `flat`: f = 1 (the flat-rate bases of the first years are below the PASS)."""
    debut = croisiere = None
    one = Ratio(1, 1)
    if share is not None:
        f = one if flat else degressive(k, cents, pass_cents, figures.debut_degressivite, figures.debut_sortie)
        debut = Factor(share, f)
    if rate is not None:
        f = one if flat else degressive(k, cents, pass_cents, figures.croisiere_degressivite, figures.croisiere_sortie)
        kept = one if share is None else Ratio(share.den - share.num, share.den)
        croisiere = Factor(Ratio(rate.num * kept.num, rate.den * kept.den), f)
    return debut, croisiere


class Exemption(NamedTuple):
    """The exemption of one contribution: whether each term is not nil (nil when that exemption does not apply to
    the contribution) and the whole euros exempted."""

    debut: Bools
    croisiere: Bools
    amount: Ints


def exemption(
    k: Ops, amount: Ints, at_cap: Ints, at_pass: Ints, debut: Factor | None, croisiere: Factor | None
) -> Exemption:
    """D756-4: the amount at 110 % of the PASS × the start factor plus the amount at the PASS × the abattement's,
    rounded half up to the euro, never more than the amount due.

    One term (the batch computes the abattement alone) is `mul_div_half_up(amount × fixed, f.num, fixed × f.den)`:
    exact on int64 for an amount below 10^7 €, a rate of up to six decimals, thresholds of up to four decimals of
    at most 5 PASS and a PASS below 10^5 € (`contributions.vectorized._mul_div_half_up`); both terms (one situation,
    Python ints) one fraction over their common denominator."""
    if debut is None and croisiere is None:
        return Exemption(False, False, 0)
    if debut is None or croisiere is None:
        term = croisiere if debut is None else debut
        assert term is not None
        at = at_pass if debut is None else at_cap
        scaled = at * term.fixed.num
        off = k.mul_div_half_up(scaled, 0 * scaled + term.f.num, 0 * scaled + term.fixed.den * term.f.den)
        given = (scaled != 0) & (term.f.num != 0)
        off = k.minimum(amount, off)
        return Exemption(given, False, off) if croisiere is None else Exemption(False, given, off)
    first = at_cap * debut.fixed.num * debut.f.num * croisiere.fixed.den * croisiere.f.den
    second = at_pass * croisiere.fixed.num * croisiere.f.num * debut.fixed.den * debut.f.den
    den = debut.fixed.den * debut.f.den * croisiere.fixed.den * croisiere.f.den
    return Exemption(first != 0, second != 0, k.minimum(amount, half_up(first + second, den)))


def exemptions(
    k: Ops,
    amounts: Sequence[Ints],
    at_cap: Sequence[Ints],
    at_pass: Sequence[Ints],
    debut: Factor | None,
    croisiere: Factor | None,
) -> tuple[Exemption, ...]:
    """The exemption of each contribution (`CONTRIBUTIONS` order), each term nil for the contributions it leaves due:
    the retraite complémentaire and the CFP for the start exemption, also the invalidité-décès for the abattement."""
    return tuple(
        exemption(
            k,
            amount,
            capped,
            limited,
            None if key in NOT_EXEMPTED else debut,
            None if key in NOT_ABATED else croisiere,
        )
        for key, amount, capped, limited in zip(CONTRIBUTIONS, amounts, at_cap, at_pass, strict=True)
    )


def cap(law: LawSnapshot, pass_: Decimal) -> Decimal:
    """The income for which the exempted amounts are computed at most: 110 % of the (prorated) PASS, in euros."""
    return decimal(limit(int(pass_ * 100), overseas_figures(law).debut_totale), 100)


# --------------------------------------------------------------------------------------------------------------
# One situation


def apply(
    situation: Situation,
    law: LawSnapshot,
    simulation: Simulation,
    capped: Callable[[Decimal], Simulation],
) -> Simulation:
    """`simulation` less the exemptions; `capped(income)` simulates the same situation, without them, for another
    income (the amounts due at 110 % of the PASS, at the PASS)."""
    share = window_share(situation, law) if situation.exoneration_debut_outre_mer else None
    if share is not None and not share.num:
        share = None
    whole_window = share is not None and share.num == share.den
    figures = overseas_figures(law)
    rate = None
    if not whole_window and abated(situation):
        rate = figures.croisiere_taux_troisieme_annee if third_year(situation) else figures.croisiere_taux
    if share is None and rate is None:
        return simulation  # neither applies to this year: the result (and its note) as computed
    amounts = simulation.amounts
    pass_cents = 100 * int(simulation.pass_proratise)
    cents = int(simulation.income * 100)
    debut, croisiere = factors(SCALAR, figures, cents, pass_cents, share, rate)

    def at(figure: Ratio, factor: Factor | None) -> tuple[int, ...]:
        income = limit(pass_cents, figure)
        if factor is None or not factor.fixed.num or not factor.f.num or cents <= income:
            return amounts  # not needed, or the income is below the limit: the amounts due themselves
        return capped(decimal(income, 100)).amounts

    at_cap = at(figures.debut_totale, debut)
    at_pass = at(figures.croisiere_limite, croisiere)
    found = exemptions(SCALAR, amounts, at_cap, at_pass, debut, croisiere)
    notes = simulation.notes
    if whole_window or abated(situation):
        # Every day of the year has its exemption computed: nothing of L756-2 / L756-4 is left out.
        notes = tuple(note for note in notes if not note.startswith("exonerations_outre_mer_non_appliquees"))
    added = ((NOTE,) if share is not None else ()) + ((CROISIERE_NOTE,) if rate is not None else ())
    return reduced(simulation, found, (*notes, *added), share, rate, figures)


def reduced(
    simulation: Simulation,
    found: tuple[Exemption, ...],
    notes: tuple[str, ...],
    share: Ratio | None,
    rate: Ratio | None,
    figures: OverseasFigures,
) -> Simulation:
    """`simulation` less the exemptions `found`, with the explanation of each exempted line derived from them."""
    exempted = tuple(int(e.amount) for e in found)
    # Which exemptions each line has (1: start, 2: abattement, 3: both), from the terms the rule computed.
    which = tuple((1 if e.debut else 0) + (2 if e.croisiere else 0) if e.amount else 0 for e in found)
    amounts = tuple(amount - off for amount, off in zip(simulation.amounts, exempted, strict=True))
    explanation = Exempted(simulation.explanation, exempted, which, share, rate, figures, simulation.situation, notes)
    return replace(simulation, amounts=amounts, explanation=explanation, notes=notes)


@dataclass(frozen=True, slots=True)
class Exempted:
    """The explanation of a simulation with the exemptions: each exempted line says its amount before them, the
    amount exempted and the articles; the flat-rate provisional contributions of the first years get the same
    shares."""

    inner: Explanation
    exempted: tuple[int, ...]
    which: tuple[int, ...]
    share: Ratio | None
    rate: Ratio | None
    figures: OverseasFigures
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
        debut, croisiere = factors(SCALAR, self.figures, 0, 0, self.share, self.rate, flat=True)
        found = exemptions(SCALAR, own, own, own, debut, croisiere)
        notes = (*provisional.notes, *(note for note in self.notes if note in (NOTE, CROISIERE_NOTE)))
        return reduced(provisional, found, notes, self.share, self.rate, self.figures)

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
    "Exemption",
    "Factor",
    "OverseasFigures",
    "Ratio",
    "abated",
    "apply",
    "cap",
    "covers_years",
    "croisiere_rate",
    "degressive",
    "exemption",
    "exemptions",
    "factors",
    "limit",
    "overseas_figures",
    "third_year",
    "window_share",
]
