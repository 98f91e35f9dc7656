"""Every request body the API reads, read in one place: bytes → JSON → the core's models.

The readers are strict about what a hostile client can send: a size limit per endpoint, UTF-8 only, no duplicate
keys, no NaN or Infinity, no integer longer than `MAX_INT_DIGITS` digits, no lone surrogate in a string, no nesting
deeper than the JSON parser's recursion allows. Each problem is an `ApiError` naming the field (or `body`) with a
4xx status. The situation and scenario fields are then validated by the core's own models (`Situation`,
`parse_scenario`), so that the API accepts exactly what `echeancier simulate` and `schedule` accept.

This is the seam where the project's shared input layer plugs in: the endpoints only call `read_json`,
`read_situations`, `read_columns` and `read_scenario`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from echeancier.contributions.situation import (
    FLAGS,
    MISSING,
    UNKNOWN_FIELD,
    InputError,
    Situation,
    situation_from_mapping,
)
from echeancier.kernel.inputs import json_problem, parse_whole, shown

KIB = 1024
MAX_BODY = 256 * KIB  # one situation, a list of situations or a scenario
MAX_BATCH_BODY = 64 * KIB * KIB  # 100,000 rows of columns
MAX_SITUATIONS = 1_000  # per POST /v1/simulations; more go through the batch endpoint
MAX_BATCH_ROWS = 100_000
MAX_INT_DIGITS = 30
MAX_MESSAGE = 300  # an error message quotes the input: long inputs are cut

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class ApiError(Exception):
    """A request the API refuses: `status` (4xx), the field it is about and a one-line message."""

    def __init__(self, status: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message

    def body(self) -> dict[str, Any]:
        return error_body(self.field, self.message)


def error_body(field: str | None, message: str) -> dict[str, Any]:
    text = " ".join(message.split())
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return {"error": {"field": field, "message": text}}


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"entier de {len(text.lstrip('-'))} chiffres ({MAX_INT_DIGITS} au plus)")
    return int(text)


def _constant(name: str) -> Any:
    raise ValueError(f"{name} n'est pas un nombre JSON")


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= char <= "\udfff" for char in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def read_json(body: bytes, limit: int = MAX_BODY) -> Any:
    """The JSON document in `body`, or an ApiError (413 too large, 400 not JSON)."""
    if len(body) > limit:
        raise ApiError(413, "body", f"document trop long ({len(body)} octets, {limit} au plus)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, "body", f"texte qui n'est pas de l'UTF-8 (octet {error.start})") from None
    if not text.strip():
        raise ApiError(400, "body", "un document JSON est obligatoire")
    try:
        document = json.loads(text, object_pairs_hook=_object, parse_int=_integer, parse_constant=_constant)
    except _DuplicateKey as error:
        raise ApiError(400, error.key, "clé donnée deux fois") from None
    except json.JSONDecodeError as error:
        raise ApiError(400, "body", json_problem(error)) from None
    except RecursionError:
        raise ApiError(400, "body", "imbrication JSON trop profonde") from None
    except ValueError as error:
        raise ApiError(400, "body", f"JSON invalide ({error})") from None
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(document):
        raise ApiError(400, "body", "texte invalide : caractère de substitution isolé (UTF-16)")
    return document


MAX_MAGNITUDE = 15  # digits before the decimal point of any amount written as text (1E+99999 is refused early)


def _huge_number_text(value: Any) -> bool:
    """A string the core would read as a number too large for decimal arithmetic (`"1E+99999999999999999"`)."""
    if not isinstance(value, str) or len(value) > 1000:
        return isinstance(value, str)
    from echeancier.kernel.money import to_decimal

    try:
        number = to_decimal(value)
    except (ValueError, ArithmeticError):
        return False
    return number.adjusted() > MAX_MAGNITUDE


def _check_texts(value: Any, path: str) -> None:
    """Refuse any amount written as text beyond MAX_MAGNITUDE digits, naming where it is."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, Mapping):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}.{i}" if where else str(i)) for i, v in enumerate(item))
        elif _huge_number_text(item) and any(char.isdigit() for char in item[:1000]):
            raise ApiError(422, where or "body", f"n'est pas un montant plausible (reçu {shown(item)})")


