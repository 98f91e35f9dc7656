"""Identifiers of a contributor as the documents print them."""

from __future__ import annotations

from typing import Any

from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren

from echeancier.kernel.inputs import shown

MAX_NAME = 200


def parse_siren(value: Any) -> str:
    """A SIREN (INSEE company number): 9 digits whose Luhn checksum is 0; spaces and dots are allowed in input.

    Returns the 9 digits; raises ValueError saying what is wrong.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"doit être un SIREN de 9 chiffres (reçu {shown(value)})")
    text = str(value)
    compact = stdnum_siren.compact(text)
    if not (compact.isascii() and compact.isdigit() and len(compact) == 9):
        raise ValueError(f"doit être un SIREN de 9 chiffres (reçu {shown(text)})")
    try:
        return str(stdnum_siren.validate(compact))
    except ValidationError:
        raise ValueError(
            f"{shown(text)} n'est pas un SIREN valide (clé de Luhn : son dernier chiffre serait "
            f"{luhn.calc_check_digit(compact[:8])})"
        ) from None


def parse_name(value: Any) -> str:
    """A contributor's name: printable text, at most MAX_NAME characters, spaces collapsed."""
    if not isinstance(value, str):
        raise ValueError(f"doit être un texte (reçu {shown(value)})")
    name = " ".join(value.split())
    if not name:
        raise ValueError("ne doit pas être vide")
    if len(name) > MAX_NAME:
        raise ValueError(f"{MAX_NAME} caractères au plus")
    if not name.isprintable() or any("\ud800" <= char <= "\udfff" for char in name):
        raise ValueError("doit être un texte imprimable")
    return name
