"""The income declaration's deadline, the penalty of a late declaration, and the base of the taxation d'office.

- Deadline: the date limite de dépôt of art. 175 CGI for the income of year Y (parameter
  `delais.declaration_revenus_date_limite`, dated 1 January of Y + 1). When that year's value is not known the
  deadline is unknown and no lateness is judged (never the value of another year).
- Penalty (R613-1-1 III last paragraph): "les cotisations et contributions sont assorties d'une pénalité de 5 %",
  10 % when they are computed on the data the tax administration sent after an unanswered request (R613-1-2 II
  al. 3). Neither text sets a minimum or a maximum.
- Taxation d'office (R613-1-2 I, VI): the highest of a) the average of the incomes of the two previous years (in the
  second year of activity, the first year's; an undeclared year counts for the base its contributions were computed
  on, without its 25 %) and b) 50 % of the PASS of the year, increased by 25 % for each consecutive undeclared year;
  on the last year of activity, the last known income; deficits count as zero.

Pure functions of the law and their arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from echeancier.account.ledger import cents, euros
from echeancier.contributions.exact import SCALAR
from echeancier.kernel.money import ZERO, round_euro
from echeancier.law import Law, LawError, load_law
from echeancier.schedule.rules import late_penalty

PENALTY_KIND = "penalite_declaration"
TAXATION_KIND = "taxation_office"


def deadline(year: int, law: Law | None = None) -> date | None:
    """The date limite de dépôt of the declaration of the income of `year` (art. 175 CGI, R613-1-1 III), or None
    when the parameters (`law`, the packaged law when None) do not know that campaign's date."""
    try:
        value = (law or load_law()).value("delais.declaration_revenus_date_limite", date(year + 1, 1, 1)).value
    except LawError:
        return None
    if not isinstance(value, date) or value.year != year + 1:
        return None
    return value


def _rate(key: str, day: date, law: Law | None = None) -> Decimal:
    value = (law or load_law()).value_near(key, day)
    assert isinstance(value, Decimal), key
    return value


def _days(key: str, day: date, law: Law | None = None) -> int:
    value = (law or load_law()).value_near(key, day)
    assert isinstance(value, int), key
    return value


@dataclass(frozen=True, slots=True)
class Penalty:
    year: int  # the income year declared late
    rate: Decimal
    base: Decimal  # the contributions of the year (CFP excluded)
    amount: Decimal
    deadline: date
    filed_on: date
    reference: str


def penalty(
    year: int, filed_on: date, contributions: Decimal, fiscal_data: bool, law: Law | None = None
) -> Penalty | None:
    """R613-1-1 III: the penalty of a declaration of `year` filed on `filed_on`, on the year's contributions; None
    when it was filed by the deadline (or the deadline is not known). `fiscal_data`: R613-1-2 II al. 3 (10 %)."""
    limit = deadline(year, law)
    if limit is None or filed_on <= limit:
        return None
    if fiscal_data:
        key, reference = "declaration.penalite_donnees_non_communiquees_taux", "CSS R613-1-2 II al. 3"
    else:
        key, reference = "declaration.penalite_retard_taux", "CSS R613-1-1 III"
    rate = _rate(key, limit, law)
    # One text with the campaign's arrays (`schedule.vectorized`): the contributions are whole cents (the engine's
    # euros, or a scenario's amounts, checked to the cent).
    amount = late_penalty(SCALAR, True, cents(contributions), *rate.as_integer_ratio())
    return Penalty(year, rate, max(contributions, ZERO), euros(amount), limit, filed_on, reference)


def notification_window(year: int, *, law: Law | None = None) -> tuple[date, date] | None:
    """R613-1-2 IV: the taxation d'office of `year` is notified from the 30th to the 180th day after the deadline."""
    limit = deadline(year, law)
    if limit is None:
        return None
    first = limit + timedelta(days=_days("declaration.taxation_office_notification_min_jours", limit, law))
    last = limit + timedelta(days=_days("declaration.taxation_office_notification_max_jours", limit, law))
    return first, last


@dataclass(frozen=True, slots=True)
class TaxationBase:
    year: int
    average: Decimal | None  # a): the average of the two previous years (or the first year's), None without them
    pass_fraction: Decimal  # b): 50 % of the PASS of the year
    undeclared_years: int  # consecutive undeclared years, this one included
    unraised: Decimal  # the highest of a) and b), before the 25 %
    base: Decimal  # the base retained, increased by 25 % per consecutive undeclared year
    last_year: bool  # R613-1-2 I al. 5: last year of activity, on the last known income


def taxation_base(
    year: int,
    activity_start: date,
    known: Mapping[int, Decimal],
    undeclared_before: int,
    last_known: Decimal | None = None,
    last_year: bool = False,
    *,
    law: Law | None = None,
) -> TaxationBase:
    """R613-1-2 I and VI. `known`: for each earlier year, the declared income or, for a year itself taxed d'office,
    the base its contributions were computed on (without its 25 %); `undeclared_before`: the consecutive years
    taxed d'office just before `year`; `last_year`: the last year of activity, on `last_known`, the last known income.

    LAW: the 25 % are added once per consecutive undeclared year (two years: + 50 %), docs/law-choices.md.
    `law`: the parameters (the packaged law when None)."""
    law = law or load_law()
    on = date(year, 1, 1)
    pass_annual = law.value_near("plafond_securite_sociale.annuel", on)
    assert isinstance(pass_annual, Decimal)
    fraction = round_euro(pass_annual * _rate("declaration.taxation_office_part_pass", on, law))
    count = undeclared_before + 1
    uplift = Decimal(1) + _rate("declaration.taxation_office_majoration", on, law) * count
    if last_year:
        # R613-1-2 I al. 5: on the last year of activity, the last known income (without the 25 %); without one the
        # revenu forfaitaire, which the caller gives (zero here).
        income = max(last_known if last_known is not None else ZERO, ZERO)
        return TaxationBase(year, None, fraction, count, round_euro(income), round_euro(income), True)
    previous = [y for y in (year - 1, year - 2) if y >= activity_start.year]
    if year - activity_start.year == 1:
        previous = [year - 1]  # second year of activity: the income of the first
    incomes = [max(known[y], ZERO) for y in previous if y in known]  # R613-1-2 VI: a deficit counts as zero
    average = round_euro(sum(incomes, ZERO) / len(incomes)) if incomes else None
    retained = max(average, fraction) if average is not None else fraction
    return TaxationBase(year, average, fraction, count, retained, round_euro(retained * uplift), False)


def first_due_delay(notified: date, *, law: Law | None = None) -> int:
    """R613-1-2 IV: days between the notification and the first due date of its échéancier, at least."""
    return _days("declaration.taxation_office_premiere_echeance_jours", notified, law)
