"""Pydantic field types that read through the input layer (kernel/inputs.py), for the models of every interface.

    class Payment(BaseModel):
        date: IsoDate
        amount: Euros            # positive, at most MAX_EUROS
        income: SignedEuros      # a deficit admitted
        reference: Text          # no lone surrogate, at most MAX_TEXT_LENGTH characters

A value the input layer refuses raises its InputError inside validation: pydantic reports it at the field's
location, with the input layer's French message (`error["ctx"]["error"]` is the InputError).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

from echeancier.kernel.inputs import check_text, parse_date, parse_euros

__all__ = ["Euros", "IsoDate", "SignedEuros", "Text"]


def _name(info: ValidationInfo) -> str:
    return str(info.field_name or "")


def _euros(value: Any, info: ValidationInfo) -> Decimal:
    return parse_euros(value, _name(info))


def _signed_euros(value: Any, info: ValidationInfo) -> Decimal:
    return parse_euros(value, _name(info), negative=True)


def _date(value: Any, info: ValidationInfo) -> date:
    return parse_date(value, _name(info))


def _text(value: Any, info: ValidationInfo) -> Any:
    return check_text(value, _name(info)) if isinstance(value, str) else value


Euros = Annotated[Decimal, BeforeValidator(_euros)]
SignedEuros = Annotated[Decimal, BeforeValidator(_signed_euros)]
IsoDate = Annotated[date, BeforeValidator(_date)]
Text = Annotated[str, BeforeValidator(_text)]
