"""Invalidité-décès — CSS D632-1, D632-2.

1.3 % of the base, which is at least 11.5 % and at most 100 % of the prorated PASS (no minimum for RSA or prime
d'activité beneficiaries). Exempted under ACRE (D131-6-1), the share being set by the assiette sociale.
"""

from __future__ import annotations

from typing import NamedTuple

from echeancier.contributions.acre import assiette_share, with_acre
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import FRAC, Bools, Ints, Ops, half_up
from echeancier.contributions.exonerations import after_age
from echeancier.contributions.lines import euros, line, tranche
from echeancier.contributions.result import Line
from echeancier.law.snapshot import LawSnapshot

KEY = "invalidite_deces"
REFERENCE = "CSS D632-1, D632-2"


class InvaliditeDeces(NamedTuple):
    base: Ints  # cents, after the minimum and the ceiling
    floored: Bools
    ceiling: Ints  # cents
    capped: Bools
    gross: Ints
    amount: Ints


def rule(k: Ops, r: Rows) -> InvaliditeDeces:
    law = r.law
    floor = 100 * half_up(law.id_assiette_minimale * r.pass_proratise, FRAC)  # rounded to the euro
    floored = r.minimums & (r.assiette < floor)
    base = k.where(r.minimums, k.maximum(r.assiette, floor), r.assiette)  # the floor where `floored`
    ceiling = law.id_plafond // 100 * r.pass_proratise
    capped = base > ceiling
    base = k.minimum(base, ceiling)
    gross = law.id_taux * base
    amount = after_age(k, r.age, with_acre(k, r, gross, assiette_share(k, r)))  # the exemption by age
    return InvaliditeDeces(base, floored, ceiling, capped, gross, amount)


def explain(t: InvaliditeDeces, law: LawSnapshot) -> Line:
    return line(
        KEY,
        base=t.base,
        rate=law.id_taux,
        amount=t.amount,
        gross=t.gross,
        tranches=(tranche("assiette", t.base, law.id_taux, law.exact.id_taux),),
        reference=REFERENCE,
        minimum=t.base if t.floored else None,
        capped=euros(t.ceiling) if t.capped else None,
    )
