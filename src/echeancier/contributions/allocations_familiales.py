"""Allocations familiales — CSS L613-1, D613-1.

0 % up to 110 % of the prorated PASS, a taux progressif up to 3.10 % at 140 %, 3.10 % above; the rate applies to
the whole base. Exempted under ACRE (D131-6-1).
"""

from __future__ import annotations

from echeancier.contributions.context import Context
from echeancier.contributions.proportional import line_with_acre
from echeancier.contributions.result import Line, Tranche
from echeancier.contributions.scales import taux_progressif

REFERENCE = "CSS D613-1"


def allocations_familiales(ctx: Context) -> Line:
    law = ctx.law
    base = ctx.assiette
    rate = taux_progressif(law.af_bareme, base, ctx.pass_proratise, law.decimales_taux_progressif)
    return line_with_acre(
        "allocations_familiales",
        ctx=ctx,
        base=base,
        rate=rate,
        tranches=(Tranche("assiette (taux progressif)", base, rate, base * rate),),
        reference=REFERENCE,
        acre_assiette=base,
        progressive=True,
    )
