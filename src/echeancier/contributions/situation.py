"""The situation of a travailleur indépendant for one income year, as given by a user (DESIGN §4)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from echeancier.kernel.money import to_decimal

# An income above this is taken for a typing error rather than a real revenu professionnel (input sanity bound,
# not a legal threshold).
MAX_INCOME = Decimal(100_000_000)


class Profession(StrEnum):
    """Artisans, commerçants and professions libérales non réglementées (CSS L611-1, L613-7 excepted)."""

    artisan = "artisan"
    commercant = "commercant"
    liberal = "liberal"


class InputError(ValueError):
    """A user input that cannot be simulated; the message names the field and says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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

    @field_validator("year", mode="before")
    @classmethod
    def _year_is_whole(cls, value: Any) -> Any:
        # NumPy integers (from a column) are whole numbers too; anything else stays strict.
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value)
        return value

    @field_validator("income", mode="before")
    @classmethod
    def _income_is_a_number(cls, value: Any) -> Decimal:
        try:
            income = to_decimal(value)
        except ValueError:
            raise ValueError(f"must be a number of euros, got {value!r}") from None
        if abs(income) > MAX_INCOME:
            raise ValueError(f"{income} € is not a plausible yearly income (limit: {MAX_INCOME} €)")
        return income

    @model_validator(mode="after")
    def _coherent_dates(self) -> Situation:
        from echeancier.law.snapshot import supported_years

        years = supported_years()
        if self.year not in years:
            raise InputError("year", f"{self.year} is not covered by the law parameters ({years[0]}–{years[-1]})")
        first, last = date(self.year, 1, 1), date(self.year, 12, 31)
        if self.start_date is not None and self.start_date > last:
            raise InputError("start_date", f"{self.start_date} is after the income year {self.year}")
        if self.end_date is not None and not first <= self.end_date <= last:
            raise InputError("end_date", f"{self.end_date} is not in the income year {self.year}")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise InputError("end_date", f"{self.end_date} is before start_date {self.start_date}")
        if self.acre and self.start_date is None:
            raise InputError("acre", "ACRE needs the start_date of the activity (creation or takeover)")
        return self


_MESSAGES = {
    "enum": "must be one of artisan, commercant, liberal",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "date_from_datetime_parsing": "must be an ISO date (YYYY-MM-DD)",
    "date_parsing": "must be an ISO date (YYYY-MM-DD)",
    "date_type": "must be an ISO date (YYYY-MM-DD)",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "missing": "is required",
    "extra_forbidden": "is not a known field",
}


def situation_from_mapping(data: Mapping[str, Any]) -> Situation:
    """Build a Situation from JSON-like data, turning any validation problem into one InputError."""
    if not isinstance(data, Mapping):
        raise InputError("situation", "must be a JSON object")
    try:
        return Situation.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "situation"
        context = first.get("ctx", {}).get("error")
        if isinstance(context, InputError):
            raise InputError(context.field, context.message) from None
        message = _MESSAGES.get(first["type"], first["msg"].removeprefix("Value error, "))
        if first["type"] not in ("missing", "extra_forbidden") and "got " not in message:
            message = f"{message} (got {first.get('input')!r})"
        raise InputError(field, message) from None
