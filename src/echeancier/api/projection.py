"""From a simulator situation to a scenario: the échéancier of the two years a simulation is about (issue #8).

The simulator asks for one year's income; an échéancier needs a contributor and the events of their account. The
translation, in one place (`scenario_for`), makes these assumptions, each shown on the page:

- the activity started on the situation's `start_date`, or long enough ago for the steady state;
- the income of the two years before is the same as the simulated one (their provisional contributions are
  computed on it); for a year before the 2025 reform, the same assiette sociale given as revenu professionnel;
- the income of the simulated year Y is declared in the spring of Y+1 (`DECLARATION_DAY`), which calls the
  régularisation of Y, the ajustement of Y+1 and announces the provisional contributions of Y+2 (CSS R613-5 I) —
  when the law's parameters cover that date;
- with an estimated income ("what if"), a modulation of Y's provisional contributions (CSS R613-1-4 II) at the
  start of Y or of the activity;
- a cessation on the situation's `end_date`;
- monthly payment by direct debit on the law's day "à défaut de choix" of Y (CSS R613-2 I al. 2, the 5th;
  docs/law-choices.md 431); the years shown are Y and Y+1;
- the situation's conjoint collaborateur, section (with its secteur, métier, class, remplaçant), invalidity months,
  age and overseas start-of-activity exemptions are the contributor's, every year; with the age exemption and no
  `start_date`, the activity started before its abrogation (2015).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from echeancier.contributions.result import Simulation
    from echeancier.law.loader import Law

# Hypotheses of the simulator, not figures of the law: when the declaration is filed and how old a steady
# activity is.
DECLARATION_DAY = (5, 20)  # 20 May: the déclaration de revenus is filed in May
MODULATION_DAY = (1, 15)  # a modulation asked for in mid-January of the simulated year
STEADY_YEARS = 5  # an activity started this many years before the simulated one has no start-of-activity rule


def _is_after_reform(year: int, law: Law) -> bool:
    from echeancier.law.snapshot import snapshot_of, supported_years

    return year in supported_years(law) and snapshot_of(law, year).apres_reforme


def _euros(amount: Decimal) -> str:
    return str(amount)


def _population(result: Simulation) -> dict[str, Any]:
    """The contributor's fields of the populations of issue #10 that the situation has (none by default, so that
    the scenario of a plain situation stays as it was)."""
    situation = result.situation
    out: dict[str, Any] = {}
    if situation.conjoint_collaborateur is not None:
        out["conjoint_collaborateur"] = situation.conjoint_collaborateur.value
    if situation.section is not None:
        out["section"] = situation.section.value
    if situation.pension_invalidite_mois:
        out["pension_invalidite_mois"] = situation.pension_invalidite_mois
    if situation.exoneration_age:
        out["exoneration_age"] = True
    # a health section's secteur and métier, an avocat's class, a remplaçant (contributions.pamc), the overseas
    # start-of-activity exemption (CSS L756-2): the contributor's as well, or the échéancier would call other amounts
    for name in ("secteur", "metier", "classe_cnbf"):
        value = getattr(situation, name)
        if value is not None:
            out[name] = value.value
    if situation.remplacant:
        out["remplacant"] = True
    if situation.exoneration_debut_outre_mer:
        out["exoneration_debut_outre_mer"] = True
    return out


def scenario_for(
    result: Simulation, department: str = "75", estimated_income: Decimal | None = None, law: Law | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The scenario document (the YAML's structure, JSON-ready) for a simulation, and the notes the page shows
    about what it assumed (in French); `law`: the parameters (the packaged law when None)."""
    from echeancier.kernel.fmt import format_date, format_euros
    from echeancier.law import load_law
    from echeancier.schedule.calendar import payment_days

    law = law or load_law()
    situation = result.situation
    year = situation.year
    start = situation.start_date or date(year - STEADY_YEARS, 1, 1)
    notes: list[str] = []
    if situation.exoneration_age and situation.start_date is None:
        from echeancier.contributions.situation import EXONERATION_AGE_ABROGEE

        start = min(start, date(EXONERATION_AGE_ABROGEE.year - 1, 1, 1))
        notes.append(
            f"Activité supposée commencée le {format_date(start)} : l'exonération liée à l'âge ne concerne que les "
            "activités commencées avant sa suppression en 2015."
        )
    incomes = {str(year): _euros(result.income)}
    for earlier in (year - 2, year - 1):
        if earlier < start.year:
            continue
        after = _is_after_reform(year, law) and not _is_after_reform(earlier, law)
        same = result.assiette_sociale if after else result.income
        incomes[str(earlier)] = _euros(same)
    if len(incomes) > 1:
        notes.append(
            f"Revenus des années précédentes supposés égaux à celui de {year} : base des cotisations "
            "provisionnelles de l'échéancier."
        )
    events: list[dict[str, Any]] = []
    if estimated_income is not None:
        asked = max(date(year, *MODULATION_DAY), start)
        events.append({"date": asked.isoformat(), "type": "modulation", "estimated_income": _euros(estimated_income)})
        notes.append(
            f"Modulation demandée le {format_date(asked)} sur un revenu {year} estimé à "
            f"{format_euros(estimated_income)} (CSS R613-1-4 II)."
        )
    if situation.end_date is not None:
        events.append({"date": situation.end_date.isoformat(), "type": "cessation"})
    declared = date(year + 1, *DECLARATION_DAY)
    if declared <= law.last_date:
        events.append({"date": declared.isoformat(), "type": "declaration", "year": year})
        notes.append(f"Revenu {year} déclaré le {format_date(declared)} : régularisation {year} (CSS R613-5 I).")
    else:
        notes.append(
            f"La régularisation {year} sera calculée après la déclaration du printemps {year + 1}, dont les "
            "paramètres de la loi ne sont pas encore connus : elle n'apparaît pas ci-dessous."
        )
    years = [y for y in (year, year + 1) if y <= law.last_date.year + 1]
    document = {
        "contributor": {
            "profession": situation.profession.value,
            "activity_start": start.isoformat(),
            # The day "à défaut de choix" of the first year shown, as a scenario that gives none (`with_default_day`).
            "payment": {"frequency": "monthly", "day": payment_days(years[0], law=law)[0], "direct_debit": True},
            "department": department,
            "acre": situation.acre,
            "rsa": situation.rsa,
            **_population(result),
        },
        "incomes": incomes,
        "events": events,
        "years": years,
    }
    if not situation.abattement_outre_mer:  # switched off (CSS L756-4): the échéancier too
        document["contributor"]["abattement_outre_mer"] = False  # type: ignore[index]
    return document, notes
