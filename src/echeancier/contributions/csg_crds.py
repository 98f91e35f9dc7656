"""CSG and CRDS on the activity income — CSS L136-3, L136-8; ordonnance 96-50 art. 14 and 19.

9.2 % of CSG (6.8 % deductible from taxable income, 2.4 % not) and 0.5 % of CRDS. Base: from income 2025 the single
base (revenu brut less the 26 % abatement, L136-3); up to 2024 the revenu professionnel plus the compulsory social
contributions (L136-3 in its former wording). URSSAF rounds the deductible part and the non-deductible part
(CSG non déductible + CRDS) to the euro separately, as they are declared separately for income tax.
"""

from __future__ import annotations

from typing import NamedTuple

from echeancier.contributions.exact import EURO, Ints, Ops, half_up
from echeancier.contributions.lines import euros, units
from echeancier.contributions.result import Line, Tranche
from echeancier.law.snapshot import Figures, LawSnapshot

KEY = "csg_crds"
REFERENCE = "CSS L136-3, L136-8; ordonnance n° 96-50 art. 14 et 19"


class CsgCrds(NamedTuple):
    base: Ints  # cents
    deductible: Ints  # 1e-8 €
    other: Ints  # 1e-8 €
    amount: Ints


def former_base(k: Ops, cents: Ints, cotisations: Ints) -> Ints:
    """CSS L136-3 in its wording up to income 2024: the CSG-CRDS base is the revenu professionnel (a deficit counted
    as zero) plus the compulsory cotisations, in cents. One text for `simulate`'s and `simulate_many`'s CSG-CRDS
    base and for the conversion of an income of the former definition (`schedule.amounts.converted`, DESIGN §2
    decision 7), on the replay (through `Simulation.assiette_csg`) and on the campaign's arrays."""
    return k.maximum(cents, 0) + cotisations


def rule(law: Figures, base: Ints) -> CsgCrds:
    deductible = law.csg_taux_deductible * base
    other = law.csg_taux_non_deductible_crds * base
    return CsgCrds(base, deductible, other, half_up(deductible, EURO) + half_up(other, EURO))


def explain(t: CsgCrds, law: LawSnapshot) -> Line:
    deductible_rate = law.csg_taux_deductible
    other_rate = law.csg_taux_non_deductible + law.crds_taux
    base = euros(t.base)
    return Line(
        KEY,
        base=base,
        rate=deductible_rate + other_rate,
        amount=euros(100 * t.amount),
        reference=REFERENCE,
        tranches=(
            Tranche("CSG déductible", base, deductible_rate, units(t.deductible)),
            Tranche("CSG non déductible et CRDS", base, other_rate, units(t.other)),
        ),
        gross=euros(100 * t.amount),
    )
