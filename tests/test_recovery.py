"""The recovery procedure (issue #7): worked examples with dates checked by hand, prescription (L244-3), the D133-1
threshold, coordinated recovery (L613-3 al. 3), and properties of the pure core."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.account.ledger import Posting, Statement
from echeancier.kernel.dates import add_months
from echeancier.law import load_law
from echeancier.recovery.policy import abandon_threshold, policy
from echeancier.recovery.procedure import (
    RecoveryError,
    Step,
    check_step,
    prescription_end,
    procedure,
)
from echeancier.recovery.service import account_procedure, prepare_step

PARIS = {
    "contributor": {
        "profession": "artisan",
        "activity_start": "2015-01-01",
        "department": "75",
        "payment": {"frequency": "monthly", "day": 5, "direct_debit": True},
    },
    "incomes": {"2024": "30000", "2025": "30000"},
}
# The direct debits of 5 May, 5 June and 5 August 2026 are rejected: the instalment of 5 May stays unpaid.
REJECTIONS = [
    {"type": "rejected_debit", "date": f"2026-{month}-07", "due_date": f"2026-{month}-05", "reason": "AM04"}
    for month in ("05", "06", "08")
]
MAY = "provisional:2026:2026-05-05"
JUNE = "provisional:2026:2026-06-05"


def step(events: list[dict[str, Any]], kind: str, day: str, contributor: dict[str, Any] = PARIS, **extra: Any) -> Any:
    payload = prepare_step(contributor, events, {"type": kind, "date": day, "agent": "agent-7", **extra})
    events.append(payload)
    return payload


def refused(events: list[dict[str, Any]], kind: str, day: str, **extra: Any) -> str:
    with pytest.raises(RecoveryError) as caught:
        prepare_step(PARIS, events, {"type": kind, "date": day, "agent": "agent-7", **extra})
    assert "\n" not in caught.value.message
    return caught.value.message


def state_on(events: list[dict[str, Any]], day: date, key: str = MAY) -> Any:
    return account_procedure(PARIS, events, day).procedure.state(key)


def test_a_debt_of_5_may_2026_through_relance_mise_en_demeure_contrainte_and_opposition() -> None:
    events = list(REJECTIONS)
    # Relance: 15 days after the due date (recouvrement.relance_delai_jours): 5 May + 15 = 20 May.
    assert state_on(events, date(2026, 5, 19)).due_on == date(2026, 5, 20)
    assert "à partir du 20/05/2026" in refused(events, "relance", "2026-05-19")
    assert step(events, "relance", "2026-05-20")["debts"] == [MAY]  # June's instalment is not due yet
    # Mise en demeure: 15 days after the relance: 20 May + 15 = 4 June.
    assert "à partir du 04/06/2026" in refused(events, "mise_en_demeure", "2026-06-03")
    sent = step(events, "mise_en_demeure", "2026-06-04")
    assert sent["debts"] == [MAY] and sent["creditor"] == "urssaf_ile_de_france"
    content = sent["sent"]
    # R244-1: nature, period, amount. No majoration yet on 4 June: a monthly payer's first incident bears none
    # until the second consecutive one (R613-2 III), which comes on 5 June.
    assert content["lines"][0]["nature"] == "cotisations" and content["lines"][0]["year"] == 2026
    assert content["contributions_cents"] == content["lines"][0]["amount_cents"] == 100392
    assert content["majorations_cents"] == 0 and content["total_cents"] == 100392
    # Receipt on 8 June; the month of L244-2 ends on 8 July (C. proc. civ. 641): contrainte from 9 July.
    assert "réception" in refused(events, "contrainte", "2026-06-09")
    step(events, "mise_en_demeure_receipt", "2026-06-08")
    contrainte_state = state_on(events, date(2026, 7, 8))
    assert (contrainte_state.next_step, contrainte_state.due_on) == ("contrainte", date(2026, 7, 9))
    assert contrainte_state.deadline == date(2029, 7, 8)  # L244-8-1: three years after the end of the delay
    assert "à partir du 09/07/2026" in refused(events, "contrainte", "2026-07-08")
    step(events, "contrainte", "2026-07-09", agent="directeur")
    step(events, "contrainte_notification", "2026-07-15", means="commissaire_de_justice")
    # Opposition within 15 days of the service on 15 July: 16 to 30 July.
    assert state_on(events, date(2026, 7, 30)).stage == "contrainte_notifiee"
    without_opposition = state_on(events, date(2026, 7, 31))
    assert (without_opposition.stage, without_opposition.next_step) == ("executoire", "execution")
    assert "30/07/2026" in refused(events, "opposition", "2026-07-31")
    step(events, "opposition", "2026-07-28")
    opposed = account_procedure(PARIS, events, date(2026, 8, 1)).procedure
    assert opposed.state(MAY).stage == "opposition"
    assert "execution" not in [n.step for n in opposed.next_steps]  # waits for the court
    assert "jugement" in refused(events, "execution", "2026-08-01")
    step(events, "opposition_decision", "2026-10-01", decision="validee")
    decided = state_on(events, date(2026, 10, 2))
    assert (decided.stage, decided.next_step, decided.due_on) == ("executoire", "execution", date(2026, 10, 1))
    # The history is complete: every step with who decided it.
    steps = account_procedure(PARIS, events, date(2026, 10, 2)).procedure.steps
    assert [(s.type, s.agent) for s in steps][-3:] == [
        ("contrainte_notification", "agent-7"),
        ("opposition", "agent-7"),
        ("opposition_decision", "agent-7"),
    ]
    assert steps[3].agent == "directeur"


def test_the_mise_en_demeure_states_the_majorations_on_its_date() -> None:
    events = list(REJECTIONS)
    step(events, "relance", "2026-06-20")  # May's and June's instalments (both 15 days old or more)
    sent = step(events, "mise_en_demeure", "2026-07-20")["sent"]
    lines = {line["debt"]: line for line in sent["lines"]}
    assert set(lines) == {MAY, JUNE}
    # By hand, on 20 July: 5 % of 1 003,92 € = 50,196 → 50,20 €; 0,2 % a month or fraction of month from the due
    # date (R243-16 II): 5 May → 20 July is 3 (1 003,92 × 0,006 = 6,02), 5 June → 20 July is 2 (4,02).
    assert lines[MAY]["majorations_cents"] == 5020 + 602
    assert lines[JUNE]["majorations_cents"] == 5020 + 402
    assert sent["majorations_cents"] == 5622 + 5422
    assert sent["total_cents"] == 2 * 100392 + 5622 + 5422


def _statement(debits: list[tuple[date, str, int, int]], as_of: date, credit: int = 0) -> Statement:
    postings = tuple(
        Posting(i + 1, due, "debit", origin, year, amount, "test")
        for i, (due, origin, year, amount) in enumerate(debits)
        if due <= as_of
    )
    total = sum(p.amount for p in postings)
    return Statement(as_of, postings, (), (), (), (), (), (), total, 0, 0, 0, total, credit)


def test_a_2022_contribution_is_prescribed_after_30_june_2026() -> None:
    # L244-3: three years from 30 June 2023 (the year after 2022): the last day is 30 June 2026.
    rules = policy(date(2026, 6, 30))
    assert prescription_end("regularisation", 2022, date(2023, 11, 5), rules) == date(2026, 6, 30)
    assert prescription_end("provisional", 2026, date(2026, 5, 5), rules) == date(2030, 6, 30)
    # Majorations and penalties: three years from the end of the year (L244-3 al. 3 and 4).
    assert prescription_end("majoration", 2023, date(2023, 8, 5), rules) == date(2026, 12, 31)
    assert prescription_end("penalite_retard_declaration", None, date(2024, 7, 1), rules) == date(2027, 12, 31)
    debts = [(date(2023, 11, 5), "regularisation", 2022, 50_000)]
    for day, allowed in ((date(2026, 6, 30), True), (date(2026, 7, 1), False)):
        rules = policy(day)
        before = procedure(_statement(debts, day), [], rules)
        med = Step("mise_en_demeure", day, "a", None, ("regularisation:2022:2023-11-05",))
        if allowed:
            check_step(before, med, rules)
            assert before.next_steps[0].deadline == date(2026, 6, 30)
        else:
            with pytest.raises(RecoveryError, match="prescrite depuis le 01/07/2026"):
                check_step(before, med, rules)
            assert before.debts[0].stage == "prescrite" and before.next_steps == ()


def test_the_d133_1_threshold_is_2_5_percent_of_the_monthly_plafond_rounded_up() -> None:
    law = load_law()
    # 2026: 48 060 / 12 = 4 005 €; × 2,5 % = 100,125 → 101 €. 2025: 3 925 × 2,5 % = 98,125 → 99 €.
    # 2024: 3 864 × 2,5 % = 96,60 → 97 €.
    assert abandon_threshold(law, date(2026, 3, 1)) == 10_100
    assert abandon_threshold(law, date(2025, 3, 1)) == 9_900
    assert abandon_threshold(law, date(2024, 3, 1)) == 9_700


def test_recovery_may_be_abandoned_only_below_the_threshold() -> None:
    small = [(date(2026, 3, 5), "provisional", 2026, 10_099)]
    rules = policy(date(2026, 4, 1))
    before = procedure(_statement(small, date(2026, 4, 1)), [], rules)
    assert before.abandon_possible
    check_step(before, Step("recovery_abandoned", date(2026, 4, 1), "a", None, ("provisional:2026:2026-03-05",)), rules)
    after = procedure(
        _statement(small, date(2026, 5, 1)),
        [Step("recovery_abandoned", date(2026, 4, 1), "a", None, ("provisional:2026:2026-03-05",))],
        policy(date(2026, 5, 1)),
    )
    assert after.debts[0].stage == "abandonnee" and after.next_steps == ()
    large = [(date(2026, 3, 5), "provisional", 2026, 10_100)]  # 101 € is not "en deçà" of 101 €
    before = procedure(_statement(large, date(2026, 4, 1)), [], rules)
    with pytest.raises(RecoveryError, match="n'est pas inférieure au seuil de 101,00"):
        check_step(
            before, Step("recovery_abandoned", date(2026, 4, 1), "a", None, ("provisional:2026:2026-03-05",)), rules
        )


def test_coordinated_recovery_after_the_thresholds_with_an_organism_of_its_own() -> None:
    debts = [(date(2026, 1, 5), "provisional", 2026, 300_000), (date(2026, 2, 5), "provisional", 2026, 250_000)]
    # 5 500 € unpaid; the oldest sum (5 January) is 6 months old on 5 July (defaults: 5 000 €, 6 months).
    on_4_july = procedure(_statement(debts, date(2026, 7, 4)), [], policy(date(2026, 7, 4)), organism="urssaf_corse")
    assert not on_4_july.coordinated
    rules = policy(date(2026, 7, 5))
    on_5_july = procedure(_statement(debts, date(2026, 7, 5)), [], rules, creditors=("urssaf_corse",))
    assert on_5_july.coordinated and on_5_july.creditors == ("urssaf_corse",)
    plan = [n for n in on_5_july.next_steps if n.step == "coordinated_plan"]
    assert plan and plan[0].amount == 550_000 and plan[0].due_on == date(2026, 7, 5)
    # An organism that sets its own thresholds (no décret fixes them, L613-3 al. 3).
    from echeancier.law.loader import Parameter, Value

    own = {
        "urssaf_corse": {
            "coordination_seuil_montant": Parameter(
                "recouvrement.coordination_seuil_montant",
                "",
                "euro",
                (Value(date(2026, 1, 1), __import__("decimal").Decimal(10_000), "décision du directeur", None),),
                date(2026, 12, 31),
                (date(2026, 1, 1),),
            )
        }
    }
    stricter = policy(date(2026, 7, 5), "urssaf_corse", overrides=own)
    assert stricter.coordination_amount == 1_000_000
    assert policy(date(2026, 7, 5), "urssaf_alsace", overrides=own).coordination_amount == 500_000
    assert not procedure(_statement(debts, date(2026, 7, 5)), [], stricter).coordinated


def test_an_organism_overseas_is_named_and_the_payment_plan_suspends_the_procedure() -> None:
    for code, key in (("2A", "urssaf_corse"), ("971", "cgss_guadeloupe"), ("976", "css_mayotte")):
        contributor = {**PARIS, "contributor": {**PARIS["contributor"], "department": code}}
        state = account_procedure(contributor, REJECTIONS, date(2026, 6, 1)).procedure
        assert state.organism == key and state.creditors == (key,)
        assert [n.step for n in state.next_steps] == ["relance"]
    events = [*REJECTIONS, {"type": "payment_plan", "date": "2026-06-10",
                            "instalments": [{"date": "2026-07-10", "amount_cents": 100_000},
                                            {"date": "2026-08-10", "amount_cents": 200_000}]}]  # fmt: skip
    state = account_procedure(PARIS, events, date(2026, 6, 20)).procedure
    assert state.state(MAY).stage == "suspendue" and state.next_steps == ()


# --- Properties of the pure core --------------------------------------------------------------------------------

KINDS = ["relance", "mise_en_demeure", "mise_en_demeure_receipt", "contrainte", "contrainte_notification",
         "opposition", "execution"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    due=st.dates(date(2023, 1, 1), date(2026, 6, 30)),
    attempts=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 120)), min_size=1, max_size=12),
)
def test_no_step_is_accepted_before_its_delay(due: date, attempts: list[tuple[str, int]]) -> None:
    """Whatever steps are tried and when, an accepted one respects the delays, checked here by a model of the
    procedure written from the texts: relance 15 days after the due date; mise en demeure 15 days after the relance
    (30 after the due date without one) and before prescription; contrainte after the month from the receipt;
    opposition within 15 days of the service; execution after them."""
    key = f"provisional:{due.year}:{due.isoformat()}"
    debts = [(due, "provisional", due.year, 123_456)]
    steps: list[Step] = []
    day = due
    model: dict[str, date] = {}
    for kind, gap in attempts:
        day = day + timedelta(days=gap)
        rules = policy(day)
        before = procedure(_statement(debts, day), steps, rules)
        candidate = Step(kind, day, "a", None, (key,))
        try:
            check_step(before, candidate, rules)
        except RecoveryError:
            continue
        if kind == "relance":
            assert day >= due + timedelta(days=15) and not model
        elif kind == "mise_en_demeure":
            start = model["relance"] + timedelta(days=15) if "relance" in model else due + timedelta(days=30)
            assert start <= day <= date(due.year + 4, 6, 30) and "mise_en_demeure" not in model
        elif kind == "mise_en_demeure_receipt":
            assert day >= model["mise_en_demeure"]
        elif kind == "contrainte":
            assert day > add_months(model["mise_en_demeure_receipt"], 1)
        elif kind == "contrainte_notification":
            assert day >= model["contrainte"]
        elif kind == "opposition":
            assert model["contrainte_notification"] <= day <= model["contrainte_notification"] + timedelta(days=15)
        elif kind == "execution":
            assert "opposition" not in model
            assert day > model["contrainte_notification"] + timedelta(days=15)
        model[kind] = day
        steps.append(candidate)


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(2019, 2026),
    due_offset=st.integers(0, 400),
    day=st.dates(date(2023, 1, 1), date(2031, 12, 31)),
)
def test_no_mise_en_demeure_on_prescribed_sums(year: int, due_offset: int, day: date) -> None:
    due = date(year, 1, 5) + timedelta(days=due_offset)
    debts = [(due, "regularisation", year, 80_000)]
    rules = policy(day)
    before = procedure(_statement(debts, day), [], rules)
    key = f"regularisation:{year}:{due.isoformat()}"
    if due > day:
        return
    prescribed = day > date(year + 4, 6, 30)  # L244-3: three years from 30 June of the next year
    try:
        check_step(before, Step("mise_en_demeure", day, "a", None, (key,)), rules)
        accepted = True
    except RecoveryError:
        accepted = False
    assert not (accepted and prescribed)
    assert accepted == (not prescribed and day >= due + timedelta(days=30))
    assert all(n.step != "mise_en_demeure" or not prescribed for n in before.next_steps)


def test_a_coordinated_plan_once_the_debt_passes_the_thresholds_suspends_the_procedure() -> None:
    corse = {
        "contributor": {**PARIS["contributor"], "profession": "commercant", "department": "2A",
                        "payment": {"frequency": "monthly", "day": 5, "direct_debit": False}},
        "incomes": PARIS["incomes"],
    }  # fmt: skip
    # Without direct debit the payer is quarterly (R613-2 I, R613-3): 5 February, 5 May, 5 August unpaid.
    events: list[dict[str, Any]] = [{"type": "missed_payment", "date": f"2026-{m}-05"} for m in ("02", "05", "08")]
    on_4_august = account_procedure(corse, events, date(2026, 8, 4)).procedure
    assert not on_4_august.coordinated  # 5 February + 6 months = 5 August
    on_5_august = account_procedure(corse, events, date(2026, 8, 5)).procedure
    assert on_5_august.coordinated and on_5_august.creditors == ("urssaf_corse",)
    debt = on_5_august.outstanding
    assert debt >= 500_000
    plan = {
        "creditors": [{"creditor": "urssaf_corse", "amount": str(debt / 100)}],
        "instalments": [{"date": "2026-09-05", "amount": str(debt / 100)}],
    }
    with pytest.raises(RecoveryError, match="seuils du recouvrement concerté"):
        prepare_step(corse, events, {"type": "coordinated_plan", "date": "2026-08-04", "agent": "a", **plan})
    bad = {**plan, "instalments": [{"date": "2026-09-05", "amount": "10"}]}
    with pytest.raises(RecoveryError, match="un seul plan pour tous"):
        prepare_step(corse, events, {"type": "coordinated_plan", "date": "2026-08-05", "agent": "a", **bad})
    recorded = prepare_step(corse, events, {"type": "coordinated_plan", "date": "2026-08-05", "agent": "a", **plan})
    assert recorded["instalments"] == [{"date": "2026-09-05", "amount_cents": debt}]
    during = account_procedure(corse, [*events, recorded], date(2026, 9, 1)).procedure
    assert {s.stage for s in during.debts} == {"suspendue"} and during.next_steps == ()


def test_the_projection_filter_keeps_every_account_that_may_have_a_step_due() -> None:
    from echeancier.recovery.service import may_have_work
    from echeancier.store import Projection

    def cached(on: str, late: date | None, following: date | None) -> Projection:
        return Projection(late_since=late, next_due_date=following, payload={"as_of": on})

    on = date(2026, 7, 1)
    assert may_have_work(cached("2026-07-01", date(2026, 5, 5), date(2026, 8, 5)), on)  # unpaid since May
    assert not may_have_work(cached("2026-07-01", None, date(2026, 8, 5)), on)  # paid up, nothing due before August
    assert may_have_work(cached("2026-06-01", None, date(2026, 6, 5)), on)  # a due date since the projection
    assert may_have_work(cached("2026-06-01", None, None), on)  # nothing known after it
    assert may_have_work(cached("2026-09-01", None, date(2026, 10, 5)), on)  # computed later: cannot tell
    assert not may_have_work(Projection(payload={"error": "refused", "as_of": "2026-01-01"}), on)


def test_any_other_debit_of_the_ledger_is_a_penalty_on_the_mise_en_demeure() -> None:
    """A debit whose origin the recovery does not know (the late-declaration penalty another module posts) is
    claimed generically: nature "pénalités", prescription three years from the end of its year (L244-3 al. 4)."""
    from types import SimpleNamespace

    from echeancier.recovery.service import AccountProcedure, mise_en_demeure_content

    day = date(2026, 9, 1)
    debts = [
        (date(2026, 5, 5), "provisional", 2026, 100_000),
        (date(2026, 6, 30), "penalite_declaration_tardive", 2025, 5_000),
    ]
    rules = policy(day)
    statement = _statement(debts, day)
    state = procedure(statement, [], rules)
    penalty = state.state("penalite_declaration_tardive:2025:2026-06-30")
    assert penalty.debt.nature == "penalites" and penalty.debt.prescription == date(2029, 12, 31)
    assert penalty.next_step == "relance" and penalty.due_on == date(2026, 7, 15)
    replayed = AccountProcedure(state, SimpleNamespace(statement=statement, organism=None), rules)  # type: ignore[arg-type]
    sent = mise_en_demeure_content(replayed, [d.debt.key for d in state.debts])
    assert (sent["contributions_cents"], sent["penalties_cents"], sent["total_cents"]) == (100_000, 5_000, 105_000)
    assert [line["nature"] for line in sent["lines"]] == ["cotisations", "penalites"]


def test_a_step_dated_before_one_already_recorded_on_the_same_sums_is_refused() -> None:
    events = list(REJECTIONS)
    # A mise en demeure without relance: 5 May + 15 + 15 days = 4 June.
    assert step(events, "mise_en_demeure", "2026-06-04")["debts"] == [MAY]
    # A relance dated 25 May would be due on that date, but the mise en demeure of 4 June came 10 days after it.
    assert "antérieure à l'étape « mise en demeure » du 04/06/2026" in refused(events, "relance", "2026-05-25")
    assert step(events, "relance", "2026-06-20")["debts"] == [JUNE]  # June's own procedure is not concerned
