"""Which organism collects a travailleur indépendant's contributions — CSS R613-6, L213-1, L752-4.

R613-6 al. 1: the contributions are paid "à l'organisme mentionné à l'article L. 213-1 ou L. 752-4 dans le ressort
duquel ils exercent leur activité professionnelle": the Urssaf of the region (L213-1) in metropolitan France and
Corsica, the caisse générale de sécurité sociale (L752-4) in Guadeloupe, Martinique, Guyane and La Réunion, the
caisse de sécurité sociale de Mayotte (ordonnance 96-1122). The table is dated data, `organismes.yaml` beside this
file: one entry per code of the Code officiel géographique (INSEE), each value with its start date and reference,
and a commune-level override where a commune is served by another body than its département.

R613-6 al. 2 lets a contributor whose main residence is in another organism's area address either organism for
their démarches; only the place of activity decides which one *collects*, and that is what this module answers.

Public API: `organism_for`, `normalise_department`, `department_codes`, `is_overseas`, `organism_keys`,
`table_valid_until`, `Organism`, `OrganismKind`, `UnknownTerritory` (bad input, a ValueError) and
`OrganismDataError` (a defect of the data file). Nothing here is loaded before it is first needed (the CLI's cold
start).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).with_name("organismes.yaml")
EXPECTED_CODES = (
    "01 à 19, 2A, 2B, 21 à 95, 971 (Guadeloupe), 972 (Martinique), 973 (Guyane), 974 (La Réunion), "
    "976 (Mayotte), 977 (Saint-Barthélemy), 978 (Saint-Martin)"
)


class OrganismKind(StrEnum):
    """The role the law gives the collecting body (not its legal form)."""

    URSSAF = "URSSAF"  # an organism of L213-1 (an Urssaf, or the caisse commune doing its missions in Lozère)
    CGSS = "CGSS"  # an organism of L752-4 (a CGSS, or the body L752-1 gives those missions at Saint-Barthélemy)
    CSS = "CSS"  # the caisse de sécurité sociale de Mayotte (ordonnance 96-1122, art. 22)


class UnknownTerritory(ValueError):
    """A code that is not one of a département or collectivity served here; the message is one French line."""

    def __init__(self, value: object, message: str) -> None:
        super().__init__(message)
        self.value = value
        self.message = message


class OrganismDataError(Exception):
    """`organismes.yaml` is malformed: a defect of the package, not of the user's input."""


