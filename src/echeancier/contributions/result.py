"""What a simulation returns: one line per contribution, each explaining its own value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from echeancier.contributions.situation import Situation
from echeancier.kernel.money import ZERO

# The contributions in the order URSSAF presents them, with their French names.
LABELS: dict[str, str] = {
    "maladie_maternite": "Maladie-maternité",
    "indemnites_journalieres": "Indemnités journalières",
    "retraite_base": "Retraite de base",
    "retraite_complementaire": "Retraite complémentaire",
    "invalidite_deces": "Invalidité-décès",
    "allocations_familiales": "Allocations familiales",
    "csg_crds": "CSG-CRDS",
    "formation_professionnelle": "Formation professionnelle (CFP)",
}
CONTRIBUTIONS: tuple[str, ...] = tuple(LABELS)


@dataclass(frozen=True, slots=True)
class Tranche:
    """A part of the base with the rate applied to it (amount before rounding)."""

    label: str
    base: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Line:
    """One contribution: its base, rate, amount and the articles it applies.

    `amount` is rounded to the euro (URSSAF practice) after any ACRE exemption; `gross` is the amount before the
    exemption. `minimum` is the minimum base when it replaced a lower income; `progressive` says that `rate` was
    interpolated on a taux progressif (rounded to the hundredth of a point).
    """

    key: str
    base: Decimal
    rate: Decimal
    amount: Decimal
    reference: str
    tranches: tuple[Tranche, ...] = ()
    gross: Decimal | None = None
    exoneration: Decimal = ZERO
    minimum: Decimal | None = None
    progressive: bool = False
    capped: Decimal | None = None

    @property
    def label(self) -> str:
        return LABELS[self.key]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "label": self.label,
            "amount": _num(self.amount),
            "base": _num(self.base),
            "rate": _num(self.rate),
            "reference": self.reference,
        }
        if self.tranches:
            data["tranches"] = [
                {"label": t.label, "base": _num(t.base), "rate": _num(t.rate), "amount": _num(t.amount)}
                for t in self.tranches
            ]
        if self.exoneration:
            data["exoneration_acre"] = _num(self.exoneration)
        if self.minimum is not None:
            data["minimum_base"] = _num(self.minimum)
        return data


@dataclass(frozen=True, slots=True)
class Simulation:
    """Every contribution of one income year, with the figures that explain them."""

    situation: Situation
    year: int
    regime: str
    income: Decimal  # the income retained (deficit as zero; solved gross income when given net)
    assiette_sociale: Decimal
    assiette_csg: Decimal
    abattement: Decimal | None
    pass_annuel: Decimal
    pass_proratise: Decimal
    jours_activite: int
    prorata: Decimal
    lines: tuple[Line, ...]
    total: Decimal
    acre_fraction: Decimal = ZERO
    notes: tuple[str, ...] = ()
    forfait: Simulation | None = field(default=None)

    def line(self, key: str) -> Line:
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.situation.id,
            "year": self.year,
            "total": _num(self.total),
            "contributions": {line.key: line.to_dict() for line in self.lines},
            "regime": self.regime,
            "income": _num(self.income),
            "assiette_sociale": _num(self.assiette_sociale),
            "assiette_csg": _num(self.assiette_csg),
            "pass": _num(self.pass_annuel),
            "pass_proratise": _num(self.pass_proratise),
            "jours_activite": self.jours_activite,
        }
        if self.abattement is not None:
            data["abattement"] = _num(self.abattement)
        if self.acre_fraction:
            data["acre_fraction"] = _num(self.acre_fraction)
        if self.notes:
            data["notes"] = list(self.notes)
        if self.forfait is not None:
            data["forfait_debut_activite"] = {
                "base": _num(self.forfait.assiette_sociale),
                "total": _num(self.forfait.total),
                "contributions": {line.key: line.to_dict() for line in self.forfait.lines},
            }
        return data


def _num(value: Decimal) -> int | float:
    """A JSON number: an int when whole, else a float of the exact decimal (amounts are at most cents)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
