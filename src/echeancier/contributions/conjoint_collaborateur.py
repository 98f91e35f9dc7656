"""Conjoint collaborateur — CSS L662-1 (the status: C. com. L121-4), D633-19-2, R662-1; C. trav. L6331-48 2°.

The conjoint collaborateur of an artisan, commerçant or libéral non réglementé pays, on a base of their own, the
retraite de base (D633-2, D633-3), the retraite complémentaire (D635-7) and the invalidité-décès (D632-1) of the
head of the business, and the indemnités journalières on the minimum IJ base, 40 % of the PASS (D621-3). No
maladie-maternité, allocations familiales or CSG-CRDS. The base is chosen among the five of D633-19-2:

1° a third of the annual PASS (`forfaitaire`);
2°, 3° a third or a half of the head's base, the head keeping their whole base (`tiers_sans_partage`,
   `moitie_sans_partage`);
4°, 5° a third or a half of the head's base shared between them: the head's retraite de base, retraite
   complémentaire and invalidité-décès are assessed on what remains (`tiers_avec_partage`, `moitie_avec_partage`).

The minimum bases apply to the conjoint's own base as to the head's. The ACRE of the head (D131-6-1) exempts the
conjoint's contributions only with a shared base, the conjoint's income being then a part of the head's.

At Mayotte, under its own law (income from 2025, `law.snapshot.mayotte_snapshot`), the conjoint's base is not one of
D633-19-2 but 450 hours of the SMIC of Mayotte whatever the option, and the conjoint owes only Mayotte's retraite de
base (ordonnance n° 96-1122 art. 28-2), on that base within Mayotte's prorated PASS, exempted in the first 24 months
(art. 28-8); Mayotte's régime has no indemnités journalières, retraite complémentaire or invalidité-décès of the
metropolitan régime (`contributions.mayotte`). The head's base is never shared there (docs/law-choices.md, 340).

The rules are those of the head (`retraite_base.rule`…, or `mayotte.COTISATIONS` at Mayotte) run on the conjoint's
rows (`year.on_base`), as written once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from echeancier.contributions import (
    indemnites_journalieres,
    invalidite_deces,
    mayotte,
    retraite_base,
    retraite_complementaire,
)
from echeancier.contributions.context import AcreRows, Rows
from echeancier.contributions.exact import Bools, Ints, Ops, half_up
from echeancier.contributions.result import Line
from echeancier.law.snapshot import LawSnapshot

# The options of the situation field `conjoint_collaborateur`, by code (0: no conjoint collaborateur).
OPTIONS: tuple[str | None, ...] = (
    None,
    "forfaitaire",
    "tiers_sans_partage",
    "moitie_sans_partage",
    "tiers_avec_partage",
    "moitie_avec_partage",
)
FORFAITAIRE = 1
AVEC_PARTAGE = 4  # codes from this one share the head's base
RULES = (indemnites_journalieres, retraite_base, retraite_complementaire, invalidite_deces)
KEYS: tuple[str, ...] = tuple(module.KEY for module in RULES)
COLUMNS: tuple[str, ...] = tuple(f"conjoint_{key}" for key in KEYS)  # the columns of simulate_many
REFERENCE = "CSS L662-1, D633-19-2"
# The five bases, as D633-19-2 numbers them, in the words of the web page and the documents.
LABELS = {
    "forfaitaire": "1° un tiers du plafond annuel de la sécurité sociale (assiette forfaitaire)",
    "tiers_sans_partage": "2° un tiers de votre revenu, sans partage",
    "moitie_sans_partage": "3° la moitié de votre revenu, sans partage",
    "tiers_avec_partage": "4° un tiers de votre revenu, partagé : déduit de votre assiette retraite et "
    "invalidité-décès",
    "moitie_avec_partage": "5° la moitié de votre revenu, partagée : déduite de votre assiette retraite et "
    "invalidité-décès",
}
REFERENCE_MAYOTTE = "CSS L662-1; conjoint collaborateur à Mayotte : 450 heures de SMIC de Mayotte"


def code(option: str | None) -> int:
    return OPTIONS.index(option)


def assiette(k: Ops, r: Rows, option: Ints) -> Ints:
    """The conjoint's base in cents, rounded to the euro (D633-19-2): a third of the annual PASS, or a third or a
    half of the head's assiette sociale; at Mayotte 450 hours of its SMIC, every option; 0 without a conjoint."""
    law = r.law
    if law.mayotte:
        # LAW (docs/law-choices.md, 340): at Mayotte the options of D633-19-2 do not apply (URSSAF's model makes the
        # choice of base "non applicable" there) and the base is 450 hours of the SMIC of Mayotte on 1 January.
        return k.where(option > 0, 0 * r.assiette + law.cc_assiette_mayotte, 0)
    share = 100 * half_up(r.assiette, 100 * k.take(law.cc_diviseurs, option))
    base = k.where(option == FORFAITAIRE, law.cc_assiette_forfaitaire, share)
    return k.where(option > 0, base, 0)


