"""What a simulation returns: one line per contribution, each explaining its own value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from echeancier.contributions.situation import Situation
from echeancier.kernel.money import ZERO

if TYPE_CHECKING:
    from echeancier.rights import Rights

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
# What Mayotte's exemption of the first 24 months is called on its lines (ordonnance 96-1122 art. 28-8).
EXONERATION_MAYOTTE = "exonération de début d'activité (24 mois)"
# The JSON key of a line's exemption other than ACRE's (`exoneration_acre`): the exemptions of a contributor's own
# situation (`contributions.exonerations`), the overseas start-of-activity exemption (`contributions.debut_outre_mer`)
# and Mayotte's (until 2026-12 written `exoneration_acre`, which ACRE's alone now is: docs/law-choices.md, 342).
_EXONERATION_KEYS = {
    "exonération invalidité": "exoneration_invalidite",
    "exonération liée à l'âge": "exoneration_age",
    "exonération de début d'activité outre-mer": "exoneration_debut_outre_mer",
    EXONERATION_MAYOTTE: "exoneration_mayotte",
    "abattement outre-mer (régime de croisière)": "abattement_outre_mer",
    "exonération de début d'activité et abattement outre-mer": "exoneration_debut_et_abattement_outre_mer",
}


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
    interpolated on a taux progressif (rounded to the hundredth of a point). `capped` is the ceiling of the base
    when the income reached it; `amount_cap` a ceiling of the amount itself (the CURPS: CSP D4031-45), whether
    reached or not (reached when `base × rate` is at least the cap).
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
    amount_cap: Decimal | None = None
    # what `exoneration` is: ACRE (CSS D131-6-1), or another exemption (its JSON key: _EXONERATION_KEYS)
    exoneration_label: str = "exonération ACRE"
    exoneration_reference: str = "CSS D131-6-1"
    # the body that collects it, shown for the professions libérales réglementées (`professions_liberales`)
    collected_by: str | None = None

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
            data[_EXONERATION_KEYS.get(self.exoneration_label, "exoneration_acre")] = _num(self.exoneration)
        if self.minimum is not None:
            data["minimum_base"] = _num(self.minimum)
        if self.collected_by is not None:
            data["collected_by"] = self.collected_by
        return data


class Explanation(Protocol):
    """What a Simulation keeps to explain itself: the values its rules computed (plain, picklable data)."""

    def lines(self) -> tuple[Line, ...]: ...

    def conjoint_lines(self) -> tuple[Line, ...]: ...

    def section_lines(self) -> tuple[Line, ...]: ...

    def forfait(self) -> Simulation | None: ...

    def rights(self) -> Rights: ...


@dataclass(frozen=True, slots=True, eq=False)
class Simulation:
    """Every contribution of one income year, with the figures that explain them.

    The amounts are computed with the simulation; the explanation of each line (`lines`) and the flat-rate
    provisional contributions of the first two years (`forfait`) are derived from the same computed integers when
    first asked for, so that a caller that needs only amounts does not pay for their explanation.
    """

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
    amounts: tuple[int, ...]  # whole euros, one per contribution in the order of CONTRIBUTIONS
    explanation: Explanation = field(repr=False)
    acre_fraction: Decimal = ZERO
    notes: tuple[str, ...] = ()
    # The conjoint collaborateur's contributions (CSS L662-1, D633-19-2), in the order of
    # `conjoint_collaborateur.KEYS`, and their base; empty / None without a conjoint collaborateur.
    conjoint_amounts: tuple[int, ...] = ()
    conjoint_assiette: Decimal | None = None
    # A health section's own contributions (`contributions.pamc.EXTRAS`: PCV, contribution additionnelle maladie,
    # CURPS), empty for every other situation.
    section_amounts: tuple[int, ...] = ()
    _lines: tuple[Line, ...] | None = field(default=None, init=False, repr=False)
    _forfait: tuple[Simulation | None] | None = field(default=None, init=False, repr=False)
    _rights: Rights | None = field(default=None, init=False, repr=False)

    @property
    def total(self) -> Decimal:
        """Every contribution the head pays, their conjoint collaborateur's included."""
        return decimal(sum(self.amounts) + sum(self.conjoint_amounts) + sum(self.section_amounts))

    @property
    def section_lines(self) -> tuple[Line, ...]:
        """A health section's PCV, contribution additionnelle maladie and CURPS (`contributions.pamc`), or none."""
        return self.explanation.section_lines() if self.section_amounts else ()

    @property
    def conjoint_lines(self) -> tuple[Line, ...]:
        """The conjoint collaborateur's lines (indemnités journalières, retraite de base, retraite complémentaire,
        invalidité-décès), or none."""
        return self.explanation.conjoint_lines() if self.conjoint_amounts else ()

    @property
    def lines(self) -> tuple[Line, ...]:
        if self._lines is None:
            object.__setattr__(self, "_lines", self.explanation.lines())
        assert self._lines is not None
        return self._lines

    @property
    def forfait(self) -> Simulation | None:
        """The provisional contributions of the first two civil years on the flat-rate base, or None."""
        if self._forfait is None:
            object.__setattr__(self, "_forfait", (self.explanation.forfait(),))
        assert self._forfait is not None
        return self._forfait[0]

    @property
    def rights(self) -> Rights:
        """The rights these contributions open (`echeancier.rights`), derived when first asked for."""
        if self._rights is None:
            object.__setattr__(self, "_rights", self.explanation.rights())
        assert self._rights is not None
        return self._rights

    def amount(self, key: str) -> Decimal:
        """The amount of one contribution (without building the explanation)."""
        return Decimal(self.amounts[CONTRIBUTIONS.index(key)])

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
        if self.section_amounts:
            data["contributions_section"] = {
                "total": _num(decimal(sum(self.section_amounts))),
                "contributions": {line.key: line.to_dict() for line in self.section_lines},
            }
        if self.conjoint_amounts:
            assert self.conjoint_assiette is not None and self.situation.conjoint_collaborateur is not None
            data["conjoint_collaborateur"] = {
                "option": self.situation.conjoint_collaborateur.value,
                "assiette": _num(self.conjoint_assiette),
                "total": _num(decimal(sum(self.conjoint_amounts))),
                "contributions": {line.key: line.to_dict() for line in self.conjoint_lines},
            }
        if self.forfait is not None:
            data["forfait_debut_activite"] = {
                "base": _num(self.forfait.assiette_sociale),
                "total": _num(self.forfait.total),
                "contributions": {line.key: line.to_dict() for line in self.forfait.lines},
            }
            if self.forfait.conjoint_amounts:
                data["forfait_debut_activite"]["conjoint_collaborateur"] = {
                    "total": _num(decimal(sum(self.forfait.conjoint_amounts))),
                    "contributions": {line.key: line.to_dict() for line in self.forfait.conjoint_lines},
                }
        data["rights"] = self.rights.to_dict()
        return data


def decimal(n: int, per: int = 1) -> Decimal:
    """n / per as a Decimal: the display of an integer the rules computed (`per`: its unit, 100 for cents).

    The explanation of `simulate --jsonl` runs the same display code on columns of many rows
    (`contributions.traced`): a traced column stands for its rows' values and builds their display itself.
    """
    if type(n) is int and type(per) is int:
        return Decimal(n) if per == 1 else Decimal(n) / Decimal(per)
    from echeancier.contributions.traced import ratio

    traced: Decimal = ratio(n, per)
    return traced


def _num(value: Decimal) -> int | float:
    """A JSON number: an int when whole, else a float of the exact decimal (amounts are at most cents)."""
    if type(value) is not Decimal:  # the traced display of many rows (`contributions.traced`), kept as is
        return value  # type: ignore[return-value]
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
