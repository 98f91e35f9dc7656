"""Indemnités journalières — CSS D621-3 (and D621-2 for 2023).

0.50 % (0.85 % in 2023 when the income reaches 40 % of the PASS) of the base, which is at least 40 % of the
annual PASS — not prorated, including in the first two years — and at most 5 PASS. No minimum for RSA or prime
d'activité beneficiaries. Exempted under ACRE (D131-6-1).
"""

from __future__ import annotations

from typing import NamedTuple

from echeancier.contributions.acre import kept_share, with_acre
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import EURO, Bools, Ints, Ops
from echeancier.contributions.exonerations import after_invalidite
from echeancier.contributions.lines import euros, line, rate, tranche
from echeancier.contributions.result import Line
from echeancier.law.snapshot import LawSnapshot

KEY = "indemnites_journalieres"
REFERENCE = "CSS D621-3"


class IndemnitesJournalieres(NamedTuple):
    base: Ints  # cents, after the minimum and the ceiling
    floored: Bools
    capped: Bools
    rate: Ints
    gross: Ints
    amount: Ints


def rule(k: Ops, r: Rows) -> IndemnitesJournalieres:
    law = r.law
    if r.assiette_ij is not None:
        # The flat-rate base replaces the usual one, with no minimum (`< 0`: False, in the shape of the rows).
        base, floored = r.assiette_ij, r.assiette_ij < 0
    else:
        floored = r.minimums & (r.assiette < law.ij_assiette_minimale)
        base = k.where(r.minimums, k.maximum(r.assiette, law.ij_assiette_minimale), r.assiette)  # floored
    capped = base > law.ij_plafond
    base = k.minimum(base, law.ij_plafond)
    # D621-2 (décret 2022-1529), 2023 only: the global 0.50 % rate below 40 % of the PASS.
    low_income = r.assiette_u < law.ij_seuil_revenu_faible * r.pass_proratise
    taux = k.where(low_income, law.ij_taux_revenu_faible, law.ij_taux)
    gross = taux * base
    share = None if r.acre is None else kept_share(k, law, r.acre, k.gather(base, r.acre.rows))
    amount = after_invalidite(k, r.invalidite, with_acre(k, r, gross, share), gross, EURO)  # CSS D621-4
    return IndemnitesJournalieres(base, floored, capped, taux, gross, amount)


def explain(t: IndemnitesJournalieres, law: LawSnapshot) -> Line:
    value = rate(t.rate)
    return line(
        KEY,
        base=t.base,
        rate=value,
        amount=t.amount,
        gross=t.gross,
        tranches=(tranche("assiette", t.base, value, t.rate),),
        reference=REFERENCE,
        minimum=t.base if t.floored else None,
        capped=euros(law.exact.ij_plafond) if t.capped else None,
    )
