"""What every contribution rule needs to know about the rows being computed: one situation (Python ints) or many
rows of one income year (NumPy arrays), in the integer units of `contributions.exact`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from echeancier.contributions.exact import Bools, Ints
from echeancier.law.snapshot import Figures


@dataclass(slots=True)
class AcreRows:
    """The rows with an ACRE exemption this year (`rows`: None for one situation, an index array for many), with
    their prorated PASS and the share of the year the 12 months cover, num / den (CSS D131-6-1)."""

    rows: Any
    pass_proratise: Ints  # euros
    num: Ints
    den: Ints
    assiette: Ints  # cents, the assiette sociale of those rows
    share: tuple[Ints, Ints] | None = None  # (kept, whole) for the assiette sociale, computed once


@dataclass(slots=True)
class Rows:
    """The inputs of the rules for the rows of one income year (`contributions.year.rows_of`)."""

    law: Figures
    assiette: Ints  # assiette sociale in cents, never negative
    assiette_u: Ints  # the same in 1e-4 €, to compare with PASS multiples (FRAC × euros)
    assiette_ij: Ints | None  # flat-rate IJ base of the first two years (cents), replacing the usual one
    pass_proratise: Ints  # euros
    days: Ints  # days of activity in the year
    partial: Bools
    minimums: Bools  # False for RSA / prime d'activité beneficiaries: no minimum contributions
    outre_mer: Bools  # activity in a collectivité of CSS L751-1 (`contributions.territory`)
    anciennete: Ints  # days from the start of the activity to 1 January of the year (negative: started in it)
    acre: AcreRows | None  # None when no row has an ACRE exemption
    invalidite: Any = None  # `exonerations.InvaliditeRows` of the invalidity pensioners, None when none
    age: Any = None  # the rows with the invalidité-décès exemption by age (`exonerations.age_rows`), None: none
