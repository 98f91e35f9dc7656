"""Indemnités journalières — CSS D621-3 (and D621-2 for 2023).

0.50 % (0.85 % in 2023 when the income reaches 40 % of the PASS) of the base, which is at least 40 % of the
annual PASS — not prorated, including in the first two years — and at most 5 PASS. No minimum for RSA or prime
d'activité beneficiaries. Exempted under ACRE (D131-6-1).
"""

from __future__ import annotations

from echeancier.contributions.context import Context
from echeancier.contributions.proportional import line_with_acre
from echeancier.contributions.result import Line, Tranche
from echeancier.kernel.money import round_euro

REFERENCE = "CSS D621-3"


def indemnites_journalieres(ctx: Context) -> Line:
    law = ctx.law
    minimum = None
    if ctx.assiette_ij is not None:
        base = ctx.assiette_ij
    else:
        base = ctx.assiette
        floor = round_euro(law.ij_assiette_minimale * law.pass_annuel)
        if ctx.minimums and base < floor:
            base, minimum = floor, floor
    ceiling = law.ij_plafond * law.pass_annuel
    capped = ceiling if base > ceiling else None
    base = min(base, ceiling)
    # D621-2 (décret 2022-1529), 2023 only: the global 0.50 % rate below 40 % of the PASS.
    low_income = ctx.assiette < law.ij_seuil_revenu_faible * ctx.pass_proratise
    rate = law.ij_taux_revenu_faible if low_income else law.ij_taux
    return line_with_acre(
        "indemnites_journalieres",
        ctx=ctx,
        base=base,
        rate=rate,
        tranches=(Tranche("assiette", base, rate, base * rate),),
        reference=REFERENCE,
        acre_assiette=base,
        minimum=minimum,
        capped=capped,
    )
