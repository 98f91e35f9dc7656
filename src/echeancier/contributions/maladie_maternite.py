"""Maladie-maternité — CSS L621-1, D621-1, D621-2.

Tranche 1, up to 5 PASS (income up to 2024) or 3 PASS (from 2025): a taux progressif of the base relative to the
prorated PASS applied to the whole tranche (2025: 0 % under 20 % PASS, rising to 1.5 % at 40 %, 4 % at 60 %,
6.5 % at 110 %, 7.7 % at 200 % and 8.5 % at 300 %); tranche 2, above: 6.5 %. No minimum base for this
contribution. Exempted under ACRE (D131-6-1) with the official formula on the contribution at 75 % of the PASS.
"""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.context import Context
from echeancier.contributions.result import Line, Tranche
from echeancier.contributions.scales import taux_progressif
from echeancier.kernel.money import ZERO, round_euro, round_ratio

REFERENCE = "CSS L621-1, D621-1, D621-2"


def _gross(assiette: Decimal, ctx: Context) -> tuple[Decimal, tuple[Tranche, ...], Decimal]:
    law = ctx.law
    pass_ = ctx.pass_proratise
    limit = law.maladie_plafond_tranche_1 * pass_
    rate = taux_progressif(law.maladie_bareme, assiette, pass_, law.decimales_taux_progressif)
    base_1 = min(assiette, limit)
    tranches = [Tranche("tranche 1 (taux progressif)", base_1, rate, base_1 * rate)]
    if assiette > limit:
        base_2 = assiette - limit
        tranches.append(Tranche("tranche 2", base_2, law.maladie_taux_tranche_2, base_2 * law.maladie_taux_tranche_2))
    return rate, tuple(tranches), sum((t.amount for t in tranches), ZERO)


def exoneration_acre(assiette: Decimal, gross: Decimal, ctx: Context) -> Decimal:
    """D131-6-1: the whole contribution (times the maximum share) under 75 % of the PASS, then
    (PASS − R) × E / (PASS − 75 % PASS) × maximum share, E being the contribution for a base of 75 % of the PASS;
    times the share of the year covered by the 12 months; rounded to the euro."""
    exemption = ctx.acre
    if exemption is None or assiette > exemption.seuil_sortie:
        return ZERO
    m_num, m_den = exemption.maximum.as_integer_ratio()
    if assiette < exemption.seuil_degressivite:
        g_num, g_den = gross.as_integer_ratio()
        num, den = g_num * m_num, g_den * m_den
    else:
        at_threshold = _gross(exemption.seuil_degressivite, ctx)[2]
        gap_num, gap_den = (exemption.seuil_sortie - assiette).as_integer_ratio()
        e_num, e_den = at_threshold.as_integer_ratio()
        span_num, span_den = (exemption.seuil_sortie - exemption.seuil_degressivite).as_integer_ratio()
        num = gap_num * e_num * span_den * m_num
        den = gap_den * e_den * span_num * m_den
    f_num, f_den = exemption.fraction
    return round_ratio(num * f_num, den * f_den)


def maladie_maternite(ctx: Context) -> Line:
    assiette = ctx.assiette
    rate, tranches, gross = _gross(assiette, ctx)
    exoneration = exoneration_acre(assiette, gross, ctx)
    amount = round_euro(max(ZERO, gross - exoneration))
    return Line(
        "maladie_maternite",
        base=assiette,
        rate=rate,
        amount=amount,
        reference=REFERENCE,
        tranches=tranches,
        gross=round_euro(gross),
        exoneration=min(exoneration, round_euro(gross)),
        progressive=True,
    )
