"""The indicative simulation of L613-3 al. 1: every contribution of one income year.

The rules are selected by the income year (parameter `regime.assiette`): up to 2024 the contributions are assessed
on the revenu professionnel and CSG-CRDS on that income plus the compulsory contributions; from 2025 on the single
base of L131-6 and L136-3 (revenu brut less 26 %).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from echeancier.contributions.acre import Acre, acre
from echeancier.contributions.allocations_familiales import allocations_familiales
from echeancier.contributions.assiettes import (
    Activity,
    activity,
    assiette_apres_abattement,
    assiette_forfaitaire,
    assiette_forfaitaire_ij,
)
from echeancier.contributions.context import Context
from echeancier.contributions.csg_crds import csg_crds
from echeancier.contributions.formation_professionnelle import formation_professionnelle
from echeancier.contributions.indemnites_journalieres import indemnites_journalieres
from echeancier.contributions.invalidite_deces import invalidite_deces
from echeancier.contributions.maladie_maternite import maladie_maternite
from echeancier.contributions.result import Line, Simulation
from echeancier.contributions.retraite_base import retraite_base
from echeancier.contributions.retraite_complementaire import retraite_complementaire
from echeancier.contributions.situation import Situation, situation_from_mapping
from echeancier.kernel.money import ZERO
from echeancier.law.snapshot import LawSnapshot, snapshot

COTISATIONS = (
    maladie_maternite,
    indemnites_journalieres,
    retraite_base,
    retraite_complementaire,
    invalidite_deces,
    allocations_familiales,
)


def simulate(situation: Situation | Mapping[str, Any], law: LawSnapshot | None = None) -> Simulation:
    """Every contribution owed for `situation` (a Situation or a mapping of its fields).

    Raises `InputError` (naming the field) for input that cannot be simulated.
    """
    if not isinstance(situation, Situation):
        situation = situation_from_mapping(situation)
    law = law or snapshot(situation.year)
    if situation.income_is_net:
        from echeancier.contributions.net import simulate_from_net

        return simulate_from_net(situation, law)
    return compute(situation, law, situation.income)


def compute(situation: Situation, law: LawSnapshot, income: Decimal, notes: tuple[str, ...] = ()) -> Simulation:
    """The contributions for a given gross income (the situation's own income field is not read)."""
    if income < ZERO:
        # CSS L131-6, R613-1-2 VI: a deficit counts as a nil income.
        notes = (*notes, "deficit_as_zero")
        income = ZERO
    period = activity(situation, law)
    exemption = acre(situation, period, law)
    minimums = not situation.rsa
    if law.apres_reforme:
        abattement, assiette = assiette_apres_abattement(income, law)
    else:
        abattement, assiette = None, income
    ctx = Context(law, situation.profession, assiette, None, period, minimums, exemption)
    lines = [rule(ctx) for rule in COTISATIONS]
    if law.apres_reforme:
        assiette_csg = assiette
    else:
        # L136-3 (former wording): revenu professionnel plus the compulsory social contributions.
        assiette_csg = income + sum((line.amount for line in lines), ZERO)
    lines.append(csg_crds(assiette_csg, law))
    lines.append(formation_professionnelle(ctx))
    forfait = None
    if situation.start_date is not None and situation.year - situation.start_date.year < law.forfait_duree_annees:
        forfait = _forfait(situation, law, period, exemption, minimums)
    return Simulation(
        situation=situation,
        year=situation.year,
        regime=law.regime,
        income=income,
        assiette_sociale=assiette,
        assiette_csg=assiette_csg,
        abattement=abattement,
        pass_annuel=law.pass_annuel,
        pass_proratise=period.pass_proratise,
        jours_activite=period.days,
        prorata=period.prorata,
        lines=tuple(lines),
        total=sum((line.amount for line in lines), ZERO),
        acre_fraction=_decimal(exemption.fraction) if exemption else ZERO,
        notes=notes,
        forfait=forfait,
    )


def _forfait(
    situation: Situation, law: LawSnapshot, period: Activity, exemption: Acre | None, minimums: bool
) -> Simulation:
    """Provisional contributions of the first two civil years of activity, on the flat-rate base (L131-6-2 al. 2,
    R613-5 III, R131-2-1, D131-1): 19 % of the prorated PASS, 40 % of the PASS for the indemnités journalières.
    CSG-CRDS is assessed on the flat-rate base itself. ACRE applies (the provisional amounts are net of it)."""
    base = assiette_forfaitaire(period.pass_proratise, law)
    ctx = Context(law, situation.profession, base, assiette_forfaitaire_ij(law), period, minimums, exemption)
    lines: list[Line] = [rule(ctx) for rule in COTISATIONS]
    lines.append(csg_crds(base, law))
    lines.append(formation_professionnelle(ctx))
    return Simulation(
        situation=situation,
        year=situation.year,
        regime=law.regime,
        income=base,
        assiette_sociale=base,
        assiette_csg=base,
        abattement=None,
        pass_annuel=law.pass_annuel,
        pass_proratise=period.pass_proratise,
        jours_activite=period.days,
        prorata=period.prorata,
        lines=tuple(lines),
        total=sum((line.amount for line in lines), ZERO),
        acre_fraction=_decimal(exemption.fraction) if exemption else ZERO,
        notes=("forfait_debut_activite",),
    )


def _decimal(value: tuple[int, int]) -> Decimal:
    """An exact ratio shown as a decimal (for display: the computation keeps the ratio)."""
    return Decimal(value[0]) / Decimal(value[1])
