"""The explanation of a contribution (`Line`), derived from the integers its rule computed (one situation)."""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.exact import EURO, RATE
from echeancier.contributions.result import Line, Tranche, decimal


def euros(cents: int, per_euro: int = 100) -> Decimal:
    """An integer amount (cents, or 1/`per_euro` €) in euros, exactly (rounded to 28 digits if it does not end)."""
    return decimal(cents, per_euro)


def units(amount: int, scale: int = 1) -> Decimal:
    """An amount before rounding (1e-8 € / `scale`) in euros."""
    return decimal(amount, EURO * scale)


def rate(millionths: int) -> Decimal:
    return decimal(millionths, RATE)


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
        amount=decimal(amount),
        reference=reference,
        tranches=tranches,
        gross=decimal(rounded_gross),
        exoneration=decimal(rounded_gross - amount if exoneration is None else exoneration),
        minimum=None if minimum is None else euros(minimum),
        progressive=progressive,
        capped=capped,
    )