def check_texts(document: Any) -> None:
    """Refuse, naming where it is, an amount written as text too large for decimal arithmetic anywhere in
    `document` (the account routes' bodies, before the core reads them)."""
    _check_texts(document, "")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _strict_json_types(data: Mapping[str, Any], prefix: str) -> None:
    """What JSON says plainly is taken plainly: a date is an ISO string (never a number of seconds), a flag is
    true or false (never "yes" or 1), or null: not given, as everywhere (`Situation._null_is_not_given`)."""
    for name in ("start_date", "end_date"):
        value = data.get(name)
        if value is not None and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
            raise ApiError(422, f"{prefix}{name}", f"doit être une date AAAA-MM-JJ (reçu {shown(value)})")
    for name in FLAGS:
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            raise ApiError(422, f"{prefix}{name}", f"doit être true ou false (reçu {shown(value)})")
    ident = data.get("id")
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, str | int)):
        raise ApiError(422, f"{prefix}id", f"doit être un texte ou un nombre entier (reçu {shown(ident)})")
    _check_texts(data.get("income"), f"{prefix}income")


def _situation(data: Any, prefix: str = "") -> Situation:
    if isinstance(data, Mapping):
        _strict_json_types(data, prefix)
    try:
        return situation_from_mapping(data)
    except InputError as error:
        raise ApiError(422, f"{prefix}{error.field}", error.message) from None
    except RecursionError:
        raise ApiError(400, prefix.rstrip(".") or "body", "imbrication trop profonde") from None


def read_situations(document: Any) -> Situation | list[Situation]:
    """One situation (an object) or a list of at most MAX_SITUATIONS; a list's fields are named `3.income`."""
    if isinstance(document, list):
        if len(document) > MAX_SITUATIONS:
            raise ApiError(
                413,
                "body",
                f"{len(document)} situations : au plus {MAX_SITUATIONS} par requête, utiliser /v1/simulations:batch",
            )
        return [_situation(item, f"{index}.") for index, item in enumerate(document)]
    if not isinstance(document, Mapping):
        raise ApiError(422, "body", "doit être une situation (objet JSON) ou une liste de situations")
    return _situation(document)


# Columns of a batch and the JSON types their values may have (None: the field may be missing in that row).
_COLUMN_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str, int, type(None)),
    "year": (int,),
    "profession": (str,),
    "income": (int, float, str),
    "start_date": (str, type(None)),
    "end_date": (str, type(None)),
    "acre": (bool, type(None)),
    "rsa": (bool, type(None)),
    "income_is_net": (bool, type(None)),
    "department": (str, int, type(None)),
    "conjoint_collaborateur": (str, type(None)),
    "section": (str, type(None)),
    "pension_invalidite_mois": (int, type(None)),
    "exoneration_age": (bool, type(None)),
    "exoneration_debut_outre_mer": (bool, type(None)),
    "secteur": (str, int, type(None)),
    "metier": (str, type(None)),
    "classe_cnbf": (str, int, type(None)),
    "remplacant": (bool, type(None)),
    "abattement_outre_mer": (bool, type(None)),
}
_TYPE_NAMES = {
    "id": "un texte, un nombre entier ou null",
    "year": "un nombre entier",
    "profession": "un texte",
    "income": "un nombre d'euros",
    "start_date": "une date AAAA-MM-JJ ou null",
    "end_date": "une date AAAA-MM-JJ ou null",
    "acre": "true, false ou null",
    "rsa": "true, false ou null",
    "income_is_net": "true, false ou null",
    "department": "un code de département ou de collectivité (texte ou nombre entier) ou null",
    "conjoint_collaborateur": "une option d'assiette du conjoint collaborateur (texte) ou null",
    "section": "une section professionnelle (cipav…) ou null",
    "pension_invalidite_mois": "un nombre entier de mois (0 à 12) ou null",
    "exoneration_age": "true, false ou null",
    "exoneration_debut_outre_mer": "true, false ou null",
    "secteur": "le secteur conventionnel d'un médecin (1, 2, non_conventionne) ou null",
    "metier": "le métier d'un membre de la CARCDSF (chirurgien_dentiste, sage_femme) ou null",
    "classe_cnbf": "la classe d'un avocat à la complémentaire de la CNBF (1, 2, 2+) ou null",
    "remplacant": "true, false ou null",
    "abattement_outre_mer": "true, false ou null",
}


