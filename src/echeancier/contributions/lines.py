"""The explanation of a contribution (`Line`), derived from the integers its rule computed (one situation)."""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.exact import EURO, RATE
from echeancier.contributions.result import Line, Tranche

_CENT = Decimal(100)
_EURO = Decimal(EURO)
_RATE = Decimal(RATE)


def euros(cents: int, per_euro: int = 100) -> Decimal:
    """An integer amount (cents, or 1/`per_euro` €) in euros, exactly (rounded to 28 digits if it does not end)."""
    if per_euro == 100:
        return Decimal(cents) / _CENT
    return Decimal(cents) / Decimal(per_euro)


def units(amount: int, scale: int = 1) -> Decimal:
    """An amount before rounding (1e-8 € / `scale`) in euros."""
    return Decimal(amount) / (_EURO if scale == 1 else _EURO * scale)


def rate(millionths: int) -> Decimal:
    return Decimal(millionths) / _RATE


def tranche(label: str, base_cents: int, rate_value: Decimal, rate_millionths: int) -> Tranche:
    return Tranche(label, euros(base_cents), rate_value, units(base_cents * rate_millionths))


def line(
    key: str,
    *,
    base: int,
    rate: Decimal,
    amount: int,
    gross: int,
    tranches: tuple[Tranche, ...],
    reference: str,
    minimum: int | None = None,
    capped: Decimal | None = None,
    progressive: bool = False,
    exoneration: int | None = None,
) -> Line:
    """A line: `base` and `minimum` in cents, `amount` in euros (after ACRE), `gross` in 1e-8 € before it."""
    rounded_gross = (gross + EURO // 2) // EURO
    return Line(
        key,
        base=euros(base),
        rate=rate,
        amount=Decimal(amount),
        reference=reference,
        tranches=tranches,
        gross=Decimal(rounded_gross),
        exoneration=Decimal(rounded_gross - amount if exoneration is None else exoneration),
        minimum=None if minimum is None else euros(minimum),
        progressive=progressive,
        capped=capped,
    )
