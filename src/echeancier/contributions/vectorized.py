"""The vectorised path: every contribution of many situations at once, equal to `simulate` to the euro (DESIGN §3).

`simulate_many(columns)` takes the situation fields of DESIGN §4 as columns — a mapping of field names to NumPy
arrays or lists, a Polars DataFrame or a PyArrow Table — and returns one whole-euro int64 column per contribution,
named like the lines of the scalar engine, plus `total` (and `id`, echoed, when given): a dict of NumPy arrays for
a mapping, a Polars DataFrame for a Polars input, a PyArrow Table for a PyArrow input.

Each rule below mirrors one scalar module and names the same articles. The law figures come from
`echeancier.law.snapshot(year)` for each income year of the batch. The batch is cut into blocks of `CHUNK` rows
(so that the intermediate arrays stay in the processor's cache), computed by `WORKERS` threads (NumPy releases the
GIL in its loops); within a block, the rows of each income year are computed together on whole arrays.

Exactness — why every row equals the scalar engine to the euro:

1. Integer arithmetic. Incomes and bases are int64 cents; rates are integers in millionths (`RATE`), PASS
   multiples in ten-thousandths (`FRAC`); an amount before rounding is a base in cents times a rate in millionths,
   i.e. an integer number of 1e-8 €. Every rounding the scalar engine makes (each contribution to the euro, the
   taux progressif to 4 decimals, the prorated PASS, the abatement, the minimum bases, the two CSG parts, the
   ACRE exemption of maladie-maternité) is done here on the exact rational value p / q with p, q integers, half up,
   as ``(2p + q) // (2q)`` (every rounded value is non-negative, where half up and half away from zero agree).
   Bounds: incomes are at most 10^8 € (`MAX_INCOME`), so a base is at most 10^10 cents and, the loader keeping
   rates within [0, 1], an amount is at most 10^16 units of 1e-8 € — far below 2^63 ≈ 9.2 × 10^18. The two
   products that can exceed int64 (the ACRE share of a proportional contribution, 1e-8 € × a fraction whose
   denominator reaches 10^10) go through `_mul_div_half_up`, exact by a modular argument given there. Figures
   that would break these scales (a rate with more than 6 decimals, a PASS in cents...) raise `LawError` when the
   year is first used, rather than compute anything inexact.
2. Where the scalar engine itself is not exact. `decimal` computes with 28 significant digits: a product, sum or
   division whose exact result fits in them is exact, others are rounded. Each value the scalar engine rounds or
   compares is, exactly, a fraction computed here: amounts up to 10^8 € with denominators up to 10^8 × 365 (at
   least 2.7 × 10^-11 € from any rounding boundary unless exactly on it, while the Decimal error is below 10^-18 €),
   and ACRE amounts up to 10^5 € with denominators below 2^60 (at least 8.6 × 10^-19 € away, Decimal error below
   10^-22 €). So both engines take the same side of every boundary the exact value is not on. A value exactly on a
   boundary could still differ when the scalar engine reaches it through a rounded intermediate:
   - the taux progressif: its only division has an exact quotient whose denominator divides
     10^6 × span × PASS; when that quotient terminates it has at most 26 decimals (`_check_exact_scale` holds this
     for each year), so `decimal` computes it exactly; when it does not terminate, it is not on a boundary;
   - the prorated PASS: taken from a table computed once per year with the scalar's own Decimal formula;
   - the pre-2025 retraite complémentaire ceiling (the RCI ceiling in euros × days / 365): `rci_unsafe_days`
     lists the day counts for which the Decimal prorata is rounded *and* the exact ceiling or tranche amount would
     terminate (none with the current figures: 73 divides neither the ceilings nor the rate difference); those rows
     go to the scalar engine;
   - the ACRE share (a division by the base, times the share of the year in days, times the gross amount): rows
     where an exact ACRE amount is exactly a half euro go to the scalar engine (which may round them the other way:
     it rounds the share to 28 digits first).
3. Rows the scalar engine computes. Besides those ties: incomes given net of contributions (`income_is_net`,
   solved by a search on the scalar path) and incomes that are not a whole number of cents. Their share of a batch
   is reported by nothing but speed; their results are the scalar ones by construction.

Invalid input raises `RowInputError` (an `InputError`) naming the first invalid row (0-based) and the field, with
the same rules and messages as a single `Situation`: unknown profession, year outside the law parameters, income
not a number or beyond `MAX_INCOME`, start after the year, end outside the year or before the start, ACRE without
a start date, an unknown column, columns of different lengths. A null in an optional column means "not given"
(no date, false); a null in `year`, `profession` or `income` is an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.scales import taux_progressif
from echeancier.contributions.situation import MAX_INCOME, InputError, Profession
from echeancier.kernel.dates import ONE_DAY, add_months
from echeancier.kernel.money import round_euro, to_decimal
from echeancier.law.loader import LawError
from echeancier.law.snapshot import LawSnapshot, Scale, provisional_snapshot, snapshot, supported_years

__all__ = ["CHUNK", "RowInputError", "simulate_many"]

I64: TypeAlias = npt.NDArray[np.int64]
Bools: TypeAlias = npt.NDArray[np.bool_]

RATE = 10**6  # rates in millionths
FRAC = 10**4  # multiples of the PASS in ten-thousandths
EURO = 100 * RATE  # an amount (cents × millionths) per euro
CHUNK = 1 << 17  # rows per block: the intermediate arrays of a block stay in the processor's cache
WORKERS = min(4, os.cpu_count() or 1)  # blocks computed in parallel (NumPy releases the GIL in its loops)
NAT = np.iinfo(np.int64).min  # datetime64 NaT as int64
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

PROFESSIONS: tuple[str, ...] = tuple(p.value for p in Profession)
FIELDS = ("id", "year", "profession", "income", "start_date", "end_date", "acre", "rsa", "income_is_net")
COTISATIONS = CONTRIBUTIONS[:6]  # the six contributions before CSG-CRDS and the CFP


class RowInputError(InputError):
    """An input that cannot be simulated, in row `row` (0-based) of a batch."""

    def __init__(self, row: int, field: str, message: str) -> None:
        super().__init__(field, message)
        self.row = row
        self.args = (f"row {row}: {field}: {message}",)


# --------------------------------------------------------------------------------------------------------------
# Exact integer helpers


def _half_up(numerator: I64, denominator: int | I64) -> I64:
    """numerator / denominator rounded half up, for numerator ≥ 0 and denominator > 0 (kernel.money)."""
    if isinstance(denominator, int) and denominator % 2 == 0:
        return (numerator + denominator // 2) // denominator
    return (2 * numerator + denominator) // (2 * denominator)


def _half_up_tie(numerator: I64, denominator: int | I64) -> tuple[I64, Bools]:
    """As `_half_up`, with the rows whose exact value is a half (the rounding boundary)."""
    return _half_up(numerator, denominator), 2 * (numerator % denominator) == denominator


def _mul_div_half_up(a: I64, b: I64, d: I64) -> tuple[I64, Bools]:
    """a × b / d rounded half up, exactly, and whether it was a tie — though a × b may exceed int64.

    For 0 ≤ a, b < 2^53, 0 < d < 2^60 and a quotient below 2^40: the float64 estimate q of a × b / d is within 1 of
    the true quotient, so the true remainder r = a × b − q × d lies in [−2d, 2d] ⊂ (−2^63, 2^63). NumPy's int64
    products wrap modulo 2^64, and the difference of two numbers congruent to a × b and q × d modulo 2^64 that is
    known to lie in (−2^63, 2^63) is r itself. Two corrections bring r into [0, d); the half up step compares 2r
    with d (below 2^61).
    """
    q = np.floor(a.astype(np.float64) * b.astype(np.float64) / d.astype(np.float64)).astype(np.int64)
    r = a * b - q * d  # wraps modulo 2^64 to the exact remainder
    low = r < 0
    q, r = np.where(low, q - 1, q), np.where(low, r + d, r)
    high = r >= d
    q, r = np.where(high, q + 1, q), np.where(high, r - d, r)
    return q + (2 * r >= d), 2 * r == d


def _fixed(value: Decimal, scale: int, what: str) -> int:
    """`value` as an integer number of 1/scale, or LawError if it has more decimals."""
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise LawError(f"{what}: {value} has more decimals than simulate_many computes exactly (1/{scale})")
    return int(scaled)


def _terminates(value: Fraction) -> bool:
    """Whether a fraction has a finite decimal expansion (no prime factor but 2 and 5 in its denominator)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


