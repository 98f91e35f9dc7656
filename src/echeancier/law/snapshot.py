"""A typed, validated view of the law for one income year.

CSS R613-17: the PASS used for the contributions of a year is the one in force on 1 January of that year; the
other parameters are those applicable to the contributions "dues au titre" of that year, so a snapshot is always
taken on 1 January of the income year.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, cast

from echeancier.kernel.dates import add_months
from echeancier.law.loader import Law, LawError, ParamValue, ScaleValue, Value, load_law

Scale = ScaleValue

RATE = 10**6  # rates in millionths (as contributions.exact)
FRAC = 10**4  # multiples of the PASS in ten-thousandths
EURO = 100 * RATE  # an amount (cents × millionths) per euro
EPOCH = date(1970, 1, 1).toordinal()  # days are counted from 1970-01-01, as NumPy's datetime64[D]


def parameter(key: str) -> dict[str, str]:
    """The metadata of a snapshot field read from the parameter `key` (a `file.parameter` name)."""
    return {"parameter": key}


@dataclass(frozen=True, slots=True)
class LawSnapshot:
    """Every figure the contribution engine needs for one income year."""

    year: int
    # "revenu_professionnel" (income up to 2024) or "revenu_brut_abattu" (from 2025)
    regime: str = field(metadata=parameter("regime.assiette"))
    pass_annuel: Decimal = field(metadata=parameter("plafond_securite_sociale.annuel"))
    smic_horaire: Decimal = field(metadata=parameter("smic.horaire"))
    jours_prorata: int = field(metadata=parameter("calcul.jours_prorata"))
    decimales_taux_progressif: int = field(metadata=parameter("calcul.decimales_taux_progressif"))
    abattement_taux: Decimal | None = field(metadata=parameter("abattement.taux"))
    abattement_plancher: Decimal | None = field(metadata=parameter("abattement.plancher"))
    abattement_plafond: Decimal | None = field(metadata=parameter("abattement.plafond"))
    maladie_bareme: Scale = field(metadata=parameter("maladie_maternite.bareme"))
    maladie_plafond_tranche_1: Decimal = field(metadata=parameter("maladie_maternite.plafond_tranche_1"))
    maladie_taux_tranche_2: Decimal = field(metadata=parameter("maladie_maternite.taux_tranche_2"))
    ij_taux: Decimal = field(metadata=parameter("indemnites_journalieres.taux"))
    ij_taux_revenu_faible: Decimal = field(metadata=parameter("indemnites_journalieres.taux_revenu_faible"))
    ij_seuil_revenu_faible: Decimal = field(metadata=parameter("indemnites_journalieres.seuil_revenu_faible"))
    ij_assiette_minimale: Decimal = field(metadata=parameter("indemnites_journalieres.assiette_minimale"))
    ij_plafond: Decimal = field(metadata=parameter("indemnites_journalieres.plafond"))
    rb_taux_plafonne: Decimal = field(metadata=parameter("retraite_base.taux_plafonne"))
    rb_taux_deplafonne: Decimal = field(metadata=parameter("retraite_base.taux_deplafonne"))
    rb_assiette_minimale_heures: int = field(metadata=parameter("retraite_base.assiette_minimale_heures"))
    rb_duree_minimale_affiliation: int = field(metadata=parameter("retraite_base.duree_minimale_affiliation"))
    rci_taux_tranche_1: Decimal = field(metadata=parameter("retraite_complementaire.taux_tranche_1"))
    rci_taux_tranche_2: Decimal = field(metadata=parameter("retraite_complementaire.taux_tranche_2"))
    rci_plafond_tranche_1_montant: Decimal | None = field(
        metadata=parameter("retraite_complementaire.plafond_tranche_1_montant")
    )
    rci_plafond_tranche_1_pass: Decimal | None = field(
        metadata=parameter("retraite_complementaire.plafond_tranche_1_pass")
    )
    rci_plafond_tranche_2: Decimal = field(metadata=parameter("retraite_complementaire.plafond_tranche_2"))
    id_taux: Decimal = field(metadata=parameter("invalidite_deces.taux"))
    id_assiette_minimale: Decimal = field(metadata=parameter("invalidite_deces.assiette_minimale"))
    id_plafond: Decimal = field(metadata=parameter("invalidite_deces.plafond"))
    af_bareme: Scale = field(metadata=parameter("allocations_familiales.bareme"))
    csg_taux_deductible: Decimal = field(metadata=parameter("csg_crds.taux_csg_deductible"))
    csg_taux_non_deductible: Decimal = field(metadata=parameter("csg_crds.taux_csg_non_deductible"))
    crds_taux: Decimal = field(metadata=parameter("csg_crds.taux_crds"))
    cfp_taux_artisan: Decimal = field(metadata=parameter("formation_professionnelle.taux_artisan"))
    cfp_taux_commercant: Decimal = field(metadata=parameter("formation_professionnelle.taux_commercant"))
    cfp_taux_liberal: Decimal = field(metadata=parameter("formation_professionnelle.taux_liberal"))
    cfp_taux_conjoint_collaborateur: Decimal = field(
        metadata=parameter("formation_professionnelle.taux_conjoint_collaborateur")
    )
    forfait_assiette: Decimal = field(metadata=parameter("debut_activite.assiette_forfaitaire"))
    forfait_assiette_ij: Decimal = field(
        metadata=parameter("debut_activite.assiette_forfaitaire_indemnites_journalieres")
    )
    forfait_duree_annees: int = field(metadata=parameter("debut_activite.duree_annees"))
    acre_exoneration_maximale: Decimal = field(metadata=parameter("acre.exoneration_maximale"))
    acre_exoneration_maximale_anterieure: Decimal = field(
        metadata=parameter("acre.exoneration_maximale_creation_anterieure")
    )
    acre_seuil_degressivite: Decimal = field(metadata=parameter("acre.seuil_degressivite"))
    acre_seuil_sortie: Decimal = field(metadata=parameter("acre.seuil_sortie"))
    acre_duree_mois: int = field(metadata=parameter("acre.duree_mois"))
    # Collectivités of CSS L751-1 (Guadeloupe, Guyane, Martinique, La Réunion, Saint-Barthélemy, Saint-Martin)
    om_maladie_taux_tranche_1: Decimal | None = field(metadata=parameter("outre_mer.maladie_taux_tranche_1"))
    om_af_taux: Decimal = field(metadata=parameter("outre_mer.allocations_familiales_taux"))
    # Their start-of-activity exemption (CSS L756-2, D756-4): `contributions.debut_outre_mer`
    om_debut_duree_mois: int = field(metadata=parameter("outre_mer.exoneration_debut_activite_duree_mois"))
    om_debut_seuil_totale: Decimal = field(metadata=parameter("outre_mer.exoneration_debut_activite_seuil_totale"))
    om_debut_seuil_degressivite: Decimal = field(
        metadata=parameter("outre_mer.exoneration_debut_activite_seuil_degressivite")
    )
    om_debut_seuil_sortie: Decimal = field(metadata=parameter("outre_mer.exoneration_debut_activite_seuil_sortie"))
    # Their régime de croisière abattement (CSS L756-4, D756-4 I 2°, 3°, II): `contributions.debut_outre_mer`
    om_croisiere_taux: Decimal = field(metadata=parameter("outre_mer.abattement_croisiere_taux"))
    om_croisiere_taux_troisieme_annee: Decimal = field(
        metadata=parameter("outre_mer.abattement_croisiere_taux_troisieme_annee")
    )
    om_croisiere_limite: Decimal = field(metadata=parameter("outre_mer.abattement_croisiere_limite"))
    om_croisiere_seuil_degressivite: Decimal = field(
        metadata=parameter("outre_mer.abattement_croisiere_seuil_degressivite")
    )
    om_croisiere_seuil_sortie: Decimal = field(metadata=parameter("outre_mer.abattement_croisiere_seuil_sortie"))
    # Invalidity pensioners (CSS D621-4, D635-2): the exempted share of a part of the year
    inv_arrondi_prorata: Decimal = field(metadata=parameter("exonerations.invalidite_arrondi_prorata"))
    inv_mois_par_an: int = field(metadata=parameter("exonerations.invalidite_mois_par_an"))
    # Mayotte (ordonnance 96-1122): None before the years its rules are implemented for (`mayotte_snapshot`)
    my_pass_annuel: Decimal | None = field(metadata=parameter("mayotte.plafond_annuel"))
    my_smic_horaire: Decimal | None = field(metadata=parameter("mayotte.smic_horaire"))
    my_rb_taux: Decimal | None = field(metadata=parameter("mayotte.retraite_base_taux"))
    my_contribution_maladie_taux: Decimal | None = field(metadata=parameter("mayotte.contribution_maladie_taux"))
    my_cotisation_maladie_taux: Decimal | None = field(metadata=parameter("mayotte.cotisation_maladie_taux"))
    my_af_taux: Decimal | None = field(metadata=parameter("mayotte.allocations_familiales_taux"))
    my_abattement: Decimal = field(metadata=parameter("mayotte.abattement"))
    my_exoneration_mois: int = field(metadata=parameter("mayotte.exoneration_duree_mois"))
    my_abattement_mois: int = field(metadata=parameter("mayotte.abattement_duree_mois"))
    # Conjoint collaborateur (CSS D633-19-2): the divisors of the bases its options choose
    cc_diviseur_forfaitaire: int = field(metadata=parameter("conjoint_collaborateur.diviseur_forfaitaire"))
    cc_diviseur_tiers: int = field(metadata=parameter("conjoint_collaborateur.diviseur_tiers"))
    cc_diviseur_moitie: int = field(metadata=parameter("conjoint_collaborateur.diviseur_moitie"))
    cc_heures_mayotte: int = field(metadata=parameter("conjoint_collaborateur.heures_mayotte"))
    # Professions libérales réglementées (`section_snapshot`, `contributions.professions_liberales`)
    plr_maladie_bareme: Scale | None = field(metadata=parameter("professions_liberales.maladie_bareme"))
    plr_ij_taux: Decimal = field(metadata=parameter("professions_liberales.ij_taux"))
    plr_ij_plafond: Decimal = field(metadata=parameter("professions_liberales.ij_plafond"))
    plr_rb_taux_tranche_1: Decimal = field(metadata=parameter("professions_liberales.rb_taux_tranche_1"))
    plr_rb_taux_tranche_2: Decimal = field(metadata=parameter("professions_liberales.rb_taux_tranche_2"))
    plr_rb_plafond_tranche_2: Decimal = field(metadata=parameter("professions_liberales.rb_plafond_tranche_2"))
    cipav_rc_taux_tranche_1: Decimal = field(metadata=parameter("professions_liberales.cipav_rc_taux_tranche_1"))
    cipav_rc_taux_tranche_2: Decimal = field(metadata=parameter("professions_liberales.cipav_rc_taux_tranche_2"))
    cipav_rc_plafond_tranche_1: Decimal = field(metadata=parameter("professions_liberales.cipav_rc_plafond_tranche_1"))
    cipav_rc_plafond_tranche_2: Decimal = field(metadata=parameter("professions_liberales.cipav_rc_plafond_tranche_2"))
    cipav_id_taux: Decimal = field(metadata=parameter("professions_liberales.cipav_id_taux"))
    cipav_id_assiette_minimale: Decimal = field(metadata=parameter("professions_liberales.cipav_id_assiette_minimale"))
    cipav_id_plafond: Decimal = field(metadata=parameter("professions_liberales.cipav_id_plafond"))
    cavec_rc_classes: Scale = field(metadata=parameter("professions_liberales.cavec_rc_classes"))
    cavec_id_classes: Scale = field(metadata=parameter("professions_liberales.cavec_id_classes"))
    cnbf_rb_forfaits: Scale = field(metadata=parameter("professions_liberales.cnbf_rb_forfaits"))
    cnbf_rb_taux: Decimal = field(metadata=parameter("professions_liberales.cnbf_rb_taux"))
    cnbf_rb_plafond: Decimal = field(metadata=parameter("professions_liberales.cnbf_rb_plafond"))
    cnbf_rc_largeur_tranche: Decimal = field(metadata=parameter("professions_liberales.cnbf_rc_largeur_tranche"))
    cnbf_rc_taux: Scale = field(metadata=parameter("professions_liberales.cnbf_rc_taux"))
    cnbf_rc_taux_classe_2: Scale = field(metadata=parameter("professions_liberales.cnbf_rc_taux_classe_2"))
    cnbf_rc_taux_classe_2p: Scale = field(metadata=parameter("professions_liberales.cnbf_rc_taux_classe_2p"))
    cnbf_id_forfaits: Scale = field(metadata=parameter("professions_liberales.cnbf_id_forfaits"))
    references: dict[str, Value] = field(repr=False)
    # The same figures as exact integers for the rules (derived here, so that a snapshot built with other figures,
    # e.g. by dataclasses.replace, computes with them).
    exact: Figures = field(init=False, repr=False, compare=False)
    # The law of Mayotte (`mayotte_snapshot`): its PASS and SMIC replace the metropolitan ones, its rules apply.
    mayotte: bool = False
    # The section professionnelle of a profession libérale réglementée (`section_snapshot`), None otherwise.
    section: str | None = None
    # The figures of a health section (`contributions.pamc.PamcFigures`, built by `section_snapshot`), None otherwise.
    pamc: Any = None
    # The parameters this snapshot was read from when not the packaged law (`build_snapshot`): what the rules read
    # beside it (the law of Mayotte, the figures of the rights) comes from the same `Law`, e.g. an organism's.
    parameters: Law | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "exact", figures(self))

    @property
    def apres_reforme(self) -> bool:
        return self.regime == "revenu_brut_abattu"

    def ref(self, key: str) -> str:
        """The legal reference of the value of `key` (a `file.parameter` name) used by this snapshot."""
        return self.references[key].reference


# snapshot field -> parameter key (from the declarations above: one place names each figure)
FIELDS: dict[str, str] = {f.name: f.metadata["parameter"] for f in fields(LawSnapshot) if "parameter" in f.metadata}

# Parameters that only exist under one regime: None is expected under the other one.
ONLY_AFTER_REFORM = {
    "abattement_taux",
    "abattement_plancher",
    "abattement_plafond",
    "rci_plafond_tranche_1_pass",
    "om_maladie_taux_tranche_1",
}
ONLY_BEFORE_REFORM = {"rci_plafond_tranche_1_montant", "plr_maladie_bareme"}
# Parameters without a value before the years their rules are implemented for (Mayotte).
OPTIONAL = {
    "my_pass_annuel",
    "my_smic_horaire",
    "my_rb_taux",
    "my_contribution_maladie_taux",
    "my_cotisation_maladie_taux",
    "my_af_taux",
}


@dataclass(frozen=True, slots=True)
class Steps:
    """A taux progressif scale as integers: by segment (the points, then one past the last), its lower threshold
    (FRAC), its span to the next threshold (1 past the last), its rate at the lower threshold (RATE) and the rate
    difference to the next point (0 past the last)."""

    low: tuple[int, ...]
    span: tuple[int, ...]
    rate: tuple[int, ...]
    delta: tuple[int, ...]
    last: int  # the index of the last point


def _steps(scale: Scale, what: str) -> Steps:
    low = tuple(_fixed(t, FRAC, what) for t, _ in scale)
    rate = tuple(_fixed(r, RATE, what) for _, r in scale)
    span = (*(b - a for a, b in pairwise(low)), 1)
    delta = (*(b - a for a, b in pairwise(rate)), 0)
    return Steps(low, span, rate, delta, len(low) - 1)


@dataclass(frozen=True, slots=True)
class Classes:
    """Classes of a fixed contribution by income (unit `euro_classes`): the lower bounds of the classes after the
    first (cents) and the amount of each class (euros)."""

    bounds: tuple[int, ...]
    amounts: tuple[int, ...]


def _classes(value: Scale, unit: int = 100) -> Classes:
    """Classes with their bounds in cents (euros × 100) or in days (years × the days of a year)."""
    return Classes(tuple(int(bound) * unit for bound, _ in value[1:]), tuple(int(amount) for _, amount in value))


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of a snapshot as the exact integers the rules compute with (`contributions.exact`): rates in
    `RATE`, PASS multiples in `FRAC`, bases in cents, PASS and rounded bounds in euros, days since 1970-01-01.

    Built from the Decimal figures of the same snapshot, which stay for display: one source, two forms. A figure
    these units cannot hold exactly (a rate with more than 6 decimals, a PASS multiple used as a base that is not a
    whole number of cents...) raises `LawError` when the snapshot is built, rather than compute anything inexact;
    so do figures that would take an amount of the batch path beyond int64 (bounds in `contributions.exact`).
    """

    year: int
    first_day: int  # 1 January of the income year
    last_day: int  # 31 December
    days_in_year: int
    apres_reforme: bool
    pass_annuel: int  # euros
    jours_prorata: int
    pass_proratise: tuple[int, ...]  # euros, by days of activity 0 … jours_prorata (R613-17, see `figures`)
    progressive_divisor: int  # RATE / 10**decimales_taux_progressif
    abattement_taux: int
    abattement_plancher: int  # euros, rounded
    abattement_plafond: int  # euros, rounded
    maladie_bareme: Steps
    maladie_plafond_tranche_1: int  # FRAC, a whole number of hundredths (whole cents of the PASS)
    maladie_taux_tranche_2: int
    ij_taux: int
    ij_taux_revenu_faible: int
    ij_seuil_revenu_faible: int  # FRAC
    ij_assiette_minimale: int  # cents, rounded to the euro
    ij_plafond: int  # cents
    rb_taux_plafonne: int
    rb_taux_deplafonne: int
    rb_assiette_minimale: int  # cents, rounded to the euro (hours × SMIC horaire)
    rb_duree_minimale_affiliation: int
    rci_taux_tranche_1: int
    rci_taux_tranche_2: int
    rci_plafond_tranche_1_pass: int | None  # FRAC (from 2025)
    rci_plafond_tranche_1_montant: int | None  # cents (up to 2024)
    rci_plafond_tranche_2: int  # FRAC
    id_taux: int
    id_assiette_minimale: int  # FRAC
    id_plafond: int  # FRAC
    af_bareme: Steps
    csg_taux_deductible: int
    csg_taux_non_deductible_crds: int
    cfp: tuple[int, int, int, int]  # euros, by profession code (artisan, commercant, liberal, liberal_reglementee)
    forfait_assiette: int  # FRAC
    forfait_assiette_ij: int  # cents, rounded to the euro
    acre_maximum: tuple[int, int]  # maximum exempted share, numerator / denominator
    acre_maximum_anterieur: tuple[int, int]  # the same for an activity started before 1 January of the year
    acre_ratio: tuple[int, int]  # seuil_degressivite / (seuil_sortie − seuil_degressivite)
    acre_seuil_degressivite: int  # FRAC
    acre_seuil_sortie: int  # FRAC
    acre_duree_jours: int  # the 12 months counted as days (URSSAF: 365)
    acre_window: tuple[bool, ...]  # by days from a start before the year to 1 January: the months reach the year
    om_maladie_taux_tranche_1: int | None  # overseas (L751-1): the maladie rate of tranche 1, None: the scale
    om_af_taux: int  # overseas (L751-1): the allocations familiales rate on the whole base
    inv_pas: int  # invalidity pensioners: the exempted share is counted in 1/inv_pas of the contribution
    inv_mois_par_an: int
    mayotte: bool  # the law of Mayotte (the PASS and SMIC above are Mayotte's)
    my_rb_taux: int
    my_contribution_maladie_taux: int
    my_cotisation_maladie_taux: int
    my_af_taux: int
    my_abattement: int  # RATE
    my_exoneration: int  # 12 × the days of the exemption (months × jours_prorata): 12 × (days + 1) below it
    my_abattement_after: int  # 12 × the days from which the abattement applies: 12 × (days + 1) at least it
    cc_assiette_forfaitaire: int  # cents: the annual PASS / diviseur_forfaitaire, rounded to the euro
    cc_diviseurs: tuple[int, ...]  # by option code (contributions.conjoint_collaborateur.OPTIONS; 0 for the flat base)
    cc_assiette_mayotte: int  # cents: hours of the SMIC (Mayotte's under its law), rounded to the euro
    cfp_conjoint: int  # euros: the CFP of a commerçant or libéral with a conjoint collaborateur
    section: int  # the section professionnelle (index in SECTIONS + 1), 0: none
    plr_rb_taux_tranche_1: int
    plr_rb_taux_tranche_2: int
    plr_rb_plafond_tranche_2: int  # FRAC
    cipav_rc_taux_tranche_1: int
    cipav_rc_taux_tranche_2: int
    cipav_rc_plafond_tranche_1: int  # cents (a multiple of the annual PASS)
    cipav_rc_plafond_tranche_2: int  # cents
    cipav_id_taux: int
    cipav_id_assiette_minimale: int  # FRAC
    cipav_id_plafond: int  # cents (a multiple of the annual PASS)
    cavec_rc_classes: Classes
    cavec_id_classes: Classes
    cnbf_rb_forfaits: Classes  # bounds in days of activity at the end of the year (years × jours_prorata)
    cnbf_rb_taux: int
    cnbf_rb_plafond: int  # cents
    cnbf_rc_largeur_tranche: int  # cents
    cnbf_rc_taux: tuple[int, ...]  # by tranche
    cnbf_id_forfaits: Classes  # bounds in days of activity at the end of the year
    pamc: Any = None  # a health section's figures (`contributions.pamc.PamcFigures`), exact; None otherwise


