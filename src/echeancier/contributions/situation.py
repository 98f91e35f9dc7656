"""The situation of a travailleur indépendant for one income year, as given by a user (DESIGN §4)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from echeancier.kernel.inputs import MAX_EUROS, InputError, check_text, parse_date, parse_euros, pydantic_message, shown

if TYPE_CHECKING:
    from echeancier.law import Law

__all__ = [
    "MAX_INCOME",
    "ConjointCollaborateur",
    "InputError",
    "Profession",
    "Section",
    "Situation",
    "check_combinations",
    "check_exemptions",
    "situation_from_mapping",
]

# An income above this is taken for a typing error rather than a real revenu professionnel (input sanity bound,
# not a legal threshold).
MAX_INCOME = MAX_EUROS
# An id is echoed back as given: a text of at most MAX_TEXT_LENGTH characters or an integer that every JSON reader
# keeps exactly (|id| < 2^53).
MAX_ID = 2**53
# The exemption of the invalidité-décès cotisation from the age of retirement was abrogated by a décret published
# on 18 July 2015; those who had it keep it, so an activity started since 2016 cannot have it (the date URSSAF's
# model uses, `exonérations . âge`).
EXONERATION_AGE_ABROGEE = date(2016, 1, 1)


class Profession(StrEnum):
    """Artisans, commerçants and professions libérales non réglementées (CSS L611-1, L613-7 excepted), and the
    professions libérales réglementées of CSS L640-1 (with their `section`)."""

    artisan = "artisan"
    commercant = "commercant"
    liberal = "liberal"
    liberal_reglementee = "liberal_reglementee"


class Section(StrEnum):
    """The sections professionnelles of the CNAVPL (CSS R641-1) and the CNBF (CSS L651-1) of a profession libérale
    réglementée. The engine computes those of `law.snapshot.SECTIONS`; the others are refused with a message."""

    cipav = "cipav"
    carmf = "carmf"
    carpimko = "carpimko"
    carcdsf = "carcdsf"
    cavp = "cavp"
    cavec = "cavec"
    carpv = "carpv"
    cavamac = "cavamac"
    cavom = "cavom"
    crn = "crn"
    cprn = "cprn"
    cnbf = "cnbf"


# The yes/no fields of a situation (in the order an input layer checks them), and with the number of months of an
# invalidity pension, the fields whose explicit null is "not given" (`Situation._null_is_not_given`).
FLAGS = (
    "acre",
    "rsa",
    "income_is_net",
    "exoneration_age",
    "exoneration_debut_outre_mer",
    "remplacant",
    "abattement_outre_mer",
)
NULL_IS_NOT_GIVEN = (*FLAGS, "pension_invalidite_mois")

SECTION_REQUIRED = "est obligatoire pour une profession libérale réglementée"
SECTION_ONLY = "ne s'applique qu'à la profession liberal_reglementee"
SECTION_OVERSEAS = "les professions libérales réglementées ne sont calculées qu'en métropole"


# The sections whose contributions the engine computes (`law.snapshot.SECTIONS` holds one code per variant of a
# health section's rules, `contributions.pamc.VARIANTS`).
COMPUTED_SECTIONS = ("cipav", "cavec", "cnbf", "carmf", "carpimko", "carcdsf", "cavp")


def section_not_computed(section: object) -> str:
    return f"{section} n'est pas encore calculée par le moteur (sections couvertes : {', '.join(COMPUTED_SECTIONS)})"


class Secteur(StrEnum):
    """The secteur conventionnel of a médecin (CARMF): 1, 2 (honoraires libres), or not conventionné."""

    secteur_1 = "1"
    secteur_2 = "2"
    non_conventionne = "non_conventionne"


class Metier(StrEnum):
    """The profession of a member of the CARCDSF."""

    chirurgien_dentiste = "chirurgien_dentiste"
    sage_femme = "sage_femme"


class ClasseCnbf(StrEnum):
    """The class of the CNBF's retraite complémentaire an avocat chose (the class 2+ was the class 3 up to 2024)."""

    classe_1 = "1"
    classe_2 = "2"
    classe_2p = "2+"


