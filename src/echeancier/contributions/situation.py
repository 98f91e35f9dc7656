"""The situation of a travailleur indépendant for one income year, as given by a user (DESIGN §4)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from echeancier.kernel.inputs import MAX_EUROS, InputError, check_text, parse_date, parse_euros, shown

__all__ = ["MAX_INCOME", "InputError", "Profession", "Section", "Situation", "situation_from_mapping"]

# An income above this is taken for a typing error rather than a real revenu professionnel (input sanity bound,
# not a legal threshold).
MAX_INCOME = MAX_EUROS
# An id is echoed back as given: a text of at most MAX_TEXT_LENGTH characters or an integer that every JSON reader
# keeps exactly (|id| < 2^53).
MAX_ID = 2**53


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


SECTION_REQUIRED = "est obligatoire pour une profession libérale réglementée"
SECTION_ONLY = "ne s'applique qu'à la profession liberal_reglementee"
SECTION_OVERSEAS = "les professions libérales réglementées ne sont calculées qu'en métropole"


def section_not_computed(section: object) -> str:
    from echeancier.law.snapshot import SECTIONS

    return f"{section} n'est pas encore calculée par le moteur (sections couvertes : {', '.join(SECTIONS)})"


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
    # The section professionnelle of a profession libérale réglementée (only with `liberal_reglementee`).
    section: Section | None = None

    @field_validator("section", mode="before")
    @classmethod
    def _known_section(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value in Section.__members__):
            return value
        names = ", ".join(Section)
        raise InputError("section", f"doit être l'une des sections {names} (reçu {shown(value)})")

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
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value)
        return value

    @field_validator("id", mode="before")
    @classmethod
    def _id_echoable(cls, value: Any) -> Any:
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
    def _coherent_dates(self) -> Situation:
        from echeancier.law.snapshot import supported_years

        years = supported_years()
        if self.year not in years:
            raise InputError(
                "year", f"{self.year} n'est pas couverte par les paramètres de la loi ({years[0]}–{years[-1]})"
            )
        first, last = date(self.year, 1, 1), date(self.year, 12, 31)
        if self.start_date is not None and self.start_date > last:
            raise InputError("start_date", f"{self.start_date} est après l'année de revenus {self.year}")
        if self.end_date is not None and not first <= self.end_date <= last:
            raise InputError("end_date", f"{self.end_date} n'est pas dans l'année de revenus {self.year}")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise InputError("end_date", f"{self.end_date} est avant start_date {self.start_date}")
        if self.acre and self.start_date is None:
            raise InputError("acre", "l'ACRE demande la date de début d'activité start_date (création ou reprise)")
        check_section(self.profession, self.section, self.department)
        return self


def check_section(profession: Profession, section: Section | None, department: str | None) -> None:
    """A section goes with a profession libérale réglementée, and one needs it (CSS L640-1, R641-1); the engine
    computes the sections of `law.snapshot.SECTIONS`, in metropolitan France."""
    reglementee = profession is Profession.liberal_reglementee
    if section is None:
        if reglementee:
            raise InputError("section", SECTION_REQUIRED)
        return
    from echeancier.law.snapshot import SECTIONS

    if not reglementee:
        raise InputError("section", SECTION_ONLY)
    if section not in SECTIONS:
        raise InputError("section", section_not_computed(section.value))
    if department is not None:
        from echeancier.contributions.territory import METROPOLE, territory

        if territory(department) != METROPOLE:
            # LAW (docs/law-choices.md, 263): the overseas rules of the professions libérales réglementées are not
            # implemented.
            raise InputError("department", SECTION_OVERSEAS)


_MESSAGES = {
    "enum": "doit être artisan, commercant, liberal ou liberal_reglementee",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "date_from_datetime_parsing": "doit être une date AAAA-MM-JJ",
    "date_parsing": "doit être une date AAAA-MM-JJ",
    "date_type": "doit être une date AAAA-MM-JJ",
    "bool_parsing": "doit être true ou false",
    "bool_type": "doit être true ou false",
    "string_type": "doit être un texte",
    "missing": "est obligatoire",
    "extra_forbidden": "n'est pas un champ connu",
}


def situation_from_mapping(data: Mapping[str, Any]) -> Situation:
    """Build a Situation from JSON-like data, turning any validation problem into one InputError."""
    if not isinstance(data, Mapping):
        raise InputError("situation", "doit être un objet JSON")
    try:
        return Situation.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "situation"
        context = first.get("ctx", {}).get("error")
        if isinstance(context, InputError):
            raise InputError(context.field, context.message) from None
        message = _MESSAGES.get(first["type"], first["msg"].removeprefix("Value error, "))
        if first["type"] not in ("missing", "extra_forbidden") and "reçu " not in message:
            message = f"{message} (reçu {shown(first.get('input'))})"
        raise InputError(shown(field, 60) if not field.isprintable() else field, message) from None
