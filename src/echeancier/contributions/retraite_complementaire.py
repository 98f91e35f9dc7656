"""Retraite complémentaire des indépendants — CSS D635-7.

Income up to 2024: 7 % up to the RCI ceiling (PRCI, prorated) and 8 % up to 4 PASS. From 2025: 8.1 % up to the
PASS and 9.1 % from 1 to 4 PASS (prorated PASS). No minimum base, no ACRE exemption.
"""

from __future__ import annotations

from echeancier.contributions.context import Context
from echeancier.contributions.proportional import line_with_acre
from echeancier.contributions.result import Line, Tranche

REFERENCE = "CSS D635-7"


def retraite_complementaire(ctx: Context) -> Line:
    law = ctx.law
    if law.rci_plafond_tranche_1_pass is not None:
        limit_1 = law.rci_plafond_tranche_1_pass * ctx.pass_proratise
    else:
        assert law.rci_plafond_tranche_1_montant is not None
        limit_1 = law.rci_plafond_tranche_1_montant * ctx.period.prorata
    limit_2 = law.rci_plafond_tranche_2 * ctx.pass_proratise
    base = min(ctx.assiette, limit_2)
    base_1 = min(base, limit_1)
    tranches = [Tranche("tranche 1", base_1, law.rci_taux_tranche_1, base_1 * law.rci_taux_tranche_1)]
    if base > limit_1:
        base_2 = base - limit_1
        tranches.append(Tranche("tranche 2", base_2, law.rci_taux_tranche_2, base_2 * law.rci_taux_tranche_2))
    return line_with_acre(
        "retraite_complementaire",
        ctx=ctx,
        base=base,
        rate=law.rci_taux_tranche_1,
        tranches=tuple(tranches),
        reference=REFERENCE,
        acre_assiette=None,
        capped=limit_2 if ctx.assiette > limit_2 else None,
    )
