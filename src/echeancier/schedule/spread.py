"""Equal instalments (CSS R613-2 II, R613-3 I, R613-4): an amount paid "en autant de versements, d'un montant
égal" as there are due dates.

DESIGN §2.1: each instalment is the amount divided by their number, rounded to the cent half up; the remainder
(positive or negative, a few cents) goes on the last instalment so that the instalments add up exactly.
"""

from __future__ import annotations

from decimal import Decimal

from echeancier.kernel.money import ZERO, round_cent


def spread(total: Decimal, count: int) -> list[Decimal]:
    """`total` in `count` equal instalments, to the cent, the remainder on the last one."""
    if count <= 0:
        raise ValueError("count: at least one instalment is needed to spread an amount")
    if total == ZERO:
        return [ZERO] * count
    each = round_cent(total / count)
    instalments = [each] * count
    instalments[-1] = round_cent(total - each * (count - 1))
    return instalments
