"""The start-of-activity exemption of the collectivités of CSS L751-1 (CSS L756-2, D756-4 I 1° and II).

For 24 months from the creation of the activity (`outre_mer.exoneration_debut_activite_duree_mois`), the
cotisations and contributions de sécurité sociale are not due, except the retraite complémentaire (L635-1); the CFP,
which is not a contribution de sécurité sociale, stays due (URSSAF, "Cotisations en début d'activité", outre-mer).
D756-4 sets the amount, the income R being compared with the PASS:

- R below 150 % of the PASS: 100 % of the exempted contributions, within the amounts due for an income of 110 % of
  the PASS (I 1°) — nothing of them is due below 110 %, the amounts at 110 % are exempted between 110 % and 150 %;
- R between 150 % and 250 % of the PASS: E / PSS × (2,5 PSS − R), E being the exemption at 150 % of the PASS, i.e.
  the amounts at 110 % (II); nil from 250 %.

Per contribution: exemption = amount for min(R, 110 % PASS) × f(R) × the share of the year inside the 24 months,
f = 1 up to 150 %, (250 % PASS − R) / PASS up to 250 %, 0 beyond; never more than the amount due.

LAW (docs/law-choices.md, 321–324): asked for by the contributor (`exoneration_debut_outre_mer`: whether the
activity is a *début d'activité*, R131-3, is a fact the situation does not otherwise hold); R is the income retained
(before the 26 % abattement from 2025) "rapporté à l'année entière", i.e. compared with the prorated PASS, and the
amounts at 110 % are those the same rules compute for that income; a civil year partly inside the 24 months is
exempted pro rata of its days of activity inside them; each exemption is rounded half up to the euro.

One text for every path: `engine.compute` applies it (so `simulate`, the income given net and the échéancier, which
simulate), and `simulate_many` computes the rows that ask for it with the scalar engine (`vectorized.SCALAR_FIELDS`).
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
    """Whether every income year of `years` lies wholly inside the `months` from `start` (then no abattement of
    L756-4, which the engine does not compute, concerns them)."""
    window_end = add_months(start, months) - timedelta(days=1)
    return bool(years) and all(date(year, 12, 31) <= window_end for year in years)


def degressive(law: LawSnapshot, income: Decimal, pass_: Decimal) -> Fraction:
    """f(R) of D756-4: 1 up to 150 % of the PASS, (250 % PASS − R) / PASS up to 250 %, 0 beyond."""
    if pass_ <= 0 or income <= law.om_debut_seuil_degressivite * pass_:
        return Fraction(1)
    if income >= law.om_debut_seuil_sortie * pass_:
        return Fraction(0)
    return Fraction(law.om_debut_seuil_sortie * pass_ - income) / Fraction(pass_)


def cap(law: LawSnapshot, pass_: Decimal) -> Decimal:
    """The income for which the exempted amounts are computed at most: 110 % of the (prorated) PASS."""
    return law.om_debut_seuil_totale * pass_


def apply(
    situation: Situation,
    law: LawSnapshot,
    simulation: Simulation,
    capped: Callable[[Decimal], Simulation],
) -> Simulation:
    """`simulation` less the exemption; `capped(income)` simulates the same situation, without the exemption, for
    another income (the amounts due at 110 % of the PASS)."""
    share = window_share(situation, law)
    if share == 0:
        return simulation
    limit = cap(law, simulation.pass_proratise)
    at_cap = capped(limit) if simulation.income > limit else simulation
    factor = share * degressive(law, simulation.income, simulation.pass_proratise)
    exempted = exemptions(simulation.amounts, at_cap.amounts, factor)
    notes = simulation.notes
    if share == 1:
        # The whole year is inside the 24 months: no abattement of L756-4 is left uncomputed for it.
        notes = tuple(note for note in notes if not note.startswith("exonerations_outre_mer_non_appliquees"))
    return reduced(simulation, exempted, (*notes, NOTE), share)


def exemptions(amounts: tuple[int, ...], at_cap: tuple[int, ...], factor: Fraction) -> tuple[int, ...]:
    """The exemption of each contribution (whole euros): its amount at the cap times `factor`, rounded half up,
    never more than its amount; nil for the contributions still due."""
    return tuple(
        0 if key in NOT_EXEMPTED else min(amount, _half_up(capped * factor))
        for key, amount, capped in zip(CONTRIBUTIONS, amounts, at_cap, strict=True)
    )


def reduced(simulation: Simulation, exempted: tuple[int, ...], notes: tuple[str, ...], share: Fraction) -> Simulation:
    amounts = tuple(amount - off for amount, off in zip(simulation.amounts, exempted, strict=True))
    explanation = Exempted(simulation.explanation, exempted, share, simulation.situation, notes)
    return replace(simulation, amounts=amounts, explanation=explanation, notes=notes)


def _half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


@dataclass(frozen=True, slots=True)
class Exempted:
    """The explanation of a simulation with the exemption: each exempted line says its amount before it, the amount
    exempted and the articles; the flat-rate provisional contributions of the first years get the same share."""

    inner: Explanation
    exempted: tuple[int, ...]
    share: Fraction
    situation: Situation
    notes: tuple[str, ...]

    def lines(self) -> tuple[Line, ...]:
        return tuple(_line(line, off) for line, off in zip(self.inner.lines(), self.exempted, strict=True))

    def conjoint_lines(self) -> tuple[Line, ...]:
        return self.inner.conjoint_lines()

    def section_lines(self) -> tuple[Line, ...]:
        # A section is refused overseas (docs/law-choices.md, 263): nothing of a section's is exempted here.
        return self.inner.section_lines()

    def forfait(self) -> Simulation | None:
        provisional = self.inner.forfait()
        if provisional is None:
            return None
        # The flat-rate base (19 % of the PASS) is below 110 % of the PASS: its own amounts are the limit.
        off = exemptions(provisional.amounts, provisional.amounts, self.share)
        return reduced(provisional, off, (*provisional.notes, NOTE), self.share)

    def rights(self) -> Rights:
        return self.inner.rights()


def _line(line: Line, off: int) -> Line:
    if not off:
        return line
    return replace(
        line,
        amount=line.amount - off,
        gross=line.amount,
        exoneration=Decimal(off),
        exoneration_label=LABEL,
        exoneration_reference=REFERENCE,
        reference=f"{line.reference}; {REFERENCE}",
    )


__all__ = ["LABEL", "NOTE", "REFERENCE", "apply", "covers_years", "degressive", "exemptions", "window_share"]
