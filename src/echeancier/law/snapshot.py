"""A typed, validated view of the law for one income year.

CSS R613-17: the PASS used for the contributions of a year is the one in force on 1 January of that year; the
other parameters are those applicable to the contributions "dues au titre" of that year, so a snapshot is always
taken on 1 January of the income year.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import cast

from echeancier.law.loader import Law, LawError, ParamValue, ScaleValue, Value, load_law

Scale = ScaleValue


@dataclass(frozen=True, slots=True)
class LawSnapshot:
    """Every figure the contribution engine needs for one income year."""

    year: int
    regime: str  # "revenu_professionnel" (income up to 2024) or "revenu_brut_abattu" (from 2025)
    pass_annuel: Decimal
    smic_horaire: Decimal
    jours_prorata: int
    decimales_taux_progressif: int
    abattement_taux: Decimal | None
    abattement_plancher: Decimal | None
    abattement_plafond: Decimal | None
    maladie_bareme: Scale
    maladie_plafond_tranche_1: Decimal
    maladie_taux_tranche_2: Decimal
    ij_taux: Decimal
    ij_taux_revenu_faible: Decimal
    ij_seuil_revenu_faible: Decimal
    ij_assiette_minimale: Decimal
    ij_plafond: Decimal
    rb_taux_plafonne: Decimal
    rb_taux_deplafonne: Decimal
    rb_assiette_minimale_heures: int
    rb_duree_minimale_affiliation: int
    rci_taux_tranche_1: Decimal
    rci_taux_tranche_2: Decimal
    rci_plafond_tranche_1_montant: Decimal | None
    rci_plafond_tranche_1_pass: Decimal | None
    rci_plafond_tranche_2: Decimal
    id_taux: Decimal
    id_assiette_minimale: Decimal
    id_plafond: Decimal
    af_bareme: Scale
    csg_taux_deductible: Decimal
    csg_taux_non_deductible: Decimal
    crds_taux: Decimal
    cfp_taux_artisan: Decimal
    cfp_taux_commercant: Decimal
    cfp_taux_liberal: Decimal
    cfp_taux_conjoint_collaborateur: Decimal
    forfait_assiette: Decimal
    forfait_assiette_ij: Decimal
    forfait_duree_annees: int
    acre_exoneration_maximale: Decimal
    acre_seuil_degressivite: Decimal
    acre_seuil_sortie: Decimal
    acre_duree_mois: int
    references: dict[str, Value]

    @property
    def apres_reforme(self) -> bool:
        return self.regime == "revenu_brut_abattu"

    def ref(self, key: str) -> str:
        """The legal reference of the value of `key` (a `file.parameter` name) used by this snapshot."""
        return self.references[key].reference


# snapshot field -> parameter key
FIELDS: dict[str, str] = {
    "regime": "regime.assiette",
    "pass_annuel": "plafond_securite_sociale.annuel",
    "smic_horaire": "smic.horaire",
    "jours_prorata": "calcul.jours_prorata",
    "decimales_taux_progressif": "calcul.decimales_taux_progressif",
    "abattement_taux": "abattement.taux",
    "abattement_plancher": "abattement.plancher",
    "abattement_plafond": "abattement.plafond",
    "maladie_bareme": "maladie_maternite.bareme",
    "maladie_plafond_tranche_1": "maladie_maternite.plafond_tranche_1",
    "maladie_taux_tranche_2": "maladie_maternite.taux_tranche_2",
    "ij_taux": "indemnites_journalieres.taux",
    "ij_taux_revenu_faible": "indemnites_journalieres.taux_revenu_faible",
    "ij_seuil_revenu_faible": "indemnites_journalieres.seuil_revenu_faible",
    "ij_assiette_minimale": "indemnites_journalieres.assiette_minimale",
    "ij_plafond": "indemnites_journalieres.plafond",
    "rb_taux_plafonne": "retraite_base.taux_plafonne",
    "rb_taux_deplafonne": "retraite_base.taux_deplafonne",
    "rb_assiette_minimale_heures": "retraite_base.assiette_minimale_heures",
    "rb_duree_minimale_affiliation": "retraite_base.duree_minimale_affiliation",
    "rci_taux_tranche_1": "retraite_complementaire.taux_tranche_1",
    "rci_taux_tranche_2": "retraite_complementaire.taux_tranche_2",
    "rci_plafond_tranche_1_montant": "retraite_complementaire.plafond_tranche_1_montant",
    "rci_plafond_tranche_1_pass": "retraite_complementaire.plafond_tranche_1_pass",
    "rci_plafond_tranche_2": "retraite_complementaire.plafond_tranche_2",
    "id_taux": "invalidite_deces.taux",
    "id_assiette_minimale": "invalidite_deces.assiette_minimale",
    "id_plafond": "invalidite_deces.plafond",
    "af_bareme": "allocations_familiales.bareme",
    "csg_taux_deductible": "csg_crds.taux_csg_deductible",
    "csg_taux_non_deductible": "csg_crds.taux_csg_non_deductible",
    "crds_taux": "csg_crds.taux_crds",
    "cfp_taux_artisan": "formation_professionnelle.taux_artisan",
    "cfp_taux_commercant": "formation_professionnelle.taux_commercant",
    "cfp_taux_liberal": "formation_professionnelle.taux_liberal",
    "cfp_taux_conjoint_collaborateur": "formation_professionnelle.taux_conjoint_collaborateur",
    "forfait_assiette": "debut_activite.assiette_forfaitaire",
    "forfait_assiette_ij": "debut_activite.assiette_forfaitaire_indemnites_journalieres",
    "forfait_duree_annees": "debut_activite.duree_annees",
    "acre_exoneration_maximale": "acre.exoneration_maximale",
    "acre_seuil_degressivite": "acre.seuil_degressivite",
    "acre_seuil_sortie": "acre.seuil_sortie",
    "acre_duree_mois": "acre.duree_mois",
}

# Parameters that only exist under one regime: None is expected under the other one.
ONLY_AFTER_REFORM = {"abattement_taux", "abattement_plancher", "abattement_plafond", "rci_plafond_tranche_1_pass"}
ONLY_BEFORE_REFORM = {"rci_plafond_tranche_1_montant"}


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
        if parameter_value is None and not optional:
            raise LawError(f"{FIELDS[name]}: no value for {year} although the {values['regime']} rules need it")
    return LawSnapshot(year=year, references=references, **cast(dict[str, object], values))  # type: ignore[arg-type]


@lru_cache(maxsize=64)
def snapshot(year: int) -> LawSnapshot:
    """The snapshot of the packaged law for income `year` (cached)."""
    return build_snapshot(load_law(), year)


# Figures that follow the year even when the rules of another regime are applied to it.
YEAR_AMOUNTS = ("pass_annuel", "smic_horaire", "rci_plafond_tranche_1_montant")


@lru_cache(maxsize=64)
def provisional_snapshot(year: int) -> LawSnapshot:
    """The law for the provisional contributions of `year` (parameter `regime.assiette_provisionnelles`).

    When they follow the rules of another regime than the year's own (2025: the former rules, URSSAF practice),
    the rates are those of the last year of that regime and the amounts (PASS, SMIC, RCI ceiling) those of `year`.
    """
    law = load_law()
    own = snapshot(year)
    regime = law.value("regime.assiette_provisionnelles", date(year, 1, 1)).value
    if regime == own.regime:
        return own
    donor_year = year
    while snapshot(donor_year).regime != regime:
        donor_year -= 1
    donor = snapshot(donor_year)
    values = {name: getattr(own, name) for name in YEAR_AMOUNTS}
    references = {**donor.references, **{FIELDS[name]: own.references[FIELDS[name]] for name in YEAR_AMOUNTS}}
    if values["rci_plafond_tranche_1_montant"] is None:
        raise LawError(f"{FIELDS['rci_plafond_tranche_1_montant']}: no value for {year} under the former rules")
    return replace(donor, year=year, references=references, **values)


def supported_years() -> range:
    law = load_law()
    return range(law.first_date.year, law.last_date.year + 1)
