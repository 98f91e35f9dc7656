"""The échéancier: worked examples (research/domain.md §3.3), each rule's example scenario, bad scenario files,
and the invariants of the replay."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.kernel.money import round_cent
from echeancier.schedule.echeancier import Echeancier, build_echeancier
from echeancier.schedule.scenario import ScenarioError, load_scenario, loads_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
D = Decimal


def example(name: str, as_of: date | None = None) -> Echeancier:
    return build_echeancier(load_scenario(EXAMPLES / name), as_of)


def amounts_by_date(e: Echeancier) -> dict[date, Decimal]:
    return {i.due_date: i.amount for i in e.instalments}


def without(e: Echeancier, kind: str) -> dict[date, Decimal]:
    return {i.due_date: sum((p.amount for p in i.parts if p.kind != kind), D(0)) for i in e.instalments}


def test_every_example_builds_and_instalments_are_the_sum_of_their_parts() -> None:
    names = sorted(path.name for path in EXAMPLES.glob("*.yaml"))
    assert len(names) >= 13
    for name in names:
        e = example(name)
        assert e.instalments, name
        for instalment in e.instalments:
            assert instalment.amount == sum(p.amount for p in instalment.parts)
            assert all(p.amount > 0 for p in instalment.parts), name
            assert instalment.debit_date >= instalment.due_date


def test_worked_example_declared_on_20_may() -> None:
    e = example("01-declaration-mensuel.yaml")
    monthly = without(e, "cfp")
    assert [monthly[date(2026, m, 5)] for m in range(1, 6)] == [D("1000.00")] * 5
    assert [monthly[date(2026, m, 5)] for m in range(6, 12)] == [D("1514.29")] * 6
    assert monthly[date(2026, 12, 5)] == D("1514.26")
    november = {p.kind: p.amount for p in next(i for i in e.instalments if i.due_date == date(2026, 11, 5)).parts}
    assert november["cfp"] == 139  # 0.29 % × 48 060, called with the November instalment
    june = {(p.kind, p.year): p.amount for p in e.instalments[5].parts}
    assert june == {
        ("provisional", 2026): D("1000.00"),
        ("ajustement", 2026): D("342.86"),
        ("regularisation", 2025): D("171.43"),
    }
    assert e.year_total(2026, ("provisional", "ajustement")) == 14_400
    assert e.year_total(2025, ("regularisation",)) == 1_200


def test_worked_example_declared_on_25_may() -> None:
    monthly = without(example("02-declaration-tardive.yaml"), "cfp")
    assert monthly[date(2026, 6, 5)] == D("1000.00")
    assert [monthly[date(2026, m, 5)] for m in range(7, 13)] == [D("1600.00")] * 6


def test_worked_example_quarterly() -> None:
    quarterly = without(example("03-trimestriel.yaml"), "cfp")
    assert quarterly == {
        date(2026, 2, 5): 3000,
        date(2026, 5, 5): 3000,
        date(2026, 8, 5): 4800,
        date(2026, 11, 5): 4800,
    }


def test_one_missed_payment_is_carried_to_the_next_without_majoration() -> None:
    e = example("04-un-impaye.yaml")
    by_date = without(e, "cfp")
    assert by_date[date(2026, 7, 5)] == D("3028.58")
    assert next(i for i in e.instalments if i.due_date == date(2026, 6, 5)).missed
    assert e.majorations == ()
    assert e.outstanding == 0  # the carried amount was paid with July's instalment


def test_two_missed_payments_switch_the_year_to_quarterly_with_majorations() -> None:
    e = example("05-deux-impayes.yaml")
    dates = [i.due_date for i in e.instalments]
    assert dates[-2:] == [date(2026, 8, 5), date(2026, 11, 5)]  # quarterly for the rest of the year
    for day in (date(2026, 8, 5), date(2026, 11, 5)):
        principal = sum(
            p.amount for i in e.instalments if i.due_date == day for p in i.parts if p.kind not in ("cfp", "majoration")
        )
        assert principal == D("5300.00")
    initial = [m.initial for m in e.majorations if m.initial]
    assert initial == [D("75.71"), D("75.71")]  # 5 % × 1 514.29, R243-16 I
    # The carried sums are collected oldest first (docs/law-choices.md): June's whole instalment with the August
    # debit (2 months), July's with November's (4 months).
    june = [m for m in e.majorations if m.due_date == date(2026, 6, 5)]
    assert [(m.settled_on, m.months) for m in june] == [(date(2026, 8, 5), 2)]
    assert sum(m.complementary for m in june) == D("6.06")  # 0.2 % × 1 514.29 × 2
    july = [m for m in e.majorations if m.due_date == date(2026, 7, 5)]
    assert [(m.settled_on, m.months, m.complementary) for m in july] == [(date(2026, 11, 5), 4, D("12.11"))]
    assert e.year_total(2026, ("majoration",)) == sum(m.amount for m in e.majorations)
    assert e.outstanding == 0  # every majoration was collected with the debit that settled its instalment


def test_modulation_applies_from_the_first_due_date_15_days_after_the_request() -> None:
    e = example("06-modulation.yaml")
    before = {i.due_date: i.amount for i in e.instalments if i.due_date < date(2026, 4, 5)}
    unmodulated = build_echeancier(
        loads_scenario((EXAMPLES / "06-modulation.yaml").read_text().split("events:")[0] + "years: [2026]\n")
    )
    assert before == {i.due_date: i.amount for i in unmodulated.instalments if i.due_date < date(2026, 4, 5)}
    assert e.instalments[3].amount < e.instalments[2].amount


def test_payment_day_change_and_quarterly_option_and_renunciation() -> None:
    dates = [i.due_date for i in example("07-changements-de-mode.yaml").instalments]
    assert dates == [
        date(2026, 1, 5),
        date(2026, 2, 5),
        date(2026, 3, 5),  # the 5th until the change takes effect
        date(2026, 4, 20),
        date(2026, 5, 20),
        date(2026, 6, 20),
        date(2026, 7, 20),  # then the 20th
        date(2026, 8, 5),  # quarterly from the first quarterly date ≥ 30 days after 1 May
        date(2026, 11, 20),
        date(2026, 12, 20),  # monthly again from November
    ]


def test_start_of_activity() -> None:
    e = example("08-debut-activite.yaml")
    first = e.instalments[0]
    assert first.due_date == date(2025, 7, 5)  # not before 10 March + 90 days = 8 June
    assert e.notices[0].kind == "echeancier_debut_activite" and e.notices[0].date == date(2025, 6, 20)
    provisional_2025 = e.year_total(2025, ("provisional",))
    assert len([i for i in e.instalments if i.due_date.year == 2025]) == 6
    # the 2025 provisional contributions are the flat-rate ones, net of ACRE (see test_contributions)
    from echeancier.schedule import amounts
    from echeancier.schedule.scenario import load_scenario as load

    contributor = load(EXAMPLES / "08-debut-activite.yaml").contributor
    assert provisional_2025 == amounts.forfait(contributor, 2025).amount
    assert {p.kind for i in e.instalments if i.due_date >= date(2026, 6, 5) for p in i.parts} >= {
        "ajustement",
        "regularisation",
    }


def test_late_start_without_direct_debit_moves_year_one_to_year_two() -> None:
    e = example("09-debut-tardif-sans-prelevement.yaml")
    assert "trimestriel_sans_prelevement" in e.notes
    assert [i.due_date for i in e.instalments] == [
        date(2026, 2, 5),
        date(2026, 5, 5),
        date(2026, 8, 5),
        date(2026, 11, 5),
    ]
    years = {p.year for i in e.instalments for p in i.parts if p.kind == "provisional"}
    assert years == {2025, 2026}


def test_report_and_etalement() -> None:
    e = example("10-report-etalement.yaml")
    assert all(i.due_date >= date(2025, 2, 1) for i in e.instalments)  # nothing in the first 12 months
    assert e.year_total(2024, ("provisional",)) == 0
    report = e.year_total(2024, ("report",))
    etalement = e.year_total(2024, ("etalement",))
    # Equal annual thirds: the report in 2025, the étalement in 2026 and 2027 (shown: they are sums of 2024).
    assert abs(etalement - 2 * report) <= D("0.01")  # the cent of the split on the last fraction
    from echeancier.schedule import amounts

    contributor = load_scenario(EXAMPLES / "10-report-etalement.yaml").contributor
    definitive = amounts.definitive(contributor, 2024, D(25000)).amount
    assert abs(report * 3 - definitive) <= D("0.02")
    # R131-9 III: of 2025, only January lies within the twelve months: 1/12 of its régularisation is spread too.
    regularisation_2025 = e.year_total(2025, ("regularisation",))
    spread_2025 = e.year_total(2025, ("etalement",))  # its three fractions, 2026 to 2028
    assert abs(spread_2025 - (regularisation_2025 + spread_2025) / 12) <= D("0.02")


def test_cessation() -> None:
    e = example("11-cessation.yaml")
    assert not [i for i in e.instalments if date(2026, 4, 10) < i.due_date < date(2026, 6, 9)]
    settlement = [i for i in e.instalments if i.due_date == date(2026, 6, 9)]  # 10 April + 60 days (R131-9 IV)
    assert settlement and {p.kind for p in settlement[0].parts} == {"cfp"}
    assert {r.year for r in e.refunds} == {2025, 2026}


def test_credits_are_refunded() -> None:
    e = example("12-trop-verse.yaml")
    assert {(r.kind, r.year) for r in e.refunds} == {("regularisation", 2025), ("ajustement", 2026)}
    assert all(r.on_instalments == 0 for r in e.refunds)  # nothing left to set the credit against
    after = [i for i in e.instalments if i.due_date > date(2026, 5, 20)]
    assert [(i.due_date, [p.kind for p in i.parts]) for i in after] == [(date(2026, 11, 5), ["cfp"])]


def test_overseas_debit_dates() -> None:
    e = example("13-outre-mer.yaml")
    december = next(i for i in e.instalments if i.due_date == date(2026, 12, 20))
    assert december.debit_date == date(2026, 12, 21)  # Sunday 20 December, also a holiday at La Réunion
    june = next(i for i in e.instalments if i.due_date == date(2026, 6, 20))
    assert june.debit_date == date(2026, 6, 22)  # Saturday


def test_as_of_ignores_later_events() -> None:
    e = example("01-declaration-mensuel.yaml", as_of=date(2026, 5, 1))
    assert {i.amount for i in e.instalments if i.due_date.month != 11} == {D("1000.00")}
    assert e.called == 4000 and e.outstanding == 0  # January to April


BAD = [
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nyears: [2026]\ncolour: red\n",
        3,
        "colour: n'est pas un champ connu",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nevents:\n"
        "  - {date: 2026-02-30, type: cessation}\nyears: [2026]\n",
        3,
        "n'est pas une date du calendrier",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2025-01-01}\nevents:\n"
        "  - {date: 2024-06-01, type: cessation}\nyears: [2025]\n",
        3,
        "cessation le 01/06/2024 : avant le début d'activité (01/01/2025)",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nincomes: {2024: 1}\nevents:\n"
        "  - {date: 2026-02-01, type: payment_day_change, day: 20}\n  - {date: 2026-09-01, type: payment_day_change, "
        "day: 5}\nyears: [2026]\n",
        5,
        "le jour de paiement ne change qu'une fois par année civile (2026)",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nincomes: {2024: 1}\nevents:\n"
        "  - {date: 2026-02-06, type: missed_payment}\nyears: [2026]\n",
        4,
        "missed_payment : rien n'est dû le 06/02/2026",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nevents:\n  - {date: 2026-02-06, type: holiday}"
        "\nyears: [2026]\n",
        3,
        "events.0.type : type d'événement inconnu 'holiday' (connus : ",
    ),
    ("contributor: {profession: boulanger, activity_start: 2015-01-01}\nyears: [2026]\n", 1, "profession"),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nyears: [2026]\n",
        None,
        "incomes : le revenu de 2024 est nécessaire",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2024-02-01}\nevents:\n  - {date: 2024-04-01, type: "
        "report_request}\nyears: [2024]\n",
        3,
        "à demander dans les 30 jours de l'affiliation (au plus tard le 02/03/2024)",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nevents:\n  - {date: 2026-04-01, type: "
        "etalement_request, years: 6}\nyears: [2026]\n",
        3,
        "etalement_request : 5 ans au plus (L131-6-1), reçu 6",
    ),
    ("contributor: [1, 2]\nyears: [2026]\n", 1, "contributor"),
    ("- 1\n- 2\n", 1, "un scénario est un dictionnaire"),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nyears: [2031]\n",
        None,
        "years : 2031 est hors des paramètres de la loi",
    ),
    ("contributor: {\n", 2, "YAML invalide"),
    # pydantic's own refusals, in French with the value given
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01, acre: peut-être}\nyears: [2026]\n",
        1,
        "contributor.acre: doit être true ou false (reçu 'peut-être')",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nevents:\n  - {date: 2026-04-01, type: "
        "etalement_request, years: cinq}\nyears: [2026]\n",
        3,
        "events.0.years: doit être un nombre entier (reçu 'cinq')",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nevents:\n  - {date: 2026-04-01, type: "
        "quarterly_option, start: demain}\nyears: [2026]\n",
        3,
        "events.0.start: doit être l'une des valeurs 'in_year' ou 'next_year' (reçu 'demain')",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nevents: [{date: 2026-01-01}]\nyears: [2026]\n",
        2,
        "events.0 : chaque événement a un type (report_request, ",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\nyears: deux\n",
        2,
        "years: doit être une liste (reçu 'deux')",
    ),
    ("contributor: {profession: artisan}\nyears: [2026]\n", 1, "contributor.activity_start: est obligatoire"),
    # a start in 2022, shown from 2023: the income of 2022 is annualised with the law of 2022, which is not known
    (
        "contributor: {profession: artisan, activity_start: 2022-06-01}\nincomes: {2022: 20000, 2023: 30000}\n"
        "years: [2023, 2024]\n",
        None,
        "incomes : le revenu de 2022, année du début d'activité, est rapporté à l'année entière (R131-3-1 1°) selon "
        "les paramètres de 2022, qui ne sont pas connus (la loi commence en 2023) : donner amounts.2024.provisional",
    ),
    (
        "contributor: {profession: artisan, activity_start: 2024-03-01}\nyears: [2023]\n",
        None,
        "years : 2023 est avant le début d'activité (01/03/2024)",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_bad_scenarios_are_refused_with_their_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(ScenarioError) as error:
        build_echeancier(loads_scenario(text))
    assert message in str(error.value)
    assert error.value.line == line


# --- properties -------------------------------------------------------------------------------------------------

STEADY = """
contributor: {{profession: {profession}, activity_start: 2015-01-01, payment: {{frequency: {frequency}, day: {day},
  direct_debit: true}}}}
