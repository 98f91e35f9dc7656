"""Exact money arithmetic.

Amounts are `decimal.Decimal` euros. Rounding is always half up (URSSAF practice, never banker's rounding) and
happens only where the law or URSSAF practice rounds: each contribution to the euro, instalments to the cent.
"""

from __future__ import annotations

import numbers
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")

Euros = Decimal


def round_euro(amount: Decimal) -> Decimal:
    """Round to the euro, half up (each contribution: URSSAF practice, DESIGN §2.2)."""
    return amount.quantize(ONE, rounding=ROUND_HALF_UP)


def round_cent(amount: Decimal) -> Decimal:
    """Round to the cent, half up (instalments: DESIGN §2.1)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_places(value: Decimal, places: int) -> Decimal:
    """Round to `places` decimal places, half up."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Convert a user-supplied number to Decimal without going through binary floating point noise.

    Raises ValueError for anything that is not a finite number.
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, numbers.Integral):
        result = Decimal(int(value))
    elif isinstance(value, float | numbers.Real):
        result = Decimal(repr(float(value)))  # NumPy floats print as np.float64(…): go through float
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(" ", "").replace("\u202f", "").replace(",", "."))
        except InvalidOperation:
            raise ValueError("not a number") from None
    else:
        raise ValueError("not a number")
    if not result.is_finite():
        raise ValueError("not a finite number")
    return result
