"""The rights of an account: what was actually paid decides them (L351-2, D622-7 I al. 2 and 3).

Pure functions over the figures of the simulation and the amounts paid for the year; the rules are those of
`rights.rules`, evaluated on Python ints (`SCALAR`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from echeancier.contributions.exact import SCALAR
from echeancier.contributions.result import Simulation
from echeancier.law.loader import Law, load_law
from echeancier.law.snapshot import snapshot_of
from echeancier.rights.figures import rights_figures
from echeancier.rights.rules import (
    DroitsIndemnitesJournalieres,
    indemnites_journalieres,
    revenu_retenu,
    trimestres_payes,
)

_CENT = Decimal(100)


def _cents(amount: Decimal) -> int:
    return int((amount * _CENT).to_integral_value(rounding=ROUND_HALF_UP))


def trimestres_valides(simulation: Simulation, paid: Decimal, law: Law | None = None) -> int:
    """The quarters the year's retraite de base contribution validates once `paid` (euros) of it was paid
    (L351-2: only "un minimum de cotisations" paid counts; R351-9 on the revenu weighted by paid / due)."""
    law = law or load_law()
    f = rights_figures(snapshot_of(law, simulation.year), law)
    due = simulation.amount("retraite_base")
    revenu = _cents(simulation.rights.retraite_base.revenu_cotise)
    return int(trimestres_payes(SCALAR, f, revenu, _cents(paid), _cents(due)))


@dataclass(frozen=True, slots=True)
class ReferenceYear:
    """One civil year before a medical statement (D622-7 I): the income retained for the health contributions and
    the contributions due and paid for it; `echeancier_respecte` when payment delays were granted and their
    instalments are respected at the date of the statement."""

    year: int
    revenu: Decimal
    cotisations_dues: Decimal
    cotisations_payees: Decimal
    echeancier_respecte: bool = False


def indemnite_journaliere(
    years: Sequence[ReferenceYear], constat: date, law: Law | None = None
) -> DroitsIndemnitesJournalieres:
    """The daily allowance of a sick leave certified on `constat` (D622-7 I, D622-8), from the reference years
    (cents in the result). The PASS of each year and of the date of the statement come from the law."""
    law = law or load_law()
    f = rights_figures(snapshot_of(law, constat.year), law)
    revenus = [
        revenu_retenu(
            SCALAR,
            _cents(y.revenu),
            _cents(y.cotisations_payees),
            _cents(y.cotisations_dues),
            y.echeancier_respecte,
        )
        for y in years
    ]
    plafonds = [int(snapshot_of(law, y.year).pass_annuel) for y in years]
    pass_constat = int(snapshot_of(law, constat.year).pass_annuel)
    return indemnites_journalieres(SCALAR, f, revenus, plafonds, pass_constat)
