"""The cotisations of a profession libérale réglementée (CSS L640-1): its section professionnelle's rules.

Under the law of a section (`law.snapshot.section_snapshot`) the six cotisations are:
- maladie-maternité, indemnités journalières, allocations familiales: the rules of every travailleur indépendant
  (`maladie_maternite`, `indemnites_journalieres`, `allocations_familiales`), with the figures of the professions
  libérales the section snapshot puts in place (IJ at 0.30 % up to 3 PASS, CSS D621-3; before 2025 the maladie
  scale of the professions libérales, D621-2); collected by the Urssaf;
- retraite de base of the CNAVPL (CSS L642-1, D642-3, D642-4): 8.73 % (8.23 % up to 2024) of the income up to the
  prorated PASS plus 1.87 % of the income up to 5 prorated PASS, each tranche rounded to the euro; the base is at
  least 450 hours of the SMIC horaire unless the activity lasted less than 90 days; exempted under ACRE;
- the section's retraite complémentaire and invalidité-décès (Cipav: décret n° 79-262 and its statuts, a rate of
  the income; CAVEC: its statuts, a fixed amount by class of income).
For the avocats (CNBF, CSS L651-1) the retraite de base is the CNBF's (L652-1: a forfait by years of practice and a
proportional part), with its complémentaire and invalidité-décès, and no IJ contribution.
The RSA or prime d'activité removes the minimums of these cotisations as of the others (as URSSAF's model does).

Who collects: since 1 January 2023 every cotisation of the Cipav's members is collected by the Urssaf, the
retraite de base for the CNAVPL and the complémentaire and invalidité-décès for the Cipav (the transfer of the
Cipav's collection to the Urssaf, as URSSAF states it); the CAVEC collects its members' retraite de base (for
the CNAVPL), complémentaire and invalidité-décès itself (CSS R642-2, docs/law-choices.md 265), and the CNBF the
avocats' (R652-34); each line says so (`collected_by`).

Written once over integers (`contributions.exact`), for one situation and for many rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any, NamedTuple

from echeancier.contributions import allocations_familiales, indemnites_journalieres, maladie_maternite, pamc
from echeancier.contributions.acre import assiette_share, with_acre
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import EURO, FRAC, Bools, Ints, Ops, half_up
from echeancier.contributions.lines import euros, line, tranche
from echeancier.contributions.result import Line, Tranche, decimal
from echeancier.law.snapshot import Classes, LawSnapshot

REFERENCE_RETRAITE_BASE = "CSS L642-1, D642-3, D642-4"
REFERENCE_CIPAV_RC = "Décret n° 79-262 du 21 mars 1979 art. 2 (statuts Cipav)"
REFERENCE_CIPAV_ID = "Statuts du régime invalidité-décès de la Cipav (CSS L644-2)"
REFERENCE_CAVEC_RC = "Statuts du régime complémentaire de la CAVEC (CSS L644-1), classes de cotisation"
REFERENCE_CAVEC_ID = "Statuts du régime invalidité-décès de la CAVEC (CSS L644-2), classes de cotisation"

# Who collects each of the six cotisations, by section (in the order of `contributions.year.COTISATIONS`), then
# CSG-CRDS and the CFP, which the Urssaf collects for every section.
URSSAF = "Urssaf"
COLLECTED_BY: dict[str, tuple[str, ...]] = {
    "cipav": (
        URSSAF,
        URSSAF,
        "Urssaf, pour la CNAVPL (section Cipav)",
        "Urssaf, pour la Cipav",
        "Urssaf, pour la Cipav",
        URSSAF,
        URSSAF,
        URSSAF,
    ),
    "cavec": (URSSAF, URSSAF, "CAVEC, pour la CNAVPL", "CAVEC", "CAVEC", URSSAF, URSSAF, URSSAF),
    "cnbf": (URSSAF, URSSAF, "CNBF", "CNBF", "CNBF", URSSAF, URSSAF, URSSAF),
    # The health sections collect their members' retraite de base (for the CNAVPL), complémentaire and
    # invalidité-décès, and their PCV (`pamc.EXTRAS`, with the Urssaf's contribution additionnelle and CURPS).
    **{
        name: (URSSAF, URSSAF, f"{name.upper()}, pour la CNAVPL", name.upper(), name.upper(), URSSAF, URSSAF, URSSAF)
        for name in ("carmf", "carpimko", "carcdsf", "cavp")
    },
}
# Who collects each of `pamc.EXTRAS` (PCV, contribution additionnelle, CURPS), by health section.
COLLECTED_BY_EXTRAS: dict[str, tuple[str, ...]] = {
    name: (name.upper(), URSSAF, URSSAF) for name in ("carmf", "carpimko", "carcdsf", "cavp")
}


def by(collector: str) -> str:
    """« par l'Urssaf… », « par la CAVEC… »: the collector after « par »."""
    return f"l'{collector}" if collector.startswith(URSSAF) else f"la {collector}"


