"""Where the activity is exercised, as the contribution rules need it (situation field `department`).

CSS L751-1: the overseas provisions of the code apply in Guadeloupe (971), Martinique (972), Guyane (973),
La Réunion (974), Saint-Barthélemy (977) and Saint-Martin (978); their travailleurs indépendants pay the rates of
`law/parameters/outre_mer.yaml` (`maladie_maternite`, `allocations_familiales`) and have no ACRE exemption (CSS
L756-2 and D756-4 give them their own). Mayotte (976) has its own law (ordonnance 96-1122: `contributions.mayotte`,
`law.snapshot.mayotte_snapshot`) from income 2025; before, its amounts are the metropolitan ones, with the note
`regles_metropolitaines:976`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from echeancier.law import Law

METROPOLE = 0
OUTRE_MER = 1  # a collectivité of CSS L751-1
MAYOTTE = 2

L751_1 = frozenset({"971", "972", "973", "974", "977", "978"})
MAYOTTE_CODE = "976"

# Notes of a simulation (JSON `notes`)
EXONERATIONS_NON_APPLIQUEES = "exonerations_outre_mer_non_appliquees"  # L756-2, L756-4, D756-4: not applied
ACRE_NON_APPLICABLE = "acre_non_applicable_outre_mer"
REGLES_METROPOLITAINES = "regles_metropolitaines"


def territory(department: str | None) -> int:
    """METROPOLE, OUTRE_MER or MAYOTTE for a normalised COG code (None: metropolitan France)."""
    if department is None:
        return METROPOLE
    if department in L751_1:
        return OUTRE_MER
    return MAYOTTE if department == MAYOTTE_CODE else METROPOLE


def mayotte_rules_for(year: int, *, law: Law | None = None) -> bool:
    """Whether the contributions of income `year` at Mayotte follow its own law (from 2025, `mayotte.yaml`) in `law`
    (the packaged one when None); a year past the law's parameters is computed with the last known law."""
    from echeancier.law import load_law
    from echeancier.law.snapshot import snapshot_of, supported_years

    law = law or load_law()
    years = supported_years(law)
    return snapshot_of(law, min(max(year, years[0]), years[-1])).my_pass_annuel is not None


def account_note(department: str, years: Iterable[int] = (), *, law: Law | None = None) -> str | None:
    """The note every document of an account in `department` carries (an échéancier, a campaign row), or None:
    in a collectivité of L751-1 the exemptions of L756-2 / L756-4 are not computed; at Mayotte, when one of the
    income `years` of the document is computed with the metropolitan rules (before 2025)."""
    where = territory(department)
    if where == OUTRE_MER:
        return f"{EXONERATIONS_NON_APPLIQUEES}:{department}"
    if where == MAYOTTE and not all(mayotte_rules_for(year, law=law) for year in set(years)):
        return f"{REGLES_METROPOLITAINES}:{department}"
    return None


def notes(department: str | None, acre: bool, mayotte_rules: bool = False) -> tuple[str, ...]:
    """What a simulation in `department` must say about the rules it did not apply (`mayotte_rules`: the law of
    Mayotte was applied, `law.snapshot.mayotte_snapshot`)."""
    where = territory(department)
    if where == OUTRE_MER:
        # LAW (docs/law-choices.md, 182, 326): the abattement of L756-4 is not computed (L756-2: `debut_outre_mer`).
        return (f"{EXONERATIONS_NON_APPLIQUEES}:{department}", *((ACRE_NON_APPLICABLE,) if acre else ()))
    if where == MAYOTTE and not mayotte_rules:
        return (f"{REGLES_METROPOLITAINES}:{department}",)
    return ()
