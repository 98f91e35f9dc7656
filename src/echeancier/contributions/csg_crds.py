"""CSG and CRDS on the activity income — CSS L136-3, L136-8; ordonnance 96-50 art. 14 and 19.

9.2 % of CSG (6.8 % deductible from taxable income, 2.4 % not) and 0.5 % of CRDS. Base: from income 2025 the single
base (revenu brut less the 26 % abatement, L136-3); up to 2024 the revenu professionnel plus the compulsory social
contributions (L136-3 in its former wording). URSSAF rounds the deductible part and the non-deductible part
(CSG non déductible + CRDS) to the euro separately, as they are declared separately for income tax.
"""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.result import Line, Tranche
from echeancier.kernel.money import round_euro
from echeancier.law.snapshot import LawSnapshot

REFERENCE = "CSS L136-3, L136-8; ordonnance n° 96-50 art. 14 et 19"


def csg_crds(base: Decimal, law: LawSnapshot) -> Line:
    deductible_rate = law.csg_taux_deductible
    other_rate = law.csg_taux_non_deductible + law.crds_taux
    deductible = base * deductible_rate
    other = base * other_rate
    amount = round_euro(deductible) + round_euro(other)
    return Line(
        "csg_crds",
        base=base,
        rate=deductible_rate + other_rate,
        amount=amount,
        reference=REFERENCE,
        tranches=(
            Tranche("CSG déductible", base, deductible_rate, deductible),
            Tranche("CSG non déductible et CRDS", base, other_rate, other),
        ),
        gross=amount,
    )