# --------------------------------------------------------------------------------------------------------------
# The law of one year, as integers


@dataclass(frozen=True, slots=True)
class _Scale:
    thresholds: tuple[int, ...]  # PASS multiples in FRAC
    rates: tuple[int, ...]  # in RATE


@dataclass(frozen=True, slots=True)
class _Law:
    """The figures of `LawSnapshot` for one income year, in the integer units of this module."""

    year: int
    first_day: int  # 1 January, in days since 1970-01-01
    last_day: int
    days_in_year: int
    apres_reforme: bool
    pass_annuel: int  # euros
    jours_prorata: int
    pass_proratise: I64  # euros, by min(days, jours_prorata) (R613-17), with the scalar's Decimal formula
    progressive_divisor: int  # RATE / 10**decimales_taux_progressif
    abattement_taux: int
    abattement_plancher: int  # euros, rounded
    abattement_plafond: int  # euros, rounded
    maladie_bareme: _Scale
    maladie_plafond_tranche_1: int  # FRAC, a whole number of hundredths
    maladie_taux_tranche_2: int
    maladie_taux_seuil_acre: int  # taux progressif at 75 % of the PASS (the same for every PASS)
    ij_taux: int
    ij_taux_revenu_faible: int
    ij_seuil_revenu_faible: int  # FRAC
    ij_assiette_minimale: int  # cents, rounded to the euro
    ij_plafond: int  # cents
    rb_taux_plafonne: int
    rb_taux_deplafonne: int
    rb_assiette_minimale: int  # cents, rounded to the euro
    rb_duree_minimale_affiliation: int
    rci_taux_tranche_1: int
    rci_taux_tranche_2: int
    rci_plafond_tranche_1_pass: int | None  # FRAC (from 2025)
    rci_plafond_tranche_1_montant: int | None  # cents (up to 2024)
    rci_plafond_tranche_2: int  # FRAC
    rci_unsafe_days: Bools  # by min(days, jours_prorata): Decimal prorata may decide a tie (see module docstring)
    id_taux: int
    id_assiette_minimale: int  # FRAC
    id_plafond: int  # FRAC
    af_bareme: _Scale
    csg_taux_deductible: int
    csg_taux_non_deductible_crds: int
    cfp: I64  # euros, by profession code
    acre_maximum: tuple[int, int]  # fraction (numerator, denominator)
    acre_ratio: tuple[int, int]  # seuil_degressivite / (seuil_sortie − seuil_degressivite)
    acre_seuil_degressivite: int  # FRAC
    acre_seuil_sortie: int  # FRAC
    acre_duree_mois: int
    acre_duree_jours: int
    acre_window: Bools  # by days between the start and 1 January: the 12 months reach into the year


def _scale(scale: Scale, what: str) -> _Scale:
    return _Scale(
        tuple(_fixed(t, FRAC, what) for t, _ in scale),
        tuple(_fixed(r, RATE, what) for _, r in scale),
    )


def _check_exact_scale(scale: _Scale, pass_annuel: int, what: str) -> None:
    """LawError unless the scalar engine computes this scale's interpolation exactly whenever it terminates.

    The quotient Δr × (assiette − low) / (span × PASS) has a denominator dividing 10^6 × span (FRAC) × PASS; a
    terminating one has at most 6 + max(v2, v5)(span) + log2(PASS) decimals, which must stay within `decimal`'s 28
    significant digits (the quotient being below 1).
    """
    for low, high in zip(scale.thresholds, scale.thresholds[1:], strict=False):
        span, twos, fives = high - low, 0, 0
        while span % 2 == 0:
            span, twos = span // 2, twos + 1
        while span % 5 == 0:
            span, fives = span // 5, fives + 1
        if 6 + max(twos, fives) + pass_annuel.bit_length() > 27:
            raise LawError(f"{what}: the span {high - low} / {FRAC} is beyond the exact range of simulate_many")


def _whole_cents_fraction(value: Decimal, what: str) -> int:
    """A PASS multiple used as a base: in FRAC, and a whole number of hundredths so that it is whole cents."""
    fixed = _fixed(value, FRAC, what)
    if fixed % 100:
        raise LawError(f"{what}: {value} × PASS must be whole cents for simulate_many")
    return fixed


