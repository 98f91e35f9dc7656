"""What every contribution rule needs to know about the year being computed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from echeancier.contributions.acre import Acre
from echeancier.contributions.assiettes import Activity
from echeancier.contributions.situation import Profession
from echeancier.law.snapshot import LawSnapshot


@dataclass(frozen=True, slots=True)
class Context:
    law: LawSnapshot
    profession: Profession
    assiette: Decimal  # assiette sociale, never negative
    assiette_ij: Decimal | None  # flat-rate IJ base of the first two years, replacing the usual one
    period: Activity
    minimums: bool  # False for RSA / prime d'activité beneficiaries: no minimum contributions
    acre: Acre | None

    @property
    def pass_proratise(self) -> Decimal:
        return self.period.pass_proratise
