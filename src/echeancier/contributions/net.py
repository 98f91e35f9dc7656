"""Income given net of contributions: find the income the law's base starts from that leaves exactly that net.

The user knows what is left once the contributions are paid (`income_is_net`); the law's base is the income
before them:
- income from 2025 (revenu brut, CSS L131-6, L136-3): net = revenu brut − every contribution computed here;
- income up to 2024 the base is the revenu professionnel, which the tax definition already gives after deduction
  of the compulsory contributions and of the deductible CSG (CGI 154 bis, 154 quinquies): net = revenu
  professionnel − CSG non déductible − CRDS. LAW: the only reading under which "net of contributions" means
  the same money in both regimes.
 The contributions being rounded to the euro, net(G) = G − total(G) takes whole-euro values for whole
euro incomes and is non-decreasing but for rounding steps and the ACRE exit (where an extra euro of income can cost
more than a euro of exemption). We search the smallest whole-euro gross income whose net is at least the target,
then look around it for one that gives the target exactly.
"""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.result import Simulation
from echeancier.contributions.situation import InputError, Situation
from echeancier.kernel.money import ZERO, round_euro
from echeancier.law.snapshot import LawSnapshot

# How far around the first candidate to look for an exact solution (rounding steps are a few euros at most).
_SEARCH_WINDOW = 8


def deducted(simulation: Simulation, law: LawSnapshot) -> Decimal:
    """What separates the law's base from the net income (see the module docstring)."""
    if law.apres_reforme:
        return simulation.total
    line = simulation.line("csg_crds")
    non_deductible = line.tranches[1].amount
    if line.exoneration and line.gross:
        # An exemption of the whole line (CSS L756-2, `debut_outre_mer`): what stays due of each part, pro rata.
        non_deductible = non_deductible * line.amount / line.gross
    return round_euro(non_deductible)


def simulate_from_net(situation: Situation, law: LawSnapshot) -> Simulation:
    from echeancier.contributions.engine import compute

    target = round_euro(situation.income)

    def net(gross: Decimal) -> tuple[Decimal, Simulation]:
        simulation = compute(situation, law, gross, notes=("net_solved",))
        return gross - deducted(simulation, law), simulation

    low_net = net(ZERO)[0]
    if target <= low_net:
        # Even no income leaves less than the target once the minimum contributions are paid: the gross
        # income is nil (a deficit is treated as zero).
        return compute(situation, law, ZERO, notes=("net_solved", "net_below_minimum_contributions"))
    low, high = ZERO, max(Decimal(1000), target * 2)
    while net(high)[0] < target:
        low, high = high, high * 2
        if high > Decimal(10) ** 9:
            raise InputError("income", "aucun revenu brut ne laisse ce revenu net")
    while high - low > 1:
        middle = round_euro((low + high) / 2)
        if net(middle)[0] >= target:
            high = middle
        else:
            low = middle
    best: tuple[Decimal, Simulation] | None = None
    for gross in range(max(0, int(high) - _SEARCH_WINDOW), int(high) + _SEARCH_WINDOW + 1):
        value, simulation = net(Decimal(gross))
        if value == target:
            return simulation
        if value > target and (best is None or value < best[0]):
            best = (value, simulation)
    assert best is not None
    simulation = best[1]
    return compute(situation, law, simulation.income, notes=("net_solved", "net_not_reachable_exactly"))
