"""The figures of the recovery procedure on a date, for one organism: the law's dated parameters
(`law/parameters/recouvrement.yaml`), with the values an organism sets for itself where no text fixes them
(`organismes.yaml` beside this file: the relance's delay, the thresholds of L613-3 al. 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from echeancier.law.loader import Law, LawError, Parameter, ParamValue, Value, _parse_value, load_law

OVERRIDES_FILE = Path(__file__).with_name("organismes.yaml")
# The parameters an organism may set for itself: those that come from practice or from a décret never published.
OVERRIDABLE = frozenset(
    {
        "relance_delai_jours",
        "mise_en_demeure_apres_relance_jours",
        "coordination_seuil_montant",
        "coordination_anciennete_mois",
    }
)
PREFIX = "recouvrement."

Overrides = Mapping[str, Mapping[str, Parameter]]


@dataclass(frozen=True, slots=True)
class Policy:
    """Delays and thresholds of the procedure in force on `on` for `organism` (amounts in cents)."""

    on: date
    organism: str | None
    relance_days: int
    mise_en_demeure_after_days: int
    mise_en_demeure_months: int
    opposition_days: int
    recours_amiable_months: int
    prescription_years: int
    prescription_start: tuple[int, int]  # (month, day) of the year after the year the sums are due for
    action_years: int
    abandon_threshold: int  # D133-1: the amount below which recovery may be abandoned, in cents
    trop_percu_months: int
    coordination_amount: int  # L613-3 al. 3, in cents
    coordination_months: int


def _load_overrides(path: Path) -> dict[str, dict[str, Parameter]]:
    """`organismes.yaml`: {organism key: {parameter: {start date: {value, reference, url}}}}, checked as the law's
    own values are (a start date, a value of the parameter's unit, a reference)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    raw = document.get("overrides") or {}
    if not isinstance(raw, Mapping):
        raise LawError(f"{path.name}: 'overrides' must be a mapping of organism keys")
    law = load_law()
    result: dict[str, dict[str, Parameter]] = {}
    for organism, parameters in raw.items():
        if not isinstance(parameters, Mapping):
            raise LawError(f"{path.name}: {organism}: a mapping of parameters is expected")
        for name, values in parameters.items():
            if name not in OVERRIDABLE:
                raise LawError(f"{path.name}: {organism}.{name}: not a parameter an organism may set")
            base = law.parameter(PREFIX + name)
            if not isinstance(values, Mapping) or not values:
                raise LawError(f"{path.name}: {organism}.{name}: dated values are expected")
            parsed = []
            for start, entry in sorted(values.items()):
                if not isinstance(entry, Mapping) or not str(entry.get("reference", "")).strip():
                    raise LawError(f"{path.name}: {organism}.{name} @ {start}: a value needs a reference")
                value = _parse_value(f"{organism}.{name}", base.unit, entry.get("value"))
                parsed.append(Value(date.fromisoformat(str(start)), value, str(entry["reference"]), entry.get("url")))
            starts = tuple(v.start for v in parsed)
            result.setdefault(str(organism), {})[name] = Parameter(
                base.key, base.description, base.unit, tuple(parsed), base.valid_until, starts
            )
    return result


@cache
def default_overrides() -> dict[str, dict[str, Parameter]]:
    return _load_overrides(OVERRIDES_FILE)


def _value(law: Law, name: str, on: date, organism: str | None, overrides: Overrides) -> ParamValue:
    own = overrides.get(organism or "", {}).get(name)
    if own is not None and own.values[0].start <= on:
        return own.at(min(on, own.valid_until)).value
    return law.value_near(PREFIX + name, on)


def _int(value: Any) -> int:
    assert isinstance(value, int)
    return value


def _cents(value: Any) -> int:
    assert isinstance(value, Decimal)
    return int(value * 100)


def abandon_threshold(law: Law, on: date) -> int:
    """D133-1: 2.5 % of the plafond mensuel de la sécurité sociale in force, "arrondi à l'euro supérieur", in cents
    (2026: 2.5 % × 4 005 € = 100,125 € → 101 €). The monthly plafond is the annual one / 12 (L241-3)."""
    rate = law.value_near(PREFIX + "seuil_abandon_pmss", on)
    annual = law.value_near("plafond_securite_sociale.annuel", on)
    assert isinstance(rate, Decimal) and isinstance(annual, Decimal)
    euros = (annual / 12 * rate).to_integral_value(rounding=ROUND_CEILING)
    return int(euros) * 100


def policy(on: date, organism: str | None = None, law: Law | None = None, overrides: Overrides | None = None) -> Policy:
    """The procedure's figures on `on` for the organism whose key is `organism` (`urssaf_ile_de_france`…)."""
    law = law or load_law()
    own = default_overrides() if overrides is None else overrides

    def get(name: str) -> ParamValue:
        return _value(law, name, on, organism, own)

    start = get("prescription_point_depart_ti")
    assert isinstance(start, date)
    return Policy(
        on=on,
        organism=organism,
        relance_days=_int(get("relance_delai_jours")),
        mise_en_demeure_after_days=_int(get("mise_en_demeure_apres_relance_jours")),
        mise_en_demeure_months=_int(get("mise_en_demeure_delai_mois")),
        opposition_days=_int(get("opposition_delai_jours")),
        recours_amiable_months=_int(get("recours_amiable_delai_mois")),
        prescription_years=_int(get("prescription_annees")),
        prescription_start=(start.month, start.day),
        action_years=_int(get("action_prescription_annees")),
        abandon_threshold=abandon_threshold(law, on),
        trop_percu_months=_int(get("trop_percu_delai_mois")),
        coordination_amount=_cents(get("coordination_seuil_montant")),
        coordination_months=_int(get("coordination_anciennete_mois")),
    )