def collected_elsewhere(amounts: tuple[int, ...], section: str, *, extras: tuple[int, ...] = ()) -> int:
    """The euros of `amounts` (one per contribution, in the order of `result.CONTRIBUTIONS`) and of a health
    section's `extras` (`pamc.EXTRAS`) that the section's own caisse collects, not the Urssaf (CSS R642-2): they
    are not called by the Urssaf's échéancier."""
    found = sum(a for a, who in zip(amounts, COLLECTED_BY[section], strict=True) if not who.startswith(URSSAF))
    if extras:
        found += sum(
            a for a, who in zip(extras, COLLECTED_BY_EXTRAS[section], strict=True) if not who.startswith(URSSAF)
        )
    return found


def maladie(k: Ops, r: Rows) -> maladie_maternite.MaladieMaternite:
    """Maladie-maternité (`maladie_maternite`); before 2025 the scale of the professions libérales (D621-2),
    whose thresholds are fractions of the annual PASS, not prorated (LAW: docs/law-choices.md, 262)."""
    if r.law.apres_reforme:
        return maladie_maternite.rule(k, r)
    t = maladie_maternite.rule(k, replace(r, pass_proratise=r.law.pass_annuel, acre=None))
    # The contribution is rounded to the euro before the ACRE exemption is taken from it (as URSSAF's model).
    gross = half_up(t.gross, EURO) * EURO
    amount = half_up(gross, EURO)
    exoneration = 0
    if r.acre is not None:
        acre_gross = k.gather(gross, r.acre.rows)
        exoneration = maladie_maternite.exoneration_acre(k, r, acre_gross)
        amount = k.scatter(amount, r.acre.rows, k.maximum(acre_gross // EURO - exoneration, 0))
    return t._replace(gross=gross, exoneration=exoneration, amount=amount)


# The note of an échéancier of a profession libérale réglementée (`schedule.echeancier.build_echeancier`):
# `recouvrement_section:<section>`, explained by `collection_sentence`.
SECTION_NOTE = "recouvrement_section"


def collection_sentence(section: str) -> str:
    """Which body collects each contribution of the échéancier of a profession libérale réglementée, in French."""
    base, own = COLLECTED_BY[section][2:4]  # retraite de base; retraite complémentaire and invalidité-décès
    if base.startswith(URSSAF):
        return (
            f"Profession libérale réglementée (section {section.upper()}) : chaque échéance comprend la retraite de "
            f"base (recouvrée par {by(base)}), la retraite complémentaire et l'invalidité-décès (recouvrées par "
            f"{by(own)}), avec les cotisations et contributions que l'Urssaf recouvre pour tous les indépendants "
            "(CSS R613-1, R642-2)."
        )
    if section in COLLECTED_BY_EXTRAS:
        return (
            f"Profession libérale réglementée (section {section.upper()}) : cet échéancier comprend les cotisations "
            "et contributions que l'Urssaf recouvre, avec, pour un praticien conventionné, la contribution "
            f"additionnelle maladie et la CURPS ; la retraite de base (recouvrée par {by(base)}), la retraite "
            f"complémentaire, l'invalidité-décès et les prestations complémentaires de vieillesse (recouvrées par "
            f"{by(own)}) sont appelées par la section selon ses statuts et n'y figurent pas (CSS R613-1, R642-2)."
        )
    return (
        f"Profession libérale réglementée (section {section.upper()}) : cet échéancier comprend les cotisations et "
        f"contributions que l'Urssaf recouvre ; la retraite de base (recouvrée par {by(base)}), la retraite "
        f"complémentaire et l'invalidité-décès (recouvrées par {by(own)}) sont appelées par la section selon ses "
        f"statuts et n'y figurent pas (CSS R613-1, {'R652-34' if section == 'cnbf' else 'R642-2'})."
    )


class RetraiteBase(NamedTuple):
    base: Ints  # cents, after the minimum
    floored: Bools
    tranche_1: Ints  # cents, up to the prorated PASS
    tranche_2: Ints  # cents, up to 5 prorated PASS
    montant_1: Ints  # euros, rounded
    montant_2: Ints  # euros, rounded
    gross: Ints  # 1e-8 €, the sum of the rounded tranches
    amount: Ints  # euros, after ACRE


def retraite_base(k: Ops, r: Rows) -> RetraiteBase:
    """CSS D642-3: two tranches on the same income, the second up to 5 PASS (not above the first); D642-4: the
    minimum base of 450 hours of the SMIC unless the affiliation lasted less than 90 days; L131-6-4: ACRE."""
    law = r.law
    floored = r.minimums & (r.days >= law.rb_duree_minimale_affiliation) & (r.assiette < law.rb_assiette_minimale)
    base = k.where(floored, law.rb_assiette_minimale, r.assiette)
    tranche_1 = k.minimum(base, 100 * r.pass_proratise)
    tranche_2 = k.minimum(base, law.plr_rb_plafond_tranche_2 // 100 * r.pass_proratise)
    # LAW (docs/law-choices.md, 264): each tranche is rounded to the euro (CNAVPL and URSSAF practice).
    montant_1 = half_up(law.plr_rb_taux_tranche_1 * tranche_1, EURO)
    montant_2 = half_up(law.plr_rb_taux_tranche_2 * tranche_2, EURO)
    gross = (montant_1 + montant_2) * EURO
    amount = with_acre(k, r, gross, assiette_share(k, r))
    return RetraiteBase(base, floored, tranche_1, tranche_2, montant_1, montant_2, gross, amount)


class RetraiteComplementaire(NamedTuple):
    tranche_1: Ints  # cents
    tranche_2: Ints  # cents
    gross: Ints  # 1e-8 €
    amount: Ints


def cipav_retraite_complementaire(k: Ops, r: Rows) -> RetraiteComplementaire:
    """Cipav (décret n° 79-262 art. 2): the income up to one annual PASS at the rate of tranche 1, the income
    between one PASS and the ceiling (4 PASS from 2025) at the rate of tranche 2; no minimum, not prorated, no
    ACRE exemption (L131-6-4 does not reach the complementary schemes)."""
    law = r.law
    tranche_1 = k.minimum(r.assiette, law.cipav_rc_plafond_tranche_1)
    tranche_2 = k.maximum(k.minimum(r.assiette, law.cipav_rc_plafond_tranche_2) - law.cipav_rc_plafond_tranche_1, 0)
    gross = law.cipav_rc_taux_tranche_1 * tranche_1 + law.cipav_rc_taux_tranche_2 * tranche_2
    return RetraiteComplementaire(tranche_1, tranche_2, gross, half_up(gross, EURO))


class InvaliditeDeces(NamedTuple):
    base: Ints  # cents, after the minimum and the ceiling
    floored: Bools
    capped: Bools
    gross: Ints  # 1e-8 €, rounded to the euro before ACRE
    amount: Ints


def cipav_invalidite_deces(k: Ops, r: Rows) -> InvaliditeDeces:
    """Cipav: 0.5 % of the income, at least 37 % of the prorated PASS (rounded to the euro) and at most 1.85
    annual PASS, rounded to the euro; then the ACRE exemption (D131-6-1) on the assiette sociale."""
    law = r.law
    floor = 100 * half_up(law.cipav_id_assiette_minimale * r.pass_proratise, FRAC)
    floored = r.minimums & (r.assiette < floor)
    base = k.where(floored, floor, r.assiette)
    capped = base > law.cipav_id_plafond
    base = k.minimum(base, law.cipav_id_plafond)
    gross = half_up(law.cipav_id_taux * base, EURO) * EURO
    return InvaliditeDeces(base, floored, capped, gross, with_acre(k, r, gross, assiette_share(k, r)))


class Classe(NamedTuple):
    classe: Ints  # 0 for the first class
    gross: Ints  # euros, the amount of the class
    amount: Ints  # euros, after the ACRE exemption where it applies


def _classe(k: Ops, assiette: Ints, bounds: tuple[int, ...], amounts: tuple[int, ...]) -> tuple[Ints, Ints]:
    """The class of the income (the last whose lower bound it reaches) and its fixed amount."""
    classe = 0 * assiette
    for bound in bounds:
        classe = classe + (assiette >= bound)
    return classe, k.take(amounts, classe)


def cavec_retraite_complementaire(k: Ops, r: Rows) -> Classe:
    """CAVEC: a fixed contribution by class of the year's income (its statuts), whatever the RSA or the length of
    the activity, not prorated, no ACRE exemption (as URSSAF's model)."""
    classes = r.law.cavec_rc_classes
    classe, amount = _classe(k, r.assiette, classes.bounds, classes.amounts)
    return Classe(classe, amount, amount)


def cavec_invalidite_deces(k: Ops, r: Rows) -> Classe:
    """CAVEC: invalidité-décès, a fixed contribution by class of the year's income (its statuts), less the ACRE
    exemption of the invalidité-décès (D131-6-1, on the assiette sociale), as URSSAF's model applies it."""
    classes = r.law.cavec_id_classes
    classe, gross = _classe(k, r.assiette, classes.bounds, classes.amounts)
    return Classe(classe, gross, with_acre(k, r, gross * EURO, assiette_share(k, r)))


def anciennete_fin_annee(r: Rows) -> Ints:
    """Days of activity at 31 December, the day of the start counted (an activity without `start_date` started long
    before): what the CNBF's forfaits are read on (LAW: docs/law-choices.md, 271)."""
    return r.anciennete + r.law.days_in_year


class CnbfRetraiteBase(NamedTuple):
    classe: Ints
    forfait: Ints  # euros
    proportionnelle: Ints  # euros, rounded
    base: Ints  # cents, the income of the proportional contribution, up to its ceiling
    gross: Ints  # 1e-8 €
    amount: Ints  # euros, after ACRE


def cnbf_retraite_base(k: Ops, r: Rows) -> CnbfRetraiteBase:
    """Avocats (CNBF, CSS L652-1, collected under R652-34): a forfait by years of practice at the end of the year
    and a proportional contribution on the income up to a ceiling, rounded to the euro; the ACRE exemption of the
    retraite de base on their sum (as URSSAF's model)."""
    law = r.law
    classes = law.cnbf_rb_forfaits
    classe, forfait = _classe(k, anciennete_fin_annee(r), classes.bounds, classes.amounts)
    base = k.minimum(r.assiette, law.cnbf_rb_plafond)
    proportionnelle = half_up(law.cnbf_rb_taux * base, EURO)
    gross = (forfait + proportionnelle) * EURO
    amount = with_acre(k, r, gross, assiette_share(k, r))
    return CnbfRetraiteBase(classe, forfait, proportionnelle, base, gross, amount)


class CnbfRetraiteComplementaire(NamedTuple):
    tranches: tuple[Ints, ...]  # cents, by tranche
    gross: Ints
    amount: Ints


def cnbf_retraite_complementaire(k: Ops, r: Rows) -> CnbfRetraiteComplementaire:
    """Avocats (CNBF statuts, the class the avocat chose: 1 by default, 2 or 2+): the income in tranches of a fixed
    width, each at the class's rate, up to five tranches; rounded to the euro once; never prorated, no ACRE
    exemption."""
    law = r.law
    width = law.cnbf_rc_largeur_tranche
    tranches = tuple(
        k.maximum(k.minimum(r.assiette, (i + 1) * width) - i * width, 0) for i in range(len(law.cnbf_rc_taux))
    )
    gross = 0 * r.assiette
    for rate_, part in zip(law.cnbf_rc_taux, tranches, strict=True):
        gross = gross + rate_ * part
    return CnbfRetraiteComplementaire(tranches, gross, half_up(gross, EURO))


def cnbf_invalidite_deces(k: Ops, r: Rows) -> Classe:
    """Avocats (CNBF statuts): a forfait by years of practice at the end of the year, less the ACRE exemption of
    the invalidité-décès (D131-6-1, as URSSAF's model)."""
    classes = r.law.cnbf_id_forfaits
    classe, gross = _classe(k, anciennete_fin_annee(r), classes.bounds, classes.amounts)
    return Classe(classe, gross, with_acre(k, r, gross * EURO, assiette_share(k, r)))


class NonDue(NamedTuple):
    amount: Ints


def non_due(k: Ops, r: Rows) -> NonDue:
    """Indemnités journalières: not due by avocats (CSS D621-3 applies to the CNAVPL's sections; the avocats have
    their own scheme), nil in the shape of the rows."""
    return NonDue(0 * r.assiette)


COTISATIONS: dict[int, tuple[Callable[[Ops, Rows], Any], ...]] = {
    1: (  # cipav (law.snapshot.SECTIONS)
        maladie,
        indemnites_journalieres.rule,
        retraite_base,
        cipav_retraite_complementaire,
        cipav_invalidite_deces,
        allocations_familiales.rule,
    ),
    2: (  # cavec
        maladie,
        indemnites_journalieres.rule,
        retraite_base,
        cavec_retraite_complementaire,
        cavec_invalidite_deces,
        allocations_familiales.rule,
    ),
    3: (  # cnbf
        maladie,
        non_due,
        cnbf_retraite_base,
        cnbf_retraite_complementaire,
        cnbf_invalidite_deces,
        allocations_familiales.rule,
    ),
}
# The CNBF's classes 2 and 2+ (law.snapshot.SECTIONS 11, 12): the CNBF's rules with the class's rates.
COTISATIONS[11] = COTISATIONS[12] = COTISATIONS[3]
# The health sections (law.snapshot.SECTIONS from 4: one code per variant of `pamc.VARIANTS`): `pamc`'s rules.
for _code in range(4, 11):
    COTISATIONS[_code] = (
        pamc.maladie,
        indemnites_journalieres.rule,
        pamc.retraite_base,
        pamc.retraite_complementaire,
        pamc.invalidite_deces,
        pamc.allocations,
    )


# --------------------------------------------------------------------------------------------------------------
# The explanation (one situation)


def explain_retraite_base(t: RetraiteBase, law: LawSnapshot) -> Line:
    figures = law.exact
    tranches = (
        tranche(
            "tranche 1 (dans la limite du PASS)", t.tranche_1, law.plr_rb_taux_tranche_1, figures.plr_rb_taux_tranche_1
        ),
        tranche(
            "tranche 2 (dans la limite de 5 PASS)",
            t.tranche_2,
            law.plr_rb_taux_tranche_2,
            figures.plr_rb_taux_tranche_2,
        ),
    )
    return line(
        "retraite_base",
        base=t.base,
        rate=law.plr_rb_taux_tranche_1,
        amount=t.amount,
        gross=t.gross,
        tranches=tranches,
        reference=REFERENCE_RETRAITE_BASE,
        minimum=t.base if t.floored else None,
    )


def explain_cipav_retraite_complementaire(t: RetraiteComplementaire, law: LawSnapshot) -> Line:
    figures = law.exact
    tranches = [tranche("tranche 1", t.tranche_1, law.cipav_rc_taux_tranche_1, figures.cipav_rc_taux_tranche_1)]
    if t.tranche_2:
        tranches.append(tranche("tranche 2", t.tranche_2, law.cipav_rc_taux_tranche_2, figures.cipav_rc_taux_tranche_2))
    return line(
        "retraite_complementaire",
        base=t.tranche_1 + t.tranche_2,
        rate=law.cipav_rc_taux_tranche_1,
        amount=t.amount,
        gross=t.gross,
        tranches=tuple(tranches),
        reference=REFERENCE_CIPAV_RC,
    )


def explain_cipav_invalidite_deces(t: InvaliditeDeces, law: LawSnapshot) -> Line:
    return line(
        "invalidite_deces",
        base=t.base,
        rate=law.cipav_id_taux,
        amount=t.amount,
        gross=t.gross,
        tranches=(tranche("assiette", t.base, law.cipav_id_taux, law.exact.cipav_id_taux),),
        reference=REFERENCE_CIPAV_ID,
        minimum=t.base if t.floored else None,
        capped=euros(law.exact.cipav_id_plafond) if t.capped else None,
    )


def _explain_classe(key: str, t: Classe, assiette: int, classes: Classes, reference: str) -> Line:
    n = int(t.classe)
    low = 0 if n == 0 else classes.bounds[n - 1]
    span = (
        f"à partir de {low // 100} €"
        if n == len(classes.bounds)
        else f"de {low // 100} € à {classes.bounds[n] // 100} €"
    )
    gross = decimal(int(t.gross))
    return Line(
        key,
        base=euros(assiette),
        rate=Decimal(0),
        amount=decimal(int(t.amount)),
        reference=reference,
        tranches=(Tranche(f"classe {n + 1} (revenu {span})", euros(assiette), Decimal(0), gross),),
        gross=gross,
        exoneration=gross - decimal(int(t.amount)),
    )


def explain_cavec_retraite_complementaire(t: Classe, law: LawSnapshot, assiette: int) -> Line:
    return _explain_classe("retraite_complementaire", t, assiette, law.exact.cavec_rc_classes, REFERENCE_CAVEC_RC)


def explain_cavec_invalidite_deces(t: Classe, law: LawSnapshot, assiette: int) -> Line:
    return _explain_classe("invalidite_deces", t, assiette, law.exact.cavec_id_classes, REFERENCE_CAVEC_ID)


REFERENCE_CNBF_RB = "CSS L652-1 (CNBF, recouvrement R652-34)"
REFERENCE_CNBF_RC = "Statuts du régime complémentaire de la CNBF (CSS L651-1 et suivants), classe 1"
# The class the avocat chose (`classe_cnbf`), by the law's section code.
CNBF_CLASS_NAMES = {"cnbf": "1", "cnbf_2": "2", "cnbf_2p": "2+"}
REFERENCE_CNBF_ID = "Statuts du régime invalidité-décès de la CNBF"
REFERENCE_CNBF_IJ = "CSS D621-3 (non due par les avocats, régime propre)"


def explain_cnbf_retraite_base(t: CnbfRetraiteBase, law: LawSnapshot, assiette: int) -> Line:
    tranches = (
        Tranche(
            f"cotisation forfaitaire (ancienneté, classe {int(t.classe) + 1})",
            euros(assiette),
            Decimal(0),
            decimal(int(t.forfait)),
        ),
        tranche("cotisation proportionnelle", t.base, law.cnbf_rb_taux, law.exact.cnbf_rb_taux),
    )
    return line(
        "retraite_base",
        base=t.base,
        rate=law.cnbf_rb_taux,
        amount=t.amount,
        gross=t.gross,
        tranches=tranches,
        reference=REFERENCE_CNBF_RB,
    )


def explain_cnbf_retraite_complementaire(t: CnbfRetraiteComplementaire, law: LawSnapshot, assiette: int) -> Line:
    figures = law.exact
    tranches = tuple(
        tranche(f"tranche {i + 1}", part, law.cnbf_rc_taux[i][1], figures.cnbf_rc_taux[i])
        for i, part in enumerate(t.tranches)
        if i == 0 or part
    )
    return line(
        "retraite_complementaire",
        base=sum(t.tranches),
        rate=law.cnbf_rc_taux[0][1],
        amount=t.amount,
        gross=t.gross,
        tranches=tranches,
        reference=REFERENCE_CNBF_RC.replace("classe 1", f"classe {CNBF_CLASS_NAMES.get(law.section or '', '1')}"),
    )


def explain_cnbf_invalidite_deces(t: Classe, law: LawSnapshot, assiette: int) -> Line:
    gross = decimal(int(t.gross))
    return Line(
        "invalidite_deces",
        base=euros(assiette),
        rate=Decimal(0),
        amount=decimal(int(t.amount)),
        reference=REFERENCE_CNBF_ID,
        tranches=(Tranche(f"forfait (ancienneté, classe {int(t.classe) + 1})", euros(assiette), Decimal(0), gross),),
        gross=gross,
        exoneration=gross - decimal(int(t.amount)),
    )


def explain_non_due(t: NonDue, law: LawSnapshot) -> Line:
    zero = Decimal(0)
    return Line("indemnites_journalieres", base=zero, rate=zero, amount=zero, reference=REFERENCE_CNBF_IJ, gross=zero)


def _base(explain: Callable[[Any, LawSnapshot], Line]) -> Callable[[Any, LawSnapshot, int], Line]:
    return lambda t, law, assiette: explain(t, law)


# By section code: the explanation of the retraite de base, complémentaire and invalidité-décès (trace, law, assiette).
EXPLAIN: dict[int, tuple[Callable[[Any, LawSnapshot, int], Line], ...]] = {
    1: (
        _base(explain_retraite_base),
        _base(explain_cipav_retraite_complementaire),
        _base(explain_cipav_invalidite_deces),
    ),
    2: (_base(explain_retraite_base), explain_cavec_retraite_complementaire, explain_cavec_invalidite_deces),
    3: (explain_cnbf_retraite_base, explain_cnbf_retraite_complementaire, explain_cnbf_invalidite_deces),
    **{
        code: (pamc.explain_retraite_base, pamc.explain_retraite_complementaire, pamc.explain_invalidite_deces)
        for code in range(4, 11)
    },
}
EXPLAIN[11] = EXPLAIN[12] = EXPLAIN[3]


def collected(lines: tuple[Line, ...], section: str) -> tuple[Line, ...]:
    """The lines of a section (or of a variant of a health section's rules), each with the body that collects it."""
    who_collects = COLLECTED_BY[pamc.section_name(section)]
    return tuple(replace(item, collected_by=who) for item, who in zip(lines, who_collects, strict=True))
