"""Maladie-maternité — CSS L621-1, D621-1, D621-2.

Tranche 1, up to 5 PASS (income up to 2024) or 3 PASS (from 2025): a taux progressif of the base relative to the
prorated PASS applied to the whole tranche (2025: 0 % under 20 % PASS, rising to 1.5 % at 40 %, 4 % at 60 %,
6.5 % at 110 %, 7.7 % at 200 % and 8.5 % at 300 %); tranche 2, above: 6.5 %. From 2025 in the collectivités of
L751-1 (overseas departments, Saint-Barthélemy, Saint-Martin) the base rate of D621-1, 8.5 %, without the
reduction. No minimum base for this contribution. Exempted under ACRE (D131-6-1) with the official formula on the
contribution at 75 % of the PASS.
"""

from __future__ import annotations

from typing import NamedTuple

from echeancier.contributions.context import Rows
from echeancier.contributions.exact import EURO, Ints, Ops, half_up
from echeancier.contributions.exonerations import after_invalidite
from echeancier.contributions.lines import line, rate, tranche
from echeancier.contributions.result import Line
from echeancier.contributions.scales import taux_progressif
from echeancier.law.snapshot import LawSnapshot

KEY = "maladie_maternite"
REFERENCE = "CSS L621-1, D621-1, D621-2"


class MaladieMaternite(NamedTuple):
    rate: Ints  # millionths, tranche 1
    tranche_1: Ints  # cents
    tranche_2: Ints  # cents
    gross: Ints  # 1e-8 €
    exoneration: Ints  # euros, on the ACRE rows (0 without any)
    amount: Ints


def rule(k: Ops, r: Rows) -> MaladieMaternite:
    law = r.law
    limit = law.maladie_plafond_tranche_1 // 100 * r.pass_proratise  # cents
    taux = taux_progressif(k, law.maladie_bareme, r.assiette_u, r.pass_proratise, law.progressive_divisor)
    if law.om_maladie_taux_tranche_1 is not None:
        # From 2025 in the collectivités of L751-1: the base rate of D621-1, without the reduction of D621-2
        # (LAW: docs/law-choices.md, 180).
        taux = k.where(r.outre_mer, law.om_maladie_taux_tranche_1, taux)
    tranche_1 = k.minimum(r.assiette, limit)
    tranche_2 = k.maximum(r.assiette - limit, 0)
    gross = taux * tranche_1 + law.maladie_taux_tranche_2 * tranche_2
    amount = half_up(gross, EURO)
    exoneration = 0
    if r.acre is not None:
        acre_gross = k.gather(gross, r.acre.rows)
        exoneration = exoneration_acre(k, r, acre_gross)
        amount = k.scatter(amount, r.acre.rows, half_up(k.maximum(acre_gross - exoneration * EURO, 0), EURO))
    amount = after_invalidite(k, r.invalidite, amount, gross, EURO)  # CSS D621-4
    return MaladieMaternite(taux, tranche_1, tranche_2, gross, exoneration, amount)


def exoneration_acre(k: Ops, r: Rows, gross: Ints) -> Ints:
    """D131-6-1, on the ACRE rows: the whole contribution (times the maximum share) under 75 % of the PASS, then
    (PASS − R) × E / (PASS − 75 % PASS) × maximum share, E being the contribution for a base of 75 % of the PASS;
    times the share of the year covered by the 12 months; rounded half up to the euro, exactly.

    E = rate(75 % PASS) × 75 % PASS (75 % of the PASS lies in tranche 1), and 75 % PASS / (PASS − 75 % PASS) is
    the ratio of the thresholds, so the degressive exemption is (PASS − R) × rate(75 %) × ratio × maximum share.
    """
    law, acre = r.law, r.acre
    assert acre is not None
    m_num, m_den = law.acre_maximum
    k_num, k_den = law.acre_ratio
    pass_, assiette = acre.pass_proratise, acre.assiette
    below = 100 * assiette < law.acre_seuil_degressivite * pass_
    above = 100 * assiette > law.acre_seuil_sortie * pass_
    at_threshold = taux_progressif(
        k, law.maladie_bareme, law.acre_seuil_degressivite * pass_, pass_, law.progressive_divisor
    )
    degressive = k.maximum(law.acre_seuil_sortie // 100 * pass_ - assiette, 0) * at_threshold
    numerator = k.where(below, gross * (m_num * k_den), degressive * (m_num * k_num)) * acre.num
    return k.where(above, 0, half_up(numerator, m_den * k_den * EURO * acre.den))


def explain(t: MaladieMaternite, law: LawSnapshot, assiette: int, outre_mer: bool = False) -> Line:
    value = rate(t.rate)
    flat = outre_mer and law.exact.om_maladie_taux_tranche_1 is not None
    label = "tranche 1 (taux de base, outre-mer)" if flat else "tranche 1 (taux progressif)"
    tranches = [tranche(label, t.tranche_1, value, t.rate)]
    if t.tranche_2:
        tranches.append(tranche("tranche 2", t.tranche_2, law.maladie_taux_tranche_2, law.exact.maladie_taux_tranche_2))
    rounded_gross = (t.gross + EURO // 2) // EURO
    return line(
        KEY,
        base=assiette,
        rate=value,
        amount=t.amount,
        gross=t.gross,
        tranches=tuple(tranches),
        reference="CSS L621-1, D621-1; L751-1" if flat else REFERENCE,
        progressive=not flat,
        exoneration=min(t.exoneration, rounded_gross),
    )
