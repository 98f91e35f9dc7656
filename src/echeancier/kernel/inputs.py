"""The one input layer of every interface: money, dates, whole numbers, texts, JSON and YAML read safely.

The command line, `--jsonl`, scenario files, portfolio files and the API read what users give through these
functions, so that the same input is read the same way everywhere and anything that cannot be read for sure is
refused with one line naming the field (`InputError`), never read otherwise nor turned into an internal error.

- **Money** (`parse_euros`): whole or decimal euros, a decimal point or a decimal comma, thousands grouped by
  spaces (space, no-break space, narrow no-break space, thin space), an optional sign and an optional `€`:
  `40000`, `40000.50`, `40 000`, `40 000,50`, `-1 200 €`. Refused: a number that may be read two ways
  (`40,000` or `40.000`: 40 € or 40 000 €?, and `1,234.56`), exponents (`1E+9`), NaN and infinities, booleans,
  anything above the field's maximum (checked before any costly conversion), negative amounts where the field
  has none.
- **Dates** (`parse_date`): `date` objects (a `datetime` only at midnight) and ISO `YYYY-MM-DD` text, and
  `jj/mm/aaaa` only where a French file format says so. A number is never a date (pydantic would read it as a
  Unix timestamp).
- **Yes or no** (`parse_flag`): booleans, 0 and 1, and the words a spreadsheet holds (`oui`/`non`, `vrai`/`faux`,
  `true`/`false`, `x`, an empty cell); anything else is refused, never read as yes or no.
- **JSON** (`loads_json`, `iter_lines`): one document of at most `MAX_JSON_BYTES`, nested at most
  `MAX_JSON_DEPTH` levels, no key given twice, no lone surrogate in a text, no NaN or Infinity, numbers with a
  fraction read exactly as `Decimal`.
- **YAML** (`load_yaml`, `SafeYamlLoader`): the safe loader, at most `MAX_YAML_BYTES`, nested at most
  `MAX_YAML_DEPTH` levels, aliases expanding to at most `MAX_YAML_NODES` nodes (a "billion laughs" file is
  refused at once, before anything is built), keys that are names or years, integers of at most
  `MAX_INT_DIGITS` digits; numbers with a fraction or an exponent are kept as the text written (`YamlNumber`),
  so that the money reader sees `40.000` as written.

- **null** (JSON `null`, YAML `null` or `~`, an empty cell): a field not given — its default, or "est
  obligatoire" — on every input alike (`Situation`, the scenario's models, the API's checks, the batch columns).

Every message is in French (users read them); the field comes first, as `InputError.field`. Pydantic's own
refusals are translated by `pydantic_message`, the JSON and YAML parsers' by `json_problem` and `yaml_problem`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import yaml

__all__ = [
    "MAX_EUROS",
    "MAX_INT_DIGITS",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_TEXT_LENGTH",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "InputError",
    "SafeYamlLoader",
    "YamlNumber",
    "check_text",
    "iter_lines",
    "json_problem",
    "load_yaml",
    "loads_json",
    "parse_date",
    "parse_euros",
    "parse_flag",
    "parse_whole",
    "pydantic_message",
    "shown",
    "yaml_problem",
]

# Input sanity bounds (not legal thresholds): an amount above this is taken for a typing error.
MAX_EUROS = Decimal(100_000_000)
MAX_MONEY_TEXT = 40  # characters of a written amount, signs and spaces included
MAX_DIGITS = 28  # significant digits of an amount given as a number
MAX_INT_DIGITS = 30  # digits of an integer in a JSON or YAML document (Python refuses int() beyond 4 300)
MAX_TEXT_LENGTH = 256  # characters of an identifier or a short text field
MAX_JSON_BYTES = 1 << 20  # one `--jsonl` line or one API body: 1 MiB
MAX_JSON_DEPTH = 32
MAX_YAML_BYTES = 1 << 20  # one scenario file: 1 MiB
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 100_000  # scalars, sequences and mappings of a YAML document once its aliases are expanded


class InputError(ValueError):
    """An input that cannot be read for sure; the message names the field (and the line of a file, if known)."""

    def __init__(self, field: str, message: str, line: int | None = None) -> None:
        where = f"ligne {line} : " if line else ""
        super().__init__(f"{where}{field}: {message}" if field else f"{where}{message}")
        self.field = field
        self.message = message
        self.line = line


def shown(value: Any, limit: int = 40) -> str:
    """`value` as it can be quoted in a one-line message: its repr, cut to `limit` characters."""
    if isinstance(value, str) and len(value) > 4 * limit:
        value = value[: 4 * limit]  # never build the repr of a huge text
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"un entier de plus de {limit} chiffres"
    text = f"'{value}'" if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- money ---------------------------------------------------------------------------------------------------

_GROUP = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space (CLDR fr), thin space
_SIGNS = {"-": -1, "\u2212": -1, "+": 1}
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:[ \u00a0\u202f\u2009][0-9]{3})+")
_FRACTION = re.compile(r"[0-9]+")
_EXPONENT = re.compile(r"[0-9 \u00a0\u202f\u2009.,]*[eE][-+]?[0-9]+")
_NO_GROUPS = str.maketrans("", "", _GROUP)


def parse_euros(
    value: object,
    field: str,
    *,
    maximum: Decimal = MAX_EUROS,
    negative: bool = False,
) -> Decimal:
    """An amount of euros given by a user, exactly as a Decimal; InputError(field, …) if it cannot be read for sure.

    Accepts ints, Decimals, finite floats (through their shortest repr, so 0.1 is 0.1) and NumPy numbers, and the
    texts described in the module docstring. `maximum` bounds the absolute value; `negative` allows amounts
    below zero (a deficit).
    """
    kind = type(value)  # the common types first: the checks of numbers' ABCs cost more than the reading
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise InputError(field, f"doit être un nombre fini d'euros (reçu {shown(value)})")
        amount = _euros_from_decimal(Decimal(repr(value)), value, field)
    elif kind is int:
        if abs(value) > maximum:  # type: ignore[arg-type]
            raise InputError(field, f"dépasse la limite de {_limit(maximum)} (reçu {shown(value)})")
        amount = Decimal(value)  # type: ignore[arg-type]
    elif isinstance(value, bool):
        raise InputError(field, f"doit être un montant en euros, pas un booléen (reçu {shown(value)})")
    elif isinstance(value, str):
        amount = _euros_from_text(value, field)
    elif isinstance(value, Decimal):
        amount = _euros_from_decimal(value, value, field)
    elif isinstance(value, numbers.Integral):
        whole = int(value)
        if abs(whole) > maximum:
            raise InputError(field, f"dépasse la limite de {_limit(maximum)} (reçu {shown(whole)})")
        amount = Decimal(whole)
    elif isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise InputError(field, f"doit être un nombre fini d'euros (reçu {shown(value)})")
        amount = _euros_from_decimal(Decimal(repr(number)), value, field)
    else:
        raise InputError(field, f"doit être un montant en euros (reçu {shown(value)})")
    if abs(amount) > maximum:
        raise InputError(field, f"dépasse la limite de {_limit(maximum)} (reçu {shown(value)})")
    if amount < 0 and not negative:
        raise InputError(field, f"doit être un montant positif (reçu {shown(value)})")
    return amount if amount else amount.copy_abs()  # never a negative zero


def _limit(maximum: Decimal) -> str:
    from echeancier.kernel.fmt import format_euros

    return format_euros(maximum)


def _euros_from_decimal(amount: Decimal, given: object, field: str) -> Decimal:
    if not amount.is_finite():
        raise InputError(field, f"doit être un nombre fini d'euros (reçu {shown(given)})")
    written = amount.as_tuple()
    if amount and (amount.adjusted() > MAX_DIGITS or len(written.digits) > MAX_DIGITS):
        # checked on the exponent and the digits alone: 1E+99999999999999999 is never expanded
        raise InputError(field, f"n'est pas un montant plausible (reçu {shown(given)})")
    exponent = written.exponent
    assert isinstance(exponent, int)
    if exponent < -MAX_DIGITS:
        raise InputError(field, f"a trop de décimales (reçu {shown(given)})")
    return amount


def _euros_from_text(text: str, field: str) -> Decimal:
    written = text.strip(_GROUP + "\t\r\n")
    if len(written) > MAX_MONEY_TEXT:
        raise InputError(field, f"montant trop long ({len(text)} caractères, {MAX_MONEY_TEXT} au plus)")
    if written.endswith("€"):
        written = written[:-1].rstrip(_GROUP)
    sign = 1
    if written[:1] in _SIGNS:
        sign, written = _SIGNS[written[0]], written[1:]
    if _EXPONENT.fullmatch(written):
        raise InputError(
            field, f"la notation scientifique n'est pas admise, écrire le montant en chiffres (reçu {shown(text)})"
        )
    separators = [c for c in written if c in ".,"]
    if len(separators) > 1:
        raise InputError(
            field,
            f"{text!r} est ambigu : un seul séparateur décimal (virgule ou point), les milliers séparés par des "
            "espaces (40 000,50)",
        )
    whole, _, fraction = written.replace(",", ".").partition(".")
    grouped = _GROUPED.fullmatch(whole) is not None
    if not (_PLAIN.fullmatch(whole) or grouped) or (separators and not _FRACTION.fullmatch(fraction)):
        raise InputError(field, f"doit être un montant en euros, par exemple 40000 ou 40 000,50 (reçu {shown(text)})")
    if separators and len(fraction) == 3 and (grouped or (len(whole) <= 3 and whole != "0")):
        from echeancier.kernel.fmt import NBSP, format_number

        plain = whole.translate(_NO_GROUPS)
        as_decimal, as_thousands = (
            f"{format_number(Decimal(reading))}{NBSP}€" for reading in (f"{plain}.{fraction}", plain + fraction)
        )
        raise InputError(
            field,
            f"{text!r} est ambigu ({as_decimal} ou {as_thousands} ?) : écrire les milliers avec des espaces "
            "(40 000) ou sans séparateur (40000), et la virgule ou le point seulement avant les centimes",
        )
    digits = whole.translate(_NO_GROUPS) + (f".{fraction}" if separators else "")
    amount = _euros_from_decimal(Decimal(digits), text, field)
    return -amount if sign < 0 and amount else amount


# --- whole numbers, texts and dates -------------------------------------------------------------------------------


def parse_whole(value: object, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number given as an int (not a bool) or as ASCII digits (`2025`, `-3`), within the bounds given."""
    if isinstance(value, str):
        written = value.strip()
        if not re.fullmatch(r"[-+]?[0-9]{1,18}", written):
            raise InputError(field, f"doit être un nombre entier (reçu {shown(value)})")
        number = int(written)
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)
    else:
        raise InputError(field, f"doit être un nombre entier (reçu {shown(value)})")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        bounds = f"entre {minimum} et {maximum}" if minimum is not None and maximum is not None else "hors limites"
        raise InputError(field, f"doit être {bounds} (reçu {shown(number)})")
    return number


