"""The health sections of the CNAVPL (CSS R641-1): CARMF (médecins), CARPIMKO (auxiliaires médicaux), CARCDSF
(chirurgiens-dentistes, sages-femmes), CAVP (pharmaciens), and the praticiens et auxiliaires médicaux conventionnés
(PAMC) among them.

Under the law of such a section (`law.snapshot.section_snapshot`, one code per variant of `VARIANTS`) the six
cotisations are those of `professions_liberales` (maladie-maternité, IJ and allocations familiales of every
indépendant with the figures of the professions libérales; the CNAVPL's retraite de base, CSS D642-3), less the
participation of the assurance maladie for a conventionné (its national conventions, CSS L162-14-1):
- maladie-maternité: the contribution's rate less 0.1 point on the assiette conventionnée (every PAMC but a
  médecin of secteur 2);
- allocations familiales: 100 %, 75 % or 60 % of the contribution by the assiette conventionnée (médecins of
  secteur 1);
- retraite de base: 2.15 %, 1.51 % or 1.12 % of the assiette sociale (médecins of secteur 1, avenant n° 5);
and the section's retraite complémentaire and invalidité-décès (its statuts, CSS L644-1, L644-2). A PAMC also owes
(`extras`) the prestations complémentaires de vieillesse (PCV, CSS L645-1 to L645-5: a forfait and a proportional
part; the assurance maladie pays two thirds of the forfait and a share of the proportional part — for a médecin of
secteur 1 at the CARMF, two thirds of the whole PCV, forfait and proportional part alike; nothing for a CARMF
médecin of secteur 2), the contribution additionnelle maladie on the part
of the assiette outside the CPAM's participation, and the contribution aux unions régionales des professionnels de
santé (CURPS, CSP L4031-4), unless it started in the year.

Who collects: the section collects its members' retraite de base (for the CNAVPL), complémentaire,
invalidité-décès and PCV (CSS R642-2); the Urssaf the rest (maladie, IJ, allocations familiales, CSG-CRDS, CFP, the
contribution additionnelle and the CURPS).

LAW (docs/law-choices.md, 300–312): all of a conventionné's income is taken as conventionné, without dépassements
d'honoraires, and the chirurgien-dentiste's « taux dentiste » as 1 (the official model's defaults); the CARCDSF's
reduction of the forfait under 85 % of the PASS and its PCV dispenses are applied as the model applies them.

Written once over integers (`contributions.exact`), for one situation and for many rows (`simulate_many` groups the
rows of a variant, law-choices 311).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from echeancier.contributions import allocations_familiales, indemnites_journalieres
from echeancier.contributions.acre import assiette_share, with_acre
from echeancier.contributions.context import Rows
from echeancier.contributions.exact import EURO, RATE, Ints, Ops, half_up
from echeancier.contributions.lines import euros, rate, units
from echeancier.contributions.result import Line, Tranche, decimal

if TYPE_CHECKING:
    from echeancier.law.loader import Law
    from echeancier.law.snapshot import LawSnapshot

# The variants of the health sections' rules: (section, métier, secteur conventionnel or None).
VARIANTS: dict[str, tuple[str, str, str | None]] = {
    "carmf_1": ("carmf", "medecin", "1"),
    "carmf_2": ("carmf", "medecin", "2"),
    "carmf_non_conventionne": ("carmf", "medecin", "non_conventionne"),
    "carpimko": ("carpimko", "auxiliaire_medical", None),
    "carcdsf_chirurgien_dentiste": ("carcdsf", "chirurgien_dentiste", None),
    "carcdsf_sage_femme": ("carcdsf", "sage_femme", None),
    "cavp": ("cavp", "pharmacien", None),
}
SECTIONS = ("carmf", "carpimko", "carcdsf", "cavp")
SECTEURS = ("1", "2", "non_conventionne")
METIERS = ("chirurgien_dentiste", "sage_femme")


def variant(section: str, secteur: str | None, metier: str | None, classe: str | None = None) -> str:
    """The variant of a section's rules (a key of VARIANTS, or of the CNBF's classes), the section alone for the
    others."""
    if section == "cnbf":
        return CNBF_CLASSES[classe or "1"]
    if section == "carmf":
        return f"carmf_{secteur}"
    if section == "carcdsf":
        return f"carcdsf_{metier}"
    return section


# The CNBF's classes of complémentaire (`classe_cnbf`): the class 1 is the section's own code.
CNBF_CLASSES = {"1": "cnbf", "2": "cnbf_2", "2+": "cnbf_2p"}


def section_name(code: str) -> str:
    """The section of a variant (`carmf_1` → `carmf`, `cnbf_2` → `cnbf`), the section itself for the others."""
    found = VARIANTS.get(code)
    if found is not None:
        return found[0]
    return "cnbf" if code in CNBF_CLASSES.values() else code


@dataclass(frozen=True, slots=True)
class PamcFigures:
    """The figures of one variant for one year, exact: amounts in cents, rates in millionths (RATE)."""

    variant: str
    caisse: str
    metier: str
    conventionne: bool  # a PAMC (the CPAM's participation, the PCV, the contribution additionnelle, the CURPS)
    secteur_1: bool
    part_cpam: int  # RATE: the share of the assiette sociale on which the CPAM participates
    maladie_participation: bool
    maladie_abattement: int  # RATE
    af_bounds: tuple[int, ...]  # cents, the classes of the participation after the first
    af_shares: tuple[int, ...]  # RATE
    rb_bounds: tuple[int, ...]  # cents
    rb_rates: tuple[int, ...]  # RATE, empty: no participation
    cma_taux: int
    curps_taux: int
    curps_plafond: int  # cents
    pcv_forfait: int  # cents
    pcv_taux: int
    pcv_plafond: int  # cents, 0: none
    pcv_tiers: int  # thirds of the forfait the CPAM pays
    pcv_part: tuple[int, int]  # the share of the proportional part the CPAM pays, num / den
    pcv_dispense: int  # cents: no PCV for an assiette at most this (−1: none)
    rc_forfait: int  # cents
    rc_taux: int
    rc_seuil: int  # cents
    rc_plafond: int  # cents
    rc_minimum: int  # cents
    rc_bounds: tuple[int, ...]  # CAVP: cents
    rc_counts: tuple[int, ...]  # CAVP: reference contributions by class
    id_bounds: tuple[int, ...]  # cents
    id_amounts: tuple[int, ...]  # cents
    id_taux: int  # CARMF class B from 2025


def _cents(value: Any) -> int:
    return int(Decimal(value) * 100)


def _reduced(num: int, den: int) -> tuple[int, int]:
    """num / den in lowest terms (the exact products of the batch path stay within their bounds)."""
    from math import gcd

    common = gcd(num, den) or 1
    return num // common, den // common


def _rate(value: Any) -> int:
    scaled = Decimal(value) * RATE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} is not a whole number of millionths")
    return int(scaled)


def pamc_figures(law: Law, base: LawSnapshot, code: str) -> PamcFigures:
    """The figures of variant `code` for the year of `base`, read from the parameters `pamc.*` of `law`."""
    day = date(base.year, 1, 1)

    def value(name: str) -> Any:
        return law.value(f"pamc.{name}", day).value

    section, metier, secteur = VARIANTS[code]
    pass_ = base.pass_annuel
    conventionne = section != "cavp" and secteur != "non_conventionne"
    secteur_1 = secteur == "1"

    def classes(name: str, pass_value: Decimal) -> tuple[tuple[int, ...], tuple[int, ...]]:
        points = value(name)
        return tuple(int(b * pass_value * 100) for b, _ in points[1:]), tuple(_cents(a) for _, a in points)

    af = value("participation_allocations_familiales")
    rb = value("carmf_participation_retraite")
    zero: tuple[int, ...] = ()
    rc: dict[str, Any] = {}
    ids: dict[str, Any] = {"id_bounds": zero, "id_taux": 0}
    pcv: dict[str, Any] = {"pcv_forfait": 0, "pcv_taux": 0, "pcv_plafond": 0, "pcv_part": (0, 1), "pcv_dispense": -1}
    if section == "carmf":
        rc = {"rc_taux": _rate(value("carmf_rc_taux")), "rc_plafond": _cents(value("carmf_rc_plafond") * pass_)}
        bounds, amounts = classes("carmf_id_classes", pass_)
        ids = {"id_bounds": bounds, "id_amounts": amounts, "id_taux": _rate(value("carmf_id_taux_classe_b"))}
        if conventionne:
            pcv = {
                "pcv_forfait": _cents(value("carmf_pcv_forfait")),
                "pcv_taux": _rate(value("carmf_pcv_taux")),
                "pcv_plafond": _cents(value("pcv_plafond") * pass_),
                "pcv_part": (value("pcv_participation_tiers"), 3) if secteur_1 else (0, 1),
                "pcv_dispense": -1,
            }
    elif section == "carpimko":
        rc = {
            "rc_forfait": _cents(value("carpimko_rc_forfait")),
            "rc_taux": _rate(value("carpimko_rc_taux")),
            "rc_seuil": _cents(value("carpimko_rc_seuil")),
            "rc_plafond": _cents(value("carpimko_rc_plafond"))
            or _cents(value("carpimko_rc_assiette_maximale") * pass_),
            "rc_minimum": _cents(value("carpimko_rc_assiette_minimale") * pass_),
        }
        ids["id_amounts"] = (_cents(value("carpimko_id")),)
        part = _rate(value("carpimko_pcv_participation_taux"))
        pcv = {
            "pcv_forfait": _cents(value("carpimko_pcv_forfait")),
            "pcv_taux": _rate(value("carpimko_pcv_taux")),
            "pcv_plafond": 0,
            "pcv_part": _reduced(part, RATE),
            "pcv_dispense": -1,
        }
    elif section == "carcdsf":
        rc = {
            "rc_forfait": _cents(value("carcdsf_rc_forfait")),
            "rc_taux": _rate(value("carcdsf_rc_taux")),
            "rc_seuil": _cents(value("carcdsf_rc_seuil") * pass_),
            "rc_plafond": _cents(value("carcdsf_rc_plafond") * pass_),
        }
        ids["id_amounts"] = (_cents(value(f"carcdsf_id_{metier}")),)
        if metier == "chirurgien_dentiste":
            pcv = {
                "pcv_forfait": _cents(value("carcdsf_pcv_forfait_chirurgien_dentiste")),
                "pcv_taux": _rate(value("carcdsf_pcv_taux_chirurgien_dentiste")),
                "pcv_plafond": _cents(value("pcv_plafond") * pass_),
                "pcv_part": _reduced(_rate(value("carcdsf_pcv_participation_taux")), RATE),
                "pcv_dispense": _cents(value("carcdsf_pcv_dispense_chirurgien_dentiste")),
            }
        else:
            pcv = {
                "pcv_forfait": _cents(value("carcdsf_pcv_forfait_sage_femme")),
                "pcv_taux": 0,
                "pcv_plafond": 0,
                "pcv_part": (0, 1),
                "pcv_dispense": _cents(value("carcdsf_pcv_dispense_sage_femme")),
            }
    else:  # cavp
        reference = _cents(value("cavp_cotisation_reference"))
        bounds, counts = classes("cavp_rc_capitalisation_classes", value("cavp_pass_reference"))
        rc = {
            "rc_forfait": _cents(value("cavp_rc_repartition")),
            "rc_seuil": reference,
            "rc_bounds": bounds,
            "rc_counts": tuple(c // 100 for c in counts),
        }
        ids["id_amounts"] = (_cents(value("cavp_id")),)
    curps = {"medecin": "curps_taux_medecin", "chirurgien_dentiste": "curps_taux_chirurgien_dentiste"}
    return PamcFigures(
        variant=code,
        caisse=section,
        metier=metier,
        conventionne=conventionne,
        secteur_1=secteur_1,
        part_cpam=_rate(value("part_conventionnee_chirurgien_dentiste")) if metier == "chirurgien_dentiste" else RATE,
        maladie_participation=conventionne and secteur != "2",
        maladie_abattement=_rate(value("participation_maladie_abattement")),
        af_bounds=tuple(int(b * pass_ * 100) for b, _ in af[1:]),
        af_shares=tuple(_rate(s) for _, s in af) if secteur_1 else (),
        rb_bounds=tuple(int(b * pass_ * 100) for b, _ in rb[1:]),
        rb_rates=tuple(_rate(s) for _, s in rb) if secteur_1 else (),
        cma_taux=_rate(value("contribution_additionnelle_taux")) if conventionne else 0,
        curps_taux=_rate(value(curps.get(metier, "curps_taux_autres"))) if conventionne else 0,
        curps_plafond=_cents(value("curps_plafond") * pass_),
        # the CPAM pays two thirds of the PCV's forfait (at the CARMF only for the secteur 1, with two thirds of the
        # proportional part too: `pcv_part`)
        pcv_tiers=value("pcv_participation_tiers") if conventionne and (section != "carmf" or secteur_1) else 0,
        rc_forfait=rc.get("rc_forfait", 0),
        rc_taux=rc.get("rc_taux", 0),
        rc_seuil=rc.get("rc_seuil", 0),
        rc_plafond=rc.get("rc_plafond", 0),
        rc_minimum=rc.get("rc_minimum", 0),
        rc_bounds=rc.get("rc_bounds", zero),
        rc_counts=rc.get("rc_counts", zero),
        **ids,
        **pcv,
    )


def _class(k: Ops, value: Ints, bounds: tuple[int, ...]) -> Ints:
    """The index of the class of `value` (the last whose lower bound it reaches)."""
    found = 0 * value
    for bound in bounds:
        found = found + (value >= bound)
    return found


def _mul_div(k: Ops, a: Ints, b: Ints, d: Ints) -> Ints:
    """a × b / d rounded half up, exactly (`Ops.mul_div_half_up`), `b` and `d` given the shape of `a`."""
    return k.mul_div_half_up(a, 0 * a + b, 0 * a + d)


def _prorata(k: Ops, r: Rows, amount: Ints) -> Ints:
    """`amount` × the share of the year of activity (days / 365, 1 for a whole year), unrounded: × jours_prorata."""
    return k.where(r.partial, r.days * amount, r.law.jours_prorata * amount)


# --------------------------------------------------------------------------------------------------------------
# The CPAM's participation in the cotisations of every indépendant


class Maladie(NamedTuple):
    base: Any  # the trace of the maladie-maternité of the professions libérales
    participation: Ints  # euros
    amount: Ints


def maladie(k: Ops, r: Rows) -> Maladie:
    """Maladie-maternité less the CPAM's participation: the contribution's rate (from 2025 the contribution over its
    base, before: the rate of the professions libérales' scale) less 0.1 point, on the assiette conventionnée,
    rounded to the euro; taken from the contribution after the ACRE exemption (as URSSAF's model)."""
    from echeancier.contributions.professions_liberales import maladie as maladie_pl

    t = maladie_pl(k, r)
    p = r.law.pamc
    # LAW (docs/law-choices.md, 301, 303): on all of the income, without dépassements; after ACRE, as the model.
    if not p.maladie_participation:
        return Maladie(t, 0, t.amount)
    if r.law.apres_reforme:
        exact = k.maximum(t.gross - p.maladie_abattement * r.assiette, 0)  # 1e-8 €, before the CPAM's share
        participation = _mul_div(k, exact, p.part_cpam, RATE * EURO)
    else:
        rate_ = k.maximum(t.rate - p.maladie_abattement, 0)
        participation = _mul_div(k, r.assiette * rate_, p.part_cpam, RATE * EURO)
    before = t.gross  # 1e-8 €: the contribution after the ACRE exemption (on the ACRE rows)
    if r.acre is not None:
        kept = k.maximum(k.gather(t.gross, r.acre.rows) - t.exoneration * EURO, 0)
        before = k.scatter(before, r.acre.rows, kept)
    return Maladie(t, participation, half_up(k.maximum(before - participation * EURO, 0), EURO))


class AllocationsFamiliales(NamedTuple):
    base: Any
    participation: Ints  # euros
    amount: Ints


def allocations(k: Ops, r: Rows) -> AllocationsFamiliales:
    """Allocations familiales less the CPAM's participation for a médecin of secteur 1: a share of the contribution
    (rounded to the euro) by the class of the assiette conventionnée in PASS; then the ACRE exemption."""
    t = allocations_familiales.rule(k, r)
    p = r.law.pamc
    if not p.af_shares:
        return AllocationsFamiliales(t, 0, t.amount)
    before = half_up(t.gross, EURO)
    share = k.take(p.af_shares, _class(k, r.assiette * p.part_cpam // RATE, p.af_bounds))
    participation = half_up(before * share, RATE)
    net = k.maximum(before - participation, 0)
    return AllocationsFamiliales(t, participation, with_acre(k, r, net * EURO, assiette_share(k, r)))


class RetraiteBase(NamedTuple):
    base: Any  # professions_liberales.RetraiteBase
    participation: Ints  # 1e-8 €
    amount: Ints


def retraite_base(k: Ops, r: Rows) -> RetraiteBase:
    """The CNAVPL's retraite de base (CSS D642-3) less, for a médecin of secteur 1, the CPAM's participation (avenant
    n° 5 to the convention médicale): a rate of the assiette sociale by its class in PASS; then ACRE."""
    from echeancier.contributions.professions_liberales import retraite_base as retraite_base_pl

    t = retraite_base_pl(k, r)
    p = r.law.pamc
    if not p.rb_rates:
        return RetraiteBase(t, 0, t.amount)
    participation = r.assiette * k.take(p.rb_rates, _class(k, r.assiette, p.rb_bounds))
    net = k.maximum(t.gross - participation, 0)
    return RetraiteBase(t, participation, with_acre(k, r, net, assiette_share(k, r)))


# --------------------------------------------------------------------------------------------------------------
# The sections' retraite complémentaire and invalidité-décès


class Complementaire(NamedTuple):
    forfait: Ints  # euros
    proportionnelle: Ints  # 1e-8 €, exact (the CARMF's) or euros × EURO (rounded by the statuts)
    gross: Ints  # 1e-8 € (× jours_prorata for the CARCDSF)
    amount: Ints


def retraite_complementaire(k: Ops, r: Rows) -> Complementaire:
    """The section's retraite complémentaire (its statuts, CSS L644-1):
    - CARMF: a rate of the income up to 3.5 PASS (LAW, docs/law-choices.md 305: from the first year);
    - CARPIMKO: up to 2025 a forfait and a rate of the income between a threshold and a ceiling (rounded to the
      euro); from 2026 a rate of the income between 0.5 and 3 PASS;
    - CARCDSF: a forfait (reduced in proportion below 85 % of the PASS), rounded, and a rate of the income between
      85 % of the PASS and 5 PASS, prorated to the activity of the year;
    - CAVP: five reference contributions (a fixed part) and two to twelve by the class of the income in PASS of
      the previous year.
    No ACRE exemption (L131-6-4 does not reach the complementary schemes)."""
    p, a = r.law.pamc, r.assiette
    if p.caisse == "carmf":
        exact = p.rc_taux * k.minimum(a, p.rc_plafond)
        return Complementaire(0, exact, exact, half_up(exact, EURO))
    if p.caisse == "carpimko":
        base = k.minimum(k.maximum(a, p.rc_minimum), p.rc_plafond)
        prop = half_up(p.rc_taux * k.maximum(base - p.rc_seuil, 0), EURO)
        forfait = p.rc_forfait // 100
        return Complementaire(forfait, prop * EURO, (forfait + prop) * EURO, forfait + prop)
    if p.caisse == "carcdsf":
        forfait = half_up(p.rc_forfait * k.minimum(a, p.rc_seuil), p.rc_seuil * 100)
        # LAW (docs/law-choices.md, 306): the proportional part is not rounded before the prorata (as the model).
        prop = p.rc_taux * k.maximum(k.minimum(a, p.rc_plafond) - p.rc_seuil, 0)
        gross = _prorata(k, r, forfait * EURO + prop)
        return Complementaire(forfait, prop, gross, half_up(gross, r.law.jours_prorata * EURO))
    # CAVP
    capital = p.rc_seuil * k.take(p.rc_counts, _class(k, a, p.rc_bounds)) // 100
    forfait = p.rc_forfait // 100
    return Complementaire(forfait, capital * EURO, (forfait + capital) * EURO, forfait + capital)


class InvaliditeDeces(NamedTuple):
    classe: Ints
    gross: Ints  # 1e-8 €
    amount: Ints


def invalidite_deces(k: Ops, r: Rows) -> InvaliditeDeces:
    """The section's invalidité-décès (its statuts, CSS L644-2): a fixed amount (CARPIMKO, CARCDSF by métier, CAVP);
    at the CARMF three classes by the income in PASS, the class B from 2025 a forfait and 0.40 % of the income.
    Less the ACRE exemption of the invalidité-décès (D131-6-1, as URSSAF's model)."""
    p = r.law.pamc
    classe = _class(k, r.assiette, p.id_bounds)
    gross = k.take(p.id_amounts, classe) * RATE
    if p.id_taux:
        gross = gross + k.where(classe == 1, p.id_taux * r.assiette, 0)
    return InvaliditeDeces(classe, gross, with_acre(k, r, gross, assiette_share(k, r)))


COTISATIONS = (maladie, indemnites_journalieres.rule, retraite_base, retraite_complementaire, invalidite_deces)


def cotisations(k: Ops, r: Rows) -> tuple[Any, ...]:
    """The six cotisations of a health section, in the order of `contributions.year.COTISATIONS`."""
    return (
        maladie(k, r),
        indemnites_journalieres.rule(k, r),
        retraite_base(k, r),
        retraite_complementaire(k, r),
        invalidite_deces(k, r),
        allocations(k, r),
    )


# --------------------------------------------------------------------------------------------------------------
# The PCV, the contribution additionnelle and the CURPS

EXTRAS = ("pcv", "contribution_maladie_additionnelle", "curps")
LABELS = {
    "pcv": "Prestations complémentaires de vieillesse (PCV)",
    "contribution_maladie_additionnelle": "Contribution additionnelle maladie",
    "curps": "Contribution aux unions régionales des professionnels de santé (CURPS)",
}


class Extras(NamedTuple):
    pcv_gross: Ints  # 1e-8 € (× jours_prorata for a chirurgien-dentiste), before the participation
    pcv_participation: Ints  # 1e-8 € (× the same)
    pcv: Ints  # euros
    cma_base: Ints  # 1e-8 €
    cma: Ints  # euros
    curps_base: Ints  # cents
    curps: Ints  # euros

    @property
    def amounts(self) -> tuple[Ints, Ints, Ints]:
        return (self.pcv, self.cma, self.curps)


def extras(k: Ops, r: Rows) -> Extras:
    """The PCV (CSS L645-1 to L645-5, the statuts of each section's PCV scheme; a forfait and a proportional part,
    the CPAM paying two thirds of the forfait, rounded, and a share of the proportional part — at the CARMF, for
    the secteur 1 only, two thirds of both, i.e. of the whole PCV (`pcv_part` = `pcv_tiers` / 3); at the CARCDSF
    prorated and waived at low incomes), the contribution additionnelle maladie (3.25 % of the assiette sociale
    beyond the CPAM's base) and the CURPS (CSP L4031-4: a rate of the assiette sociale by profession; its amount,
    not its base, at most 0.5 % of the PASS (D4031-45); not due in the year the activity starts nor on a nil
    income)."""
    p, a = r.law.pamc, r.assiette
    if not p.conventionne:
        return Extras(0, 0, 0, 0, 0, 0, 0)
    # PCV
    forfait_cpam = half_up(p.pcv_tiers * p.pcv_forfait, 3 * 100) * 100  # cents, rounded to the euro
    num, den = p.pcv_part
    # LAW (docs/law-choices.md, 307): the CARCDSF's dispenses applied whenever the income qualifies.
    if p.caisse == "carcdsf" and p.metier == "chirurgien_dentiste":
        prop = half_up(p.pcv_taux * k.minimum(a, p.pcv_plafond), RATE)  # cents, rounded to the cent
        gross = _prorata(k, r, p.pcv_forfait + prop) * RATE
        participation = r.law.jours_prorata * (
            p.pcv_tiers * p.pcv_forfait * RATE // 3 + _mul_div(k, prop * RATE, num, den)
        )
        exact = k.maximum(gross - participation, 0)
        pcv = k.where(a <= p.pcv_dispense, 0, half_up(exact, r.law.jours_prorata * EURO))
    elif p.caisse == "carcdsf":
        gross = p.pcv_forfait * RATE
        participation = forfait_cpam * RATE
        pcv = k.where(a <= p.pcv_dispense, 0, half_up(gross - participation, EURO))
    else:
        cpam_base = a * p.part_cpam  # 1e-8 €
        prop_base = cpam_base if p.pcv_plafond == 0 else k.minimum(cpam_base, p.pcv_plafond * RATE)
        prop = _mul_div(k, prop_base, p.pcv_taux, RATE)  # 1e-8 € (display)
        gross = p.pcv_forfait * RATE + prop
        participation = forfait_cpam * RATE + _mul_div(k, prop, num, den)  # display
        # The forfait less the CPAM's two thirds is whole euros: the PCV is those euros plus the part of the
        # proportional contribution left to the praticien, rounded once (exactly, by mul_div_half_up).
        left = _mul_div(k, prop_base, p.pcv_taux * (den - num), RATE * EURO * den)
        pcv = (p.pcv_forfait - forfait_cpam) // 100 + left
    # Contribution additionnelle: on the assiette less the CPAM's base, in 1e-8 €
    cma_base = a * (RATE - p.part_cpam)
    cma = _mul_div(k, cma_base, p.cma_taux, EURO * RATE)
    # CURPS: not in the year the activity starts, nor without a revenu professionnel (`curps_due`)
    curps = half_up(k.minimum(a * p.curps_taux, p.curps_plafond * RATE), EURO)
    return Extras(gross, participation, pcv, cma_base, cma, a, k.where(r.anciennete >= 0, curps, 0))


def curps_due(k: Ops, r: Rows, t: Extras, cents: Ints, total: Ints, non_deductible: Ints) -> Extras:
    """The CURPS is due on a positive revenu professionnel (CSP L4031-4): up to 2024 the income declared; from 2025
    the revenu brut less every contribution (the CURPS included) plus the non-deductible CSG-CRDS, i.e. the
    résultat fiscal and its CSG (`total` and `non_deductible` in euros)."""
    # LAW (docs/law-choices.md, 308): the model's revenu professionnel.
    if r.law.apres_reforme:
        positive = 100 * (total + t.curps - non_deductible) < cents
    else:
        positive = cents > 0
    return t._replace(curps=k.where(positive, t.curps, 0))


# --------------------------------------------------------------------------------------------------------------
# The explanation (one situation)

REFERENCE_PARTICIPATION = "CSS L162-14-1 (convention nationale : participation de l'assurance maladie)"
REFERENCES_RC = {
    "carmf": "Statuts du régime complémentaire de la CARMF (CSS L644-1)",
    "carpimko": "Statuts du régime complémentaire de la CARPIMKO (CSS L644-1)",
    "carcdsf": "Statuts du régime complémentaire de la CARCDSF (CSS L644-1), prorata temporis",
    "cavp": "Statuts du régime complémentaire de la CAVP (CSS L644-1 ; arrêté du 3 octobre 2019)",
}
REFERENCES_ID = {
    "carmf": "Statuts du régime invalidité-décès de la CARMF (CSS L644-2), classes A, B, C",
    "carpimko": "Statuts du régime invalidité-décès de la CARPIMKO (CSS L644-2)",
    "carcdsf": "Statuts du régime invalidité-décès de la CARCDSF (CSS L644-2)",
    "cavp": "Statuts du régime invalidité-décès de la CAVP (CSS L644-2)",
}


def _less_participation(item: Line, label: str, participation: Decimal) -> Line:
    """A line with the CPAM's participation shown as a negative tranche and in its reference."""
    if not participation:
        return item
    from dataclasses import replace

    tranches = (*item.tranches, Tranche(label, item.base, Decimal(0), -participation))
    gross = None if item.gross is None else item.gross - participation
    exoneration = ZERO if gross is None else max(gross - item.amount, ZERO)
    return replace(
        item,
        tranches=tranches,
        gross=gross,
        exoneration=exoneration,
        reference=f"{item.reference}; {REFERENCE_PARTICIPATION}",
    )


ZERO = Decimal(0)


def explain_maladie(t: Maladie, law: LawSnapshot, assiette: int) -> Line:
    from echeancier.contributions import maladie_maternite

    item = maladie_maternite.explain(t.base, law, assiette)
    item = _less_participation(item, "participation de l'assurance maladie", decimal(t.participation))
    from dataclasses import replace

    return replace(item, amount=decimal(t.amount))


def explain_allocations(t: AllocationsFamiliales, law: LawSnapshot, assiette: int) -> Line:
    from dataclasses import replace

    item = allocations_familiales.explain(t.base, law, assiette)
    item = _less_participation(item, "participation de l'assurance maladie (secteur 1)", decimal(t.participation))
    return replace(item, amount=decimal(t.amount))


def explain_retraite_base(t: RetraiteBase, law: LawSnapshot, assiette: int) -> Line:
    from dataclasses import replace

    from echeancier.contributions.professions_liberales import explain_retraite_base as explain_pl

    item = explain_pl(t.base, law)
    item = _less_participation(
        item, "participation de l'assurance maladie (secteur 1, avenant n° 5)", units(t.participation)
    )
    return replace(item, amount=decimal(t.amount))


def explain_retraite_complementaire(t: Complementaire, law: LawSnapshot, assiette: int) -> Line:
    p = law.exact.pamc
    tranches = []
    if t.forfait:
        tranches.append(Tranche("cotisation forfaitaire", euros(assiette), ZERO, decimal(t.forfait)))
    tranches.append(Tranche("cotisation proportionnelle", euros(assiette), rate(p.rc_taux), units(t.proportionnelle)))
    gross = decimal(t.gross, (law.exact.jours_prorata if p.caisse == "carcdsf" else 1) * EURO)
    return Line(
        "retraite_complementaire",
        base=euros(assiette),
        rate=rate(p.rc_taux),
        amount=decimal(t.amount),
        reference=REFERENCES_RC[p.caisse],
        tranches=tuple(tranches),
        gross=gross,
    )


def explain_invalidite_deces(t: InvaliditeDeces, law: LawSnapshot, assiette: int) -> Line:
    p = law.exact.pamc
    gross = units(t.gross)
    label = f"classe {'ABC'[int(t.classe)]}" if p.caisse == "carmf" else "cotisation forfaitaire"
    rounded = decimal(half_up(t.gross, EURO))
    return Line(
        "invalidite_deces",
        base=euros(assiette),
        rate=ZERO,
        amount=decimal(t.amount),
        reference=REFERENCES_ID[p.caisse],
        tranches=(Tranche(label, euros(assiette), ZERO, gross),),
        gross=rounded,
        exoneration=rounded - decimal(t.amount),
    )


def extra_lines(t: Extras, law: LawSnapshot, collected_by: tuple[str, ...]) -> tuple[Line, ...]:
    """The lines of the PCV, the contribution additionnelle and the CURPS, each with the body that collects it."""
    from echeancier.kernel.fmt import format_euros

    p = law.exact.pamc
    scale = law.exact.jours_prorata if p.caisse == "carcdsf" and p.metier == "chirurgien_dentiste" else 1
    unit = EURO * scale
    pcv = ExtraLine(
        "pcv",
        base=euros(t.curps_base),
        rate=rate(p.pcv_taux),
        amount=decimal(t.pcv),
        reference="CSS L645-1 à L645-5 ; statuts du régime PCV de la section",
        tranches=(
            Tranche(
                f"cotisation (forfait de {format_euros(decimal(p.pcv_forfait, 100))} et part proportionnelle)",
                euros(t.curps_base),
                rate(p.pcv_taux),
                decimal(t.pcv_gross, unit),
            ),
            Tranche("participation de l'assurance maladie", ZERO, ZERO, -decimal(t.pcv_participation, unit)),
        ),
        gross=decimal(t.pcv_gross, unit),
        collected_by=collected_by[0],
    )
    cma = ExtraLine(
        "contribution_maladie_additionnelle",
        base=decimal(t.cma_base, EURO),
        rate=rate(p.cma_taux),
        amount=decimal(t.cma),
        reference="Barème Urssaf des praticiens et auxiliaires médicaux conventionnés (CSS L162-14-1)",
        gross=decimal(t.cma),
        collected_by=collected_by[1],
    )
    curps = ExtraLine(
        "curps",
        base=euros(t.curps_base),
        rate=rate(p.curps_taux),
        amount=decimal(t.curps),
        reference="CSP L4031-4, D4031-45",
        gross=decimal(t.curps),
        amount_cap=euros(p.curps_plafond),  # a ceiling of the amount, not of the base (CSP D4031-45)
        collected_by=collected_by[2],
    )
    return (pcv, cma, curps)


class ExtraLine(Line):
    """A line of a PAMC's own contributions (labels of `LABELS`)."""

    __slots__ = ()

    @property
    def label(self) -> str:
        return LABELS[self.key]
