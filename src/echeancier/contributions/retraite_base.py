"""Assurance vieillesse de base — CSS D633-2, D633-3.

17.75 % (2025: 17.87 %) of the base up to the prorated PASS and 0.60 % (2025: 0.72 %) above it — URSSAF's
presentation of D633-3's capped rate plus uncapped rate on the whole base. The base is at least 450 hours of the
SMIC horaire of 1 January, unless the contributor was affiliated less than 90 days in the year (D633-2 al. 2) or
receives the RSA or the prime d'activité. Exempted under ACRE (D131-6-1), the share being set by the assiette
sociale.
"""

from __future__ import annotations

from typing import NamedTuple

from echeancier.contributions.acre import assiette_share, with_acre
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import Bools, Ints, Ops
from echeancier.contributions.lines import line, tranche
from echeancier.contributions.result import Line
from echeancier.law.snapshot import LawSnapshot

KEY = "retraite_base"
REFERENCE = "CSS D633-2, D633-3"


class RetraiteBase(NamedTuple):
    base: Ints  # cents, after the minimum
    floored: Bools  # the minimum replaced a lower base
    within: Ints  # cents up to the prorated PASS
    above: Ints  # cents above it
    gross: Ints  # 1e-8 €
    amount: Ints  # euros, after ACRE


def rule(k: Ops, r: Rows) -> RetraiteBase:
    law = r.law
    eligible = r.minimums & (r.days >= law.rb_duree_minimale_affiliation)
    floored = eligible & (r.assiette < law.rb_assiette_minimale)
    base = k.where(eligible, k.maximum(r.assiette, law.rb_assiette_minimale), r.assiette)  # the floor if below
    pass_ = 100 * r.pass_proratise
    within = k.minimum(base, pass_)
    above = k.maximum(base - pass_, 0)
    gross = law.rb_taux_plafonne * within + law.rb_taux_deplafonne * above
    return RetraiteBase(base, floored, within, above, gross, with_acre(k, r, gross, assiette_share(k, r)))


def explain(t: RetraiteBase, law: LawSnapshot) -> Line:
    tranches = [tranche("dans la limite du PASS", t.within, law.rb_taux_plafonne, law.exact.rb_taux_plafonne)]
    if t.above:
        tranches.append(tranche("au-delà du PASS", t.above, law.rb_taux_deplafonne, law.exact.rb_taux_deplafonne))
    return line(
        KEY,
        base=t.base,
        rate=law.rb_taux_plafonne,
        amount=t.amount,
        gross=t.gross,
        tranches=tuple(tranches),
        reference=REFERENCE,
        minimum=t.base if t.floored else None,
    )