SECTEURS = ", ".join(s.value for s in Secteur)
CLASSES_CNBF = ", ".join(c.value for c in ClasseCnbf)
CLASSE_CNBF_ONLY = "ne s'applique qu'à la section cnbf (avocats)"
REMPLACANT_ONLY = (
    "ne s'applique qu'à un praticien ou auxiliaire médical conventionné (carmf secteur 1 ou 2, carpimko, carcdsf)"
)
METIERS = ", ".join(m.value for m in Metier)
SECTEUR_REQUIRED = "est obligatoire pour un médecin (section carmf) : 1, 2 ou non_conventionne"
SECTEUR_ONLY = "ne s'applique qu'à la section carmf (médecins)"
METIER_REQUIRED = "est obligatoire pour la section carcdsf : chirurgien_dentiste ou sage_femme"
METIER_ONLY = "ne s'applique qu'à la section carcdsf (chirurgiens-dentistes, sages-femmes)"


def check_health(
    section: Section | str | None,
    secteur: Secteur | str | None,
    metier: Metier | str | None,
    *,
    classe_cnbf: ClasseCnbf | str | None = None,
    remplacant: bool = False,
) -> None:
    """The secteur conventionnel goes with a médecin (CARMF) and the métier with the CARCDSF, and each needs it: the
    participation of the assurance maladie, the PCV and the section's amounts follow them (`contributions.pamc`).
    The class of the CNBF's complémentaire goes with an avocat (class 1 when not given)."""
    if classe_cnbf is not None and section != "cnbf":
        raise InputError("classe_cnbf", CLASSE_CNBF_ONLY)
    if remplacant and (section not in ("carmf", "carpimko", "carcdsf") or secteur == "non_conventionne"):
        raise InputError("remplacant", REMPLACANT_ONLY)
    if section == "carmf":
        if secteur is None:
            raise InputError("secteur", SECTEUR_REQUIRED)
    elif secteur is not None:
        raise InputError("secteur", SECTEUR_ONLY)
    if section == "carcdsf":
        if metier is None:
            raise InputError("metier", METIER_REQUIRED)
    elif metier is not None:
        raise InputError("metier", METIER_ONLY)


# The messages of the checks of a situation's year and dates, one text for `Situation` and the batch
# (`contributions.vectorized`), which must refuse a row with the words a single situation is refused with.
ACRE_NEEDS_START = "l'ACRE demande la date de début d'activité start_date (création ou reprise)"


def year_not_covered(year: object, years: Sequence[int]) -> str:
    return f"{year} n'est pas couverte par les paramètres de la loi ({years[0]}–{years[-1]})"


def start_after_year(start: object, year: object) -> str:
    return f"{start} est après l'année de revenus {year}"


def end_outside_year(end: object, year: object) -> str:
    return f"{end} n'est pas dans l'année de revenus {year}"


def end_before_start(end: object, start: object) -> str:
    return f"{end} est avant start_date {start}"


class ConjointCollaborateur(StrEnum):
    """The base a conjoint collaborateur chose (CSS D633-19-2 1° to 5°; `contributions.conjoint_collaborateur`)."""

    forfaitaire = "forfaitaire"
    tiers_sans_partage = "tiers_sans_partage"
    moitie_sans_partage = "moitie_sans_partage"
    tiers_avec_partage = "tiers_avec_partage"
    moitie_avec_partage = "moitie_avec_partage"


CONJOINT_OPTIONS = ", ".join(option.value for option in ConjointCollaborateur)
CONJOINT_REGLEMENTEE = "n'est pas pris en charge pour une profession libérale réglementée (régimes de la section)"
CONJOINT_EXONERATION = "n'est pas calculé avec une exonération invalidité ou liée à l'âge du chef d'entreprise"


