"""The rights opened by the contributions (L613-3 al. 1: "droits [...] en matière de prestations"): quarters of the
retraite de base, points of the retraite complémentaire, daily allowances of the health insurance, and what the
invalidité-décès contribution covers. The rules are written once over integers (`rights.rules`) and evaluated for
one simulation (`Simulation.rights`) and for a batch (`simulate_many(..., rights=True)`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from echeancier.contributions.assiettes import day_number
from echeancier.contributions.exact import SCALAR, Ops
from echeancier.rights.figures import RightsFigures, rights_figures
from echeancier.rights.result import Rights, build
from echeancier.rights.rules import DroitsAnnee, year_rights

if TYPE_CHECKING:
    from echeancier.contributions.context import Rows
    from echeancier.contributions.situation import Situation
    from echeancier.law.snapshot import LawSnapshot

__all__ = ["COLUMNS", "Rights", "RightsFigures", "columns", "columns_of", "of_traces", "rights_figures"]


def of_traces(situation: Situation, law: LawSnapshot, rows: Rows, traces: tuple[Any, ...], k: Ops = SCALAR) -> Rights:
    """The rights of one simulation, from the values its contribution rules computed (`contributions.year`); `k`:
    the helpers they are computed with (`SCALAR`, or `traced.TRACED` for the columns of `simulate --jsonl`)."""
    f = rights_figures(law)
    figures = law.exact
    _maladie, ij, rb, rci, _id, _af = traces
    has_start = situation.start_date is not None
    start = day_number(situation.start_date, figures.first_day)
    computed = year_rights(
        k, f, figures, rb, rci.amount, ij.base, rows.assiette, rows.days, start, has_start, rows.minimums
    )
    rights = build(
        f,
        computed,
        start=situation.start_date,
        acre=situation.acre,
        rsa=situation.rsa,
        minimum=(law.rb_assiette_minimale_heures, figures.rb_assiette_minimale // f.seuil_trimestre)
        if rb.floored
        else None,
    )
    if rows.invalidite is not None:
        # CSS D635-2 and the règlement of the RCI (art. 2): a pensioner's exempted months earn points without
        # contributions, and the months of pension count as periods of insurance; not computed here.
        rights = dataclasses.replace(rights, effets=(*rights.effets, PENSION_INVALIDITE))
    return rights


PENSION_INVALIDITE = (
    "Pension d'invalidité : les mois de pension sont assimilés à des périodes d'assurance et ouvrent des points de "
    "retraite complémentaire sans cotisation (règlement du régime complémentaire, art. 2) ; ces droits ne sont pas "
    "comptés ci-dessus, qui ne reflètent que les cotisations payées."
)


# The columns `simulate_many(..., rights=True)` adds, in the order of `columns`: integers (cents, hundredths of a
# point, 0/1 for eligibility) so that the batch stays exact.
COLUMNS = (
    "rights.retraite_base.trimestres",
    "rights.retraite_base.revenu_cotise_cents",
    "rights.retraite_complementaire.points_centiemes",
    "rights.retraite_complementaire.pension_annuelle_cents",
    "rights.indemnites_journalieres.eligible",
    "rights.indemnites_journalieres.montant_journalier_cents",
)


def columns(computed: DroitsAnnee) -> tuple[Any, ...]:
    """The values of `COLUMNS` from the integer rules (Python ints or arrays)."""
    rb, rci, ij = computed.retraite_base, computed.retraite_complementaire, computed.indemnites_journalieres
    return (rb.trimestres, rb.revenu_cotise, rci.points, rci.pension_annuelle, ij.eligible, ij.montant_journalier)


def columns_of(rights: Rights) -> tuple[int, ...]:
    """The values of `COLUMNS` from a scalar result (the rows the batch sends to the scalar engine)."""
    rb, rci, ij = rights.retraite_base, rights.retraite_complementaire, rights.indemnites_journalieres
    return (
        rb.trimestres,
        int(rb.revenu_cotise * 100),
        int(rci.points * 100),
        int(rci.pension_annuelle * 100),
        int(ij.eligible),
        int(ij.montant_journalier * 100),
    )
