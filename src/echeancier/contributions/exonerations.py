"""The exemptions of a contributor's own situation: an invalidity pension and the invalidité-décès exemption by age.

- **Invalidity pensioners** (situation field `pension_invalidite_mois`): a travailleur indépendant who receives an
  invalidity pension of the travailleurs indépendants is exempted of the maladie-maternité and indemnités
  journalières cotisations (CSS D621-4) and of the retraite complémentaire cotisation (CSS D635-2; règlement du
  régime complémentaire des indépendants, art. 2), for the months of the year the pension is paid: the exempted
  share is months / 12, rounded to the percent (`exonerations.yaml`). Retraite de base, invalidité-décès,
  allocations familiales, CSG-CRDS and the CFP stay due.
- **The exemption by age** (field `exoneration_age`): the invalidité-décès cotisation of artisans and commerçants
  who had obtained, before its abrogation in July 2015, the exemption granted from the age of retirement; they keep
  it: the cotisation is nil.

LAW (docs/law-choices.md, 275–279): the share is applied as URSSAF's model applies it — to the amount before
rounding for maladie-maternité and IJ, to the contribution rounded to the euro for the retraite complémentaire —
then rounded half up to the euro; not combined with ACRE the same year (the situation refuses it).

Written once over integers (`contributions.exact`): the rows with an exemption are selected as the ACRE rows are,
so that a batch computes them on those rows only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from echeancier.contributions.exact import Bools, Ints, Ops, half_up
from echeancier.contributions.result import Line
from echeancier.law.snapshot import Figures

INVALIDITE = "exonération invalidité"
AGE = "exonération liée à l'âge"
# The articles of each exemption, by contribution (appended to the line's reference).
REFERENCES = {
    "maladie_maternite": "CSS D621-4",
    "indemnites_journalieres": "CSS D621-4",
    "retraite_complementaire": "CSS D635-2",
    "invalidite_deces": "exonération liée à l'âge (abrogée en juillet 2015, maintenue pour ses bénéficiaires)",
}


@dataclass(slots=True)
class InvaliditeRows:
    """The rows of invalidity pensioners (`rows`: True for one situation, an index array for many) and the share
    of their contributions they keep, in 1/`law.inv_pas`."""

    rows: Any
    kept: Ints
    whole: Ints  # `law.inv_pas` on every row (a column for many: the divisor of `mul_div_half_up`)


def invalidite_rows(k: Ops, law: Figures, mois: Ints) -> InvaliditeRows | None:
    """The invalidity pensioners among the rows (`mois`: months of pension in the year, 0 for none)."""
    chosen = k.select(mois > 0)
    if chosen is None:
        return None
    # CSS D621-4, D635-2: exempted pro rata of the months of pension; LAW (docs/law-choices.md, 275): months / 12
    # rounded half up to the step of `exonerations.invalidite_arrondi_prorata` (the percent).
    months = k.gather(mois, chosen)
    exempted = half_up(months * law.inv_pas, law.inv_mois_par_an)
    return InvaliditeRows(chosen, law.inv_pas - exempted, months * 0 + law.inv_pas)


def age_rows(k: Ops, age: Bools) -> Any | None:
    """The rows with the invalidité-décès exemption by age."""
    return k.select(age)


def after_invalidite(k: Ops, exemption: InvaliditeRows | None, amount: Ints, before: Ints, per_euro: int) -> Ints:
    """`amount` (whole euros) where no pension is paid; on the pensioners' rows, `before` (an amount in 1/`per_euro`
    €) times the kept share, rounded half up to the euro."""
    if exemption is None:
        return amount
    kept = k.mul_div_half_up(k.gather(before, exemption.rows), exemption.kept, exemption.whole * per_euro)
    return k.scatter(amount, exemption.rows, kept)


def after_age(k: Ops, rows: Any | None, amount: Ints) -> Ints:
    """The invalidité-décès cotisation: nil on the rows with the exemption by age."""
    if rows is None:
        return amount
    return k.scatter(amount, rows, k.gather(amount, rows) * 0)


def explained(
    makers: tuple[Callable[[], Line], ...], keys: tuple[str, ...], before: dict[str, int], pension: bool, age: bool
) -> tuple[Callable[[], Line], ...]:
    """The line makers of one situation with an exemption: each exempted line says the amount exempted (its
    amount before the exemption less its amount) and the article (`before`: the amounts before it, by key)."""
    wrapped: list[Callable[[], Line]] = []
    for key, make in zip(keys, makers, strict=True):
        if (pension and key in ("maladie_maternite", "indemnites_journalieres", "retraite_complementaire")) or (
            age and key == "invalidite_deces"
        ):
            label = AGE if key == "invalidite_deces" else INVALIDITE
            wrapped.append(partial(_exempted, make, before.get(key), label, REFERENCES[key]))
        else:
            wrapped.append(make)
    return tuple(wrapped)


def _exempted(make: Callable[[], Line], before: int | None, label: str, reference: str) -> Line:
    made = make()
    gross = made.gross if before is None else type(made.amount)(before)
    assert gross is not None
    return replace(
        made,
        gross=gross,
        exoneration=gross - made.amount,
        exoneration_label=label,
        exoneration_reference=reference,
        reference=f"{made.reference}; {reference}",
    )


__all__ = ["AGE", "INVALIDITE", "InvaliditeRows", "after_age", "after_invalidite", "age_rows", "explained"]
