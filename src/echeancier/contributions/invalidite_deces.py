"""Invalidité-décès — CSS D632-1, D632-2.

1.3 % of the base, which is at least 11.5 % and at most 100 % of the prorated PASS (no minimum for RSA or prime
d'activité beneficiaries). Exempted under ACRE (D131-6-1), the share being set by the assiette sociale.
"""

from __future__ import annotations

from echeancier.contributions.context import Context
from echeancier.contributions.proportional import line_with_acre
from echeancier.contributions.result import Line, Tranche
from echeancier.kernel.money import round_euro

REFERENCE = "CSS D632-1, D632-2"


def invalidite_deces(ctx: Context) -> Line:
    law = ctx.law
    base = ctx.assiette
    minimum = None
    if ctx.minimums:
        floor = round_euro(law.id_assiette_minimale * ctx.pass_proratise)
        if base < floor:
            base, minimum = floor, floor
    ceiling = law.id_plafond * ctx.pass_proratise
    capped = ceiling if base > ceiling else None
    base = min(base, ceiling)
    return line_with_acre(
        "invalidite_deces",
        ctx=ctx,
        base=base,
        rate=law.id_taux,
        tranches=(Tranche("assiette", base, law.id_taux, base * law.id_taux),),
        reference=REFERENCE,
        acre_assiette=ctx.assiette,
        minimum=minimum,
        capped=capped,
    )
