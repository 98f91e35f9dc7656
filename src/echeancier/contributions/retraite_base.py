"""Assurance vieillesse de base — CSS D633-2, D633-3.

17.75 % (2025: 17.87 %) of the base up to the prorated PASS and 0.60 % (2025: 0.72 %) above it — URSSAF's
presentation of D633-3's capped rate plus uncapped rate on the whole base. The base is at least 450 hours of the
SMIC horaire of 1 January, unless the contributor was affiliated less than 90 days in the year (D633-2 al. 2) or
receives the RSA or the prime d'activité. Exempted under ACRE (D131-6-1), the share being set by the assiette
sociale.
"""

from __future__ import annotations

from echeancier.contributions.context import Context
from echeancier.contributions.proportional import line_with_acre
from echeancier.contributions.result import Line, Tranche
from echeancier.kernel.money import round_euro

REFERENCE = "CSS D633-2, D633-3"


def retraite_base(ctx: Context) -> Line:
    law = ctx.law
    base = ctx.assiette
    minimum = None
    if ctx.minimums and ctx.period.days >= law.rb_duree_minimale_affiliation:
        floor = round_euro(law.rb_assiette_minimale_heures * law.smic_horaire)
        if base < floor:
            base, minimum = floor, floor
    pass_ = ctx.pass_proratise
    within = min(base, pass_)
    tranches = [Tranche("dans la limite du PASS", within, law.rb_taux_plafonne, within * law.rb_taux_plafonne)]
    if base > pass_:
        above = base - pass_
        tranches.append(Tranche("au-delà du PASS", above, law.rb_taux_deplafonne, above * law.rb_taux_deplafonne))
    return line_with_acre(
        "retraite_base",
        ctx=ctx,
        base=base,
        rate=law.rb_taux_plafonne,
        tranches=tuple(tranches),
        reference=REFERENCE,
        acre_assiette=ctx.assiette,
        minimum=minimum,
    )