amounts:
  2025: {{provisional: {called}, definitive: {definitive}}}
  2026: {{provisional: {provisional}, adjusted: {adjusted}}}
  2027: {{provisional: {adjusted}}}
events:
{events}
years: [2026, 2027]
"""


@st.composite
def steady_scenarios(draw: st.DrawFn) -> tuple[str, date]:
    euros = st.integers(0, 60_000)
    declared = draw(st.dates(date(2026, 3, 1), date(2026, 12, 20)))
    events = [f"  - {{date: {declared}, type: declaration, year: 2025}}"]
    if draw(st.booleans()):
        events.append(
            f"  - {{date: {draw(st.dates(date(2026, 1, 2), date(2026, 12, 1)))}, type: modulation, "
            f"estimated_income: {draw(euros)}}}"
        )
    if draw(st.booleans()):
        events.append(f"  - {{date: {draw(st.dates(date(2026, 1, 2), date(2026, 11, 30)))}, type: quarterly_option}}")
    draw(st.randoms()).shuffle(events)
    text = STEADY.format(
        profession=draw(st.sampled_from(["artisan", "commercant", "liberal"])),
        frequency=draw(st.sampled_from(["monthly", "quarterly"])),
        day=draw(st.sampled_from([5, 20])),
        called=draw(euros),
        definitive=draw(euros),
        provisional=draw(euros),
        adjusted=draw(euros),
        events="\n".join(events),
    )
    return text, declared


@settings(max_examples=120, deadline=None)
@given(steady_scenarios())
def test_replaying_is_deterministic_and_independent_of_event_order(case: tuple[str, date]) -> None:
    text, _ = case
    scenario = loads_scenario(text)
    first, second = build_echeancier(scenario), build_echeancier(loads_scenario(text))
    assert first == second
    reordered = scenario.model_copy(
        update={"events": list(reversed(scenario.events)), "event_lines": tuple(reversed(scenario.event_lines))}
    )
    assert build_echeancier(reordered).instalments == first.instalments


@settings(max_examples=120, deadline=None)
@given(steady_scenarios())
def test_what_is_called_adds_up(case: tuple[str, date]) -> None:
    text, declared = case
    scenario = loads_scenario(text)
    e = build_echeancier(scenario)
    given_2025 = scenario.amounts[2025]
    regularisation = given_2025.definitive - given_2025.provisional
    credited_2025 = sum(r.amount + r.imputed + r.on_instalments for r in e.refunds if r.year == 2025)
    # R613-1-1 III: declared after the deadline of 4 June 2026, 5 % of the definitive contributions of 2025.
    penalty = e.year_total(2025, ("penalite_declaration",))
    assert penalty == (round_cent(given_2025.definitive * D("0.05")) if declared > date(2026, 6, 4) else 0)
    assert e.year_total(2025) - penalty - credited_2025 == regularisation  # R613-1-3
    provisional = e.year_total(2026, ("provisional", "ajustement"))
    refunded = sum(r.amount + r.imputed for r in e.refunds if r.year == 2026)
    set_against = sum(r.on_instalments for r in e.refunds if r.year == 2025)
    modulated = any(ev.type == "modulation" for ev in scenario.events)
    adjusted = scenario.amounts[2026].adjusted
    if not modulated:
        # R613-5 I 2° and II: after the ajustement the year calls exactly the adjusted amount, any excess
        # already paid being refunded.
        assert provisional - refunded == adjusted - set_against
    for instalment in e.instalments:
        assert instalment.amount == sum(p.amount for p in instalment.parts)


# The earliest due date each event may change: at least 15 days after a declaration (DESIGN §2.3) or a modulation
# (R613-1-4 II), 30 days after a quarterly option (R613-3 I al. 3).
EARLIEST = {"declaration": 15, "modulation": 15, "quarterly_option": 30}


@settings(max_examples=150, deadline=None)
@given(steady_scenarios())
def test_an_event_never_changes_a_due_date_before_the_law_allows(case: tuple[str, date]) -> None:
    text, _ = case
    scenario = loads_scenario(text)
    events = sorted(scenario.events, key=lambda ev: ev.date)
    # Remove the last event: everything before it is identical, so its own effect is isolated.
    removed = events[-1]
    with_event = build_echeancier(scenario)
    without_event = build_echeancier(scenario.model_copy(update={"events": events[:-1], "event_lines": ()}))
    limit = removed.date + timedelta(days=EARLIEST[removed.type])
    before = [i for i in with_event.instalments if i.due_date < limit]
    assert before == [i for i in without_event.instalments if i.due_date < limit]


@settings(max_examples=60, deadline=None)
@given(st.dates(date(2023, 1, 1), date(2026, 12, 31)), st.sampled_from(["monthly", "quarterly"]), st.booleans())
def test_no_due_date_before_90_days_after_the_start(start: date, frequency: str, acre: bool) -> None:
    text = (
        f"contributor: {{profession: artisan, activity_start: {start}, acre: {str(acre).lower()}, "
        f"payment: {{frequency: {frequency}}}}}\nyears: [{start.year}]\n"
    )
    e = build_echeancier(loads_scenario(text))
    assert all(i.due_date >= start + timedelta(days=90) for i in e.instalments)


def test_a_regularisation_credit_is_set_against_the_instalments_still_to_come() -> None:
    e = example("14-credit-impute.yaml")
    monthly = without(e, "cfp")
    assert [monthly[date(2026, m, 5)] for m in range(6, 12)] == [D("828.57")] * 6  # (7 000 − 1 200) / 7
    assert monthly[date(2026, 12, 5)] == D("828.58")
    assert [(r.kind, r.year, r.on_instalments, r.amount) for r in e.refunds] == [
        ("regularisation", 2025, D(1200), D(0))
    ]
    refund = build_echeancier(
        loads_scenario((EXAMPLES / "14-credit-impute.yaml").read_text().replace("impute\n", "refund\n"))
    )
    assert [(r.amount, r.on_instalments) for r in refund.refunds] == [(D("1200.00"), D(0))]
    assert without(refund, "cfp")[date(2026, 6, 5)] == 1000


def test_a_missed_instalment_paid_by_transfer_is_not_debited_again() -> None:
    e = example("15-impaye-regle-par-virement.yaml")
    assert without(e, "cfp")[date(2026, 7, 5)] == D("1514.29")
    assert e.outstanding == 0
    unpaid = example("15-impaye-regle-par-virement.yaml", as_of=date(2026, 6, 10))
    assert unpaid.outstanding == D("1514.29")


@settings(max_examples=60, deadline=None)
@given(
    st.dates(date(2026, 1, 2), date(2026, 11, 30)),
    st.dates(date(2026, 1, 2), date(2026, 11, 30)),
    st.dates(date(2026, 1, 2), date(2026, 12, 20)),
)
def test_nothing_falls_due_after_a_cessation_but_its_settlement(option: date, modulation: date, end: date) -> None:
    text = (
        "contributor: {profession: commercant, activity_start: 2015-01-01}\nincomes: {2024: 40000}\nevents:\n"
        f"  - {{date: {option}, type: quarterly_option}}\n"
        f"  - {{date: {modulation}, type: modulation, estimated_income: 25000}}\n"
        f"  - {{date: {end}, type: cessation}}\nyears: [2026]\n"
    )
    if max(option, modulation) > end:
        with pytest.raises(ScenarioError, match="impossible après la cessation"):
            build_echeancier(loads_scenario(text))
        return
    e = build_echeancier(loads_scenario(text))
    settlement = end + timedelta(days=60)  # R131-9 IV
    assert all(i.due_date <= end or i.due_date == settlement for i in e.instalments)


def test_a_complement_with_no_due_date_left_in_the_year_is_called_at_the_first_one_of_the_next() -> None:
    # DESIGN §2.3: declared on 20 December 2025, nothing of 2025 is 15 days away: the régularisation of 2024 and
    # the ajustement of 2025 are both called on 5 January 2026, not spread over 2026.
    text = (EXAMPLES / "01-declaration-mensuel.yaml").read_text()
    text = text.replace(
        "2025: {provisional: 13200, definitive: 14400}", "2024: {provisional: 13200, definitive: 14400}"
    )
    text = text.replace(
        "2026: {provisional: 12000, adjusted: 14400}",
        "2025: {provisional: 12000, adjusted: 14400}\n  2026: {provisional: 14400}",
    )
    text = text.replace(
        "{date: 2026-05-20, type: declaration, year: 2025}", "{date: 2025-12-20, type: declaration, year: 2024}"
    ).replace("years: [2026]", "years: [2025, 2026]")
    e = build_echeancier(loads_scenario(text))
    january = next(i for i in e.instalments if i.due_date == date(2026, 1, 5))
    assert {(p.kind, p.year): p.amount for p in january.parts} == {
        ("provisional", 2026): D("1200.00"),
        ("ajustement", 2025): D(2400),
        ("regularisation", 2024): D(1200),
        # Filed after the deadline of 5 June 2025: R613-1-1 III, 5 % × 14 400 € of 2024 contributions, in one go.
        ("penalite_declaration", 2024): D("720.00"),
    }
    assert {p.kind for i in e.instalments if i.due_date > date(2026, 1, 5) for p in i.parts} == {"provisional", "cfp"}


# --- The ledger's rules, one example each (docs/examples/16 to 22) ----------------------------------------------


def majoration_of(e: Echeancier, due: date) -> Any:
    assert e.statement is not None
    return next(d for d in e.statement.majorations if d.due == due)


def test_a_rejected_debit_paid_by_transfer_is_settled_once_without_majoration() -> None:
    e = example("16-virement-apres-rejet.yaml")
    june = next(i for i in e.instalments if i.due_date == date(2026, 6, 5))
    assert june.missed
    assert without(e, "cfp")[date(2026, 7, 5)] == D("1514.29")  # nothing carried: the transfer settled it
    assert e.majorations == () and e.outstanding == 0 and e.credit == 0
    assert e.statement is not None
    debit = next(p for p in e.statement.postings if p.kind == "debit" and p.date == date(2026, 6, 5))
    assert debit.settled_on == date(2026, 6, 15)


def test_a_regularisation_credit_settles_the_unpaid_instalment_before_any_refund() -> None:
    e = example("17-credit-sur-dette.yaml")
    # 1 200 € of credit: 1 000 € on the unpaid 5 February, 200 € refunded (R613-5 II, R613-1-3 al. 2).
    assert [(r.imputed, r.amount) for r in e.refunds] == [(D(1000), D(200))]
    may = next(i for i in e.instalments if i.due_date == date(2026, 5, 5))
    assert {p.kind for p in may.parts} == {"provisional"}  # not debited a second time
    assert e.outstanding == 0 and e.refunded == 200


def test_droit_a_l_erreur_granted_when_paid_within_30_days() -> None:
    e = example("18-droit-erreur-accorde.yaml")
    detail = majoration_of(e, date(2026, 5, 5))
    assert detail.status == "not_due" and all(c.met for c in detail.droit_erreur)
    assert detail.amount == 15_600  # 5 % × 3 000 + 0.2 % × 3 000 × 1 month, in cents, not due
    assert e.year_total(2026, ("majoration",)) == 0 and e.outstanding == 0


def test_droit_a_l_erreur_refused_when_paid_after_30_days() -> None:
    e = example("19-droit-erreur-refuse.yaml")
    detail = majoration_of(e, date(2026, 5, 5))
    assert detail.status == "definitive"
    assert [c.name for c in detail.droit_erreur if not c.met] == ["paiement_30_jours"]
    # R243-16: 5 % × 3 000 + 0.2 % × 3 000 × 2 months (5 May → 20 June) = 162 €
    assert (detail.initial, detail.complementary) == (15_000, 1_200)
    assert e.year_total(2026, ("majoration",)) == 162
    august = next(i for i in e.instalments if i.due_date == date(2026, 8, 5))
    assert [(p.kind, p.amount) for p in august.parts] == [("provisional", 3000), ("majoration", 162)]


def test_a_payment_plan_kept_makes_the_majorations_not_due() -> None:
    e = example("20-plan-respecte.yaml")
    assert e.statement is not None
    (plan,) = e.statement.plans
    assert (plan.status, plan.ended_on, plan.covered) == ("kept", date(2026, 8, 10), 300_000)
    assert majoration_of(e, date(2026, 5, 5)).status == "not_due"
    assert {p.kind for i in e.instalments for p in i.parts} == {"provisional", "cfp"}  # nothing carried
    assert e.outstanding == 0


def test_a_broken_payment_plan_brings_the_majorations_back() -> None:
    e = example("21-plan-rompu.yaml")
    assert e.statement is not None
    (plan,) = e.statement.plans
    assert (plan.status, plan.ended_on) == ("broken", date(2026, 7, 10))
    detail = majoration_of(e, date(2026, 5, 5))
    assert detail.status == "lifted"
    # 5 % × 3 000 = 150; 1 000 paid on 10 June (2 months) and 2 000 on 1 September (4 months) at 0.2 %
    assert [(p.settled_on, p.amount, p.months, p.complementary) for p in detail.portions] == [
        (date(2026, 6, 10), 100_000, 2, 400),
        (date(2026, 9, 1), 200_000, 4, 1_600),
    ]
    assert detail.amount == 17_000
    assert e.year_total(2026, ("majoration",)) == 170 and e.outstanding == 0


def test_a_remise_covers_the_5_percent_but_not_the_late_complementary() -> None:
    e = example("22-remise.yaml")
    assert e.statement is not None
    (remise,) = e.statement.remises
    assert remise.admissible and (remise.decision, remise.amount, remise.remissible) == ("total", 15_000, 15_000)
    assert remise.authority == "directeur"
    assert e.credited == 150 and e.outstanding == 0
    august = next(i for i in e.instalments if i.due_date == date(2026, 8, 5))
    assert [(p.kind, p.amount) for p in august.parts] == [("provisional", 3000), ("majoration", 12)]


def test_quarterly_payer_missing_5_may_and_paying_20_june_owes_162() -> None:
    # Issue #6: R243-16 and service-public: 5 % × 3 000 + 0.2 % × 3 000 × 2 months (or fraction) = 162 €.
    e = example("19-droit-erreur-refuse.yaml")
    assert sum(m.amount for m in e.majorations) == 162


@pytest.mark.parametrize(
    "events",
    [
        "  - {date: 2026-12-14, type: cessation}\n",  # ceased within a month: the settlement waits for the 90 days
        "  - {date: 2026-12-05, type: report_request}\n",  # report: the CFP after the twelve months
    ],
)
def test_no_due_date_less_than_90_days_after_the_start(events: str) -> None:
    # R613-4: "la première exigibilité … ne peut intervenir moins de quatre-vingt-dix jours après le début".
    text = (
        "contributor: {profession: liberal, activity_start: 2026-11-20, payment: {frequency: quarterly}}\n"
        f"events:\n{events}years: [2026]\n"
    )
    e = build_echeancier(loads_scenario(text))
    assert e.instalments and all(i.due_date >= date(2027, 2, 18) for i in e.instalments)


def test_the_last_etalement_fraction_is_spread_like_the_others() -> None:
    # docs/law-choices.md 220: the due dates of 2028 (two years after the last checked parameters) are placed with
    # the last known ones, so the third fraction of the 2025 étalement (R131-9 III) is spread over June–December
    # 2028 like the second over June–December 2027 (7 × 2.68 €, the last 2.67 €), not called in one amount on
    # 5 June 2028 as when 2028 had no known calendar. The total is unchanged: 6 × 2.68 + 2.67 = 18.75 €.
    e = example("10-report-etalement.yaml")

    def fraction(year: int) -> list[D]:
        return [
            p.amount
            for i in e.instalments
            if i.due_date.year == year
            for p in i.parts
            if p.kind == "etalement" and p.year == 2025
        ]

    assert fraction(2027) == [D("2.68")] * 6 + [D("2.67")]
    assert fraction(2028) == [D("2.68")] * 6 + [D("2.67")]
