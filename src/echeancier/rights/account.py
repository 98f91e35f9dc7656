"""The rights of an account: what was actually paid decides them (L351-2, D622-7 I al. 2 and 3).

Pure functions over the figures of the simulation and the amounts paid for the year; the rules are those of
`rights.rules`, evaluated on Python ints (`SCALAR`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from echeancier.account.ledger import Statement
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.result import Simulation
from echeancier.law.loader import Law, load_law
from echeancier.law.snapshot import snapshot_of
from echeancier.rights.figures import rights_figures
from echeancier.rights.rules import (
    DroitsIndemnitesJournalieres,
    indemnites_journalieres,
    revenu_retenu,
    trimestres_invalidite,
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


@dataclass(frozen=True, slots=True)
class AccountRights:
    """The rights of an account's contributions for one year, given what was actually paid on `as_of`."""

    year: int
    due: Decimal  # the year's contributions (CFP and majorations excluded), definitive
    unpaid: Decimal  # what the account's debits of the year still leave unpaid
    trimestres: int  # L351-2: quarters the paid share validates
    trimestres_si_tout_paye: int
    revenu_ij: Decimal  # D622-7 I: the year's income retained for the IJ, weighted by paid / due
    echeancier_respecte: bool  # a payment plan in force or kept (D622-7 I al. 3)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "due": float(self.due),
            "unpaid": float(self.unpaid),
            "trimestres": self.trimestres,
            "trimestres_si_tout_paye": self.trimestres_si_tout_paye,
            "revenu_ij": float(self.revenu_ij),
            "echeancier_respecte": self.echeancier_respecte,
            "reference": "CSS L351-2, R351-9; D622-7 I al. 2 et 3",
        }


def unpaid_of_year(statement: Statement, year: int) -> int:
    """Cents of the contributions of `year` (CFP and majorations excluded) the account's debits leave unpaid."""
    allocated: dict[int, int] = {}
    for allocation in statement.allocations:
        allocated[allocation.debit] = allocated.get(allocation.debit, 0) + allocation.amount
    return sum(
        max(0, p.amount - allocated.get(p.id, 0))
        for p in statement.postings
        if p.kind == "debit" and p.year == year and p.origin not in ("majoration", "cfp")
    )


def account_rights(simulation: Simulation, statement: Statement, law: Law | None = None) -> AccountRights:
    """The rights of the year of `simulation` (its definitive contributions) given the account's `statement`:
    LAW (docs/law-choices.md, 201): what was paid is the year's contributions less what the account leaves unpaid
    for that year; the quarters (L351-2) and the income retained for the IJ (D622-7 I al. 2) follow paid / due,
    unless a payment plan is in force or was kept (al. 3)."""
    law = law or load_law()
    f = rights_figures(snapshot_of(law, simulation.year), law)
    due = _cents(simulation.total - simulation.amount("formation_professionnelle"))
    unpaid = min(unpaid_of_year(statement, simulation.year), due)
    paid = due - unpaid
    plan = any(p.status in ("in_force", "kept") for p in statement.plans)
    revenu = _cents(simulation.rights.retraite_base.revenu_cotise)
    base_ij = _cents(simulation.line("indemnites_journalieres").base)
    trimestres = trimestres_payes(SCALAR, f, revenu, paid, due)
    months = simulation.situation.pension_invalidite_mois
    if months:
        # R351-12 5° (docs/law-choices.md, 343): the quarters of an invalidity pension do not depend on what was paid.
        trimestres, _ = trimestres_invalidite(SCALAR, f, trimestres, months)
    return AccountRights(
        year=simulation.year,
        due=Decimal(due) / _CENT,
        unpaid=Decimal(unpaid) / _CENT,
        trimestres=int(trimestres),
        trimestres_si_tout_paye=simulation.rights.retraite_base.trimestres,
        revenu_ij=Decimal(revenu_retenu(SCALAR, base_ij, paid, due, plan)) / _CENT,
        echeancier_respecte=plan,
    )