_TRUE = frozenset({"true", "vrai", "oui", "o", "yes", "y", "x", "1"})
_FALSE = frozenset({"false", "faux", "non", "n", "no", "0", ""})


def parse_flag(value: object, field: str) -> bool:
    """A yes/no given as a bool, 0 or 1, or as a spreadsheet writes it: `oui`/`non`, `vrai`/`faux`, `true`/`false`,
    `x` (a ticked cell) or an empty cell (no). Anything else is refused rather than read as yes or no."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(int(value))
    if isinstance(value, str):
        written = value.strip().lower()
        if written in _TRUE:
            return True
        if written in _FALSE:
            return False
    raise InputError(field, f"doit être oui ou non (reçu {shown(value)})")


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, field: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """`value` if it is text that can be written back as UTF-8 (no lone surrogate) of at most `max_length`."""
    if len(value) > max_length:
        raise InputError(field, f"texte trop long ({len(value)} caractères, {max_length} au plus)")
    if _SURROGATE.search(value):
        raise InputError(field, f"texte invalide : caractère de substitution isolé (reçu {shown(value)})")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FRENCH_DATE = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")


def parse_date(value: object, field: str, *, french: bool = False) -> date:
    """A date given as a `date`, a `datetime` at midnight or ISO text `YYYY-MM-DD` (and `jj/mm/aaaa` if `french`)."""
    expected = "une date AAAA-MM-JJ ou JJ/MM/AAAA" if french else "une date AAAA-MM-JJ"
    if isinstance(value, datetime):
        if value.timetz().replace(tzinfo=None) != time():
            raise InputError(field, f"doit être {expected}, sans heure (reçu {shown(value.isoformat())})")
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        kind = "un nombre" if isinstance(value, numbers.Number) and not isinstance(value, bool) else "une valeur"
        raise InputError(field, f"doit être {expected}, pas {kind} (reçu {shown(value)})")
    written = value.strip()
    try:
        if _ISO_DATE.fullmatch(written):
            return date.fromisoformat(written)
        if french and _FRENCH_DATE.fullmatch(written):
            day, month, year = written.split("/")
            return date(int(year), int(month), int(day))
    except ValueError:
        raise InputError(field, f"n'est pas une date du calendrier (reçu {shown(value)})") from None
    raise InputError(field, f"doit être {expected} (reçu {shown(value)})")


# --- validation errors ------------------------------------------------------------------------------------------

_PYDANTIC_MESSAGES = {
    "missing": "est obligatoire",
    "extra_forbidden": "n'est pas un champ connu",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_parsing_size": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "finite_number": "doit être un nombre fini",
    "decimal_type": "doit être un nombre",
    "decimal_parsing": "doit être un nombre",
    "bool_type": "doit être true ou false",
    "bool_parsing": "doit être true ou false",
    "date_type": "doit être une date AAAA-MM-JJ",
    "date_parsing": "doit être une date AAAA-MM-JJ",
    "date_from_datetime_parsing": "doit être une date AAAA-MM-JJ",
    "date_from_datetime_inexact": "doit être une date AAAA-MM-JJ, sans heure",
    "datetime_type": "doit être une date et une heure",
    "datetime_parsing": "doit être une date et une heure",
    "string_type": "doit être un texte",
    "string_unicode": "doit être un texte",
    "string_too_short": "ne doit pas être vide",
    "string_pattern_mismatch": "contient des caractères interdits",
    "dict_type": "doit être un dictionnaire (clé : valeur)",
    "mapping_type": "doit être un dictionnaire (clé : valeur)",
    "model_type": "doit être un dictionnaire (clé : valeur)",
    "model_attributes_type": "doit être un dictionnaire (clé : valeur)",
    "list_type": "doit être une liste",
    "tuple_type": "doit être une liste",
    "set_type": "doit être une liste",
    "none_required": "doit être vide (null)",
    "recursion_loop": "se contient lui-même",
    "union_tag_not_found": "doit avoir un type",
}


def pydantic_message(error: Any) -> str:
    """A pydantic validation error (one item of `ValidationError.errors()`) as a French message, without the field:
    the input layer's and the validators' own messages as they are, pydantic's own words translated, the value
    given quoted (`reçu …`) where the message does not quote it already."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    given = error.get("input")
    cause = context.get("error")
    if isinstance(cause, InputError):
        # A rule over several fields (a model's validator) names the one it refuses: kept before its message.
        location = error.get("loc") or ()
        named = cause.field and (not location or str(location[-1]) != cause.field)
        return f"{cause.field}: {cause.message}" if named else cause.message
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        quoted = "reçu " in message or type(cause).__name__ == "UnknownTerritory"  # a territory's names the code
        return message if quoted else f"{message} (reçu {shown(given)})"
    bound = {
        "greater_than": "supérieur à",
        "greater_than_equal": "supérieur ou égal à",
        "less_than": "inférieur à",
        "less_than_equal": "inférieur ou égal à",
    }
    if kind in bound:
        limit = next(iter(context.values()), "")
        message = f"doit être {bound[kind]} {limit}"
    elif kind in ("literal_error", "enum"):
        expected = str(context.get("expected", "")).replace(" or ", " ou ")
        message = f"doit être l'une des valeurs {expected}"
    elif kind in ("too_short", "too_long", "string_too_long"):
        count = context.get("min_length" if kind == "too_short" else "max_length")
        word = "au moins" if kind == "too_short" else "au plus"
        unit = "caractère" if kind.startswith("string") else "élément"
        message = f"{word} {count} {unit}{'s' if isinstance(count, int) and count > 1 else ''}"
    elif kind == "union_tag_invalid":
        expected = str(context.get("expected_tags", "")).replace("'", "")
        return f"type inconnu {shown(context.get('tag'))} (connus : {expected})"
    else:
        message = _PYDANTIC_MESSAGES.get(kind, "valeur refusée")
    if kind in ("missing", "extra_forbidden", "union_tag_not_found"):
        return message
    return f"{message} (reçu {shown(given)})"