def read_columns(document: Any) -> dict[str, list[Any]]:
    """Columns of a batch: field → list of values, all of the same length, at most MAX_BATCH_ROWS rows.

    Types are checked here (a year is a JSON integer, a flag a boolean…); the values themselves are checked by
    `simulate_many`, which names the first bad row.
    """
    if not isinstance(document, Mapping):
        raise ApiError(422, "body", 'doit être un objet de colonnes : {"year": [...], "profession": [...], …}')
    columns: dict[str, list[Any]] = {}
    for name, values in document.items():
        if name not in _COLUMN_TYPES:
            raise ApiError(422, name, UNKNOWN_FIELD)
        if not isinstance(values, list):
            raise ApiError(422, name, "doit être une liste de valeurs, une par ligne")
        if len(values) > MAX_BATCH_ROWS:
            raise ApiError(413, name, f"{len(values)} lignes : au plus {MAX_BATCH_ROWS} par requête")
        allowed = _COLUMN_TYPES[name]
        for row, value in enumerate(values):
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                raise ApiError(422, f"{name}[{row}]", f"doit être {_TYPE_NAMES[name]} (reçu {shown(value)})")
            if name == "year" and isinstance(value, int) and not 0 < value < 10_000:
                try:  # the core's check of a whole number, for its wording
                    parse_whole(value, f"{name}[{row}]", minimum=1, maximum=9999)
                except InputError as error:
                    raise ApiError(422, error.field, error.message) from None
            if name == "income" and isinstance(value, str) and _huge_number_text(value):
                raise ApiError(422, f"{name}[{row}]", f"n'est pas un montant plausible (reçu {shown(value)})")
        columns[name] = values
    for name in ("year", "profession", "income"):
        if name not in columns:
            raise ApiError(422, name, MISSING)
    rows = len(columns["year"])
    for name, values in columns.items():
        if len(values) != rows:
            raise ApiError(422, name, f"a {len(values)} lignes alors que year en a {rows}")
    return columns


def read_scenario(document: Any) -> Any:
    """A scenario as JSON, with the structure of the YAML files (see `schedule/scenario.py`)."""
    from echeancier.schedule.scenario import ScenarioError, parse_scenario

    if not isinstance(document, Mapping):
        raise ApiError(422, "body", "un scénario est un objet avec contributor, incomes, events, years")
    _check_texts(document, "")
    try:
        return parse_scenario(document)  # JSON's "2025" keys of incomes/amounts: pydantic reads them as years
    except ScenarioError as error:
        raise scenario_error(error) from None
    except RecursionError:
        raise ApiError(400, "body", "imbrication trop profonde") from None


def scenario_error(error: Exception) -> ApiError:
    """A ScenarioError as a 422 naming its field: `incomes : le revenu de 2024 est nécessaire…` → field `incomes`
    (the field before its colon, with or without the French space)."""
    from echeancier.schedule.scenario import ScenarioError

    if not isinstance(error, ScenarioError):
        return ApiError(422, "body", str(error))
    field, message = error.named()
    return ApiError(422, field or "body", message)
