"""Allocations familiales — CSS L613-1, D613-1.

0 % up to 110 % of the prorated PASS, a taux progressif up to 3.10 % at 140 %, 3.10 % above; the rate applies to
the whole base. Exempted under ACRE (D131-6-1). In the collectivités of L751-1: 3.10 % on the whole base.
"""

from __future__ import annotations

from typing import NamedTuple

from echeancier.contributions.acre import assiette_share, with_acre
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import Ints, Ops
from echeancier.contributions.lines import line, rate, tranche
from echeancier.contributions.result import Line
from echeancier.contributions.scales import taux_progressif
from echeancier.law.snapshot import LawSnapshot

KEY = "allocations_familiales"
REFERENCE = "CSS D613-1"


class AllocationsFamiliales(NamedTuple):
    rate: Ints  # millionths
    gross: Ints
    amount: Ints


def rule(k: Ops, r: Rows) -> AllocationsFamiliales:
    law = r.law
    taux = taux_progressif(k, law.af_bareme, r.assiette_u, r.pass_proratise, law.progressive_divisor)
    # In the collectivités of L751-1: 3.10 % on the whole base, without the reduced rate (docs/law-choices.md, 180).
    taux = k.where(r.outre_mer, law.om_af_taux, taux)
    gross = taux * r.assiette
    return AllocationsFamiliales(taux, gross, with_acre(k, r, gross, assiette_share(k, r)))


def explain(t: AllocationsFamiliales, law: LawSnapshot, assiette: int, outre_mer: bool = False) -> Line:
    value = rate(t.rate)
    label = "assiette (taux outre-mer)" if outre_mer else "assiette (taux progressif)"
    return line(
        KEY,
        base=assiette,
        rate=value,
        amount=t.amount,
        gross=t.gross,
        tranches=(tranche(label, assiette, value, t.rate),),
        reference=f"{REFERENCE}; L751-1" if outre_mer else REFERENCE,
        progressive=not outre_mer,
    )
