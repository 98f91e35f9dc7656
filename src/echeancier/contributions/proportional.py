"""Shared shape of the contributions that are a rate (or two tranches) of a floored and capped base."""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.acre import taux_exoneration
from echeancier.contributions.context import Context
from echeancier.contributions.result import Line, Tranche
from echeancier.kernel.money import ZERO, round_euro, round_ratio


def line_with_acre(
    key: str,
    *,
    ctx: Context,
    base: Decimal,
    rate: Decimal,
    tranches: tuple[Tranche, ...],
    reference: str,
    acre_assiette: Decimal | None,
    minimum: Decimal | None = None,
    capped: Decimal | None = None,
    progressive: bool = False,
) -> Line:
    """A line whose gross amount is the sum of its tranches, less the ACRE share when `acre_assiette` is given
    (the base D131-6-1 compares with the PASS), rounded to the euro."""
    gross = sum((t.amount for t in tranches), ZERO)
    share_num, share_den = taux_exoneration(ctx.acre, acre_assiette) if acre_assiette is not None else (0, 1)
    if share_num:
        g_num, g_den = gross.as_integer_ratio()
        amount = round_ratio(g_num * (share_den - share_num), g_den * share_den)
    else:
        amount = round_euro(gross)
    rounded_gross = round_euro(gross)
    return Line(
        key,
        base=base,
        rate=rate,
        amount=amount,
        reference=reference,
        tranches=tranches,
        gross=rounded_gross,
        exoneration=rounded_gross - amount,
        minimum=minimum,
        progressive=progressive,
        capped=capped,
    )
