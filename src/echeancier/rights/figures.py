"""The figures of the rights of one income year (`law/parameters/droits.yaml`), as exact integers for the rules.

The PASS and the SMIC horaire of 1 January are those of the contributions' snapshot (`law.snapshot`); the other
figures are read from the parameters `droits.*` on 1 January of the income year (R351-9 al. 3 takes the SMIC "en
vigueur au 1er janvier de l'année considérée"; the RCI values are those of the year the contributions are due for).
Units are those of `contributions.exact`: cents, millionths for rates, ten-thousandths of the PASS, and
thousandths of a euro for the RCI point values (three decimals in the CPSTI's tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from echeancier.contributions.exact import FRAC
from echeancier.law.loader import Law, LawError, Value, load_law
from echeancier.law.snapshot import EPOCH, LawSnapshot

MILLI = 1000  # RCI point values in thousandths of a euro
CNAVPL_SCALE = 10**4  # the CNAVPL's point value in ten-thousandths of a euro (four decimals)


@dataclass(frozen=True, slots=True)
class RightsFigures:
    """The figures of the rights of income `year` (integers) and their display values with references."""

    year: int
    pass_annuel: int  # euros
    smic_horaire: Decimal  # of 1 January
    seuil_trimestre: int  # cents: heures_par_trimestre × SMIC horaire of 1 January (R351-9 al. 3)
    trimestres_maximum: int
    rci_valeur_achat: int  # thousandths of a euro per point
    rci_valeur_service: int  # thousandths of a euro of yearly pension per point
    ij_diviseur: int  # 730
    ij_annees_reference: int  # 3
    ij_plafond: int  # FRAC (1 PASS)
    ij_seuil_revenu: int  # FRAC (10 % of the PASS)
    ij_premieres_annees: int  # 3
    ij_duree_affiliation_mois: int
    ij_delai_carence_jours: int
    premieres_annees_debut: int  # day number (since 1970-01-01) of 1 January of the first of the first years
    values: dict[str, Value]  # parameter key -> the dated value used (reference, url)
    ij_plafond_liberal: int = 0  # FRAC: the ceiling of the assurés of L640-1 (3 PASS)
    invalidite_mois_par_trimestre: int = 3  # R351-12 5°: calendar quarters of the months of an invalidity pension
    cnavpl_points_tranche_1: int = 0  # points for the maximum contribution of tranche 1
    cnavpl_points_tranche_2: int = 0
    cnavpl_valeur_point: int = 0  # ten-thousandths of a euro of yearly pension per point (CNAVPL_SCALE)
    cipav_valeur_achat: int = 0  # thousandths of a euro per point
    cipav_valeur_service: int = 0  # thousandths of a euro of yearly pension per point

    def value(self, name: str) -> Decimal:
        found = self.values[f"droits.{name}"].value
        assert isinstance(found, Decimal | int)
        return Decimal(found)

    def ref(self, name: str) -> str:
        return self.values[f"droits.{name}"].reference


NAMES = (
    "retraite_base_heures_par_trimestre",
    "retraite_base_trimestres_maximum",
    "rci_valeur_achat",
    "rci_valeur_service",
    "ij_diviseur",
    "ij_annees_reference",
    "ij_plafond",
    "ij_seuil_revenu",
    "ij_premieres_annees",
    "ij_duree_affiliation_mois",
    "ij_delai_carence_jours",
    "ij_plafond_professions_liberales",
    "pension_invalidite_mois_par_trimestre",
    "cnavpl_points_tranche_1",
    "cnavpl_points_tranche_2",
    "cnavpl_valeur_point",
    "cipav_valeur_achat",
    "cipav_valeur_service",
)


def _fixed(value: Decimal, scale: int, key: str) -> int:
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise LawError(f"{key}: {value} has more decimals than the rights compute exactly (1/{scale})")
    return int(scaled)


def rights_figures(snapshot: LawSnapshot, law: Law | None = None) -> RightsFigures:
    """The figures of the rights for the income year of `snapshot`, from `law` (by default the parameters the
    snapshot was read from), built once per `Law` and year."""
    law = law or snapshot.parameters or load_law()
    key = ("rights", snapshot.year)
    found = law.cache.get(key)
    if not isinstance(found, RightsFigures):
        found = law.cache[key] = _build(snapshot, law)
    if found.pass_annuel != snapshot.pass_annuel or found.smic_horaire != snapshot.smic_horaire:
        return _build(snapshot, law)  # a snapshot with other figures (dataclasses.replace): not the cached one
    return found


def _build(snapshot: LawSnapshot, law: Law) -> RightsFigures:
    year = snapshot.year
    day = date(year, 1, 1)
    values = {f"droits.{name}": law.value(f"droits.{name}", day) for name in NAMES}

    def number(name: str) -> Decimal:
        found = values[f"droits.{name}"].value
        if not isinstance(found, Decimal | int):
            raise LawError(f"droits.{name}: no numeric value for {year}")
        return Decimal(found)

    smic_cents = _fixed(snapshot.smic_horaire, 100, "smic.horaire")
    heures = int(number("retraite_base_heures_par_trimestre"))
    first_years = int(number("ij_premieres_annees"))
    return RightsFigures(
        year=year,
        pass_annuel=_fixed(snapshot.pass_annuel, 1, "plafond_securite_sociale.annuel"),
        smic_horaire=snapshot.smic_horaire,
        seuil_trimestre=heures * smic_cents,
        trimestres_maximum=int(number("retraite_base_trimestres_maximum")),
        rci_valeur_achat=_fixed(number("rci_valeur_achat"), MILLI, "droits.rci_valeur_achat"),
        rci_valeur_service=_fixed(number("rci_valeur_service"), MILLI, "droits.rci_valeur_service"),
        ij_diviseur=int(number("ij_diviseur")),
        ij_annees_reference=int(number("ij_annees_reference")),
        ij_plafond=_fixed(number("ij_plafond"), FRAC, "droits.ij_plafond"),
        ij_seuil_revenu=_fixed(number("ij_seuil_revenu"), FRAC, "droits.ij_seuil_revenu"),
        ij_premieres_annees=first_years,
        ij_duree_affiliation_mois=int(number("ij_duree_affiliation_mois")),
        ij_delai_carence_jours=int(number("ij_delai_carence_jours")),
        premieres_annees_debut=date(year - first_years + 1, 1, 1).toordinal() - EPOCH,
        values=values,
        ij_plafond_liberal=_fixed(number("ij_plafond_professions_liberales"), FRAC, "droits.ij_plafond_liberal"),
        invalidite_mois_par_trimestre=int(number("pension_invalidite_mois_par_trimestre")),
        cnavpl_points_tranche_1=int(number("cnavpl_points_tranche_1")),
        cnavpl_points_tranche_2=int(number("cnavpl_points_tranche_2")),
        cnavpl_valeur_point=_fixed(number("cnavpl_valeur_point"), CNAVPL_SCALE, "droits.cnavpl_valeur_point"),
        cipav_valeur_achat=_fixed(number("cipav_valeur_achat"), MILLI, "droits.cipav_valeur_achat"),
        cipav_valeur_service=_fixed(number("cipav_valeur_service"), MILLI, "droits.cipav_valeur_service"),
    )