def partage(k: Ops, r: Rows, option: Ints, base: Ints) -> Ints:
    """What D633-19-2 4° and 5° take off the head's base for the retraite and invalidité-décès (cents); nothing at
    Mayotte, where the conjoint's base is fixed (`assiette`) and the head's is not shared."""
    if r.law.mayotte:
        return 0 * base
    return k.where(option >= AVEC_PARTAGE, base, 0)


class Conjoint(NamedTuple):
    option: Ints  # code in OPTIONS
    base: Ints  # cents (D633-19-2)
    traces: tuple[Any, ...]  # what the rules computed on the conjoint's rows, in the order of RULES
    amount: Ints  # euros, their sum


def rule(k: Ops, r: Rows, option: Ints, base: Ints) -> Conjoint:
    """The conjoint's four contributions (0 where there is no conjoint)."""
    law = r.law
    acre = r.acre
    if law.mayotte:
        # Mayotte's rules on the conjoint's base: its retraite de base (with the 24-month exemption of the activity,
        # art. 28-8, and the minimum base), nothing for the three others; no ACRE there (docs/law-choices.md, 181).
        rows = Rows(
            law,
            base,
            100 * base,
            None,
            r.pass_proratise,
            r.days,
            r.partial,
            r.minimums,
            r.outre_mer,
            r.anciennete,
            None,
        )
        traces = tuple(rule(k, rows) for rule in mayotte.CONJOINT)
        return Conjoint(option, base, traces, _sum(k, option > 0, traces))
    if acre is not None:
        # D131-6-1 exempts the conjoint only on a shared base (a part of the head's exempted income).
        kept = k.select(k.gather(option, acre.rows) >= AVEC_PARTAGE)
        if kept is None:
            acre = None
        else:
            acre = AcreRows(
                k.gather(acre.rows, kept),
                k.gather(acre.pass_proratise, kept),
                k.gather(acre.num, kept),
                k.gather(acre.den, kept),
                k.gather(acre.assiette, kept),
            )
    # The IJ base is the minimum one, 40 % of the annual PASS (D621-3). LAW (docs/law-choices.md, 251): a head
    # receiving the RSA or the prime d'activité owes no minimum contribution, the conjoint's IJ included (URSSAF).
    ij = k.where(r.minimums, base * 0 + law.ij_assiette_minimale, base * 0)
    rows = Rows(
        law, base, 100 * base, ij, r.pass_proratise, r.days, r.partial, r.minimums, r.outre_mer, r.anciennete, None
    )
    if acre is not None:
        rows.acre = AcreRows(acre.rows, acre.pass_proratise, acre.num, acre.den, k.gather(base, acre.rows))
    traces = tuple(module.rule(k, rows) for module in RULES)
    return Conjoint(option, base, traces, _sum(k, option > 0, traces))


def _sum(k: Ops, present: Bools, traces: tuple[Any, ...]) -> Ints:
    amount = traces[0].amount * 0
    for trace in traces:
        amount = amount + k.where(present, trace.amount, 0)
    return amount


def amounts(k: Ops, c: Conjoint) -> tuple[Ints, ...]:
    """The conjoint's amount of each contribution (0 where there is no conjoint), in the order of KEYS."""
    present = c.option > 0
    return tuple(k.where(present, trace.amount, 0) for trace in c.traces)


def lines(c: Conjoint, law: LawSnapshot) -> tuple[Line, ...]:
    """The conjoint's lines (one situation with a conjoint), each citing D633-19-2 besides its own articles (at
    Mayotte, the base of 450 hours of its SMIC)."""
    if law.mayotte:
        made = mayotte.conjoint_lines(c.traces, law)
        return tuple(replace(line, reference=f"{line.reference}; {REFERENCE_MAYOTTE}") for line in made)
    made = (
        indemnites_journalieres.explain(c.traces[0], law),
        retraite_base.explain(c.traces[1], law),
        retraite_complementaire.explain(c.traces[2], law),
        invalidite_deces.explain(c.traces[3], law),
    )
    return tuple(replace(line, reference=f"{line.reference}; {REFERENCE}") for line in made)


def present(option: Bools) -> Bools:
    return option > 0
