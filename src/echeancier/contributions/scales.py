"""Taux progressifs: rates interpolated on a scale of PASS multiples (CSS D621-2, D613-1)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from echeancier.kernel.money import ZERO, round_places
from echeancier.law.snapshot import Scale


def taux_progressif(scale: Scale, assiette: Decimal, pass_proratise: Decimal, places: int) -> Decimal:
    """The rate for `assiette` on `scale` (points [multiple of the PASS, rate]).

    D621-2 and D613-1 define the rate as increasing linearly between two thresholds and constant before the first
    and after the last; the rate so found applies to the whole base (it is not a marginal scale). URSSAF rounds it
    to the hundredth of a point before applying it (`places` decimals as a fraction).
    """
    if pass_proratise <= ZERO:
        return scale[0][1]
    first_threshold, first_rate = scale[0]
    if assiette <= first_threshold * pass_proratise:
        return first_rate
    for (low, low_rate), (high, high_rate) in pairwise(scale):
        low_euros, high_euros = low * pass_proratise, high * pass_proratise
        if assiette < high_euros:
            rate = low_rate + (high_rate - low_rate) * (assiette - low_euros) / (high_euros - low_euros)
            return round_places(rate, places)
    return scale[-1][1]
