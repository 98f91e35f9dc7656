"""Load and validate the dated law parameters of `parameters/*.yaml`.

Every parameter is a list of values, each with the date from which it applies, a legal reference and, where
known, the Légifrance (or official) URL. A file carries `last_value_still_valid_on`: the last date at which its
values were checked to still be in force. Asking for a value past that date is an error, never a silent use of a
stale figure (`echeancier law status` lists stale files).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, SupportsIndex

import yaml

from echeancier.kernel.money import to_decimal

PARAMETERS_DIR = Path(__file__).with_name("parameters")

# unit -> (kind of value, description)
UNITS: dict[str, str] = {
    "rate": "a fraction (0.068 = 6.8 %)",
    "euro": "an amount in euros",
    "euro_per_hour": "euros per hour",
    "pass_fraction": "a multiple of the plafond annuel de la sécurité sociale",
    "hours": "a whole number of hours",
    "days": "a whole number of days",
    "months": "a whole number of months",
    "count": "a whole number",
    "rate_scale": "a list of [threshold as a multiple of the PASS, rate] points",
    "euro_classes": "a list of [lower bound in euros, amount in euros] classes, the first bound 0",
    "year_classes": "a list of [lower bound in years of activity, amount in euros] classes, the first bound 0",
    "pass_classes": "a list of [lower bound as a multiple of the PASS, amount] classes, the first bound 0 (amount in "
    "euros, or the count the parameter's description says)",
    "regime": "the name of a rule set",
    "date": "a calendar date (ISO)",
}
REGIMES = ("revenu_professionnel", "revenu_brut_abattu")


class LawError(ValueError):
    """A parameter file is malformed, or a value is asked for a date it does not cover."""


ScaleValue = tuple[tuple[Decimal, Decimal], ...]
ParamValue = Decimal | int | str | date | ScaleValue | None


@dataclass(frozen=True, slots=True)
class Value:
    start: date
    value: ParamValue
    reference: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Parameter:
    key: str
    description: str
    unit: str
    values: tuple[Value, ...]
    valid_until: date
    _starts: tuple[date, ...] = field(repr=False, compare=False, default=())

    def at(self, day: date) -> Value:
        """The value that applies on `day` (the last one whose start is on or before it)."""
        if day > self.valid_until:
            raise LawError(
                f"{self.key}: aucune valeur connue valable le {day:%d/%m/%Y} (valeurs vérifiées jusqu'au "
                f"{self.valid_until:%d/%m/%Y}) : cette date est hors des paramètres de la loi"
            )
        index = bisect.bisect_right(self._starts, day) - 1
        if index < 0:
            raise LawError(
                f"{self.key}: aucune valeur avant le {self.values[0].start:%d/%m/%Y} : les paramètres de la loi ne "
                f"couvrent pas le {day:%d/%m/%Y} (une année antérieure ne peut pas être calculée)"
            )
        return self.values[index]

    def applicable(self, day: date) -> list[Value]:
        """Every value whose period contains `day` (a well-formed parameter has exactly one)."""
        found: list[Value] = []
        for i, value in enumerate(self.values):
            end = self.values[i + 1].start if i + 1 < len(self.values) else None
            if value.start <= day and (end is None or day < end) and day <= self.valid_until:
                found.append(value)
        return found


@dataclass(frozen=True, slots=True)
class ParameterFile:
    name: str
    description: str
    valid_until: date
    parameters: tuple[Parameter, ...]


def _parse_value(key: str, unit: str, raw: Any) -> ParamValue:
    if raw is None:
        return None
    try:
        if unit in ("rate", "pass_fraction", "euro", "euro_per_hour"):
            number = to_decimal(raw)
            if number < 0:
                raise LawError(f"{key}: negative value {raw!r}")
            if unit == "rate" and number > 1:
                raise LawError(f"{key}: a rate must be between 0 and 1, got {raw!r}")
            return number
        if unit in ("hours", "days", "months", "count"):
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                raise LawError(f"{key}: expected a whole number, got {raw!r}")
            return raw
        if unit == "date":
            return _as_date(key, raw)
        if unit == "regime":
            if raw not in REGIMES:
                raise LawError(f"{key}: unknown regime {raw!r} (known: {', '.join(REGIMES)})")
            return str(raw)
        if unit == "rate_scale":
            if not isinstance(raw, list) or not raw:
                raise LawError(f"{key}: a rate scale is a non-empty list of [threshold, rate]")
            points: list[tuple[Decimal, Decimal]] = []
            for point in raw:
                if not isinstance(point, list) or len(point) != 2:
                    raise LawError(f"{key}: scale point {point!r} is not [threshold, rate]")
                threshold, rate = to_decimal(point[0]), to_decimal(point[1])
                if not (0 <= rate <= 1) or threshold < 0:
                    raise LawError(f"{key}: scale point {point!r} out of range")
                if points and threshold <= points[-1][0]:
                    raise LawError(f"{key}: scale thresholds must increase")
                points.append((threshold, rate))
            return tuple(points)
        if unit in ("euro_classes", "year_classes"):
            if not isinstance(raw, list) or not raw:
                raise LawError(f"{key}: classes are a non-empty list of [lower bound, amount]")
            classes: list[tuple[Decimal, Decimal]] = []
            for item in raw:
                if not isinstance(item, list) or len(item) != 2:
                    raise LawError(f"{key}: class {item!r} is not [lower bound, amount]")
                bound, amount = to_decimal(item[0]), to_decimal(item[1])
                if amount < 0 or bound != bound.to_integral_value() or amount != amount.to_integral_value():
                    raise LawError(f"{key}: class {item!r}: whole euros, not negative")
                if (not classes and bound != 0) or (classes and bound <= classes[-1][0]):
                    raise LawError(f"{key}: the lower bounds start at 0 and increase")
                classes.append((bound, amount))
            return tuple(classes)
        if unit == "pass_classes":
            if not isinstance(raw, list) or not raw:
                raise LawError(f"{key}: classes are a non-empty list of [lower bound, amount]")
            found: list[tuple[Decimal, Decimal]] = []
            for item in raw:
                if not isinstance(item, list) or len(item) != 2:
                    raise LawError(f"{key}: class {item!r} is not [lower bound, amount]")
                bound, amount = to_decimal(item[0]), to_decimal(item[1])
                if amount < 0 or (not found and bound != 0) or (found and bound <= found[-1][0]):
                    raise LawError(f"{key}: class {item!r}: the lower bounds start at 0 and increase, amounts >= 0")
                found.append((bound, amount))
            return tuple(found)
    except ValueError as error:
        if isinstance(error, LawError):
            raise
        raise LawError(f"{key}: {raw!r} is not a valid {unit}") from None
    raise LawError(f"{key}: unknown unit {unit!r} (known: {', '.join(UNITS)})")


def _as_date(key: str, raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise LawError(f"{key}: {raw!r} is not an ISO date") from None


def parse_file(name: str, document: Mapping[str, Any]) -> ParameterFile:
    """Validate one parameter file (already parsed from YAML)."""
    if not isinstance(document, Mapping):
        raise LawError(f"{name}: not a mapping")
    unknown = set(document) - {"description", "last_value_still_valid_on", "parameters"}
    if unknown:
        raise LawError(f"{name}: unknown keys {sorted(unknown)}")
    valid_until = _as_date(f"{name}.last_value_still_valid_on", document.get("last_value_still_valid_on"))
    raw_parameters = document.get("parameters")
    if not isinstance(raw_parameters, Mapping) or not raw_parameters:
        raise LawError(f"{name}: 'parameters' must be a non-empty mapping")
    parameters: list[Parameter] = []
    for pname, spec in raw_parameters.items():
        key = f"{name}.{pname}"
        if not isinstance(spec, Mapping):
            raise LawError(f"{key}: not a mapping")
        unknown = set(spec) - {"description", "unit", "values"}
        if unknown:
            raise LawError(f"{key}: unknown keys {sorted(unknown)}")
        unit = spec.get("unit")
        if unit not in UNITS:
            raise LawError(f"{key}: unknown unit {unit!r} (known: {', '.join(UNITS)})")
        raw_values = spec.get("values")
        if not isinstance(raw_values, Mapping) or not raw_values:
            raise LawError(f"{key}: 'values' must be a non-empty mapping of start date to value")
        values: list[Value] = []
        for raw_start, entry in raw_values.items():
            start = _as_date(key, raw_start)
            if not isinstance(entry, Mapping) or "value" not in entry:
                raise LawError(f"{key} @ {start}: expected {{value, reference, url}}")
            unknown = set(entry) - {"value", "reference", "url"}
            if unknown:
                raise LawError(f"{key} @ {start}: unknown keys {sorted(unknown)}")
            reference = entry.get("reference")
            if not isinstance(reference, str) or not reference.strip():
                raise LawError(f"{key} @ {start}: every value needs a legal reference")
            url = entry.get("url")
            if url is not None and not (isinstance(url, str) and url.startswith("https://")):
                raise LawError(f"{key} @ {start}: url must be an https URL")
            values.append(Value(start, _parse_value(f"{key} @ {start}", unit, entry["value"]), reference, url))
        starts = [v.start for v in values]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise LawError(f"{key}: start dates must be strictly increasing")
        if starts[-1] > valid_until:
            raise LawError(f"{key}: a value starts after last_value_still_valid_on")
        parameters.append(
            Parameter(key, str(spec.get("description", "")), str(unit), tuple(values), valid_until, tuple(starts))
        )
    return ParameterFile(name, str(document.get("description", "")), valid_until, tuple(parameters))


class Law:
    """All parameters, keyed by `file.parameter`."""

    def __init__(self, files: tuple[ParameterFile, ...]) -> None:
        self.files = files
        self.parameters: dict[str, Parameter] = {p.key: p for f in files for p in f.parameters}
        # Values derived from these parameters (the snapshots of `law.snapshot`), built once per Law object.
        self.cache: dict[tuple[str, int], object] = {}
        # The dates every parameter covers (asked for by every Situation check: computed once).
        self.first_date: date = max(p.values[0].start for p in self)
        self.last_date: date = min(f.valid_until for f in files)

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """The packaged law travels to a worker process as itself (the worker's own `load_law()`, with the snapshots
        it already built and that `mayotte_snapshot` recognises), an overridden one as its figures."""
        if load_law.cache_info().currsize and self is load_law():
            return (load_law, ())
        return super().__reduce_ex__(protocol)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters.values())

    def parameter(self, key: str) -> Parameter:
        try:
            return self.parameters[key]
        except KeyError:
            raise LawError(f"unknown parameter {key!r}") from None

    def value(self, key: str, day: date) -> Value:
        return self.parameter(key).at(day)

    def value_near(self, key: str, day: date) -> ParamValue:
        """The value of `key` on `day`, or on the nearest date its values cover.

        For procedural delays and rates that must be read at an account's own dates (a start of activity years
        ago, a due date of the year after the checked parameters): these figures have been unchanged for years, so
        the closest checked value is the one in force. Never used for contribution rates or bases.
        """
        parameter = self.parameter(key)
        return parameter.at(min(max(day, parameter.values[0].start), parameter.valid_until)).value

    def stale(self, today: date) -> list[ParameterFile]:
        """Files whose values are not known to be valid any more on `today`."""
        return [f for f in self.files if f.valid_until < today]


# The safe loader of libyaml when PyYAML was built with it (the same documents, six times faster: the cold start
# of the command line reads every parameter file), else PyYAML's own.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_directory(directory: Path) -> Law:
    files: list[ParameterFile] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except yaml.YAMLError as error:
            raise LawError(f"{path.name}: invalid YAML ({error})") from None
        files.append(parse_file(path.stem, document))
    if not files:
        raise LawError(f"no parameter file in {directory}")
    return Law(tuple(files))


@lru_cache(maxsize=1)
def load_law() -> Law:
    """The law shipped with the package (parsed once per process)."""
    return load_directory(PARAMETERS_DIR)