# --- JSON ---------------------------------------------------------------------------------------------------------


class _NonFinite:
    """NaN, Infinity or -Infinity in a JSON text (Python's json reads them; JSON has none): refused by field."""

    def __init__(self, name: str) -> None:
        self.name = name


def _duplicate_free(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = dict(pairs)
    if len(result) == len(pairs):  # no key given twice (the usual case, checked at C speed)
        return result
    result = {}
    for key, value in pairs:
        if key in result:
            raise InputError(_key_name(key), "clé donnée deux fois")
        result[key] = value
    return result


def _key_name(key: str) -> str:
    return key if len(key) <= 60 and not _SURROGATE.search(key) and key.isprintable() else shown(key)


def _json_int(text: str) -> int | Decimal:
    # int() refuses more than 4 300 digits, with a ValueError naming no field: keep it as a Decimal, which the
    # field's reader refuses with its name (a year or an id is a whole number, an amount has a maximum).
    return int(text) if len(text) <= MAX_INT_DIGITS else Decimal(text)


_JSON_PROBLEMS = {
    "Expecting value": "une valeur est attendue",
    "Expecting property name enclosed in double quotes": "un nom de clé entre guillemets doubles est attendu",
    "Expecting ':' delimiter": "« : » est attendu après la clé",
    "Expecting ',' delimiter": "« , » est attendue entre deux éléments",
    "Unterminated string starting at": "texte sans guillemet fermant",
    "Invalid control character at": "caractère de contrôle dans un texte",
    "Invalid \\escape": "séquence d'échappement « \\ » invalide",
    "Invalid \\uXXXX escape": "séquence « \\uXXXX » invalide",
    "Extra data": "données après la fin du document",
    "Illegal trailing comma before end of object": "virgule en trop avant la fin de l'objet",
    "Illegal trailing comma before end of array": "virgule en trop avant la fin de la liste",
}


def json_problem(error: Any) -> str:
    """A `json.JSONDecodeError` in French: what was expected, and where (line and column)."""
    detail = _JSON_PROBLEMS.get(str(error.msg), "syntaxe incorrecte")
    return f"JSON invalide : {detail} (ligne {error.lineno}, colonne {error.colno})"


_YAML_TOKENS = {
    "<stream end>": "la fin du fichier",
    "<stream start>": "le début du fichier",
    "<document start>": "un nouveau document (---)",
    "<document end>": "la fin du document",
    "<block end>": "la fin du bloc (indentation)",
    "<block mapping start>": "un dictionnaire",
    "<block sequence start>": "une liste",
    "<alias>": "un alias (*)",
    "<anchor>": "une ancre (&)",
    "<scalar>": "une valeur",
    "the node content": "une valeur",
    "<block mapping end>": "la fin du dictionnaire",
}


def _yaml_token(text: str) -> str:
    words = [part.strip().strip("'") for part in re.split(r" or |, ", text.strip())]
    return " ou ".join(_YAML_TOKENS.get(word, f"« {word} »") for word in words if word)


def yaml_problem(problem: str | None, context: str | None) -> str:
    """PyYAML's `problem` (and `context`) in French: what was expected, what was found."""
    text = problem or context or ""
    expected = re.fullmatch(r"expected (.+), but (?:found|got) (.+)", text)
    if expected:
        return f"attendu : {_yaml_token(expected.group(1))} ; trouvé : {_yaml_token(expected.group(2))}"
    character = re.fullmatch(r"found character (.+) that cannot start any token", text)
    if character:
        found = character.group(1).strip("'")
        tab = " (une tabulation ne sert pas à indenter)" if found == "\\t" else ""
        return f"caractère « {found} » inattendu{tab}"
    if text == "mapping values are not allowed here":
        return "« : » inattendu ici (indentation incorrecte, ou une valeur avec « : » à mettre entre guillemets)"
    if text == "found unexpected end of stream":
        return "fin du fichier inattendue" + (" (guillemet fermant manquant)" if "quoted" in (context or "") else "")
    if text.startswith("could not determine a constructor for the tag"):
        return "étiquette YAML (!!…) non admise"
    if text.startswith("found undefined alias"):
        return "alias (*) sans ancre (&) de ce nom"
    return "syntaxe incorrecte"


def loads_json(data: bytes | str, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse one JSON document from a user; InputError naming the field (or `json`) for anything unsafe.

    Numbers with a fraction or an exponent are exact `Decimal`s, integers of more than MAX_INT_DIGITS digits too.
    """
    import json

    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InputError("json", f"document trop long ({size} octets, {max_bytes} au plus)")
    try:
        document = json.loads(
            data,
            object_pairs_hook=_duplicate_free,
            parse_float=Decimal,
            parse_int=_json_int,
            parse_constant=_NonFinite,
        )
    except InputError:
        raise
    except json.JSONDecodeError as error:
        raise InputError("json", json_problem(error)) from None
    except UnicodeDecodeError:
        raise InputError("json", "texte qui n'est pas de l'UTF-8") from None
    except RecursionError:
        raise InputError("json", f"imbrication de plus de {max_depth} niveaux") from None
    except (ValueError, InvalidOperation):  # a number Python cannot read
        raise InputError("json", "JSON invalide : nombre illisible") from None
    _check_tree(document, max_depth)
    return document


def _check_tree(document: Any, max_depth: int) -> None:
    """Depth, texts and constants of a parsed JSON document, without recursion."""
    if isinstance(document, dict) and max_depth > 0 and not any(isinstance(v, dict | list) for v in document.values()):
        # A flat object (every `--jsonl` line): the same checks in the same order as the walk below — the keys in
        # order, then the values from the last (the walk's stack takes them last in, first out).
        for key in document:
            if isinstance(key, str):
                check_text(key, "clé", max_length=MAX_JSON_BYTES)
        for key, value in reversed(document.items()):
            if isinstance(value, str):
                check_text(value, (key if len(key) <= 60 else key[:59] + "…") or "json", max_length=MAX_JSON_BYTES)
            elif isinstance(value, _NonFinite):
                field = (key if len(key) <= 60 else key[:59] + "…") or "json"
                raise InputError(field, f"{value.name} n'est pas un nombre JSON")
        return
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        field = (path if len(path) <= 60 else path[:59] + "…") or "json"
        if isinstance(value, str):
            check_text(value, field, max_length=MAX_JSON_BYTES)
        elif isinstance(value, _NonFinite):
            raise InputError(field, f"{value.name} n'est pas un nombre JSON")
        elif isinstance(value, dict | list):
            if depth >= max_depth:  # named by the top-level key it is under, if any
                top = path.split(".")[0] if isinstance(document, dict) else ""
                raise InputError(top or "json", f"imbrication de plus de {max_depth} niveaux")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    check_text(key, f"{path}.clé" if path else "clé", max_length=MAX_JSON_BYTES)
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))


def iter_lines(stream: IO[bytes], max_bytes: int = MAX_JSON_BYTES) -> Iterator[bytes]:
    """The lines of a binary stream, never holding more than `max_bytes` + 1 bytes of one line in memory.

    A longer line is given as its first `max_bytes` + 1 bytes (so that `len(line) > max_bytes` tells it), the
    rest of it being read and dropped.
    """
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = stream.readline(1 << 16)
        yield line


# --- YAML ---------------------------------------------------------------------------------------------------------


class YamlNumber(str):
    """A YAML number with a fraction or an exponent, kept as written (`40.000` stays '40.000', not 40.0)."""

    __slots__ = ()


def _mark_line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class SafeYamlLoader(yaml.SafeLoader):
    """yaml.SafeLoader with bounded nesting, names or years as keys, bounded integers and exact decimals.

    Use it through `load_yaml`, which also bounds the size and the alias expansion. A subclass that builds its
    own mappings calls `self.key(node)` for each key.
    """

    max_depth = MAX_YAML_DEPTH
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise InputError("yaml", f"imbrication de plus de {self.max_depth} niveaux", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def key(self, node: yaml.Node) -> str | int:
        """The key of a mapping: a name or a whole number (a year), nothing else."""
        if isinstance(node, yaml.ScalarNode):
            key = self.construct_object(node, deep=True)
            if isinstance(key, str | int) and not isinstance(key, bool | YamlNumber):
                return key
            what = shown(node.value)
        else:
            what = "une liste" if isinstance(node, yaml.SequenceNode) else "un dictionnaire"
        raise InputError("yaml", f"une clé doit être un nom ou une année (reçu {what})", _mark_line(node))


def _construct_mapping(loader: SafeYamlLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.key(key_node)
        if key in result:
            raise InputError("yaml", f"clé {key!r} donnée deux fois", _mark_line(key_node))
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_int(loader: SafeYamlLoader, node: yaml.ScalarNode) -> int:
    digits = sum(c.isdigit() for c in str(node.value))
    if digits > MAX_INT_DIGITS:
        raise InputError("yaml", f"entier de {digits} chiffres ({MAX_INT_DIGITS} au plus)", _mark_line(node))
    return int(yaml.SafeLoader.construct_yaml_int(loader, node))


def _construct_float(loader: SafeYamlLoader, node: yaml.ScalarNode) -> YamlNumber:
    return YamlNumber(loader.construct_scalar(node))


SafeYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
SafeYamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
SafeYamlLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _expanded_size(root: yaml.Node, limit: int) -> None:
    """Refuse a node graph whose tree, once every alias is expanded, has more than `limit` nodes, or a cycle.

    Linear in the number of distinct nodes: each node's expanded size is computed once.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        ident = id(node)
        if children_done:
            children = _children(node)
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > limit:
                raise InputError(
                    "yaml",
                    f"les alias (&, *) développent le document au-delà de {limit} éléments",
                    _mark_line(node),
                )
            sizes[ident] = size
            open_nodes.discard(ident)
            continue
        if ident in sizes:
            continue
        if ident in open_nodes:
            raise InputError("yaml", "un alias (*) ne peut pas se contenir lui-même", _mark_line(node))
        open_nodes.add(ident)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                raise InputError("yaml", "un alias (*) ne peut pas se contenir lui-même", _mark_line(child))
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml(
    text: str,
    *,
    loader: type[SafeYamlLoader] = SafeYamlLoader,
    max_bytes: int = MAX_YAML_BYTES,
    max_nodes: int = MAX_YAML_NODES,
) -> Any:
    """One YAML document from a user, with `loader` (SafeYamlLoader or a subclass); InputError with its line.

    The size is checked first, then the document is composed (nesting bounded), then its expansion is measured
    on the node graph, and only then are Python objects built.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InputError("yaml", f"fichier trop long ({size} octets, {max_bytes} au plus)")
    if _SURROGATE.search(text):
        raise InputError("yaml", "texte invalide : caractère de substitution isolé")
    instance = loader(text)
    try:
        node = instance.get_single_node()
        if node is None:
            return None
        _expanded_size(node, max_nodes)
        return instance.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(
            "yaml", f"YAML invalide : {yaml_problem(error.problem, error.context)}", mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError:
        raise InputError("yaml", "YAML invalide : syntaxe incorrecte") from None
    except RecursionError:
        raise InputError("yaml", "structure trop imbriquée") from None
    finally:
        instance.dispose()
