"""Equal instalments (CSS R613-2 II, R613-3 I, R613-4): an amount paid "en autant de versements, d'un montant
égal" as there are due dates.

DESIGN §2.1: each instalment is the amount divided by their number, rounded to the cent half up; the remainder
(positive or negative, a few cents) goes on the last instalment so that the instalments add up exactly.

`equal_instalments` is the one text of the rule, over integer cents with the helpers of `contributions.exact`: the
replay (`spread`, one amount) evaluates it on Python ints, the campaign (`schedule.vectorized`) on int64 arrays of
many accounts at once.
"""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.exact import SCALAR, Ints, Ops, half_up
from echeancier.kernel.money import ZERO, round_cent


def equal_instalments(k: Ops, total: Ints, count: Ints) -> tuple[Ints, Ints]:
    """(each instalment, the last one) of `total` cents in `count` ≥ 1 equal instalments: the total divided by
    their number rounded to the cent half up (away from zero for a negative total, as `round_cent`), the
    remainder on the last one."""
    magnitude = half_up(k.where(total < 0, -total, total), count)
    each = k.where(total < 0, -magnitude, magnitude)
    return each, total - each * (count - 1)


def spread(total: Decimal, count: int) -> list[Decimal]:
    """`total` in `count` equal instalments, to the cent, the remainder on the last one."""
    if count <= 0:
        raise ValueError("count: at least one instalment is needed to spread an amount")
    if total == ZERO:
        return [ZERO] * count
    each, last = equal_instalments(SCALAR, int(round_cent(total).scaleb(2)), count)
    return [Decimal(each).scaleb(-2)] * (count - 1) + [Decimal(last).scaleb(-2)]