@dataclass(frozen=True, slots=True)
class Organism:
    """The body that collects in a territory on a date, and why."""

    kind: OrganismKind
    name: str
    short_name: str  # 'Urssaf', 'CGSS de la Guadeloupe': a calendar event's title
    code: str  # the COG code of the territory it was asked for ('75', '2A', '974'…)
    reference: str  # the articles that make it the collecting body
    url: str
    territory: str  # the territory's name ('Paris', 'Corse-du-Sud', 'La Réunion'…)
    key: str  # the organism's identifier in organismes.yaml ('urssaf_ile_de_france')
    since: date  # the start date of the value that applies
    overseas: bool  # the overseas contribution rules (CSS L751-1 and following) apply there

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: {"code", "organism": {"kind", "name"}, "reference"} and the details."""
        return {
            "code": self.code,
            "organism": {"kind": self.kind.value, "name": self.name},
            "reference": self.reference,
            "url": self.url,
            "territory": self.territory,
            "since": self.since.isoformat(),
            "overseas": self.overseas,
        }


# --- The table -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Value:
    start: date
    organism: str
    reference: str
    url: str


@dataclass(frozen=True, slots=True)
class _Territory:
    code: str
    name: str
    overseas: bool
    values: tuple[_Value, ...]  # by start date
    communes: Mapping[str, tuple[_Value, ...]]


@dataclass(frozen=True, slots=True)
class _Table:
    organisms: Mapping[str, tuple[OrganismKind, str, str]]
    territories: Mapping[str, _Territory]
    refused: Mapping[str, str]
    valid_until: date


def _fail(where: str, message: str) -> OrganismDataError:
    return OrganismDataError(f"{DATA_FILE.name}: {where}: {message}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"expected a non-empty text, got {value!r}")
    return value


def _values(raw: Any, where: str, organisms: Mapping[str, Any]) -> tuple[_Value, ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise _fail(where, "values: expected a mapping of start dates to values")
    values = []
    for start, value in raw.items():
        if not isinstance(start, date):
            raise _fail(where, f"values: {start!r} is not a date")
        if not isinstance(value, Mapping) or set(value) != {"organism", "reference", "url"}:
            raise _fail(f"{where} {start}", "expected exactly organism, reference and url")
        organism = _text(value["organism"], f"{where} {start} organism")
        if organism not in organisms:
            raise _fail(f"{where} {start}", f"unknown organism {organism!r}")
        values.append(_Value(start, organism, _text(value["reference"], where), _text(value["url"], where)))
    return tuple(sorted(values, key=lambda v: v.start))


@cache
def _table() -> _Table:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with DATA_FILE.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=loader)
    if not isinstance(data, Mapping):
        raise _fail("document", "expected a mapping")
    organisms: dict[str, tuple[OrganismKind, str, str]] = {}
    for key, raw in (data.get("organisms") or {}).items():
        if not isinstance(raw, Mapping) or set(raw) != {"kind", "name", "short", "verified"}:
            raise _fail(f"organisms.{key}", "expected exactly kind, name, short and verified")
        try:
            kind = OrganismKind(raw["kind"])
        except ValueError:
            raise _fail(f"organisms.{key}", f"kind must be one of {', '.join(OrganismKind)}") from None
        organisms[key] = (kind, _text(raw["name"], f"organisms.{key}.name"), _text(raw["short"], f"organisms.{key}"))
        _text(raw["verified"], f"organisms.{key}.verified")
    territories: dict[str, _Territory] = {}
    for code, raw in (data.get("territories") or {}).items():
        where = f"territories.{code}"
        if not isinstance(code, str) or not isinstance(raw, Mapping):
            raise _fail(where, "expected a quoted code and a mapping")
        unknown = set(raw) - {"name", "overseas", "values", "communes"}
        if unknown:
            raise _fail(where, f"unknown keys {sorted(unknown)}")
        communes: dict[str, tuple[_Value, ...]] = {}
        for commune, commune_values in (raw.get("communes") or {}).items():
            if not (isinstance(commune, str) and len(commune) == 5 and commune.startswith(code)):
                raise _fail(where, f"commune {commune!r} is not a commune code of {code}")
            communes[commune] = _values(commune_values, f"{where}.communes.{commune}", organisms)
        overseas = raw.get("overseas", False)
        if not isinstance(overseas, bool):
            raise _fail(where, "overseas must be true or false")
        name = _text(raw.get("name"), f"{where}.name")
        territories[code] = _Territory(code, name, overseas, _values(raw.get("values"), where, organisms), communes)
    refused = {str(code): _text(message, f"refused.{code}") for code, message in (data.get("refused") or {}).items()}
    if set(refused) & set(territories):
        raise _fail("refused", f"codes both served and refused: {sorted(set(refused) & set(territories))}")
    valid_until = data.get("last_value_still_valid_on")
    if not isinstance(valid_until, date):
        raise _fail("last_value_still_valid_on", "expected a date")
    return _Table(organisms, territories, refused, valid_until)


# --- Codes ------------------------------------------------------------------------------------------------------


def department_codes() -> tuple[str, ...]:
    """Every COG code served, in the order of the table (01 … 19, 2A, 2B, 21 … 95, 971 … 978)."""
    return tuple(_table().territories)


def _unknown(value: object) -> UnknownTerritory:
    shown = " ".join(value.split()) if isinstance(value, str) else value
    if shown == "":
        return UnknownTerritory(
            value, f"le code de département ou de collectivité est vide (attendu : {EXPECTED_CODES})"
        )
    return UnknownTerritory(
        value, f"« {shown} » n'est pas un code de département ou de collectivité (attendu : {EXPECTED_CODES})"
    )


def normalise_department(value: object) -> str:
    """The COG code of a département or collectivity served here: '1' and 1 -> '01', 75 -> '75', ' 2a ' -> '2A'.

    Refused with UnknownTerritory (a ValueError, a one-line French message): what is not a code ('00', '99', '2C',
    '', a date, True), the former '20' of Corsica, and the territories of another regime (975 Saint-Pierre-et-
    Miquelon, 984 to 989) with the reason.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise _unknown(value)
        code = f"{value:02d}"
    elif isinstance(value, str):
        code = value.strip().upper()
        if len(code) == 1 and code.isdigit():
            code = f"0{code}"
    else:
        raise _unknown(value)
    table = _table()
    if code in table.territories:
        return code
    if code in table.refused:
        raise UnknownTerritory(value, table.refused[code])
    raise _unknown(value)


