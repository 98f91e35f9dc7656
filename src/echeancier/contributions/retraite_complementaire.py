"""Retraite complémentaire des indépendants — CSS D635-7.

Income up to 2024: 7 % up to the RCI ceiling (PRCI, prorated) and 8 % up to 4 PASS. From 2025: 8.1 % up to the
PASS and 9.1 % from 1 to 4 PASS (prorated PASS). No minimum base, no ACRE exemption.
"""

from __future__ import annotations

from typing import NamedTuple

from echeancier.contributions.context import Rows
from echeancier.contributions.exact import EURO, Bools, Ints, Ops, half_up
from echeancier.contributions.exonerations import after_invalidite
from echeancier.contributions.lines import euros, line, units
from echeancier.contributions.result import Line, Tranche
from echeancier.law.snapshot import LawSnapshot

KEY = "retraite_complementaire"
REFERENCE = "CSS D635-7"


class RetraiteComplementaire(NamedTuple):
    scale: int  # the tranches below are in 1/scale cent (1, or 365 for the prorated PRCI up to 2024)
    base: Ints  # cents, after the ceiling
    ceiling: Ints  # cents, 4 prorated PASS
    capped: Bools
    tranche_1: Ints  # 1/scale cent
    tranche_2: Ints
    gross: Ints  # 1e-8 € / scale
    amount: Ints


def rule(k: Ops, r: Rows) -> RetraiteComplementaire:
    law = r.law
    ceiling = law.rci_plafond_tranche_2 // 100 * r.pass_proratise
    capped = r.assiette > ceiling
    base = k.minimum(r.assiette, ceiling)
    if law.rci_plafond_tranche_1_pass is not None:
        scale = 1
        limit = law.rci_plafond_tranche_1_pass // 100 * r.pass_proratise
    else:
        # LAW: up to 2024 the ceiling of tranche 1 is the PRCI × days / 365, not rounded (URSSAF's model): the
        # tranches are counted in 1/365 cent so that it stays exact.
        assert law.rci_plafond_tranche_1_montant is not None
        scale = law.jours_prorata
        days = k.where(r.partial, k.minimum(r.days, scale), scale)
        limit = law.rci_plafond_tranche_1_montant * days
    scaled = base if scale == 1 else base * scale
    tranche_1 = k.minimum(scaled, limit)
    tranche_2 = k.maximum(scaled - limit, 0)
    gross = law.rci_taux_tranche_1 * tranche_1 + law.rci_taux_tranche_2 * tranche_2
    amount = half_up(gross, EURO * scale)
    # CSS D635-2; LAW (docs/law-choices.md, 275): the kept share of the contribution rounded to the euro.
    amount = after_invalidite(k, r.invalidite, amount, amount, 1)
    return RetraiteComplementaire(scale, base, ceiling, capped, tranche_1, tranche_2, gross, amount)


def explain(t: RetraiteComplementaire, law: LawSnapshot) -> Line:
    figures = law.exact
    tranches = [
        Tranche(
            "tranche 1",
            euros(t.tranche_1, 100 * t.scale),
            law.rci_taux_tranche_1,
            units(figures.rci_taux_tranche_1 * t.tranche_1, t.scale),
        )
    ]
    if t.tranche_2:
        tranches.append(
            Tranche(
                "tranche 2",
                euros(t.tranche_2, 100 * t.scale),
                law.rci_taux_tranche_2,
                units(figures.rci_taux_tranche_2 * t.tranche_2, t.scale),
            )
        )
    return line(
        KEY,
        base=t.base,
        rate=law.rci_taux_tranche_1,
        amount=t.amount,
        gross=t.amount * EURO,  # no ACRE: the amount is the rounded gross amount
        tranches=tuple(tranches),
        reference=REFERENCE,
        capped=euros(t.ceiling) if t.capped else None,
    )