class Situation(BaseModel):
    """One contributor, one income year.

    `income` is the amount the law's base starts from: up to 2024 the revenu professionnel; from 2025 the revenu
    brut (before personal social contributions and the 26 % abatement). With `income_is_net`, it is the income
    left once the contributions computed here are paid, and the gross income is solved exactly.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | int | None = None
    year: int = Field(strict=True)
    profession: Profession
    income: Decimal
    start_date: date | None = None
    end_date: date | None = None
    acre: bool = False
    rsa: bool = False
    income_is_net: bool = False
    # COG code of the département or collectivité where the activity is exercised (CSS R613-6); None: metropolitan
    # France. 971–974, 977, 978: the rules of the collectivités of L751-1 (`contributions.territory`).
    department: str | None = None
    # The conjoint collaborateur (CSS L662-1, C. com. L121-4) and the base they chose; None: no conjoint collaborateur.
    conjoint_collaborateur: ConjointCollaborateur | None = None

    @field_validator(*NULL_IS_NOT_GIVEN, mode="before")
    @classmethod
    def _null_is_not_given(cls, value: Any, info: ValidationInfo) -> Any:
        # One reading of every input: an explicit null (JSON, a `--jsonl` line, the API, a scenario's YAML) is a
        # field not given, as an empty cell of a batch column (`simulate_many`) — its default, never a refusal.
        if value is None:
            return cls.model_fields[str(info.field_name)].default
        return value

    @field_validator("conjoint_collaborateur", mode="before")
    @classmethod
    def _known_option(cls, value: Any) -> ConjointCollaborateur | None:
        if value is None:
            return None
        if isinstance(value, str) and value in ConjointCollaborateur.__members__:
            return ConjointCollaborateur(value)
        raise InputError("conjoint_collaborateur", f"doit être {CONJOINT_OPTIONS} (reçu {shown(value)})")

    # The section professionnelle of a profession libérale réglementée (only with `liberal_reglementee`).
    section: Section | None = None

    @field_validator("section", mode="before")
    @classmethod
    def _known_section(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value in Section.__members__):
            return value
        names = ", ".join(Section)
        raise InputError("section", f"doit être l'une des sections {names} (reçu {shown(value)})")

    # A médecin's secteur conventionnel (section carmf) and a CARCDSF member's métier (`contributions.pamc`).
    secteur: Secteur | None = None
    metier: Metier | None = None
    # The class of the CNBF's retraite complémentaire an avocat chose (section cnbf; None: the class 1).
    classe_cnbf: ClasseCnbf | None = None
    # A praticien conventionné who practised only as a remplaçant at 1 January: no CURPS (CSP L4031-4).
    remplacant: bool = Field(default=False, strict=True)

    @field_validator("classe_cnbf", mode="before")
    @classmethod
    def _known_classe(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value in (1, 2):
            value = str(value)
        if value is None or (isinstance(value, str) and value in {c.value for c in ClasseCnbf}):
            return value
        raise InputError("classe_cnbf", f"doit être {CLASSES_CNBF} (reçu {shown(value)})")

    @field_validator("secteur", mode="before")
    @classmethod
    def _known_secteur(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and str(value) in ("1", "2"):
            value = str(value)
        if value is None or (isinstance(value, str) and value in {s.value for s in Secteur}):
            return value
        raise InputError("secteur", f"doit être {SECTEURS} (reçu {shown(value)})")

    @field_validator("metier", mode="before")
    @classmethod
    def _known_metier(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value in Metier.__members__):
            return value
        raise InputError("metier", f"doit être {METIERS} (reçu {shown(value)})")

    # Months of the income year with an invalidity pension of the travailleurs indépendants (0: none; CSS D621-4,
    # D635-2): maladie-maternité, IJ and retraite complémentaire are exempted pro rata (`contributions.exonerations`).
    pension_invalidite_mois: int = Field(default=0, strict=True, ge=0, le=12)
    # The exemption of the invalidité-décès cotisation from the age of retirement, abrogated in July 2015 and kept by
    # those who had obtained it: artisans and commerçants only (`contributions.exonerations`).
    exoneration_age: bool = False
    # The start-of-activity exemption of the collectivités of CSS L751-1 (L756-2, D756-4) for an activity created
    # there (a *début d'activité*, R131-3): asked for, with `start_date` (`contributions.debut_outre_mer`).
    exoneration_debut_outre_mer: bool = False
    # The régime de croisière abattement of the collectivités of L751-1 (L756-4, D756-4): computed by law; false
    # gives the amounts of URSSAF's simulator, which does not compute it (`contributions.debut_outre_mer`).
    abattement_outre_mer: bool = True

    @field_validator("department", mode="before")
    @classmethod
    def _known_department(cls, value: Any) -> str | None:
        if value is None:
            return None
        too_long = isinstance(value, str) and len(value) > 16  # no code is that long: not echoed in full
        if too_long or not isinstance(value, str | numbers.Integral) or isinstance(value, bool):
            raise InputError("department", f"n'est pas un code de département ou de collectivité (reçu {shown(value)})")
        from echeancier.organisms import UnknownTerritory, normalise_department

        try:
            return normalise_department(value)
        except UnknownTerritory as error:
            raise InputError("department", error.message) from None

    @field_validator("year", mode="before")
    @classmethod
    def _year_is_whole(cls, value: Any) -> Any:
        # NumPy integers (from a column) are whole numbers too; anything else stays strict.
        if type(value) is int:  # the common case, before the slower check of numbers' ABC
            return value
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value)
        return value

    @field_validator("id", mode="before")
    @classmethod
    def _id_echoable(cls, value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, str):
            return check_text(value, "id")
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            if abs(int(value)) >= MAX_ID:
                raise InputError(
                    "id", f"entier trop grand pour être renvoyé tel quel (|id| < 2^53, reçu {shown(value)})"
                )
            return int(value)
        if value is not None:
            raise InputError("id", f"doit être un texte ou un nombre entier (reçu {shown(value)})")
        return value

    @field_validator("income", mode="before")
    @classmethod
    def _income_is_a_number(cls, value: Any) -> Decimal:
        # The input layer: `40 000,50` yes; `40,000`, `40.000`, exponents, NaN, booleans refused (a deficit is
        # admitted: negative=True).
        return parse_euros(value, "income", maximum=MAX_INCOME, negative=True)

    @field_validator("start_date", "end_date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any, info: ValidationInfo) -> date | None:
        # A number is not a date (pydantic would read it as a Unix timestamp); ISO text or a date object only.
        return None if value is None else parse_date(value, str(info.field_name))

    @model_validator(mode="after")
    def _coherent_dates(self, info: ValidationInfo) -> Situation:
        from echeancier.law.snapshot import supported_years

        # The years the parameters cover: those of the `Law` the situation is computed with, given as the
        # validation context `{"law": law}` (`situation_from_mapping(..., law=)`), else the packaged law's.
        context = info.context
        years = supported_years(context.get("law") if isinstance(context, Mapping) else None)
        if self.year not in years:
            raise InputError("year", year_not_covered(self.year, years))
        first, last = date(self.year, 1, 1), date(self.year, 12, 31)
        if self.start_date is not None and self.start_date > last:
            raise InputError("start_date", start_after_year(self.start_date, self.year))
        if self.end_date is not None and not first <= self.end_date <= last:
            raise InputError("end_date", end_outside_year(self.end_date, self.year))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise InputError("end_date", end_before_start(self.end_date, self.start_date))
        if self.acre and self.start_date is None:
            raise InputError("acre", ACRE_NEEDS_START)
        check_section(self.profession, self.section, self.department)
        check_health(self.section, self.secteur, self.metier, classe_cnbf=self.classe_cnbf, remplacant=self.remplacant)
        check_exemptions(
            self.profession,
            self.acre,
            self.start_date,
            self.department,
            self.pension_invalidite_mois,
            self.exoneration_age,
        )
        check_combinations(
            self.profession,
            self.section,
            self.conjoint_collaborateur,
            self.pension_invalidite_mois,
            self.exoneration_age,
        )
        if self.exoneration_debut_outre_mer:
            check_debut_outre_mer(
                self.department,
                self.start_date,
                self.conjoint_collaborateur,
                self.pension_invalidite_mois,
                self.exoneration_age,
            )
        return self


def check_combinations(
    profession: Profession, section: Section | None, conjoint: ConjointCollaborateur | None, months: int, age: bool
) -> None:
    """The populations whose combination the engine does not compute: InputError."""
    if conjoint is not None and profession == Profession.liberal_reglementee:
        # LAW (docs/law-choices.md, 258): the conjoint of a profession libérale réglementée is affiliated to the
        # section's own schemes (CSS L642-2-2), which the engine does not compute.
        raise InputError("conjoint_collaborateur", CONJOINT_REGLEMENTEE)
    if months and section is not None:
        # LAW (docs/law-choices.md, 271): the invalidity exemptions of a section's own schemes are not computed.
        raise InputError("pension_invalidite_mois", "l'exonération invalidité d'une section n'est pas calculée")
    if (months or age) and conjoint is not None:
        # LAW (docs/law-choices.md, 259): the head's exemptions are the head's; their combination with the
        # conjoint's contributions is not in URSSAF's model, and is not computed.
        raise InputError("conjoint_collaborateur", CONJOINT_EXONERATION)


def check_debut_outre_mer(
    department: str | None, start: date | None, conjoint: ConjointCollaborateur | None, months: int, age: bool
) -> None:
    """The start-of-activity exemption of L756-2 exists in the collectivités of L751-1 only, from the creation date,
    and is computed for the head's own contributions only (docs/law-choices.md, 321, 325): InputError."""
    from echeancier.contributions.territory import OUTRE_MER, territory

    field = "exoneration_debut_outre_mer"
    if territory(department) != OUTRE_MER:
        raise InputError(field, "n'existe que dans les collectivités de l'article L751-1 (971 à 974, 977, 978)")
    if start is None:
        raise InputError(field, "demande la date de création de l'activité start_date")
    if conjoint is not None:
        raise InputError(field, "n'est pas calculée avec un conjoint collaborateur")
    if months or age:
        raise InputError(field, "n'est pas calculée avec l'exonération invalidité ou liée à l'âge")