def is_overseas(code: str) -> bool:
    """Whether the overseas contribution rules (CSS L751-1 and following, Mayotte's ordonnances) apply in `code`."""
    return _table().territories[normalise_department(code)].overseas


# --- The organism ----------------------------------------------------------------------------------------------


def organism_for(code: str, on: date | None = None, commune: str | None = None) -> Organism:
    """The organism that collects for an activity in the département or collectivity `code` on `on` (default today).

    `code` is a COG code as text ('75', '2A', '974'; '1' and ' 2a ' are read as '01' and '2A'); anything else, or
    a code of no territory served here, raises UnknownTerritory with its reason. `commune` (a commune's INSEE code,
    optional) selects the commune's own organism where the table has one on that date; otherwise the département's
    applies. A date after the table's last check gives the last known value; a date before its first value raises
    UnknownTerritory.
    """
    if not isinstance(code, str):
        message = f"{code!r} : un code de département ou de collectivité s'écrit en texte ('07', '2A', '974')"
        raise UnknownTerritory(code, message)
    normalised = normalise_department(code)
    territory = _table().territories[normalised]
    day = date.today() if on is None else on
    values = territory.values
    if commune is not None:
        if not isinstance(commune, str) or not (
            len(commune.strip()) == 5 and commune.strip().upper().startswith(normalised)
        ):
            raise UnknownTerritory(
                commune,
                f"« {' '.join(str(commune).split())} » n'est pas un code de commune de {territory.name} ({normalised})",
            )
        own = [value for value in territory.communes.get(commune.strip().upper(), ()) if value.start <= day]
        if own:  # before its first value, a commune is served as its département
            values = tuple(own)
    applicable = [value for value in values if value.start <= day]
    if not applicable:
        raise UnknownTerritory(
            code, f"{territory.name} ({normalised}) : aucun organisme connu avant le {values[0].start:%d/%m/%Y}"
        )
    value = applicable[-1]
    kind, name, short_name = _table().organisms[value.organism]
    return Organism(
        kind=kind,
        name=name,
        short_name=short_name,
        code=normalised,
        reference=value.reference,
        url=value.url,
        territory=territory.name,
        key=value.organism,
        since=value.start,
        overseas=territory.overseas,
    )


def organism_keys() -> tuple[str, ...]:
    """The identifiers of the organisms of the table ('urssaf_ile_de_france', 'cgss_reunion'…), in its order: what
    an agent's token names (`echeancier tokens create --role agent --organism KEY`)."""
    return tuple(_table().organisms)


def table_valid_until() -> date:
    """The last date the table was checked for (`last_value_still_valid_on`)."""
    return _table().valid_until


__all__ = [
    "Organism",
    "OrganismDataError",
    "OrganismKind",
    "UnknownTerritory",
    "department_codes",
    "is_overseas",
    "normalise_department",
    "organism_for",
    "organism_keys",
    "table_valid_until",
]
