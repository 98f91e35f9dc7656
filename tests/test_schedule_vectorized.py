"""The vectorised yearly campaign `campaign_many` equals the scalar `build_echeancier`, row by row: every instalment
(due date, debit date, each part in cents), every refund and every note, for the campaign years 2024, 2025, 2026 —
accounts in the steady state and in their first years (activity started in N-1 or N-2, with or without the income
of N-2, the 90-day rule of R613-4), with ACRE, with RSA.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from echeancier.contributions.engine import compute
from echeancier.contributions.situation import InputError, Situation
from echeancier.contributions.vectorized import RowInputError, simulate_many
from echeancier.law.snapshot import provisional_snapshot
from echeancier.schedule.calendar import debit_date
from echeancier.schedule.echeancier import Echeancier, build_echeancier
from echeancier.schedule.scenario import parse_scenario
from echeancier.schedule.vectorized import FIELDS, SLOTS, Campaign, campaign_many

YEARS = (2024, 2025, 2026)
PROFESSIONS = ("artisan", "commercant", "liberal")
DEPARTMENTS = ("75", "974", "57", "67", "68", "2A", "971", "972", "973", "976", "977", "978", "13", "01")
COLUMNS = tuple(field for field in FIELDS if field != "id")  # the campaign's columns, `id` apart


def scalar(row: Mapping[str, Any], year: int) -> Echeancier:
    """`build_echeancier` on the scenario a row stands for (validated as a scenario file is)."""

    def plain(value: Any) -> Any:
        return value.item() if isinstance(value, np.generic) else value

    scenario = parse_scenario(
        {
            "contributor": {
                "profession": row["profession"],
                "activity_start": row["activity_start"],
                "payment": {
                    "frequency": row["frequency"],
                    "day": plain(row["day"]),
                    "direct_debit": plain(row["direct_debit"]),
                },
                "department": row["department"],
                "acre": plain(row.get("acre", False)),
                "rsa": plain(row.get("rsa", False)),
                "abattement_outre_mer": plain(row.get("abattement_outre_mer", True)),
            },
            "incomes": {
                key: plain(value)
                for key, value in ((year - 2, row["income_n2"]), (year - 1, row["income_n1"]))
                if value is not None
            },
            "events": [{"date": row["declaration_date"], "type": "declaration", "year": year - 1}]
            + ([{"date": row["cessation"], "type": "cessation"}] if row.get("cessation") is not None else []),
            "years": [year, year + 1],
        }
    )
    return build_echeancier(scenario)


def columns_of(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    defaults = {"acre": False, "rsa": False, "cessation": None, "abattement_outre_mer": True}
    defaults |= dict.fromkeys(("event", "event_date", "estimated_income", "new_day", "quarterly_start"))
    return {
        name: [row.get(name, defaults[name]) if name in defaults else row[name] for row in rows] for name in COLUMNS
    }


def differences(rows: Sequence[Mapping[str, Any]], year: int, campaign: Campaign) -> list[str]:
    found = []
    for i, row in enumerate(rows):
        expected = scalar(row, year)
        got = (campaign.instalments(i), campaign.refunds(i), campaign.notes(i))
        if got != (expected.instalments, expected.refunds, expected.notes):
            found.append(
                f"row {i}: {dict(row)}\n  scalar: {expected.instalments} {expected.refunds} {expected.notes}"
                f"\n  vectorised: {got}"
            )
    return found


# --------------------------------------------------------------------------------------------------------------
# Random accounts, seeded


def random_row(rng: random.Random, year: int) -> dict[str, Any]:
    def income() -> float | int:
        kind = rng.random()
        if kind < 0.05:
            return 0
        if kind < 0.1:
            return -rng.randint(1, 20_000)  # a deficit counts as zero
        if kind < 0.4:
            return rng.randint(0, 300_000_00) / 100  # with cents
        if kind < 0.7:
            return rng.randint(0, 60_000)  # where the minimums and the scales bend
        return rng.randint(0, 300_000)

    income_n2 = income()
    change = rng.random()
    if change < 0.3:
        income_n1: float | int = round(max(income_n2, 0) * rng.uniform(0, 0.6), 2)  # a decrease: credits
    elif change < 0.4:
        income_n1 = income_n2
    else:
        income_n1 = income()
    place = rng.random()
    if place < 0.3:
        declared = date(year, 11, 1) + timedelta(days=rng.randint(0, 60))  # the complement spills into N+1
    elif place < 0.4:
        declared = date(year, 1, 1) + timedelta(days=rng.randint(0, 25))
    else:
        declared = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
    oldest = date(1980, 1, 1)
    start = oldest + timedelta(days=rng.randint(0, (date(year - 3, 12, 31) - oldest).days))
    started = rng.random()
    if started < 0.3:  # N-1 the first year, N the second: the flat-rate base, R613-4's 90 days into N
        start = date(year - 1, 1, 1) + timedelta(days=rng.choice((0, rng.randint(0, 364), rng.randint(270, 364))))
        income_n1 = min(income_n1, 250_000)  # annualised, within the batch's incomes (at most × 366)
        if rng.random() < 0.7:
            income_n2 = None  # not read
    elif (
        started < 0.5 and year > YEARS[0]
    ):  # N-2 the first year (its law known): its income annualised (R131-3-1 1°), N-1 on the flat-rate base
        start = date(year - 2, 1, 1) + timedelta(days=rng.choice((0, rng.randint(0, 364))))
        income_n2 = min(income_n2, 250_000)
    return {
        "profession": rng.choice(PROFESSIONS),
        "frequency": rng.choice(("monthly", "quarterly")),
        "day": rng.choice((5, 20)),
        "direct_debit": rng.random() < 0.8,
        "department": rng.choice(DEPARTMENTS),
        "income_n2": income_n2,
        "income_n1": income_n1,
        "declaration_date": declared,
        "activity_start": start,
        "acre": rng.random() < (0.5 if started < 0.5 else 0.1),
        "rsa": rng.random() < 0.15,
        # CSS L756-4 overseas, on or off (a function of the row, not another draw: the seeds keep their rows)
        "abattement_outre_mer": declared.day % 2 == 0,
        # R613-1-5: a cessation in N, before or after the declaration (or the same day).
        "cessation": None
        if rng.random() < 0.8
        else rng.choice((declared, date(year, 1, 1) + timedelta(days=rng.randint(0, 364)))),
    }


def numpy_columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "profession": np.array([r["profession"] for r in rows]),
        "frequency": np.array([r["frequency"] for r in rows]),
        "day": np.array([r["day"] for r in rows]),
        "direct_debit": np.array([r["direct_debit"] for r in rows]),
        "department": np.array([r["department"] for r in rows]),
        "income_n2": np.array([np.nan if r["income_n2"] is None else float(r["income_n2"]) for r in rows]),
        "income_n1": np.array([float(r["income_n1"]) for r in rows]),
        "declaration_date": np.array([r["declaration_date"] for r in rows], dtype="datetime64[D]"),
        "activity_start": np.array([r["activity_start"] for r in rows], dtype="datetime64[D]"),
        "acre": np.array([r["acre"] for r in rows]),
        "rsa": np.array([r["rsa"] for r in rows]),
        "cessation": np.array([r["cessation"] for r in rows], dtype="datetime64[D]"),
        "abattement_outre_mer": np.array([r.get("abattement_outre_mer", True) for r in rows]),
    }


@pytest.mark.parametrize("year", YEARS)
def test_thousands_of_random_accounts_equal_the_scalar_engine(year: int) -> None:
    rng = random.Random(year)
    rows = [random_row(rng, year) for _ in range(2_000)]
    campaign = campaign_many(numpy_columns(rows), year)
    found = differences(rows, year, campaign)
    assert not found, "\n".join(found[:5])
    # The batch reaches every path of the replay.
    n = len(rows)
    assert (campaign.ajustement_refund > 0).any()
    assert (campaign.regularisation_refund > 0).any()
    assert (campaign.regularisation_on_instalments > 0).any()
    assert ((campaign.ajustement_refund > 0) & (campaign.regularisation_refund > 0)).any()
    assert (campaign.regularisation.sum(axis=1) > 0).any() and (campaign.ajustement.sum(axis=1) > 0).any()
    late = campaign.effect >= 12
    assert late.any() and (campaign.ajustement[late, 12:].sum(axis=1) > 0).any()
    assert (campaign.regularisation[late, 12:].sum(axis=1) > 0).any()
    assert campaign.quarterly_fallback.any()
    assert set(np.unique(campaign.calendar)) == {0, 1, 2}
    assert {"57", "6AE", "974", None} <= set(campaign.zones)
    assert campaign.provisional.shape == (n, SLOTS)


@pytest.mark.parametrize("year", YEARS)
def test_every_declaration_day_of_the_year(year: int) -> None:
    """Each day of N for each calendar: the effect date, the split of the ajustement, the spill into N+1."""
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        for frequency, payment_day, debit in (("monthly", 5, True), ("monthly", 20, True), ("quarterly", 5, True)):
            rows.append(
                {
                    "profession": PROFESSIONS[day.toordinal() % 3],
                    "frequency": frequency,
                    "day": payment_day,
                    "direct_debit": debit,
                    "department": DEPARTMENTS[day.toordinal() % len(DEPARTMENTS)],
                    "income_n2": 42_000,
                    "income_n1": (day.toordinal() * 7919) % 90_000,
                    "declaration_date": day,
                    "activity_start": date(2000, 6, 1),
                }
            )
        day += timedelta(days=1)
    campaign = campaign_many(columns_of(rows), year)
    found = differences(rows, year, campaign)
    assert not found, "\n".join(found[:5])


# --------------------------------------------------------------------------------------------------------------
# Random accounts, Hypothesis (lists of Python values: the other reading path)


@st.composite
def accounts(draw: st.DrawFn, year: int) -> dict[str, Any]:
    cents = st.one_of(st.integers(-2_000_000, 30_000_000), st.integers(0, 6_000_000))
    income_n2 = draw(cents)
    income_n1 = draw(st.one_of(cents, st.integers(0, max(income_n2, 0))))
    # The steady state, and the first years (N-1 or N-2 the first, its law known).
    start = draw(
        st.dates(date(1970, 1, 1), date(year - 1, 12, 31)).filter(lambda d: d.year >= 2023 or d.year < year - 2)
    )
    if start.year >= year - 2:
        # The first years: an income annualised (at most × 366) stays within the batch's incomes.
        income_n2, income_n1 = min(income_n2, 25_000_000), min(income_n1, 25_000_000)
    return {
        "profession": draw(st.sampled_from(PROFESSIONS)),
        "frequency": draw(st.sampled_from(("monthly", "quarterly"))),
        "day": draw(st.sampled_from((5, 20))),
        "direct_debit": draw(st.booleans()),
        "department": draw(st.sampled_from(DEPARTMENTS)),
        "income_n2": income_n2 // 100 if income_n2 % 3 else income_n2 / 100,
        "income_n1": income_n1 // 100 if income_n1 % 3 else income_n1 / 100,
        "declaration_date": draw(st.dates(date(year, 1, 1), date(year, 12, 31))),
        "activity_start": start,
        "acre": draw(st.booleans()),
        "rsa": draw(st.booleans()),
        "cessation": draw(st.one_of(st.none(), st.dates(max(start, date(year, 1, 1)), date(year, 12, 31)))),
    }


@st.composite
def batches(draw: st.DrawFn) -> tuple[int, list[dict[str, Any]]]:
    year = draw(st.sampled_from(YEARS))
    return year, draw(st.lists(accounts(year), min_size=1, max_size=40))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches())
def test_hypothesis_batches_equal_the_scalar_engine(batch: tuple[int, list[dict[str, Any]]]) -> None:
    year, rows = batch
    campaign = campaign_many(columns_of(rows), year)
    found = differences(rows, year, campaign)
    assert not found, "\n".join(found[:5])


# --------------------------------------------------------------------------------------------------------------
# Worked cases and the layout


def account(**changes: Any) -> dict[str, Any]:
    row = {
        "profession": "artisan",
        "frequency": "monthly",
        "day": 5,
        "direct_debit": True,
        "department": "75",
        "income_n2": 30_000,
        "income_n1": 20_000,
        "declaration_date": date(2026, 5, 20),
        "activity_start": date(2015, 1, 1),
    }
    return row | changes


def test_a_declaration_on_20_may_takes_effect_on_5_june() -> None:
    # 20 May + 15 days = 4 June: the ajustement and the régularisation from the 5 June instalment (slot 5).
    rows = [account(income_n1=60_000)]
    campaign = campaign_many(columns_of(rows), 2026)
    assert campaign.effect[0] == 5
    assert campaign.due_dates[campaign.calendar[0], 5] == np.datetime64("2026-06-05")
    assert (campaign.ajustement[0, :5] == 0).all() and (campaign.ajustement[0, 5:12] > 0).all()
    assert (campaign.regularisation[0, 5:12] > 0).all() and campaign.regularisation[0, 12:].sum() == 0
    assert campaign.cfp[0, 10] > 0 and campaign.cfp[0, 22] > 0  # November of N and of N+1
    assert not differences(rows, 2026, campaign)


def test_a_declaration_after_the_deadline_bears_the_penalty_as_in_the_replay() -> None:
    # R613-1-1 III: declared on 20 June 2026, after the deadline of 4 June: 5 % of the definitive contributions of
    # 2025, in cents half up, with the 5 July instalment (slot 6); declared on 4 June, none.
    rows = [account(declaration_date=date(2026, 6, 20)), account(declaration_date=date(2026, 6, 4))]
    campaign = campaign_many(columns_of(rows), 2026)
    assert campaign.penalty is not None and campaign.effect[0] == 6 and campaign.penalty[1] == 0
    july = next(i for i in scalar(rows[0], 2026).instalments if i.due_date == date(2026, 7, 5))
    expected = next(p.amount for p in july.parts if p.kind == "penalite_declaration")
    assert campaign.penalty[0] == int(expected * 100) > 0
    assert (
        campaign.total()[0, 6]
        == sum(
            campaign_part[0, 6]
            for campaign_part in (campaign.provisional, campaign.ajustement, campaign.regularisation, campaign.cfp)
        )
        + campaign.penalty[0]
    )
    assert not differences(rows, 2026, campaign)


def test_a_late_quarterly_declaration_spills_into_the_next_year() -> None:
    # 22 October + 15 days = 6 November: no quarterly due date of 2025 remains, the complement from 5 February 2026.
    rows = [account(frequency="quarterly", declaration_date=date(2025, 10, 22), income_n1=90_000)]
    campaign = campaign_many(columns_of(rows), 2025)
    assert campaign.calendars[campaign.calendar[0]] == "quarterly"
    assert campaign.effect[0] == 13
    assert campaign.regularisation[0, 13] > 0 and campaign.ajustement[0, 13] > 0
    assert not differences(rows, 2025, campaign)


def test_a_fall_of_income_refunds_and_imputes() -> None:
    rows = [
        account(income_n2=80_000, income_n1=5_000, declaration_date=date(2026, 9, 1)),  # both refunded
        account(income_n2=40_000, income_n1=30_000, declaration_date=date(2026, 3, 1)),  # imputed on instalments
    ]
    campaign = campaign_many(columns_of(rows), 2026)
    assert campaign.ajustement_refund[0] > 0 and campaign.regularisation_refund[0] > 0
    assert campaign.regularisation_on_instalments[1] > 0
    assert [r.kind for r in campaign.refunds(0)] == ["ajustement", "regularisation"]
    assert campaign.refund_date[0] == np.datetime64("2026-09-16")
    assert not differences(rows, 2026, campaign)


def test_debit_dates_are_looked_up_by_zone_and_calendar() -> None:
    # Monday 20 December 2027 is the abolition day of La Réunion (loi 83-550): debited there on the 21st only.
    rows = [account(department=d, day=20) for d in ("57", "67", "974", "75", "68")]
    campaign = campaign_many(columns_of(rows), 2026)
    assert [campaign.zones[z] for z in campaign.zone] == ["57", "6AE", "974", None, "6AE"]
    assert campaign.zones == (None, "57", "6AE", "974")
    assert campaign.debit_dates.shape == (4, 3, SLOTS)
    december = [campaign.debit_dates[campaign.zone[i], campaign.calendar[i], 23] for i in range(len(rows))]
    assert december == [
        np.datetime64(d) for d in ("2027-12-20", "2027-12-20", "2027-12-21", "2027-12-20", "2027-12-20")
    ]
    for i, row in enumerate(rows):
        for slot in range(SLOTS):
            due = campaign.due_dates[campaign.calendar[i], slot]
            expected = debit_date(date.fromisoformat(str(due)), row["department"])
            assert campaign.debit_dates[campaign.zone[i], campaign.calendar[i], slot] == np.datetime64(expected)
    assert not differences(rows, 2026, campaign)


def test_total_ids_and_other_inputs() -> None:
    rng = random.Random(5)
    rows = [random_row(rng, 2025) for _ in range(50)]
    data: dict[str, Any] = {"id": [f"a{i}" for i in range(50)], **numpy_columns(rows)}
    campaign = campaign_many(data, 2025)
    assert list(campaign.ids if campaign.ids is not None else []) == data["id"]
    assert len(campaign) == 50
    for i in range(50):
        called = sum((instalment.amount for instalment in campaign.instalments(i)), Decimal(0))
        assert Decimal(int(campaign.called()[i])).scaleb(-2) == called  # with the parts off the calendar
    for other in (campaign_many(pl.DataFrame(data), 2025), campaign_many(pa.table(data), 2025)):
        for name in ("provisional", "ajustement", "regularisation", "cfp", "regularisation_refund", "calendar", "zone"):
            assert np.array_equal(getattr(other, name), getattr(campaign, name)), name
        assert [campaign.zones[z] for z in campaign.zone] == [other.zones[z] for z in other.zone]
        assert list(other.ids if other.ids is not None else []) == data["id"]


def test_next_year_past_the_law_is_computed_with_the_last_known_one() -> None:
    campaign = campaign_many(columns_of([account()]), 2026)
    assert campaign.estimated_years == (2027,)
    assert campaign.notes(0) == ("parametres_provisoires:2027",)


def test_simulate_many_provisional_law() -> None:
    rng = random.Random(3)
    incomes = [rng.randint(0, 200_000) for _ in range(300)]
    professions = [rng.choice(PROFESSIONS) for _ in incomes]
    for year in (2024, 2025, 2026):
        result = simulate_many({"year": [year] * 300, "profession": professions, "income": incomes}, provisional=True)
        law = provisional_snapshot(year)
        for i, (profession, income) in enumerate(zip(professions, incomes, strict=True)):
            situation = Situation(year=year, profession=profession, income=income)
            assert result["total"][i] == compute(situation, law, Decimal(income)).total


# --------------------------------------------------------------------------------------------------------------
# Bad input


def bad(**changes: Any) -> dict[str, list[Any]]:
    return columns_of([account(), account(income_n2=1), account(**changes)])


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"activity_start": date(2026, 1, 1)},
            "activity_start",
            "01/01/2026 : une activité commencée dans l'année de campagne 2026",
        ),
        (
            {"activity_start": date(2024, 3, 1), "income_n2": None},
            "income_n2",
            "est obligatoire (l'activité a commencé avant",
        ),
        ({"acre": "yes"}, "acre", "doit être true ou false (reçu 'yes')"),
        (
            {"cessation": date(2025, 12, 1)},
            "cessation",
            "01/12/2025 n'est pas une cessation de l'année de campagne 2026",
        ),
        (
            {"declaration_date": date(2025, 12, 31)},
            "declaration_date",
            "31/12/2025 n'est pas dans l'année de campagne 2026",
        ),
        ({"declaration_date": "2026-13-01"}, "declaration_date", "doit être une date AAAA-MM-JJ (reçu '2026-13-01')"),
        ({"frequency": "weekly"}, "frequency", "doit être l'une des valeurs monthly, quarterly (reçu 'weekly')"),
        ({"day": 15}, "day", "le jour de paiement est le 5 ou le 20 (reçu 15)"),
        ({"direct_debit": "yes"}, "direct_debit", "doit être true ou false"),
        ({"department": "20"}, "department", "'20' n'est pas un code de département"),
        ({"profession": "agriculteur"}, "profession", "doit être l'une des valeurs artisan, commercant, liberal"),
        ({"income_n1": 1.005}, "income_n1", "doit être un montant en euros au centime près (reçu 1.005)"),
        ({"income_n2": 10**9}, "income_n2", "dépasse la limite de 100\u202f000\u202f000\u00a0€ (reçu 1000000000)"),
    ],
)
def test_bad_input_names_the_row_and_the_field(changes: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(RowInputError) as raised:
        campaign_many(bad(**changes), 2026)
    assert raised.value.row == 2 and raised.value.field == field
    assert str(raised.value).startswith(f"row 2: {field}: ")
    assert words in str(raised.value)


def test_the_first_bad_row_is_reported() -> None:
    rows = [account(), account(frequency="weekly"), account(activity_start=date(2025, 1, 1))]
    with pytest.raises(RowInputError, match=r"^row 1: frequency"):
        campaign_many(columns_of(rows), 2026)


def test_bad_columns_and_years() -> None:
    data = columns_of([account()])
    with pytest.raises(InputError, match="income_n1: est obligatoire"):
        campaign_many({k: v for k, v in data.items() if k != "income_n1"}, 2026)
    with pytest.raises(InputError, match="income: n'est pas un champ connu"):
        campaign_many({**data, "income": [1]}, 2026)
    with pytest.raises(InputError, match="day: a 2 lignes, profession en a 1"):
        campaign_many({**data, "day": [5, 5]}, 2026)
    for year in (2023, 2027):
        with pytest.raises(
            ValueError, match=r"year: une année de campagne demande les paramètres de N-1 et de N \(2024 à 2026\)"
        ):
            campaign_many(data, year)


def test_first_years_rows_the_batch_leaves_to_the_replay() -> None:
    """An income of a first year brought to a whole year beyond the batch's incomes, a start in the campaign year:
    refused with the row and the field (the campaign then replays the row)."""
    late = account(activity_start=date(2025, 12, 31), income_n2=None, income_n1=300_000)
    with pytest.raises(RowInputError, match=r"^row 2: income_n1: annualisé"):
        campaign_many(columns_of([account(), account(), late]), 2026)
    assert scalar(late, 2026).instalments  # the replay computes it


def test_a_first_year_account_worked_by_hand() -> None:
    """Started on 1 December 2025 (ACRE), declared on 10 March 2026: R613-4, first due date at least 90 days after
    the start (1 March 2026) is 5 March; the declaration takes effect on 5 April (slot 3); the provisional
    contributions of 2026 are the flat-rate ones (R613-5 III) from March, the ajustement on the income of 2025
    annualised (R131-3-1 1°: × 365 / 31 days)."""
    row = account(
        activity_start=date(2025, 12, 1), income_n2=None, income_n1=3_100, acre=True, declaration_date=date(2026, 3, 10)
    )
    campaign = campaign_many(columns_of([row]), 2026)
    assert campaign.started is not None and campaign.started[0] == -1
    assert campaign.provisional[0, :2].sum() == 0 and campaign.provisional[0, 2] > 0  # nothing before 5 March
    assert campaign.effect[0] == 3
    assert campaign.ajustement[0, :3].sum() == 0 and campaign.ajustement[0, 3] > 0
    assert not differences([row], 2026, campaign)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-(10**12), 10**12),
    st.sampled_from((0, 1, 2, 3)),
    st.integers(1, 366),
    st.sampled_from((360, 365, 366)),
)
def test_annualised_is_the_rational_rounded_half_up(amount: int, exponent: int, days: int, counted: int) -> None:
    """`rules.annualised` (R131-3-1 1°, the one text of the replay and the arrays) is the exact income × counted /
    days rounded to the euro half up, away from zero for a deficit — what `round_euro` of the Decimal quotient
    gave — on ints and on int64 arrays alike."""
    from echeancier.contributions.exact import SCALAR
    from echeancier.contributions.vectorized import VECTOR
    from echeancier.kernel.money import round_euro
    from echeancier.schedule.rules import annualised

    income = Decimal(amount).scaleb(-exponent)
    expected = round_euro(income * Decimal(counted) / Decimal(days))
    assert annualised(SCALAR, amount, 10**exponent, counted, days) == expected
    if exponent == 2 and abs(amount) <= 10**10:
        got = annualised(VECTOR, np.array([amount]), 100, counted, np.array([days]))
        assert int(got[0]) == expected


ENGLISH = re.compile(r"\b(is|are|must|not|the|of|got|required|unknown|invalid|should|expected|before|after|no)\b")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(sorted(set(FIELDS) - {"id"})),
    value=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.dates(date(1900, 1, 1), date(2100, 12, 31)),
        st.sampled_from(["2026-13-01", "weekly", "yes", "20", "2A", "modulation", "next_year", "40.000"]),
    ),
)
def test_hostile_campaign_values_are_refused_in_french(field: str, value: Any) -> None:
    """Any value in any column: computed, or refused with the row, the field and a French message (a hostile
    test of the batch's input layer)."""
    try:
        campaign_many(columns_of([account(), {**account(), field: value}]), 2026)
    except RowInputError as error:
        assert error.row in (0, 1) and error.field in FIELDS  # a float column makes row 0's 5 a 5.0
        assert not ENGLISH.search(error.message), error.message
