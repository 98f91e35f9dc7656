"""The calendar of the échéancier: due dates (R613-2 I, R613-3 I), delays, and debit dates on business days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.law import LawError, load_law
from echeancier.schedule.calendar import (
    Departement,
    Frequency,
    dates_are_estimated,
    debit_date,
    due_dates,
    first_due_date_at_least,
    first_due_date_on_or_after,
    frequency_for,
    is_business_day,
    months_effective,
    next_business_day,
    payment_days,
)

MONTHLY, QUARTERLY = Frequency.MONTHLY, Frequency.QUARTERLY

# One département per holidays calendar: metropolitan, Moselle, Alsace, and the five overseas départements.
ONE_PER_SUBDIVISION = {None: "75", "57": "57", "6AE": "67", "971": "971", "972": "972", "973": "973", "974": "974"}
ONE_PER_SUBDIVISION["976"] = "976"


# --- Due dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026, 2027])
def test_monthly_due_dates_are_the_5th_by_default_or_the_20th(year: int) -> None:
    fifth = [date(year, m, 5) for m in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)]
    twentieth = [date(year, m, 20) for m in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)]
    assert due_dates(year, MONTHLY) == fifth
    assert due_dates(year, MONTHLY, 5) == fifth
    assert due_dates(year, MONTHLY, 20) == twentieth


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026, 2027])
def test_quarterly_due_dates_are_5_february_may_august_november(year: int) -> None:
    expected = [date(year, 2, 5), date(year, 5, 5), date(year, 8, 5), date(year, 11, 5)]
    assert due_dates(year, QUARTERLY) == expected
    # R613-3 I fixes the quarterly dates: a payer who had chosen the 20th pays on the 5th too.
    assert due_dates(year, QUARTERLY, 20) == expected


def test_the_payment_days_come_from_the_law() -> None:
    assert payment_days(2026) == (5, 20)
    value = load_law().value("echeances.jour_par_defaut", date(2026, 1, 1))
    assert value.value == 5
    assert "R613-2" in value.reference
    assert value.url == "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043587363"
    quarterly = load_law().value("echeances.mois_trimestriel_1", date(2026, 1, 1))
    assert quarterly.url == "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043587355"


@pytest.mark.parametrize("frequency", [MONTHLY, QUARTERLY])
@pytest.mark.parametrize("day", [10, 0, 1, 21, 31, True])
def test_other_payment_days_are_refused(frequency: Frequency, day: int) -> None:
    with pytest.raises(ValueError, match=r"^day: the payment day is the 5 or the 20"):
        due_dates(2026, frequency, day)


def test_unknown_frequency_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^frequency:"):
        due_dates(2026, "weekly")  # type: ignore[arg-type]
    assert due_dates(2026, "quarterly")[0] == date(2026, 2, 5)  # type: ignore[arg-type]


def test_the_list_returned_is_the_callers_own() -> None:
    dates = due_dates(2026, MONTHLY)
    dates.clear()
    assert len(due_dates(2026, MONTHLY)) == 12


def test_next_years_use_the_last_known_law_and_say_so_but_not_further() -> None:
    # R613-5 I 3°: the échéancier of year N calls the provisional instalments of N+1 (DESIGN §2.6); a 24-month
    # forecast from the last checked day reaches N+2 (docs/law-choices.md 220), no further.
    checked_until = load_law().parameter("echeances.jour_par_defaut").valid_until
    assert not dates_are_estimated(checked_until.year)
    assert dates_are_estimated(checked_until.year + 1)
    assert dates_are_estimated(checked_until.year + 2)
    assert due_dates(checked_until.year + 1, QUARTERLY)[0] == date(checked_until.year + 1, 2, 5)
    assert due_dates(checked_until.year + 2, MONTHLY)[0] == date(checked_until.year + 2, 1, 5)
    with pytest.raises(LawError, match="aucune valeur connue valable"):
        due_dates(checked_until.year + 3, MONTHLY)


def test_years_before_the_quoted_text_are_refused() -> None:
    with pytest.raises(LawError, match="aucune valeur avant le 31/05/2021"):
        due_dates(2021, MONTHLY)


# --- Direct debit ---------------------------------------------------------------------------------------------


def test_without_direct_debit_the_contributions_are_quarterly() -> None:
    assert frequency_for(direct_debit=False, requested=MONTHLY) is QUARTERLY
    assert frequency_for(direct_debit=False, requested=QUARTERLY) is QUARTERLY
    assert frequency_for(direct_debit=True, requested=MONTHLY) is MONTHLY
    assert frequency_for(direct_debit=True, requested=QUARTERLY) is QUARTERLY


# --- Départements ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "subdivision"),
    [
        ("75", "75", None),
        (" 75 ", "75", None),
        (1, "01", None),
        ("01", "01", None),
        (95, "95", None),
        ("2A", "2A", None),
        ("2b", "2B", None),
        ("57", "57", "57"),
        ("67", "67", "6AE"),
        (68, "68", "6AE"),
        ("971", "971", "971"),
        (972, "972", "972"),
        ("973", "973", "973"),  # Guyane: the library's code is 973 (alias GY), not GF
        ("974", "974", "974"),
        ("976", "976", "976"),
        ("977", "977", "BL"),  # Saint-Barthélemy: abolition of slavery on 9 October
        (978, "978", "MF"),  # Saint-Martin: 28 May and 21 July
        ("1", "01", None),
    ],
)
def test_departement_codes_are_read_and_mapped_to_their_holidays(
    value: str | int, code: str, subdivision: str | None
) -> None:
    departement = Departement.parse(value)
    assert departement.code == code
    assert str(departement) == code
    assert departement.subdivision == subdivision
    assert Departement.parse(departement) is departement


@pytest.mark.parametrize(
    "value", ["20", "96", "975", "979", "ABC", "", "   ", "00", "2C", 0, 20, 96, 975, -1, True, None, 7.0]
)
def test_bad_departement_codes_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(
        ValueError, match=r"^department: .*(n'est pas un code|n'est plus un code|autre régime|est vide)"
    ):
        Departement.parse(value)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^department:"):
        is_business_day(date(2026, 6, 1), value)  # type: ignore[arg-type]


def test_a_departement_built_directly_is_checked_too() -> None:
    with pytest.raises(ValueError, match=r"^department:"):
        Departement("20")
    with pytest.raises(ValueError, match=r"^department: '2a' is not written as a COG code"):
        Departement("2a")


@pytest.mark.parametrize(
    ("department", "holiday"),
    [("977", date(2026, 10, 9)), ("978", date(2026, 5, 28)), ("978", date(2026, 7, 21)), ("976", date(2026, 4, 27))],
)
def test_collectivities_have_their_own_holidays(department: str, holiday: date) -> None:
    assert not is_business_day(holiday, department)
    assert is_business_day(holiday, "75")


# --- Business days --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected_next"),
    [
        (date(2026, 4, 6), date(2026, 4, 7)),  # Lundi de Pâques
        (date(2026, 5, 1), date(2026, 5, 4)),  # Fête du Travail, a Friday
        (date(2027, 5, 1), date(2027, 5, 3)),  # a Saturday anyway
        (date(2026, 5, 8), date(2026, 5, 11)),  # Victoire 1945, a Friday
        (date(2026, 5, 14), date(2026, 5, 15)),  # Ascension
        (date(2026, 5, 25), date(2026, 5, 26)),  # Lundi de Pentecôte (L3133-1; journée de solidarité or not)
        (date(2026, 7, 14), date(2026, 7, 15)),  # a Tuesday
        (date(2026, 8, 15), date(2026, 8, 17)),  # Assomption, a Saturday
        (date(2026, 11, 1), date(2026, 11, 2)),  # Toussaint, a Sunday
        (date(2026, 11, 11), date(2026, 11, 12)),  # a Wednesday
        (date(2026, 12, 25), date(2026, 12, 28)),  # Noël, a Friday
        (date(2027, 1, 1), date(2027, 1, 4)),  # Jour de l'an, a Friday
    ],
)
def test_metropolitan_public_holidays_are_not_business_days(day: date, expected_next: date) -> None:
    assert not is_business_day(day, "75")
    assert next_business_day(day, "75") == expected_next
    assert is_business_day(expected_next, "75")


def test_the_day_before_and_after_easter_monday_2026() -> None:
    assert not is_business_day(date(2026, 4, 5), "75")  # Easter Sunday
    assert is_business_day(date(2026, 4, 3), "75")  # Good Friday is worked outside Alsace-Moselle
    assert is_business_day(date(2026, 4, 7), "75")


def test_a_business_day_is_its_own_next_business_day() -> None:
    assert is_business_day(date(2026, 6, 1), "75")
    assert next_business_day(date(2026, 6, 1), "75") == date(2026, 6, 1)


@pytest.mark.parametrize("department", ["57", "67", "68"])
def test_alsace_moselle_good_friday_and_saint_stephen(department: str) -> None:
    assert not is_business_day(date(2026, 4, 3), department)  # Vendredi saint
    assert next_business_day(date(2026, 4, 3), department) == date(2026, 4, 7)  # then the weekend and Easter Monday
    assert not is_business_day(date(2025, 12, 26), department)  # Saint-Étienne, a Friday
    assert next_business_day(date(2025, 12, 25), department) == date(2025, 12, 29)
    assert is_business_day(date(2025, 12, 26), "54")  # Meurthe-et-Moselle: same Urssaf Lorraine, common holidays


def test_la_reunion_abolition_day() -> None:
    assert not is_business_day(date(2027, 12, 20), "974")  # a Monday
    assert is_business_day(date(2027, 12, 20), "75")
    # A monthly due date on the 20th: debited on the 21st at La Réunion, on the 20th in Paris.
    assert debit_date(date(2027, 12, 20), "974") == date(2027, 12, 21)
    assert debit_date(date(2027, 12, 20), "75") == date(2027, 12, 20)


def test_guadeloupe_abolition_day() -> None:
    assert not is_business_day(date(2026, 5, 27), "971")  # a Wednesday
    assert is_business_day(date(2026, 5, 27), "972")  # Martinique commemorates on 22 May
    assert not is_business_day(date(2026, 5, 22), "972")


@pytest.mark.parametrize(
    ("department", "day"),
    [("973", date(2026, 6, 10)), ("976", date(2026, 4, 27))],
)
def test_guyane_and_mayotte_abolition_days(department: str, day: date) -> None:
    assert not is_business_day(day, department)
    assert is_business_day(day, "75")


def test_datetimes_are_refused_rather_than_silently_never_holidays() -> None:
    with pytest.raises(TypeError, match=r"^day: expected a date"):
        is_business_day(datetime(2026, 12, 25, 9, 0), "75")
    with pytest.raises(TypeError, match=r"^due_date: expected a date"):
        debit_date(datetime(2026, 12, 25, 9, 0), "75")


def test_years_the_library_does_not_cover_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^day: French public holidays are known from \d+ to 2100"):
        is_business_day(date(2101, 1, 3), "75")


# --- Debit dates ----------------------------------------------------------------------------------------------


def test_a_due_date_on_a_saturday_is_debited_on_monday() -> None:
    assert date(2026, 9, 5).weekday() == 5
    assert debit_date(date(2026, 9, 5), "75") == date(2026, 9, 7)


def test_a_due_date_on_a_business_day_is_the_debit_date() -> None:
    assert debit_date(date(2026, 2, 5), "75") == date(2026, 2, 5)


def test_a_due_date_before_a_holiday_monday_moves_two_days_on() -> None:
    # 5 April 2026 is Easter Sunday and 6 April Easter Monday.
    assert debit_date(date(2026, 4, 5), "13") == date(2026, 4, 7)
    # 20 May 2024 was the Lundi de Pentecôte: the instalment of a payer on the 20th is debited on the 21st.
    assert debit_date(date(2024, 5, 20), "33") == date(2024, 5, 21)


def test_every_debit_date_of_2026_in_paris() -> None:
    debits = [debit_date(d, "75") for d in due_dates(2026, MONTHLY)]
    assert debits == [
        date(2026, 1, 5),
        date(2026, 2, 5),
        date(2026, 3, 5),
        date(2026, 4, 7),  # Sunday 5, Easter Monday 6
        date(2026, 5, 5),
        date(2026, 6, 5),
        date(2026, 7, 6),  # Sunday 5
        date(2026, 8, 5),
        date(2026, 9, 7),  # Saturday 5
        date(2026, 10, 5),
        date(2026, 11, 5),
        date(2026, 12, 7),  # Saturday 5
    ]


# --- Property: next_business_day ------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    day=st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31)),
    department=st.sampled_from(sorted(ONE_PER_SUBDIVISION.values())),
)
def test_next_business_day_is_the_first_business_day_on_or_after(day: date, department: str) -> None:
    found = next_business_day(day, department)
    assert found >= day
    assert is_business_day(found, department)
    between = day
    while between < found:
        assert not is_business_day(between, department)
        between += timedelta(days=1)
    assert debit_date(day, department) == found


def test_a_debit_moves_four_days_at_most_2023_2030() -> None:
    # Exhaustive companion of the property: three days off after a due date at most (a holiday on a Friday, then
    # the weekend), four where a local holiday touches a long weekend.
    days = [date(2023, 1, 1) + timedelta(days=n) for n in range((date(2031, 1, 1) - date(2023, 1, 1)).days)]
    longest = {
        subdivision: max((next_business_day(day, department) - day).days for day in days)
        for subdivision, department in ONE_PER_SUBDIVISION.items()
    }
    assert longest == {None: 3, "57": 4, "6AE": 4, "971": 4, "972": 4, "973": 4, "974": 3, "976": 3}
    # Good Friday, the weekend, Easter Monday (Alsace-Moselle, and Guadeloupe in the library).
    assert next_business_day(date(2023, 4, 7), "57") == date(2023, 4, 11)
    assert next_business_day(date(2023, 4, 7), "971") == date(2023, 4, 11)
    # Martinique: abolition day on Friday 22 May 2026, the weekend, the Lundi de Pentecôte.
    assert next_business_day(date(2026, 5, 22), "972") == date(2026, 5, 26)
    # Guyane: Saturday 7 June 2025, Sunday, Lundi de Pentecôte, abolition day on Tuesday 10 June.
    assert next_business_day(date(2025, 6, 7), "973") == date(2025, 6, 11)


# --- Delays counted to a due date -----------------------------------------------------------------------------


def test_first_due_date_on_or_after() -> None:
    dates = due_dates(2026, QUARTERLY)
    assert first_due_date_on_or_after(date(2026, 5, 5), dates) == date(2026, 5, 5)
    assert first_due_date_on_or_after(date(2026, 5, 6), dates) == date(2026, 8, 5)
    assert first_due_date_on_or_after(date(2026, 11, 6), dates) is None
    assert first_due_date_on_or_after(date(2026, 1, 1), reversed(dates)) == date(2026, 2, 5)


def test_first_due_date_at_least_15_days_after_a_declaration() -> None:
    dates = due_dates(2026, MONTHLY)
    # domain.md §3.3: declared on 20 May, 5 June is 16 days later.
    assert first_due_date_at_least(date(2026, 5, 20), 15, dates) == date(2026, 6, 5)
    # Exactly 15 days: 21 May → 5 June qualifies.
    assert (date(2026, 6, 5) - date(2026, 5, 21)).days == 15
    assert first_due_date_at_least(date(2026, 5, 21), 15, dates) == date(2026, 6, 5)
    # 14 days: 22 May → 5 June does not; 5 July does.
    assert first_due_date_at_least(date(2026, 5, 22), 15, dates) == date(2026, 7, 5)
    # domain.md §3.3: declared on 25 May, 5 June is only 11 days later.
    assert first_due_date_at_least(date(2026, 5, 25), 15, dates) == date(2026, 7, 5)
    # No due date left in the year: the caller looks in the next one (DESIGN §2.3).
    assert first_due_date_at_least(date(2026, 11, 21), 15, dates) is None
    assert first_due_date_at_least(date(2026, 11, 21), 15, due_dates(2027, MONTHLY)) == date(2027, 1, 5)


def test_quarterly_option_during_the_year_needs_30_days() -> None:
    dates = due_dates(2026, QUARTERLY)
    assert first_due_date_at_least(date(2026, 4, 5), 30, dates) == date(2026, 5, 5)  # exactly 30 days
    assert first_due_date_at_least(date(2026, 4, 6), 30, dates) == date(2026, 8, 5)  # 29 days


def test_first_due_date_not_less_than_90_days_after_the_start() -> None:
    dates = due_dates(2026, MONTHLY)
    # Start on 6 February 2026: 5 May is 88 days later, 5 June 119.
    assert first_due_date_at_least(date(2026, 2, 6), 90, dates) == date(2026, 6, 5)
    # Start on 4 February 2026: 5 May is exactly 90 days later.
    assert (date(2026, 5, 5) - date(2026, 2, 4)).days == 90
    assert first_due_date_at_least(date(2026, 2, 4), 90, dates) == date(2026, 5, 5)


def test_zero_days_means_on_or_after_and_negative_days_are_refused() -> None:
    dates = due_dates(2026, MONTHLY)
    assert first_due_date_at_least(date(2026, 3, 5), 0, dates) == date(2026, 3, 5)
    with pytest.raises(ValueError, match=r"^days:"):
        first_due_date_at_least(date(2026, 3, 5), -1, dates)


# --- Effect of a request "au plus tard le deuxième mois suivant celui de sa réception" ----------------------------


@pytest.mark.parametrize(
    ("received", "months_after", "effective"),
    [
        (date(2026, 3, 10), 2, date(2026, 5, 1)),
        (date(2026, 3, 1), 2, date(2026, 5, 1)),
        (date(2026, 3, 31), 2, date(2026, 5, 1)),
        (date(2026, 11, 15), 2, date(2027, 1, 1)),
        (date(2026, 12, 31), 2, date(2027, 2, 1)),
        (date(2026, 12, 31), 1, date(2027, 1, 1)),
        (date(2026, 3, 10), 0, date(2026, 3, 1)),
    ],
)
def test_months_effective(received: date, months_after: int, effective: date) -> None:
    assert months_effective(received, months_after) == effective


def test_months_effective_refuses_negative_months() -> None:
    with pytest.raises(ValueError, match=r"^months_after:"):
        months_effective(date(2026, 3, 10), -1)


def test_change_of_payment_day_received_10_march_governs_the_may_instalment() -> None:
    effective = months_effective(date(2026, 3, 10), 2)
    assert first_due_date_on_or_after(effective, due_dates(2026, MONTHLY, 20)) == date(2026, 5, 20)