def check_section(profession: Profession, section: Section | None, department: str | None) -> None:
    """A section goes with a profession libérale réglementée, and one needs it (CSS L640-1, R641-1); the engine
    computes the sections of `law.snapshot.SECTIONS`, in metropolitan France."""
    reglementee = profession is Profession.liberal_reglementee
    if section is None:
        if reglementee:
            raise InputError("section", SECTION_REQUIRED)
        return
    if not reglementee:
        raise InputError("section", SECTION_ONLY)
    if section not in COMPUTED_SECTIONS:
        raise InputError("section", section_not_computed(section.value))
    if department is not None:
        from echeancier.contributions.territory import METROPOLE, territory

        if territory(department) != METROPOLE:
            # LAW (docs/law-choices.md, 263): the overseas rules of the professions libérales réglementées are not
            # implemented.
            raise InputError("department", SECTION_OVERSEAS)


def check_exemptions(
    profession: Profession, acre: bool, start: date | None, department: str | None, months: int, age: bool
) -> None:
    """The combinations of exemptions the rules exclude (docs/law-choices.md, 276, 277, 279): InputError."""
    if months:
        if acre:
            # LAW (docs/law-choices.md, 276): ACRE and the invalidity exemption the same year are not combined.
            raise InputError(
                "pension_invalidite_mois",
                "le cumul de l'ACRE et de l'exonération invalidité la même année n'est pas calculé",
            )
        if department == "976":
            raise InputError("pension_invalidite_mois", "l'exonération invalidité n'est pas calculée à Mayotte (976)")
    if age:
        if profession in (Profession.liberal, Profession.liberal_reglementee):
            raise InputError(
                "exoneration_age",
                "l'exonération invalidité-décès liée à l'âge n'a existé que pour les artisans et les commerçants",
            )
        if start is not None and start >= EXONERATION_AGE_ABROGEE:
            raise InputError(
                "exoneration_age",
                f"l'exonération invalidité-décès liée à l'âge, supprimée en 2015, ne concerne pas une activité "
                f"commencée le {start}",
            )


