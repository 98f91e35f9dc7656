"""Every contribution of an income year, written once for one situation and for many rows (`contributions.exact`).

`rows_of` computes what every rule needs (period of activity, prorated PASS, assiette sociale, ACRE rows) and
`cotisations` runs the six cotisations in URSSAF's order; CSG-CRDS and the CFP follow in the callers, which are
the engine `simulate` (one situation, Python ints, then the explanation) and `simulate_many` (NumPy arrays).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from echeancier.contributions import (
    allocations_familiales,
    conjoint_collaborateur,
    indemnites_journalieres,
    invalidite_deces,
    maladie_maternite,
    mayotte,
    professions_liberales,
    retraite_base,
    retraite_complementaire,
)
from echeancier.contributions.acre import acre_year_share
from echeancier.contributions.assiettes import activity_days, assiette_forfaitaire, assiette_sociale
from echeancier.contributions.context import AcreRows, Rows
from echeancier.contributions.exact import Bools, Ints, Ops
from echeancier.contributions.exonerations import age_rows, invalidite_rows
from echeancier.law.snapshot import Figures

LONG_AGO = -(10**6)  # the start of an activity not given (days since 1970-01-01): years before any income year

# The six cotisations in the order URSSAF presents them (CSG-CRDS and the CFP come after).
COTISATIONS = (
    maladie_maternite,
    indemnites_journalieres,
    retraite_base,
    retraite_complementaire,
    invalidite_deces,
    allocations_familiales,
)

# The cotisations assessed on the base a conjoint collaborateur shares (CSS D633-19-2 4°, 5°).
SHARED = (retraite_base, retraite_complementaire, invalidite_deces)


def rows_of(
    k: Ops,
    law: Figures,
    income: Ints,
    start: Ints,
    end: Ints,
    acre: Bools,
    minimums: Bools,
    outre_mer: Bools,
    invalidite: Ints | None = None,
    age: Bools | None = None,
) -> tuple[Rows, Ints | None]:
    """(the rows, the abattement in euros or None) for incomes in cents (≥ 0: a deficit counts as nil, CSS L131-6,
    R613-1-2 VI), the start and end of the activity in days since 1970-01-01 (`LONG_AGO` and 31 December when not
    given), `acre` where ACRE was granted (with a start date), `minimums` where no RSA applies and `outre_mer`
    where the activity is exercised in a collectivité of CSS L751-1 (`contributions.territory`); `invalidite` the
    months of invalidity pension in the year and `age` the invalidité-décès exemption by age, where given
    (`contributions.exonerations`).

    LAW (docs/law-choices.md, 181): no ACRE exemption in the collectivités of L751-1, which have their own
    start-of-activity exemption (L756-2, D756-4).
    """
    days, partial, pass_proratise = activity_days(k, law, start, end)
    abattement, assiette = assiette_sociale(k, law, income)
    anciennete = law.first_day - start
    rows = Rows(
        law, assiette, 100 * assiette, None, pass_proratise, days, partial, minimums, outre_mer, anciennete, None
    )
    chosen = k.select(acre & k.not_(outre_mer))
    if chosen is not None:
        applies, num, den = acre_year_share(k, law, k.gather(start, chosen), k.gather(days, chosen))
        kept = k.select(applies)
        if kept is not None:
            chosen = k.gather(chosen, kept)
            pass_acre, assiette_acre = k.gather(pass_proratise, chosen), k.gather(assiette, chosen)
            rows.acre = AcreRows(chosen, pass_acre, k.gather(num, kept), k.gather(den, kept), assiette_acre)
    if invalidite is not None:
        rows.invalidite = invalidite_rows(k, law, invalidite)
    if age is not None:
        rows.age = age_rows(k, age)
    return rows, abattement


def on_base(k: Ops, rows: Rows, assiette: Ints, assiette_ij: Ints | None) -> Rows:
    """The same rows on another base (the flat-rate base of the first two years)."""
    acre = rows.acre
    if acre is not None:
        acre = AcreRows(acre.rows, acre.pass_proratise, acre.num, acre.den, k.gather(assiette, acre.rows))
    return Rows(
        rows.law,
        assiette,
        100 * assiette,
        assiette_ij,
        rows.pass_proratise,
        rows.days,
        rows.partial,
        rows.minimums,
        rows.outre_mer,
        rows.anciennete,
        acre,
        rows.invalidite,
        rows.age,
    )


class Cotisations(NamedTuple):
    traces: tuple[Any, ...]  # what each rule computed, in the order of COTISATIONS
    total: Ints  # their sum, in euros


def cotisations(k: Ops, rows: Rows, retraite: Rows | None = None) -> Cotisations:
    """The six cotisations; under the law of Mayotte (ordonnance 96-1122) those of `contributions.mayotte`, for a
    profession libérale réglementée those of its section (`contributions.professions_liberales`).
    `retraite`: the rows on the base shared with a conjoint collaborateur (CSS D633-19-2 4°, 5°), on which the
    retraite de base, the retraite complémentaire and the invalidité-décès are assessed."""
    if rows.law.section:
        rules = professions_liberales.COTISATIONS[rows.law.section]
    else:
        rules = mayotte.COTISATIONS if rows.law.mayotte else _RULES
    if retraite is None:
        traces = tuple([rule(k, rows) for rule in rules])
    else:
        traces = tuple(rule(k, retraite if m in SHARED else rows) for rule, m in zip(rules, COTISATIONS, strict=True))
    total = traces[0].amount
    for trace in traces[1:]:
        total = total + trace.amount
    return Cotisations(traces, total)


def with_conjoint(
    k: Ops, rows: Rows, conjoint: Ints | None
) -> tuple[Cotisations, conjoint_collaborateur.Conjoint | None]:
    """The six cotisations of the head and, with a conjoint collaborateur, the conjoint's: on a shared base (CSS
    D633-19-2 4°, 5°) the head's retraite and invalidité-décès are assessed on what the conjoint's part leaves."""
    if conjoint is None:
        return cotisations(k, rows), None
    base = conjoint_collaborateur.assiette(k, rows, conjoint)
    shared = conjoint_collaborateur.partage(k, rows, conjoint, base)
    retraite = on_base(k, rows, rows.assiette - shared, rows.assiette_ij)
    return cotisations(k, rows, retraite), conjoint_collaborateur.rule(k, rows, conjoint, base)


_RULES = tuple(module.rule for module in COTISATIONS)


def forfait(
    k: Ops, rows: Rows, conjoint: Ints | None = None
) -> tuple[Rows, Cotisations, Ints, conjoint_collaborateur.Conjoint | None]:
    """The provisional contributions of the first two civil years of activity (L131-6-2 al. 2, R613-5 III,
    R131-2-1, D131-1): the six cotisations of `rows` on the flat-rate base (19 % of the prorated PASS, 40 % of the
    PASS for the indemnités journalières), ACRE applying, and a conjoint collaborateur's (`with_conjoint`).
    Returns (the rows on that base, the cotisations, the base in cents, on which CSG-CRDS is assessed too, the
    conjoint's). One text for `simulate` (`Simulation.forfait`) and for the batch (`simulate_many(...,
    forfait=True)`, the campaign of the first years)."""
    base = assiette_forfaitaire(rows.pass_proratise, rows.law)
    # The IJ base is one figure; `0 * base +` gives it the shape of the rows (an int, or a column).
    forfait_rows = on_base(k, rows, base, 0 * base + rows.law.forfait_assiette_ij)
    computed, cc = with_conjoint(k, forfait_rows, conjoint)
    return forfait_rows, computed, base, cc