@lru_cache(maxsize=64)
def _law(year: int, provisional: bool = False) -> _Law:
    law = provisional_snapshot(year) if provisional else snapshot(year)
    pass_annuel = _fixed(law.pass_annuel, 1, "plafond_securite_sociale.annuel")
    jours = law.jours_prorata
    decimals = law.decimales_taux_progressif
    if not 0 <= decimals <= 6:
        raise LawError(f"calcul.decimales_taux_progressif: {decimals} is beyond the 6 decimals of simulate_many")
    # R613-17, as assiettes.activity computes it (the Decimal prorata is rounded when 365 ∤ days).
    proratise = [
        int(round_euro(law.pass_annuel * min(Decimal(days) / Decimal(jours), Decimal(1)))) for days in range(jours + 1)
    ]
    maladie = _scale(law.maladie_bareme, "maladie_maternite.bareme")
    af = _scale(law.af_bareme, "allocations_familiales.bareme")
    _check_exact_scale(maladie, pass_annuel, "maladie_maternite.bareme")
    _check_exact_scale(af, pass_annuel, "allocations_familiales.bareme")
    sd = _whole_cents_fraction(law.acre_seuil_degressivite, "acre.seuil_degressivite")
    ss = _whole_cents_fraction(law.acre_seuil_sortie, "acre.seuil_sortie")
    plafond_1 = _whole_cents_fraction(law.maladie_plafond_tranche_1, "maladie_maternite.plafond_tranche_1")
    if not 0 < sd < ss or sd > plafond_1:
        raise LawError("acre: simulate_many needs 0 < seuil_degressivite < seuil_sortie ≤ maladie plafond_tranche_1")
    rci_taux_1 = _fixed(law.rci_taux_tranche_1, RATE, "retraite_complementaire.taux_tranche_1")
    rci_taux_2 = _fixed(law.rci_taux_tranche_2, RATE, "retraite_complementaire.taux_tranche_2")
    montant = law.rci_plafond_tranche_1_montant
    unsafe = np.zeros(jours + 1, dtype=np.bool_)
    if montant is not None:
        for days in range(1, jours + 1):
            prorata = min(Decimal(days) / Decimal(jours), Decimal(1))
            exact = Fraction(min(days, jours), jours)
            limit = Fraction(montant) * exact
            if Fraction(prorata) != exact or Fraction(montant * prorata) != limit:
                unsafe[days] = _terminates(limit) or _terminates(limit * (rci_taux_2 - rci_taux_1))
    maximum = Fraction(law.acre_exoneration_maximale)
    ratio = Fraction(sd, ss - sd)
    result = _Law(
        year=year,
        first_day=_day(date(year, 1, 1)),
        last_day=_day(date(year, 12, 31)),
        days_in_year=_day(date(year + 1, 1, 1)) - _day(date(year, 1, 1)),
        apres_reforme=law.apres_reforme,
        pass_annuel=pass_annuel,
        jours_prorata=jours,
        pass_proratise=np.array(proratise, dtype=np.int64),
        progressive_divisor=10 ** (6 - decimals),
        abattement_taux=_fixed(law.abattement_taux or Decimal(0), RATE, "abattement.taux"),
        abattement_plancher=int(round_euro((law.abattement_plancher or Decimal(0)) * law.pass_annuel)),
        abattement_plafond=int(round_euro((law.abattement_plafond or Decimal(0)) * law.pass_annuel)),
        maladie_bareme=maladie,
        maladie_plafond_tranche_1=plafond_1,
        maladie_taux_tranche_2=_fixed(law.maladie_taux_tranche_2, RATE, "maladie_maternite.taux_tranche_2"),
        # The rate at 75 % of the PASS does not depend on the PASS: its interpolation ratio is (0.75 − t) / span.
        maladie_taux_seuil_acre=_fixed(
            taux_progressif(
                law.maladie_bareme, law.acre_seuil_degressivite * law.pass_annuel, law.pass_annuel, decimals
            ),
            RATE,
            "maladie_maternite.bareme",
        ),
        ij_taux=_fixed(law.ij_taux, RATE, "indemnites_journalieres.taux"),
        ij_taux_revenu_faible=_fixed(law.ij_taux_revenu_faible, RATE, "indemnites_journalieres.taux_revenu_faible"),
        ij_seuil_revenu_faible=_fixed(law.ij_seuil_revenu_faible, FRAC, "indemnites_journalieres.seuil_revenu_faible"),
        ij_assiette_minimale=100 * int(round_euro(law.ij_assiette_minimale * law.pass_annuel)),
        ij_plafond=_fixed(law.ij_plafond * law.pass_annuel, 100, "indemnites_journalieres.plafond"),
        rb_taux_plafonne=_fixed(law.rb_taux_plafonne, RATE, "retraite_base.taux_plafonne"),
        rb_taux_deplafonne=_fixed(law.rb_taux_deplafonne, RATE, "retraite_base.taux_deplafonne"),
        rb_assiette_minimale=100 * int(round_euro(law.rb_assiette_minimale_heures * law.smic_horaire)),
        rb_duree_minimale_affiliation=law.rb_duree_minimale_affiliation,
        rci_taux_tranche_1=rci_taux_1,
        rci_taux_tranche_2=rci_taux_2,
        rci_plafond_tranche_1_pass=(
            None
            if law.rci_plafond_tranche_1_pass is None
            else _whole_cents_fraction(law.rci_plafond_tranche_1_pass, "retraite_complementaire.plafond_tranche_1")
        ),
        rci_plafond_tranche_1_montant=(
            None if montant is None else _fixed(montant, 100, "retraite_complementaire.plafond_tranche_1_montant")
        ),
        rci_plafond_tranche_2=_whole_cents_fraction(law.rci_plafond_tranche_2, "retraite_complementaire.plafond_2"),
        rci_unsafe_days=unsafe,
        id_taux=_fixed(law.id_taux, RATE, "invalidite_deces.taux"),
        id_assiette_minimale=_fixed(law.id_assiette_minimale, FRAC, "invalidite_deces.assiette_minimale"),
        id_plafond=_whole_cents_fraction(law.id_plafond, "invalidite_deces.plafond"),
        af_bareme=af,
        csg_taux_deductible=_fixed(law.csg_taux_deductible, RATE, "csg_crds.taux_csg_deductible"),
        csg_taux_non_deductible_crds=_fixed(law.csg_taux_non_deductible + law.crds_taux, RATE, "csg_crds"),
        cfp=np.array([int(_cfp(law, p)) for p in PROFESSIONS], dtype=np.int64),
        acre_maximum=(maximum.numerator, maximum.denominator),
        acre_ratio=(ratio.numerator, ratio.denominator),
        acre_seuil_degressivite=sd,
        acre_seuil_sortie=ss,
        acre_duree_mois=law.acre_duree_mois,
        acre_duree_jours=jours * law.acre_duree_mois // 12,
        acre_window=np.array(
            [
                add_months(date(year, 1, 1) - timedelta(days=before), law.acre_duree_mois) - ONE_DAY >= date(year, 1, 1)
                for before in range(jours * law.acre_duree_mois // 12 + 1)
            ],
            dtype=np.bool_,
        ),
    )
    # The ACRE share of a proportional contribution divides by maximum × ratio × base (≤ PASS) × days: keep the
    # denominator of `_mul_div_half_up` below 2^60, and the maladie exemption's products below 2^62.
    sortie = ss * pass_annuel // 100  # cents
    too_large = maximum.denominator * ratio.denominator * sortie * jours * EURO >= 2**60
    too_large |= RATE * sortie * maximum.numerator * max(ratio.numerator, ratio.denominator) * jours >= 2**62
    if too_large:
        raise LawError(f"acre: the figures of {year} exceed the exact range of simulate_many")
    return result


def _cfp(law: LawSnapshot, profession: str) -> Decimal:
    """Formation professionnelle — C. trav. L6331-48; CGI 1601 B for artisans: a share of the annual PASS."""
    rate = {
        "artisan": law.cfp_taux_artisan,
        "commercant": law.cfp_taux_commercant,
        "liberal": law.cfp_taux_liberal,
    }[profession]
    return round_euro(law.pass_annuel * rate)


def _day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


# --------------------------------------------------------------------------------------------------------------
# The rules, one function per scalar module


@dataclass(slots=True)
class _Rows:
    """Rows of one income year: the inputs and what every rule needs (mirrors `Context`)."""

    assiette: I64  # cents, never negative
    assiette_u: I64  # the assiette in 1e-4 € (to compare with PASS multiples)
    pass_proratise: I64  # euros
    days: I64
    partial: Bools
    minimums: Bools  # False with RSA / prime d'activité
    acre: I64  # the rows with an ACRE exemption this year (indices)
    acre_num: I64  # for those rows, the share of the year covered by the 12 months: num / den
    acre_den: I64
    ties: Bools  # rows to compute with the scalar engine
    share: _Share | None = None  # the ACRE share for the assiette sociale (retraite de base, invalidité-décès, AF)


def _activity(law: _Law, start: I64, end: I64) -> tuple[I64, Bools, I64]:
    """Days of activity in the year and the prorated PASS — CSS R613-17 (assiettes.activity).

    The activity runs from the start date (1 January if earlier or not given) to the end date (31 December if not
    given); the PASS of a partial year is prorated over 365 days and rounded to the euro.
    """
    has_start, has_end = start != NAT, end != NAT
    if not (has_start.any() or has_end.any()):
        return (
            np.full(start.shape, law.days_in_year),
            np.zeros(start.shape, np.bool_),
            np.full(start.shape, law.pass_annuel),
        )
    first = np.where(has_start, np.maximum(start, law.first_day), law.first_day)
    last = np.where(has_end, end, law.last_day)
    days = np.maximum(last - first + 1, 0)
    partial = days < law.days_in_year
    proratise = np.where(partial, law.pass_proratise[np.minimum(days, law.jours_prorata)], law.pass_annuel)
    return days, partial, proratise


def _assiette(law: _Law, income: I64) -> I64:
    """The assiette sociale in cents — CSS L131-6, L136-3, D136-5 (assiettes.assiette_apres_abattement).

    Up to 2024 the revenu professionnel itself. From 2025 the revenu brut less 26 %, the abatement being rounded
    to the euro and bounded by 1.76 % and 130 % of the annual PASS (rounding is monotonic, so rounding the bounded
    value or bounding the rounded value with rounded bounds is the same), the base rounded to the euro.
    """
    if not law.apres_reforme:
        return income
    abattement = _half_up(law.abattement_taux * income, EURO)
    abattement = np.clip(abattement, law.abattement_plancher, law.abattement_plafond)
    return 100 * _half_up(np.maximum(income - 100 * abattement, 0), 100)


def _acre(law: _Law, acre: Bools, start: I64, days: I64) -> tuple[I64, I64, I64]:
    """The ACRE exemption of the year — CSS L131-6-4, D131-6-1 (acre.acre): the rows it applies to, and the share of
    the year it covers (num / den) for each of them.

    LAW (as the scalar engine): the exemption covers the 12 months after the start; a creation in the year is
    exempted for all its days; for a creation of the previous year, URSSAF counts the 12 months as 365 days, and the
    share is the remaining days over the days of activity of the year (at most 365), at most 1.
    """
    rows = np.flatnonzero(acre & (start != NAT))
    since = start[rows]
    before = since < law.first_day
    num = np.ones_like(rows)
    den = np.ones_like(rows)
    if before.any():
        # Whether the 12 months end on or after 1 January (kernel.dates.add_months, tabulated by the law) and the
        # days of them left in the year; a start more than 365 days before leaves none.
        elapsed = law.first_day - since[before]
        remaining = law.acre_duree_jours - elapsed
        in_window = law.acre_window[np.minimum(elapsed, law.acre_duree_jours)]
        active = np.minimum(days[rows[before]], law.jours_prorata)
        num[before] = np.minimum(remaining, active)
        den[before] = active
        applies = np.ones_like(before)
        applies[before] = in_window & (remaining > 0)
        rows, num, den = rows[applies], num[applies], den[applies]
    return rows, num, den


def _taux_progressif(scale: _Scale, rows: _Rows, divisor: int) -> I64:
    """A taux progressif in RATE — CSS D621-2, D613-1 (scales.taux_progressif).

    Constant before the first threshold and after the last, linear between two thresholds (multiples of the
    prorated PASS), rounded half up to `decimales_taux_progressif` decimals; it applies to the whole base.
    In 1e-4 €: rate × 10^decimals = (r_low × span + Δr × (assiette − low)) / (RATE / 10^decimals × span).
    """
    thresholds, rates = scale.thresholds, scale.rates
    assiette_u, pass_ = rows.assiette_u, rows.pass_proratise
    last = len(thresholds) - 1
    if last == 0:
        return np.full_like(assiette_u, rates[0])
    # The segment: how many thresholds after the first the assiette reaches.
    if last == 1:
        segment = assiette_u >= thresholds[1] * pass_
        low = thresholds[0] * pass_
        span = (thresholds[1] - thresholds[0]) * pass_
        numerator = rates[0] * span + (rates[1] - rates[0]) * (assiette_u - low)
    else:
        index = np.zeros(assiette_u.shape, dtype=np.intp)
        for threshold in thresholds[1:]:
            index += assiette_u >= threshold * pass_
        segment = index == last
        # Tables by segment, with a dummy span past the last point (its rate is replaced below).
        low_t = np.array(thresholds, dtype=np.int64)
        span_t = np.array([*np.diff(thresholds), 1], dtype=np.int64)
        low_r = np.array(rates, dtype=np.int64)
        delta_r = np.array([*np.diff(rates), 0], dtype=np.int64)
        low = low_t[index] * pass_
        span = span_t[index] * pass_
        numerator = low_r[index] * span + delta_r[index] * (assiette_u - low)
    rate = _half_up(np.maximum(numerator, 0), divisor * span) * divisor
    rate = np.where(segment, rates[-1], rate)
    first = (assiette_u <= thresholds[0] * pass_) | (pass_ <= 0)
    return np.where(first, rates[0], rate)


@dataclass(frozen=True, slots=True)
class _Share:
    """What ACRE leaves due of a proportional contribution, kept / whole, for the rows `idx` (others: all of it)."""

    idx: I64
    kept: I64
    whole: I64


def _taux_exoneration(law: _Law, rows: _Rows, acre_assiette: I64) -> _Share:
    """The ACRE share of a proportional contribution for the base `acre_assiette` (cents) — CSS D131-6-1
    (acre.taux_exoneration).

    The maximum share below 75 % of the prorated PASS (or for a nil base), nil above 100 %, and
    maximum × 75 % PASS × (PASS − R) / ((PASS − 75 % PASS) × R) between; times the share of the year covered by the
    12 months, at most 1.
    """
    base = acre_assiette[rows.acre]
    pass_ = rows.pass_proratise[rows.acre]
    exempted_rows = 100 * base <= law.acre_seuil_sortie * pass_
    idx = rows.acre[exempted_rows]
    base, pass_ = base[exempted_rows], pass_[exempted_rows]
    num, den = rows.acre_num[exempted_rows], rows.acre_den[exempted_rows]
    m_num, m_den = law.acre_maximum
    k_num, k_den = law.acre_ratio
    full = (100 * base < law.acre_seuil_degressivite * pass_) | (base <= 0)
    # 1 − min(1, share × fraction) = kept / whole, with share = maximum × ratio × (PASS − R) / R between the bounds.
    whole = np.where(full, m_den * den, m_den * k_den * base * den)
    exempted = np.where(full, m_num * num, m_num * k_num * (law.acre_seuil_sortie // 100 * pass_ - base) * num)
    return _Share(idx, np.maximum(whole - exempted, 0), whole)


def _with_acre(rows: _Rows, gross: I64, share: _Share | None) -> I64:
    """A proportional contribution less its ACRE share, rounded to the euro (proportional.line_with_acre).

    `gross` is in 1e-8 €; rows whose exact amount is a half euro go to the scalar engine (module docstring, 2).
    """
    amount = _half_up(gross, EURO)
    if share is None or share.idx.size == 0:
        return amount
    value, tie = _mul_div_half_up(gross[share.idx], share.kept, share.whole * EURO)
    amount[share.idx] = value
    rows.ties[share.idx] |= tie
    return amount


def _maladie_maternite(law: _Law, rows: _Rows) -> I64:
    """Maladie-maternité — CSS L621-1, D621-1, D621-2 (maladie_maternite).

    A taux progressif of the assiette relative to the prorated PASS on tranche 1 (up to 5 PASS before 2025, 3 PASS
    from 2025), 6.5 % above; no minimum base. ACRE (D131-6-1): the whole contribution times the maximum share below
    75 % of the PASS, then (PASS − R) × E / (PASS − 75 % PASS) × maximum share, E the contribution on 75 % of the
    PASS, times the share of the year; that exemption is rounded to the euro before being subtracted.
    """
    assiette, pass_ = rows.assiette, rows.pass_proratise
    limit = law.maladie_plafond_tranche_1 // 100 * pass_  # cents
    rate = _taux_progressif(law.maladie_bareme, rows, law.progressive_divisor)
    gross = rate * np.minimum(assiette, limit) + law.maladie_taux_tranche_2 * np.maximum(assiette - limit, 0)
    if rows.acre.size:
        acre_pass = pass_[rows.acre]
        exempted_rows = rows.assiette_u[rows.acre] <= law.acre_seuil_sortie * acre_pass
        idx = rows.acre[exempted_rows]
        acre_pass = acre_pass[exempted_rows]
        num, den = rows.acre_num[exempted_rows], rows.acre_den[exempted_rows]
        m_num, m_den = law.acre_maximum
        k_num, k_den = law.acre_ratio
        below = rows.assiette_u[idx] < law.acre_seuil_degressivite * acre_pass
        # E = rate(75 % PASS) × 75 % PASS, and 75 % PASS / (PASS − 75 % PASS) = ratio, so the degressive
        # exemption is (PASS − R) × rate(75 %) × ratio × maximum share (the PASS cancels exactly).
        degressive = (law.acre_seuil_sortie // 100 * acre_pass - assiette[idx]) * law.maladie_taux_seuil_acre
        numerator = np.where(below, gross[idx] * m_num * k_den, degressive * m_num * k_num) * num
        exoneration, tie = _half_up_tie(numerator, m_den * k_den * den * EURO)
        gross[idx] = np.maximum(gross[idx] - exoneration * EURO, 0)
        rows.ties[idx] |= tie
    return _half_up(gross, EURO)


def _indemnites_journalieres(law: _Law, rows: _Rows) -> I64:
    """Indemnités journalières — CSS D621-3 (and D621-2 for 2023) (indemnites_journalieres).

    The rate (2023: 0.50 % below 40 % of the prorated PASS) of the assiette, at least 40 % of the annual PASS
    (rounded to the euro; not with RSA) and at most 5 annual PASS. ACRE on that floored base.
    """
    base = np.where(rows.minimums, np.maximum(rows.assiette, law.ij_assiette_minimale), rows.assiette)
    base = np.minimum(base, law.ij_plafond)
    low_income = rows.assiette_u < law.ij_seuil_revenu_faible * rows.pass_proratise
    rate = np.where(low_income, law.ij_taux_revenu_faible, law.ij_taux)
    share = _taux_exoneration(law, rows, base) if rows.acre.size else None
    return _with_acre(rows, rate * base, share)


def _retraite_base(law: _Law, rows: _Rows) -> I64:
    """Assurance vieillesse de base — CSS D633-2, D633-3 (retraite_base).

    The capped rate up to the prorated PASS, the uncapped rate above; the base is at least 450 hours of SMIC
    (rounded to the euro) unless the affiliation lasted less than 90 days in the year or with RSA. ACRE on the
    assiette sociale.
    """
    floored = rows.minimums & (rows.days >= law.rb_duree_minimale_affiliation)
    base = np.where(floored, np.maximum(rows.assiette, law.rb_assiette_minimale), rows.assiette)
    pass_ = 100 * rows.pass_proratise
    gross = law.rb_taux_plafonne * np.minimum(base, pass_) + law.rb_taux_deplafonne * np.maximum(base - pass_, 0)
    return _with_acre(rows, gross, rows.share)


def _retraite_complementaire(law: _Law, rows: _Rows) -> I64:
    """Retraite complémentaire des indépendants — CSS D635-7 (retraite_complementaire).

    Tranche 1 up to the RCI ceiling in euros times the prorata (up to 2024) or the prorated PASS (from 2025),
    tranche 2 up to 4 prorated PASS. No minimum, no ACRE.
    """
    base = np.minimum(rows.assiette, law.rci_plafond_tranche_2 // 100 * rows.pass_proratise)
    if law.rci_plafond_tranche_1_pass is not None:
        limit = law.rci_plafond_tranche_1_pass // 100 * rows.pass_proratise
        gross = law.rci_taux_tranche_1 * np.minimum(base, limit) + law.rci_taux_tranche_2 * np.maximum(base - limit, 0)
        return _half_up(gross, EURO)
    assert law.rci_plafond_tranche_1_montant is not None
    # Up to 2024 the ceiling is montant × days / 365 (not rounded): work in units of 1/365 cent.
    jours = law.jours_prorata
    prorata_days = np.where(rows.partial, np.minimum(rows.days, jours), jours)
    scaled = base * jours
    limit = law.rci_plafond_tranche_1_montant * prorata_days
    gross = law.rci_taux_tranche_1 * np.minimum(scaled, limit) + law.rci_taux_tranche_2 * np.maximum(scaled - limit, 0)
    rows.ties |= rows.partial & law.rci_unsafe_days[prorata_days]
    return _half_up(gross, EURO * jours)


def _invalidite_deces(law: _Law, rows: _Rows) -> I64:
    """Invalidité-décès — CSS D632-1, D632-2 (invalidite_deces).

    1.3 % of the assiette, at least 11.5 % of the prorated PASS rounded to the euro (not with RSA) and at most the
    prorated PASS. ACRE on the assiette sociale.
    """
    floor = 100 * _half_up(law.id_assiette_minimale * rows.pass_proratise, FRAC)
    base = np.where(rows.minimums, np.maximum(rows.assiette, floor), rows.assiette)
    base = np.minimum(base, law.id_plafond // 100 * rows.pass_proratise)
    return _with_acre(rows, law.id_taux * base, rows.share)


def _allocations_familiales(law: _Law, rows: _Rows) -> I64:
    """Allocations familiales — CSS L613-1, D613-1 (allocations_familiales).

    0 % up to 110 % of the prorated PASS, a taux progressif up to 3.10 % at 140 %, on the whole assiette. ACRE.
    """
    rate = _taux_progressif(law.af_bareme, rows, law.progressive_divisor)
    return _with_acre(rows, rate * rows.assiette, rows.share)


def _csg_crds(law: _Law, base: I64) -> I64:
    """CSG and CRDS — CSS L136-3, L136-8; ordonnance 96-50 art. 14 and 19 (csg_crds).

    The deductible CSG and the non-deductible CSG plus CRDS, each rounded to the euro, on `base` in cents.
    """
    return _half_up(law.csg_taux_deductible * base, EURO) + _half_up(law.csg_taux_non_deductible_crds * base, EURO)


_RULES: tuple[Callable[[_Law, _Rows], I64], ...] = (
    _maladie_maternite,
    _indemnites_journalieres,
    _retraite_base,
    _retraite_complementaire,
    _invalidite_deces,
    _allocations_familiales,
)


def _compute(law: _Law, block: _Block, where: slice | I64, out: dict[str, I64], ties: Bools) -> None:
    """Every contribution of the rows `where` of a block, all of income year `law.year` (engine.compute)."""
    income = np.maximum(block.cents[where], 0)  # CSS L131-6, R613-1-2 VI: a deficit counts as a nil income
    start = block.start[where]
    days, partial, proratise = _activity(law, start, block.end[where])
    assiette = _assiette(law, income)
    acre, acre_num, acre_den = _acre(law, block.acre[where], start, days)
    assiette_u = 100 * assiette
    rows = _Rows(
        assiette=assiette,
        assiette_u=assiette_u,
        pass_proratise=proratise,
        days=days,
        partial=partial,
        minimums=~block.rsa[where],
        acre=acre,
        acre_num=acre_num,
        acre_den=acre_den,
        ties=np.zeros(days.shape, dtype=np.bool_),
    )
    if acre.size:
        rows.share = _taux_exoneration(law, rows, assiette)
    cfp = law.cfp[block.profession[where]]
    out["formation_professionnelle"][where] = cfp
    cotisations = np.zeros_like(income)
    for key, rule in zip(COTISATIONS, _RULES, strict=True):
        amount = rule(law, rows)
        out[key][where] = amount
        cotisations += amount
    # L136-3: from 2025 the single assiette; before, the revenu professionnel plus the compulsory contributions.
    csg = _csg_crds(law, assiette if law.apres_reforme else income + 100 * cotisations)
    out["csg_crds"][where] = csg
    out["total"][where] = cfp + cotisations + csg
    ties[where] |= rows.ties


# --------------------------------------------------------------------------------------------------------------
# Reading and checking the columns

# Order in which a single Situation reports problems: field types in field order, then Situation._coherent_dates.
_TYPE_RANK = {name: rank for rank, name in enumerate(FIELDS)}
_YEAR_RANK, _START_RANK, _END_RANK, _ORDER_RANK, _ACRE_RANK = range(len(FIELDS), len(FIELDS) + 5)

_Problem: TypeAlias = tuple[int, int, str, str]  # row, rank, field, message


class _Problems:
    """The first invalid row of each check; the earliest row is reported, with the check the scalar makes first."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset
        self.found: list[_Problem] = []

    def add(self, mask: Bools, rank: int, field: str, message: Callable[[int], str]) -> None:
        if mask.any():
            row = int(np.argmax(mask))
            self.found.append((self.offset + row, rank, field, message(row)))


def _raise_first(found: Sequence[_Problem]) -> None:
    if found:
        row, _, field, message = min(found)
        raise RowInputError(row, field, message)


@dataclass(slots=True)
class _Columns:
    """The batch's columns, normalised without any per-row Python work for NumPy, Polars and PyArrow inputs."""

    n: int
    year: npt.NDArray[Any]  # an integer array
    profession: npt.NDArray[Any]  # strings, compared block by block, or int8 codes (`coded`)
    coded: bool
    profession_original: Any  # for the error message
    income: npt.NDArray[Any]  # euros (integer or float array), or int64 cents (`income_inexact` given)
    income_inexact: Bools | None  # for incomes read one by one: not a whole number of cents
    start: I64  # days since 1970-01-01, NAT when not given
    end: I64
    acre: Bools
    rsa: Bools
    net: Bools
    income_raw: Any  # the incomes as given, for the scalar engine
    ids: Any


@dataclass(slots=True)
class _Block:
    """A contiguous block of checked rows."""

    offset: I64  # year − first supported year
    profession: npt.NDArray[np.intp]
    cents: I64
    start: I64
    end: I64
    acre: Bools
    rsa: Bools


def _is_from(columns: object, package: str) -> bool:
    return type(columns).__module__.split(".")[0] == package


def _from_polars(frame: Any) -> dict[str, Any]:
    import polars as pl

    data: dict[str, Any] = {}
    for name in frame.columns:
        series = frame.get_column(name)
        if name == "id":
            data[name] = series
        elif name == "profession" and series.dtype in (pl.String, pl.Categorical, pl.Enum):
            codes = series.cast(pl.String).replace_strict(
                {p: i for i, p in enumerate(PROFESSIONS)}, default=-1, return_dtype=pl.Int8
            )
            data[name] = _Codes(codes.fill_null(-1).to_numpy(), series)
        elif series.dtype == pl.Boolean and name in ("acre", "rsa", "income_is_net"):
            data[name] = series.fill_null(False).to_numpy()
        elif series.dtype in (pl.Date, pl.Datetime):
            data[name] = series.to_numpy()  # NaT for nulls
        elif series.dtype in (pl.Decimal, pl.String, pl.Object) or series.null_count():
            data[name] = series.to_list()
        else:
            data[name] = series.to_numpy()
    return data


def _from_arrow(table: Any) -> dict[str, Any]:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    data: dict[str, Any] = {}
    for name in table.column_names:
        column = table.column(name)
        kind = column.type
        if name == "id":
            data[name] = column
        elif name == "profession" and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            codes = pc.fill_null(pc.index_in(column, value_set=pa.array(PROFESSIONS)), -1)
            data[name] = _Codes(codes.to_numpy().astype(np.int8), column)
        elif pa.types.is_boolean(kind) and name in ("acre", "rsa", "income_is_net"):
            data[name] = pc.fill_null(column, False).to_numpy()
        elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            data[name] = column.to_numpy()  # NaT for nulls
        elif pa.types.is_decimal(kind) or pa.types.is_string(kind) or column.null_count:
            data[name] = column.to_pylist()
        else:
            data[name] = column.to_numpy()
    return data


@dataclass(slots=True)
class _Codes:
    """Professions already coded (0, 1, 2; −1 when unknown) by Polars or PyArrow, with the original column."""

    codes: npt.NDArray[np.int8]
    original: Any

    def __len__(self) -> int:
        return len(self.codes)


def _array(values: Any) -> npt.NDArray[Any]:
    if isinstance(values, np.ndarray):
        return values
    array = np.asarray(values)
    if array.ndim != 1:
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
    return array


def _objects(values: Any) -> list[Any]:
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return [v.item() if isinstance(v, np.generic) else v for v in items]


def _got(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    elif hasattr(value, "as_py"):
        value = value.as_py()
    return f" (got {value!r})"


def _years(values: Any, problems: _Problems) -> npt.NDArray[Any]:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values
    # Read one by one (a list of ints and floats would become floats in an array): a year is an int, never 2025.0.
    items = _objects(values) if isinstance(values, np.ndarray) else list(values)
    bad = np.array([not (isinstance(v, int) and not isinstance(v, bool)) for v in items], dtype=np.bool_)
    problems.add(
        bad,
        _TYPE_RANK["year"],
        "year",
        lambda i: "is required" if items[i] is None else f"must be a whole number{_got(items[i])}",
    )
    return np.array([v if isinstance(v, int) else 0 for v in items], dtype=np.int64)


def _professions(values: Any, problems: _Problems) -> tuple[npt.NDArray[Any], bool, Any]:
    if isinstance(values, _Codes):
        return values.codes, True, values.original
    array = _array(values)
    if array.dtype.kind in "US":
        return array, False, array
    codes = np.full(len(array), -1, dtype=np.int8)
    for code, name in enumerate(PROFESSIONS):
        codes[array == name] = code
    return codes, True, array


def _incomes(values: Any, problems: _Problems) -> tuple[npt.NDArray[Any], Bools | None, Any]:
    array = _array(values)
    if array.dtype.kind in "iuf":
        return array, None, array
    items = _objects(array)
    cents = np.zeros(len(items), dtype=np.int64)
    inexact = np.zeros(len(items), dtype=np.bool_)
    bad = np.zeros(len(items), dtype=np.bool_)
    messages: dict[int, str] = {}
    for i, value in enumerate(items):
        try:
            if value is None:
                raise ValueError
            amount = to_decimal(value)
        except ValueError:
            bad[i] = True
            messages[i] = "is required" if value is None else f"must be a number of euros, got {value!r}"
            continue
        if abs(amount) > MAX_INCOME:
            bad[i] = True
            messages[i] = _implausible(amount)
            continue
        scaled = amount * 100
        if scaled == scaled.to_integral_value():
            cents[i] = int(scaled)
        else:
            inexact[i] = True
    problems.add(bad, _TYPE_RANK["income"], "income", lambda i: messages[i])
    return cents, inexact, items


def _implausible(income: Decimal) -> str:
    return f"{income} € is not a plausible yearly income (limit: {MAX_INCOME} €)"


def _dates(values: Any, field: str, n: int, problems: _Problems) -> I64:
    if values is None:
        return np.full(n, NAT, dtype=np.int64)
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        days: I64 = values.astype("datetime64[D]").view(np.int64)
        return days
    items = _objects(values)
    # Strings must be whole ISO dates (NumPy would also read "2025-03" as 1 March, and a number as days).
    if all(v is None or isinstance(v, date) or (isinstance(v, str) and _ISO_DATE.fullmatch(v)) for v in items):
        try:
            return np.array(items, dtype="datetime64[D]").view(np.int64)
        except (ValueError, TypeError):
            pass
    result = np.full(n, NAT, dtype=np.int64)
    bad = np.zeros(n, dtype=np.bool_)
    for i, value in enumerate(items):
        try:
            if isinstance(value, str):
                if not _ISO_DATE.fullmatch(value):
                    raise ValueError(value)
                value = date.fromisoformat(value)
            elif not (value is None or isinstance(value, date)):
                raise TypeError(value)
            result[i] = np.array([value], dtype="datetime64[D]").view(np.int64)[0]
        except (ValueError, TypeError):
            bad[i] = True
    problems.add(bad, _TYPE_RANK[field], field, lambda i: f"must be an ISO date (YYYY-MM-DD){_got(items[i])}")
    return result


def _flags(values: Any, field: str, n: int, problems: _Problems) -> Bools:
    if values is None:
        return np.zeros(n, dtype=np.bool_)
    array = _array(values)
    if array.dtype.kind == "b":
        return array
    rank = _TYPE_RANK[field]
    if array.dtype.kind in "iu":
        problems.add((array != 0) & (array != 1), rank, field, lambda i: f"must be true or false{_got(array[i])}")
        return np.asarray(array == 1, dtype=np.bool_)
    items = _objects(array)
    bad = np.array([not (v is None or isinstance(v, bool) or v in (0, 1)) for v in items], dtype=np.bool_)
    problems.add(bad, rank, field, lambda i: f"must be true or false{_got(items[i])}")
    return np.array([bool(v) and not b for v, b in zip(items, bad, strict=True)], dtype=np.bool_)


def _read(columns: Any, problems: _Problems) -> tuple[str, _Columns]:
    if _is_from(columns, "polars"):
        kind, data = "polars", _from_polars(columns)
    elif _is_from(columns, "pyarrow"):
        kind, data = "arrow", _from_arrow(columns)
    elif isinstance(columns, Mapping):
        kind, data = "mapping", dict(columns)
    else:
        raise InputError("columns", "must be a mapping of field names to arrays, a Polars DataFrame or a PyArrow Table")
    for name in data:
        if name not in FIELDS:
            raise InputError(str(name), "is not a known field")
    for name in ("year", "profession", "income"):
        if name not in data:
            raise InputError(name, "is required")
    n = len(data["year"])
    for name, values in data.items():
        if len(values) != n:
            raise InputError(name, f"has {len(values)} rows where year has {n}")
    year = _years(data["year"], problems)
    profession, coded, original = _professions(data["profession"], problems)
    income, inexact, raw = _incomes(data["income"], problems)
    return kind, _Columns(
        n=n,
        year=year,
        profession=profession,
        coded=coded,
        profession_original=original,
        income=income,
        income_inexact=inexact,
        start=_dates(data.get("start_date"), "start_date", n, problems),
        end=_dates(data.get("end_date"), "end_date", n, problems),
        acre=_flags(data.get("acre"), "acre", n, problems),
        rsa=_flags(data.get("rsa"), "rsa", n, problems),
        net=_flags(data.get("income_is_net"), "income_is_net", n, problems),
        income_raw=raw,
        ids=data.get("id"),
    )


def _iso(day: int | np.int64) -> str:
    return str(np.datetime64(int(day), "D"))


@dataclass(frozen=True, slots=True)
class _Years:
    """The income years the law covers, as tables indexed by year − first."""

    first: int
    laws: tuple[_Law | None, ...]  # None for a year absent from the batch
    first_day: I64
    last_day: I64


def _check_block(cols: _Columns, years: _Years, s: slice, problems: _Problems) -> tuple[_Block, Bools]:
    """The checks of a single Situation on a block of rows, and the rows the scalar engine computes."""
    offset = cols.year[s].astype(np.int64) - years.first
    outside = (offset < 0) | (offset >= len(years.laws))
    covered = supported_years()
    problems.add(
        outside,
        _YEAR_RANK,
        "year",
        lambda i: f"{cols.year[s][i]} is not covered by the law parameters ({covered[0]}–{covered[-1]})",
    )
    offset = np.where(outside, 0, offset)
    if cols.coded:
        codes = cols.profession[s].astype(np.intp)
    else:
        names = cols.profession[s]
        codes = np.full(len(names), -1, dtype=np.intp)
        for code, name in reversed(list(enumerate(PROFESSIONS))):
            codes = np.where(names == (name.encode() if names.dtype.kind == "S" else name), code, codes)
    problems.add(
        codes < 0,
        _TYPE_RANK["profession"],
        "profession",
        lambda i: "must be one of artisan, commercant, liberal" + _got(cols.profession_original[s][i]),
    )
    income = cols.income[s]
    if cols.income_inexact is not None:
        cents, inexact = income, cols.income_inexact[s]
    elif income.dtype.kind in "iu":
        too_large = np.abs(income) > int(MAX_INCOME)
        problems.add(too_large, _TYPE_RANK["income"], "income", lambda i: _implausible(Decimal(int(income[i]))))
        cents = np.where(too_large, 0, income).astype(np.int64) * 100
        inexact = np.zeros(len(income), dtype=np.bool_)
    else:
        finite = np.isfinite(income)
        problems.add(
            ~finite, _TYPE_RANK["income"], "income", lambda i: f"must be a number of euros, got {float(income[i])!r}"
        )
        too_large = finite & (np.abs(income) > float(MAX_INCOME))
        problems.add(too_large, _TYPE_RANK["income"], "income", lambda i: _implausible(to_decimal(float(income[i]))))
        clean = np.where(finite & ~too_large, income, 0.0)
        rounded = np.rint(clean * 100)
        # A float of magnitude ≤ 10^8 is the nearest one to cents / 100 exactly when its shortest repr has at most
        # two decimals, and to_decimal (which reads that repr) then gives cents / 100; other rows go to the scalar.
        inexact = rounded / 100 != clean
        cents = rounded.astype(np.int64)
    start, end = cols.start[s], cols.end[s]
    acre = cols.acre[s]
    has_start, has_end = start != NAT, end != NAT
    if has_start.any() or has_end.any():
        first, last = years.first_day[offset], years.last_day[offset]
        problems.add(
            has_start & (start > last),
            _START_RANK,
            "start_date",
            lambda i: f"{_iso(start[i])} is after the income year {cols.year[s][i]}",
        )
        problems.add(
            has_end & ((end < first) | (end > last)),
            _END_RANK,
            "end_date",
            lambda i: f"{_iso(end[i])} is not in the income year {cols.year[s][i]}",
        )
        problems.add(
            has_start & has_end & (end < start),
            _ORDER_RANK,
            "end_date",
            lambda i: f"{_iso(end[i])} is before start_date {_iso(start[i])}",
        )
    problems.add(
        acre & ~has_start,
        _ACRE_RANK,
        "acre",
        lambda i: "ACRE needs the start_date of the activity (creation or takeover)",
    )
    block = _Block(offset, codes, cents, start, end, acre, cols.rsa[s])
    return block, inexact | cols.net[s]


def _run_block(cols: _Columns, years: _Years, s: slice, out: dict[str, I64], fallback: Bools) -> list[_Problem]:
    """Check and compute one block of rows; returns its problems (nothing is computed for a block with any)."""
    problems = _Problems(s.start or 0)
    block, scalar = _check_block(cols, years, s, problems)
    if problems.found:
        return problems.found
    views = {key: column[s] for key, column in out.items()}
    ties = scalar.copy()
    counts = np.bincount(block.offset, minlength=len(years.laws))
    for offset in np.flatnonzero(counts):
        law = years.laws[offset]
        assert law is not None
        where: slice | I64 = (
            slice(None) if counts[offset] == len(block.offset) else np.flatnonzero(block.offset == offset)
        )
        _compute(law, block, where, views, ties)
    fallback[s] = ties
    return []


# --------------------------------------------------------------------------------------------------------------
# The batch


def simulate_many(columns: Mapping[str, Sequence[Any] | npt.NDArray[Any]] | Any, *, provisional: bool = False) -> Any:
    """Every contribution of many situations, equal to `simulate` row by row (see the module docstring).

    `columns`: `year`, `profession`, `income` and optionally `id`, `start_date`, `end_date`, `acre`, `rsa`,
    `income_is_net`, as a mapping of NumPy arrays or lists, a Polars DataFrame or a PyArrow Table. Returns the
    whole-euro amounts (int64) of maladie_maternite, indemnites_journalieres, retraite_base, retraite_complementaire,
    invalidite_deces, allocations_familiales, csg_crds, formation_professionnelle and total, with `id` first when
    given: a dict of NumPy arrays, or a Polars DataFrame / PyArrow Table for such an input. Raises `RowInputError`
    for the first invalid row, `LawError` for law figures the exact integer method cannot hold.

    `provisional=True` computes each year with the law of its provisional contributions (`provisional_snapshot`:
    in 2025 the former rules with the 2025 PASS, as URSSAF called them — the échéancier's amounts).
    """
    problems = _Problems()
    kind, cols = _read(columns, problems)
    years = _years_of(cols, provisional)
    out = {key: np.zeros(cols.n, dtype=np.int64) for key in (*CONTRIBUTIONS, "total")}
    fallback = np.zeros(cols.n, dtype=np.bool_)
    blocks = [slice(begin, min(begin + CHUNK, cols.n)) for begin in range(0, cols.n, CHUNK)]
    found = list(problems.found)
    if len(blocks) > 1 and WORKERS > 1:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for result in pool.map(lambda s: _run_block(cols, years, s, out, fallback), blocks):
                found.extend(result)
    else:
        for s in blocks:
            found.extend(_run_block(cols, years, s, out, fallback))
    _raise_first(found)
    for i in np.flatnonzero(fallback):
        _scalar_row(cols, int(i), out, provisional)
    return _wrap(kind, out, cols.ids)


def _years_of(cols: _Columns, provisional: bool = False) -> _Years:
    """The law of every covered year present in the batch (built before the blocks run in threads)."""
    covered = supported_years()
    present = np.zeros(len(covered), dtype=np.bool_)
    if cols.n:
        offset = cols.year.astype(np.int64) - covered.start
        inside = (offset >= 0) & (offset < len(covered))
        present = np.bincount(offset[inside], minlength=len(covered)) > 0
    return _Years(
        first=covered.start,
        laws=tuple(_law(year, provisional) if present[i] else None for i, year in enumerate(covered)),
        first_day=np.array([_day(date(year, 1, 1)) for year in covered], dtype=np.int64),
        last_day=np.array([_day(date(year, 12, 31)) for year in covered], dtype=np.int64),
    )


def _scalar_row(cols: _Columns, i: int, out: dict[str, I64], provisional: bool = False) -> None:
    """One row through the scalar engine (net incomes, sub-cent incomes, exact ACRE ties)."""
    from echeancier.contributions.engine import simulate

    raw = cols.income_raw[i]
    profession = cols.profession[i]
    situation = {
        "year": int(cols.year[i]),
        "profession": PROFESSIONS[int(profession)] if cols.coded else _text(profession),
        "income": raw.item() if isinstance(raw, np.generic) else raw,
        "start_date": None if cols.start[i] == NAT else date.fromisoformat(_iso(cols.start[i])),
        "end_date": None if cols.end[i] == NAT else date.fromisoformat(_iso(cols.end[i])),
        "acre": bool(cols.acre[i]),
        "rsa": bool(cols.rsa[i]),
        "income_is_net": bool(cols.net[i]),
    }
    try:
        result = simulate(situation, provisional_snapshot(situation["year"]) if provisional else None)
    except InputError as error:
        raise RowInputError(i, error.field, error.message) from None
    for line in result.lines:
        out[line.key][i] = int(line.amount)
    out["total"][i] = int(result.total)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _wrap(kind: str, out: dict[str, I64], ids: Any) -> Any:
    if kind == "polars":
        import polars as pl

        columns: dict[str, Any] = {} if ids is None else {"id": ids}
        columns.update(out)
        return pl.DataFrame(columns)
    if kind == "arrow":
        import pyarrow as pa

        arrays: dict[str, Any] = {} if ids is None else {"id": ids}
        arrays.update(out)
        return pa.table(arrays)
    if ids is None:
        return out
    return {"id": _array(ids), **out}