def _fixed(value: Decimal, scale: int, what: str) -> int:
    """`value` as an integer number of 1/scale, or LawError if it has more decimals."""
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise LawError(f"{what}: {value} has more decimals than the rules compute exactly (1/{scale})")
    return int(scaled)


def _euros(value: Decimal) -> int:
    """An amount rounded half up to the euro (kernel.money.round_euro)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _whole_cents(value: Decimal, what: str) -> int:
    """A PASS multiple used as a base or a ceiling: in FRAC, and a whole number of hundredths (whole cents)."""
    fixed = _fixed(value, FRAC, what)
    if fixed % 100:
        raise LawError(f"{what}: {value} × PASS must be a whole number of cents")
    return fixed


def _steps_of(step: Decimal, what: str) -> int:
    """The number of steps of `step` in a whole (0.01: 100), which must be whole."""
    count = 1 / Fraction(step) if step > 0 else Fraction(0)
    if count.denominator != 1 or count < 1:
        raise LawError(f"{what}: {step} must divide 1 into a whole number of steps")
    return int(count)


def figures(law: LawSnapshot) -> Figures:
    """The exact integer form of `law` (see `Figures`)."""
    key = FIELDS
    year = law.year
    jours = law.jours_prorata
    pass_annuel = _fixed(law.pass_annuel, 1, key["pass_annuel"])
    decimals = law.decimales_taux_progressif
    if not 0 <= decimals <= 6:
        raise LawError(f"{key['decimales_taux_progressif']}: {decimals} is beyond the 6 decimals of the rules")
    sd = _whole_cents(law.acre_seuil_degressivite, key["acre_seuil_degressivite"])
    ss = _whole_cents(law.acre_seuil_sortie, key["acre_seuil_sortie"])
    plafond_1 = _whole_cents(law.maladie_plafond_tranche_1, key["maladie_plafond_tranche_1"])
    if not 0 < sd < ss or sd > plafond_1:
        raise LawError("acre: the rules need 0 < seuil_degressivite < seuil_sortie ≤ maladie plafond_tranche_1")
    maximum = Fraction(law.acre_exoneration_maximale)
    anterieur = Fraction(law.acre_exoneration_maximale_anterieure)
    ratio = Fraction(sd, ss - sd)
    acre_jours = jours * law.acre_duree_mois // 12
    january = date(year, 1, 1)

    def rate(name: str, value: Decimal | None = None) -> int:
        return _fixed(getattr(law, name) if value is None else value, RATE, key[name])

    def optional(value: Decimal | None) -> Decimal:
        return Decimal(0) if value is None else value

    cfp = (law.cfp_taux_artisan, law.cfp_taux_commercant, law.cfp_taux_liberal)
    result = Figures(
        year=year,
        first_day=january.toordinal() - EPOCH,
        last_day=date(year, 12, 31).toordinal() - EPOCH,
        days_in_year=(date(year + 1, 1, 1) - january).days,
        apres_reforme=law.apres_reforme,
        pass_annuel=pass_annuel,
        jours_prorata=jours,
        # R613-17: the PASS × days / 365, rounded half up to the euro (contributions.assiettes.activity_days).
        pass_proratise=tuple((2 * pass_annuel * days + jours) // (2 * jours) for days in range(jours + 1)),
        progressive_divisor=10 ** (6 - decimals),
        abattement_taux=rate("abattement_taux", optional(law.abattement_taux)),
        abattement_plancher=_euros(optional(law.abattement_plancher) * law.pass_annuel),
        abattement_plafond=_euros(optional(law.abattement_plafond) * law.pass_annuel),
        maladie_bareme=_steps(law.maladie_bareme, key["maladie_bareme"]),
        maladie_plafond_tranche_1=plafond_1,
        maladie_taux_tranche_2=rate("maladie_taux_tranche_2"),
        ij_taux=rate("ij_taux"),
        ij_taux_revenu_faible=rate("ij_taux_revenu_faible"),
        ij_seuil_revenu_faible=_fixed(law.ij_seuil_revenu_faible, FRAC, key["ij_seuil_revenu_faible"]),
        ij_assiette_minimale=100 * _euros(law.ij_assiette_minimale * law.pass_annuel),
        ij_plafond=_fixed(law.ij_plafond * law.pass_annuel, 100, key["ij_plafond"]),
        rb_taux_plafonne=rate("rb_taux_plafonne"),
        rb_taux_deplafonne=rate("rb_taux_deplafonne"),
        rb_assiette_minimale=100 * _euros(law.rb_assiette_minimale_heures * law.smic_horaire),
        rb_duree_minimale_affiliation=law.rb_duree_minimale_affiliation,
        rci_taux_tranche_1=rate("rci_taux_tranche_1"),
        rci_taux_tranche_2=rate("rci_taux_tranche_2"),
        rci_plafond_tranche_1_pass=(
            None
            if law.rci_plafond_tranche_1_pass is None
            else _whole_cents(law.rci_plafond_tranche_1_pass, key["rci_plafond_tranche_1_pass"])
        ),
        rci_plafond_tranche_1_montant=(
            None
            if law.rci_plafond_tranche_1_montant is None
            else _fixed(law.rci_plafond_tranche_1_montant, 100, key["rci_plafond_tranche_1_montant"])
        ),
        rci_plafond_tranche_2=_whole_cents(law.rci_plafond_tranche_2, key["rci_plafond_tranche_2"]),
        id_taux=rate("id_taux"),
        id_assiette_minimale=_fixed(law.id_assiette_minimale, FRAC, key["id_assiette_minimale"]),
        id_plafond=_whole_cents(law.id_plafond, key["id_plafond"]),
        af_bareme=_steps(law.af_bareme, key["af_bareme"]),
        csg_taux_deductible=rate("csg_taux_deductible"),
        csg_taux_non_deductible_crds=rate("csg_taux_non_deductible", law.csg_taux_non_deductible + law.crds_taux),
        cfp=(
            _euros(law.pass_annuel * cfp[0]),
            _euros(law.pass_annuel * cfp[1]),
            _euros(law.pass_annuel * cfp[2]),
            _euros(law.pass_annuel * cfp[2]),  # C. trav. L6331-48: every profession libérale
        ),
        forfait_assiette=_fixed(law.forfait_assiette, FRAC, key["forfait_assiette"]),
        forfait_assiette_ij=100 * _euros(law.forfait_assiette_ij * law.pass_annuel),
        acre_maximum=(maximum.numerator, maximum.denominator),
        acre_maximum_anterieur=(anterieur.numerator, anterieur.denominator),
        acre_ratio=(ratio.numerator, ratio.denominator),
        acre_seuil_degressivite=sd,
        acre_seuil_sortie=ss,
        acre_duree_jours=acre_jours,
        acre_window=tuple(
            add_months(january - timedelta(days=before), law.acre_duree_mois) - timedelta(days=1) >= january
            for before in range(acre_jours + 1)
        ),
        om_maladie_taux_tranche_1=(
            None if law.om_maladie_taux_tranche_1 is None else rate("om_maladie_taux_tranche_1")
        ),
        om_af_taux=rate("om_af_taux"),
        inv_pas=_steps_of(law.inv_arrondi_prorata, key["inv_arrondi_prorata"]),
        inv_mois_par_an=law.inv_mois_par_an,
        mayotte=law.mayotte,
        my_rb_taux=rate("my_rb_taux", optional(law.my_rb_taux)),
        my_contribution_maladie_taux=rate("my_contribution_maladie_taux", optional(law.my_contribution_maladie_taux)),
        my_cotisation_maladie_taux=rate("my_cotisation_maladie_taux", optional(law.my_cotisation_maladie_taux)),
        my_af_taux=rate("my_af_taux", optional(law.my_af_taux)),
        my_abattement=rate("my_abattement"),
        my_exoneration=law.my_exoneration_mois * jours,
        my_abattement_after=law.my_abattement_mois * jours,
        cc_assiette_forfaitaire=100 * _euros(law.pass_annuel / law.cc_diviseur_forfaitaire),
        cc_diviseurs=(
            1,  # no conjoint: unused
            1,  # forfaitaire: the flat base above
            law.cc_diviseur_tiers,
            law.cc_diviseur_moitie,
            law.cc_diviseur_tiers,
            law.cc_diviseur_moitie,
        ),
        cc_assiette_mayotte=100 * _euros(law.cc_heures_mayotte * law.smic_horaire),
        cfp_conjoint=_euros(law.pass_annuel * law.cfp_taux_conjoint_collaborateur),
        section=0 if law.section is None else SECTIONS.index(law.section) + 1,
        plr_rb_taux_tranche_1=rate("plr_rb_taux_tranche_1"),
        plr_rb_taux_tranche_2=rate("plr_rb_taux_tranche_2"),
        plr_rb_plafond_tranche_2=_whole_cents(law.plr_rb_plafond_tranche_2, key["plr_rb_plafond_tranche_2"]),
        cipav_rc_taux_tranche_1=rate("cipav_rc_taux_tranche_1"),
        cipav_rc_taux_tranche_2=rate("cipav_rc_taux_tranche_2"),
        cipav_rc_plafond_tranche_1=_fixed(law.cipav_rc_plafond_tranche_1 * law.pass_annuel, 100, "cipav_rc_plafond_1"),
        cipav_rc_plafond_tranche_2=_fixed(law.cipav_rc_plafond_tranche_2 * law.pass_annuel, 100, "cipav_rc_plafond_2"),
        cipav_id_taux=rate("cipav_id_taux"),
        cipav_id_assiette_minimale=_fixed(law.cipav_id_assiette_minimale, FRAC, key["cipav_id_assiette_minimale"]),
        cipav_id_plafond=_fixed(law.cipav_id_plafond * law.pass_annuel, 100, key["cipav_id_plafond"]),
        cavec_rc_classes=_classes(law.cavec_rc_classes),
        cavec_id_classes=_classes(law.cavec_id_classes),
        cnbf_rb_forfaits=_classes(law.cnbf_rb_forfaits, jours),
        cnbf_rb_taux=rate("cnbf_rb_taux"),
        cnbf_rb_plafond=_fixed(law.cnbf_rb_plafond, 100, key["cnbf_rb_plafond"]),
        cnbf_rc_largeur_tranche=_fixed(law.cnbf_rc_largeur_tranche, 100, key["cnbf_rc_largeur_tranche"]),
        cnbf_rc_taux=tuple(_fixed(value, RATE, key["cnbf_rc_taux"]) for _, value in law.cnbf_rc_taux),
        cnbf_id_forfaits=_classes(law.cnbf_id_forfaits, jours),
        pamc=law.pamc,
    )
    # Bounds of the batch path's int64 arithmetic (contributions.exact): the ACRE share of a proportional
    # contribution divides by maximum × ratio × base (≤ the exit threshold) × days, and the maladie-maternité
    # exemption multiplies a contribution by the same factors.
    sortie = ss * pass_annuel // 100  # cents
    too_large = maximum.denominator * ratio.denominator * sortie * jours * EURO >= 2**60
    too_large |= RATE * sortie * maximum.numerator * max(ratio.numerator, ratio.denominator) * jours >= 2**62
    if too_large:
        raise LawError(f"acre: the figures of {year} exceed the exact range of the rules")
    return result


def build_snapshot(law: Law, year: int) -> LawSnapshot:
    day = date(year, 1, 1)
    values: dict[str, ParamValue] = {}
    references: dict[str, Value] = {}
    for name, key in FIELDS.items():
        found = law.value(key, day)
        values[name] = found.value
        references[key] = found
    after = values["regime"] == "revenu_brut_abattu"
    for name, parameter_value in values.items():
        optional = (name in ONLY_AFTER_REFORM and not after) or (name in ONLY_BEFORE_REFORM and after)
        optional |= name in OPTIONAL
        if parameter_value is None and not optional:
            raise LawError(f"{FIELDS[name]}: no value for {year} although the {values['regime']} rules need it")
    # The packaged law, the default of whatever reads one, is not kept: a snapshot of it stays small to pickle.
    parameters = None if law is load_law() else law
    return LawSnapshot(year=year, references=references, parameters=parameters, **cast(dict[str, object], values))  # type: ignore[arg-type]


def snapshot_of(law: Law, year: int) -> LawSnapshot:
    """The snapshot of `law` for income `year`, built once per `Law` object (kept in the object itself, so that
    a `Law` with overridden figures, or one received by a worker process, has its own)."""
    key = ("snapshot", year)
    found = law.cache.get(key)
    if found is None:
        found = law.cache[key] = build_snapshot(law, year)
    assert isinstance(found, LawSnapshot)
    return found


def snapshot(year: int) -> LawSnapshot:
    """The snapshot of the packaged law for income `year`."""
    return snapshot_of(load_law(), year)


# Figures that follow the year even when the rules of another regime are applied to it.
YEAR_AMOUNTS = ("pass_annuel", "smic_horaire", "rci_plafond_tranche_1_montant")


def provisional_snapshot(year: int, law: Law | None = None) -> LawSnapshot:
    """The law for the provisional contributions of `year` (parameter `regime.assiette_provisionnelles`).

    When they follow the rules of another regime than the year's own (2025: the former rules, URSSAF practice),
    the rates are those of the last year of that regime and the amounts (PASS, SMIC, RCI ceiling) those of `year`.
    """
    law = law or load_law()
    key = ("provisional", year)
    found = law.cache.get(key)
    if found is None:
        found = law.cache[key] = _provisional(law, year)
    assert isinstance(found, LawSnapshot)
    return found


def _provisional(law: Law, year: int) -> LawSnapshot:
    own = snapshot_of(law, year)
    regime = law.value("regime.assiette_provisionnelles", date(year, 1, 1)).value
    if regime == own.regime:
        return own
    donor_year = year
    while snapshot_of(law, donor_year).regime != regime:
        donor_year -= 1
    donor = snapshot_of(law, donor_year)
    values = {name: getattr(own, name) for name in YEAR_AMOUNTS}
    references = {**donor.references, **{FIELDS[name]: own.references[FIELDS[name]] for name in YEAR_AMOUNTS}}
    if values["rci_plafond_tranche_1_montant"] is None:
        raise LawError(f"{FIELDS['rci_plafond_tranche_1_montant']}: no value for {year} under the former rules")
    return replace(donor, year=year, references=references, **values)


def mayotte_snapshot(base: LawSnapshot, law: Law | None = None) -> LawSnapshot | None:
    """The law of Mayotte for the year of `base` (its own snapshot, or the provisional one): the PASS and SMIC of
    Mayotte and its rates (those of the income year itself, `mayotte.yaml`), or None for a year its rules are not
    implemented for (before 2025). Kept in the `Law` like the other snapshots."""
    law = law or base.parameters or load_law()
    # Cached only for the law's own snapshots (a snapshot built by `replace` is computed each time).
    shared = base is snapshot_of(law, base.year) or base is provisional_snapshot(base.year, law)
    key = (f"mayotte {base.regime}", base.year)
    found = law.cache.get(key) if shared else None
    if found is None:
        own = snapshot_of(law, base.year)
        if own.my_pass_annuel is None or own.my_smic_horaire is None:
            found = False
        else:
            names = (*(name for name in OPTIONAL), "my_abattement", "my_exoneration_mois", "my_abattement_mois")
            values = {name: getattr(own, name) for name in names}
            references = {**base.references, **{FIELDS[name]: own.references[FIELDS[name]] for name in names}}
            references[FIELDS["pass_annuel"]] = own.references[FIELDS["my_pass_annuel"]]
            references[FIELDS["smic_horaire"]] = own.references[FIELDS["my_smic_horaire"]]
            found = replace(
                base,
                pass_annuel=own.my_pass_annuel,
                smic_horaire=own.my_smic_horaire,
                mayotte=True,
                references=references,
                **values,
            )
        if shared:
            law.cache[key] = found
    return found if isinstance(found, LawSnapshot) else None


# The sections professionnelles of the CNAVPL (CSS R641-1) and the CNBF whose contributions the engine computes
# (`contributions.professions_liberales`); the others are refused at input (`contributions.situation.Section`).
SECTIONS = (
    "cipav",
    "cavec",
    "cnbf",
    # The health sections, one code for each variant of their rules (`contributions.pamc.VARIANTS`): the section
    # with the médecin's secteur conventionnel or the CARCDSF's métier.
    "carmf_1",
    "carmf_2",
    "carmf_non_conventionne",
    "carpimko",
    "carcdsf_chirurgien_dentiste",
    "carcdsf_sage_femme",
    "cavp",
    # The CNBF's classes of complémentaire chosen by the avocat (the class 1 is `cnbf`).
    "cnbf_2",
    "cnbf_2p",
)
# The figures of the rules of the professions libérales réglementées the section snapshot puts in place of those of
# the other travailleurs indépendants (the same rule, other figures): (field replaced, field of the section).
_SECTION_FIGURES = (
    ("ij_taux", "plr_ij_taux"),
    ("ij_taux_revenu_faible", "plr_ij_taux"),
    ("ij_plafond", "plr_ij_plafond"),
)


def section_snapshot(base: LawSnapshot, section: str, law: Law | None = None) -> LawSnapshot:
    """The law of `base`'s year for a profession libérale réglementée of `section` (one of SECTIONS): the figures
    of the professions libérales in place of the others' (indemnités journalières at the CNAVPL rate and ceiling;
    before 2025 the maladie-maternité scale of the professions libérales), and `section` set, which selects the
    rules of `contributions.professions_liberales` (retraite de base of the CNAVPL, the section's own). Kept in
    the `Law` for its own snapshots, like `mayotte_snapshot`; `law`: by default the one `base` was taken from."""
    law = law or base.parameters or load_law()
    shared = base is snapshot_of(law, base.year) or base is provisional_snapshot(base.year, law)
    key = (f"section {section} {base.regime}", base.year)
    found = law.cache.get(key) if shared else None
    if found is None:
        found = _section(base, section)
        if section in ("cnbf_2", "cnbf_2p"):
            # The class chosen: its rates of the CNBF's complémentaire in place of the class 1's.
            own = FIELDS[f"cnbf_rc_taux_classe_{section[5:]}"]
            references = {**found.references, FIELDS["cnbf_rc_taux"]: base.references[own]}
            rates = base.cnbf_rc_taux_classe_2 if section == "cnbf_2" else base.cnbf_rc_taux_classe_2p
            found = replace(found, cnbf_rc_taux=rates, references=references)
        elif "_" in section or section in ("carpimko", "cavp"):
            from echeancier.contributions.pamc import pamc_figures

            found = replace(found, pamc=pamc_figures(law, base, section))
        if shared:
            law.cache[key] = found
    assert isinstance(found, LawSnapshot)
    return found


def _section(base: LawSnapshot, section: str) -> LawSnapshot:
    values: dict[str, object] = {name: getattr(base, own) for name, own in _SECTION_FIGURES}
    references = dict(base.references)
    for name, own in _SECTION_FIGURES:
        references[FIELDS[name]] = base.references[FIELDS[own]]
    if base.plr_maladie_bareme is not None:
        # LAW (docs/law-choices.md, 261): before 2025 the whole income at the professions libérales' scale,
        # which ends at 6.5 % from 110 % of the PASS: the tranche 2 of D621-1 (6.5 % above 5 PASS) gives the same.
        values["maladie_bareme"] = base.plr_maladie_bareme
        references[FIELDS["maladie_bareme"]] = base.references[FIELDS["plr_maladie_bareme"]]
    return replace(base, section=section, references=references, **values)  # type: ignore[arg-type]


def supported_years(law: Law | None = None) -> range:
    law = law or load_law()
    return range(law.first_date.year, law.last_date.year + 1)
