"""Taux progressifs: rates interpolated on a scale of PASS multiples (CSS D621-2, D613-1)."""

from __future__ import annotations

from echeancier.contributions.exact import Ints, Ops, half_up
from echeancier.law.snapshot import Steps


def taux_progressif(k: Ops, scale: Steps, assiette_u: Ints, pass_proratise: Ints, divisor: int) -> Ints:
    """The rate (in millionths) for a base `assiette_u` in 1e-4 € on `scale` (points [multiple of the PASS, rate]).

    D621-2 and D613-1 define the rate as increasing linearly between two thresholds and constant before the first
    and after the last; the rate so found applies to the whole base (it is not a marginal scale). URSSAF rounds it
    half up to the hundredth of a point before applying it (`divisor`: RATE / 10**decimals). In 1e-4 €, with
    `index` the number of thresholds after the first the base reaches:
    rate = (r_low × span + Δr × (assiette − low)) / span, span and low being PASS multiples × the prorated PASS.
    """
    if scale.last == 0:
        return scale.rate[0] + 0 * assiette_u
    if scale.last == 1:  # one segment (allocations familiales): no table to read
        low, span = scale.low[0] * pass_proratise, k.maximum(scale.span[0] * pass_proratise, 1)
        numerator = scale.rate[0] * span + scale.delta[0] * (assiette_u - low)
        after = assiette_u >= scale.low[1] * pass_proratise
    else:
        index = 0 * assiette_u
        for threshold in scale.low[1:]:
            index = index + (assiette_u >= threshold * pass_proratise)
        low = k.take(scale.low, index) * pass_proratise
        span = k.maximum(k.take(scale.span, index) * pass_proratise, 1)
        numerator = k.take(scale.rate, index) * span + k.take(scale.delta, index) * (assiette_u - low)
        after = index == scale.last
    rate = half_up(k.maximum(numerator, 0), divisor * span) * divisor
    rate = k.where(after, scale.rate[-1], rate)
    first = (assiette_u <= scale.low[0] * pass_proratise) | (pass_proratise <= 0)
    return k.where(first, scale.rate[0], rate)