# Shared with the HTTP API's own checks (`api.parsing`), so that both say the same thing.
MISSING = "est obligatoire"
UNKNOWN_FIELD = "n'est pas un champ connu"

_MESSAGES = {
    "enum": "doit être artisan, commercant, liberal ou liberal_reglementee",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "greater_than_equal": "doit être un nombre de mois entre 0 et 12",
    "less_than_equal": "doit être un nombre de mois entre 0 et 12",
    "date_from_datetime_parsing": "doit être une date AAAA-MM-JJ",
    "date_parsing": "doit être une date AAAA-MM-JJ",
    "date_type": "doit être une date AAAA-MM-JJ",
    "bool_parsing": "doit être true ou false",
    "bool_type": "doit être true ou false",
    "string_type": "doit être un texte",
    "missing": MISSING,
    "extra_forbidden": UNKNOWN_FIELD,
}


def situation_from_mapping(data: Mapping[str, Any], *, law: Law | None = None) -> Situation:
    """Build a Situation from JSON-like data, turning any validation problem into one InputError. `law`: the
    parameters whose years it must fall in (the packaged law when None)."""
    if not isinstance(data, Mapping):
        raise InputError("situation", "doit être un objet JSON")
    try:
        return Situation.model_validate(data, context=None if law is None else {"law": law})
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "situation"
        context = first.get("ctx", {}).get("error")
        if isinstance(context, InputError):
            raise InputError(context.field, context.message) from None
        message = _MESSAGES.get(first["type"]) or pydantic_message(first)
        if first["type"] not in ("missing", "extra_forbidden") and "reçu " not in message:
            message = f"{message} (reçu {shown(first.get('input'))})"
        raise InputError(shown(field, 60) if not field.isprintable() else field, message) from None
