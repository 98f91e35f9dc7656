"""Declarations and their penalties (R613-1-1 III, R613-1-2): worked examples with figures checked by hand
(docs/examples/24 to 27), a penalty never a base for majorations, the taxation d'office before and after the real
declaration, and the events refused with a one-line French message."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from echeancier import simulate
from echeancier.documents.echeancier import to_json, to_table
from echeancier.documents.pdf import schedule_pdf
from echeancier.schedule import declarations
from echeancier.schedule.echeancier import Echeancier, Instalment, build_echeancier
from echeancier.schedule.scenario import ScenarioError, load_scenario, loads_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
D = Decimal


def example(name: str, as_of: date | None = None) -> Echeancier:
    return build_echeancier(load_scenario(EXAMPLES / name), as_of)


def plain(text: str) -> str:
    """French output with ordinary spaces (it groups thousands with narrow no-break spaces)."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def on(e: Echeancier, day: date) -> Instalment:
    return next(i for i in e.instalments if i.due_date == day)


def parts(e: Echeancier, day: date) -> dict[tuple[str, int], Decimal]:
    return {(p.kind, p.year): p.amount for p in on(e, day).parts}


def test_the_deadline_is_the_campaign_s_own_date_or_unknown() -> None:
    # delais.declaration_revenus_date_limite, zone 3; never the value of another year.
    assert declarations.deadline(2024) == date(2025, 6, 5)
    assert declarations.deadline(2025) == date(2026, 6, 4)
    assert declarations.deadline(2026) is None  # the 2027 campaign's date is not in the parameters


def test_a_late_declaration_bears_5_percent_of_the_contributions() -> None:
    e = example("24-declaration-en-retard.yaml")
    # Filed 20 June 2026, deadline 4 June: 5 % × 14 400 € = 720 €, with the first instalment at least 15 days
    # after the declaration (5 July), besides its 1 000 + 400 + 200 € (as in example 02).
    assert parts(e, date(2026, 7, 5)) == {
        ("provisional", 2026): D("1000.00"),
        ("ajustement", 2026): D("400.00"),
        ("regularisation", 2025): D("200.00"),
        ("penalite_declaration", 2025): D("720.00"),
    }
    assert on(e, date(2026, 7, 5)).amount == D("2320.00")
    assert on(e, date(2026, 8, 5)).amount == D("1600.00")
    (penalty,) = e.penalties
    assert (penalty.rate, penalty.base, penalty.amount) == (D("0.05"), D(14400), D("720.00"))
    assert (penalty.deadline, penalty.filed_on, penalty.reference) == (
        date(2026, 6, 4),
        date(2026, 6, 20),
        "CSS R613-1-1 III",
    )
    assert e.statement is not None
    (posting,) = [p for p in e.statement.postings if p.origin == "penalite_declaration"]
    assert (posting.kind, posting.date, posting.year, posting.amount) == ("debit", date(2026, 7, 5), 2025, 72_000)
    assert "R613-1-1 III" in posting.reference and posting.settled_on == date(2026, 7, 5)
    document = to_json(e)
    assert document["penalties"] == [
        {
            "year": 2025,
            "filed_on": "2026-06-20",
            "deadline": "2026-06-04",
            "rate": "0.05",
            "base": 14400.0,
            "amount": 720.0,
            "reference": "CSS R613-1-1 III",
        }
    ]
    ledger_row = next(p for p in document["ledger"] if p["origin"] == "penalite_declaration")
    assert ledger_row["amount"] == 720.0 and "date limite 2026-06-04" in ledger_row["detail"]
    table = plain(to_table(e))
    assert "pénalité de déclaration tardive 2025 : 720,00 €" in table
    assert "après la date limite du 04/06/2026 : 5,00 % de 14 400,00 €" in table
    assert e.called == e.paid + e.credited - e.refunded + e.outstanding - e.credit


@pytest.mark.parametrize("name", ["01-declaration-mensuel.yaml", "26-declaration-deposee-a-temps.yaml"])
def test_a_declaration_filed_by_the_deadline_bears_no_penalty(name: str) -> None:
    e = example(name)
    assert e.penalties == ()
    assert all(p.kind != "penalite_declaration" for i in e.instalments for p in i.parts)
    assert "penalties" not in to_json(e)


def test_filed_on_the_deadline_and_received_later_the_schedule_follows_the_receipt() -> None:
    # Example 26: filed 4 June, received 9 June; the first due date at least 15 days after the receipt is 5 July.
    e = example("26-declaration-deposee-a-temps.yaml")
    assert on(e, date(2026, 6, 5)).amount == D("1000.00")
    assert [on(e, date(2026, m, 5)).amount for m in (7, 8, 9, 10, 12)] == [D("1600.00")] * 5


def test_on_the_tax_administration_s_data_the_penalty_is_10_percent() -> None:
    # Example 27: R613-1-2 II al. 3, 10 % × 14 400 € = 1 440 €, on 5 October (received 15 September).
    e = example("27-donnees-fiscales.yaml")
    assert parts(e, date(2026, 10, 5))[("penalite_declaration", 2025)] == D("1440.00")
    (penalty,) = e.penalties
    assert (penalty.rate, penalty.reference) == (D("0.10"), "CSS R613-1-2 II al. 3")


def test_a_taxation_d_office_then_the_real_declaration() -> None:
    # Example 25. Before the declaration (as of 31 August): the taxation d'office alone.
    before = example("25-taxation-office-remplacee.yaml", date(2026, 8, 31))
    (taxation,) = before.taxations
    # R613-1-2 I: max((30 000 + 36 000) / 2, 50 % × 47 100) × 1.25 = 41 250 €.
    assert (taxation.base.average, taxation.base.pass_fraction, taxation.base.undeclared_years) == (
        D(33000),
        D(23550),
        1,
    )
    assert taxation.retained == D(41250) and taxation.replaced_on is None
    # Contributions of 2025 on 41 250 €, CFP excluded, by the engine (12 870 − 137 = 12 733 €).
    on_base = simulate({"year": 2025, "profession": "artisan", "income": 41250})
    assert taxation.contributions == on_base.total - on_base.line("formation_professionnelle").amount == 12_733
    # Called from the first due date at least 15 days after the notification of 6 July: 5 August, over the five
    # instalments left, (12 733 − 10 000) / 5 = 546,60 €.
    assert taxation.effect == date(2026, 8, 5)
    assert parts(before, date(2026, 8, 5))[("taxation_office", 2025)] == D("546.60")
    assert before.year_total(2025) == D(2733)  # the whole taxation planned from August to December, nothing else
    assert before.penalties == ()  # no penalty for the taxation itself
    assert "taxés d'office le 06/07/2026 sur 41 250,00 €" in plain(to_table(before))
    # After the declaration of 10 September: régularisation on the real figures, penalty kept.
    after = example("25-taxation-office-remplacee.yaml")
    (taxation,) = after.taxations
    assert taxation.replaced_on == date(2026, 9, 10)
    assert parts(after, date(2026, 10, 5)) == {
        ("provisional", 2026): D("1143.00"),
        ("ajustement", 2026): D("561.67"),
        ("regularisation", 2025): D("555.67"),
        ("taxation_office", 2025): D("546.60"),
        ("penalite_declaration", 2025): D("720.00"),
    }
    # 2025: 2 733 € of the taxation + 1 667 € of régularisation = 14 400 − 10 000; the penalty 5 % × 14 400.
    assert after.year_total(2025, ("taxation_office",)) == D(2733)
    assert after.year_total(2025, ("regularisation",)) == D(1667)
    assert after.year_total(2025, ("penalite_declaration",)) == D(720)
    # 2026 ends at the adjusted 14 400 € of the notice.
    assert after.year_total(2026, ("provisional", "ajustement")) == D(14400)
    document = to_json(after)
    assert document["taxations"][0]["replaced_on"] == "2026-09-10" and document["taxations"][0]["base"] == 41250.0
    assert after.outstanding == 0


def test_a_real_declaration_below_the_taxation_is_credited() -> None:
    # The same taxation (12 733 € called from August), then a real income giving 11 000 € of contributions: the
    # taxation's instalments still to come are reduced first, and the penalty is 5 % × 11 000 = 550 €.
    text = (EXAMPLES / "25-taxation-office-remplacee.yaml").read_text()
    e = build_echeancier(loads_scenario(text.replace("definitive: 14400", "definitive: 11000")))
    called = e.year_total(2025, ("taxation_office", "regularisation"))
    credited = sum((r.amount + r.imputed + r.on_instalments for r in e.refunds if r.year == 2025), D(0))
    assert called - credited == 11_000 - 10_000
    assert e.year_total(2025, ("penalite_declaration",)) == D(550)


def test_a_penalty_is_never_a_base_for_majorations() -> None:
    # A quarterly payer declares late (20 June): 5 August calls 3 000 + 1 200 + 600 € of contributions and the
    # 720 € penalty. Missed, paid by transfer on 20 August: R243-16 on the contributions only:
    # 5 % × 4 800 = 240 € + 0.2 % × 4 800 × 1 month = 9,60 € → 249,60 €, not on 5 520 €.
    text = (EXAMPLES / "24-declaration-en-retard.yaml").read_text()
    text = text.replace("frequency: monthly", "frequency: quarterly").replace(
        "years: [2026]",
        "  - {date: 2026-08-05, type: missed_payment}\n"
        "  - {date: 2026-08-20, type: payment, amount: 5520}\nyears: [2026]",
    )
    e = build_echeancier(loads_scenario(text))
    august = parts(e, date(2026, 8, 5))
    assert sum(august.values()) == D(5520) and august[("penalite_declaration", 2025)] == D(720)
    assert e.statement is not None
    (detail,) = e.statement.majorations
    # The declaration was late: the droit à l'erreur (R243-11) does not apply.
    assert detail.base == 480_000 and detail.amount == 24_960 and detail.status == "definitive"
    assert e.year_total(2026, ("majoration",)) == D("249.60")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("{date: 2026-06-20, type: declaration, year: 2025, received_on: 2026-06-25}", "declaration.received_on"),
        ("{date: 2026-06-20, type: declaration, year: 2025, received_on: 2025-12-01}", "avant la fin de l'année 2025"),
        ("{date: 2026-06-20, type: taxation_office, year: 2025}", "notifiée du 2026-07-04 au 2026-12-01"),
        ("{date: 2026-12-02, type: taxation_office, year: 2025}", "notifiée du 2026-07-04 au 2026-12-01"),
        ("{date: 2026-07-06, type: taxation_office, year: 2025, base: -5000}", "base"),
        ("{date: 2026-07-06, type: taxation_office, year: 2025, base: 1000}", "taxation_office.base"),
        ("{date: 2026-07-06, type: taxation_office, year: 2026}", "taxation_office.year"),
        ("{date: 2026-09-15, type: declaration, year: 2025, source: administration_fiscale}", "requested_on"),
        (
            "{date: 2026-08-15, type: declaration, year: 2025, source: administration_fiscale, "
            "requested_on: 2026-07-01}",
            "2 mois",
        ),
        ("{date: 2026-08-15, type: declaration, year: 2025, requested_on: 2026-07-01}", "requested_on"),
    ],
)
def test_bad_declaration_events_are_refused_with_one_line(event: str, message: str) -> None:
    text = (EXAMPLES / "25-taxation-office-remplacee.yaml").read_text()
    start = text.index("events:")
    text = text[:start] + f"events:\n  - {event}\nyears: [2026]\n"
    with pytest.raises(ScenarioError) as error:
        build_echeancier(loads_scenario(text))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_second_taxation_or_a_taxation_after_the_declaration_is_refused() -> None:
    text = (EXAMPLES / "25-taxation-office-remplacee.yaml").read_text()
    twice = text.replace(
        "  - {date: 2026-09-10, type: declaration, year: 2025}",
        "  - {date: 2026-09-10, type: taxation_office, year: 2025}",
    )
    with pytest.raises(ScenarioError, match="déjà taxés d'office"):
        build_echeancier(loads_scenario(twice))
    after = text.replace("2026-07-06, type: taxation_office", "2026-10-06, type: taxation_office")
    with pytest.raises(ScenarioError, match="ont été déclarés le 2026-09-10"):
        build_echeancier(loads_scenario(after))


def test_two_consecutive_undeclared_years_add_25_percent_each() -> None:
    # LAW (docs/law-choices.md): R613-1-2 I al. 4, + 25 % per consecutive undeclared year. Income 2023 declared
    # (30 000), 2024 taxed d'office in 2025 on max(30 000 [2022 is unknown to the account: the average of the
    # incomes known], 50 % × 46 368 = 23 184) × 1.25 = 37 500; 2025 taxed in 2026 on max((30 000 + 30 000 [2024's
    # base without its 25 %]) / 2, 23 550) × 1.50 = 45 000.
    text = (
        "contributor: {profession: artisan, activity_start: 2015-01-01}\n"
        "incomes: {2023: 30000}\n"
        "amounts: {2024: {provisional: 10000}, 2025: {provisional: 10000}, 2026: {provisional: 10000}}\n"
        "events:\n"
        "  - {date: 2025-07-07, type: taxation_office, year: 2024}\n"
        "  - {date: 2026-07-06, type: taxation_office, year: 2025}\n"
        "years: [2025, 2026]\n"
    )
    e = build_echeancier(loads_scenario(text))
    first, second = e.taxations
    assert (first.base.average, first.base.undeclared_years, first.retained) == (D(30000), 1, D(37500))
    assert (second.base.average, second.base.undeclared_years, second.retained) == (D(30000), 2, D(45000))


def test_the_pdf_shows_the_taxation_the_penalty_and_their_articles(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLES / "25-taxation-office-remplacee.yaml")
    pdf = tmp_path / "echeancier.pdf"
    pdf.write_bytes(schedule_pdf(build_echeancier(scenario), scenario, issued_on=date(2026, 12, 1)))
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
    words = " ".join(plain(out.stdout).split())
    for expected in (
        "720,00 € Pénalité 2025",
        "R613-1-1 III",
        "2 733,00 € Taxation d'office 2025",
        "R613-1-2 I et IV",
        "pénalité de déclaration tardive 2025 : 720,00 €",
        "après la date limite du 04/06/2026 : 5,00 % de 14 400,00 €",
        "taxés d'office le 06/07/2026 sur 41 250,00 €",
        "remplacée par la déclaration du 10/09/2026",
    ):
        assert expected in words, expected


def test_on_the_last_year_of_activity_the_last_known_income_without_the_25_percent() -> None:
    # R613-1-2 I al. 5: ceased on 1 October 2025, 2025 undeclared: taxed on the income of 2024, 24 000 €, as it is.
    text = (
        "contributor: {profession: commercant, activity_start: 2015-01-01}\n"
        "incomes: {2023: 20000, 2024: 24000}\n"
        "events:\n"
        "  - {date: 2025-10-01, type: cessation}\n"
        "  - {date: 2026-07-06, type: taxation_office, year: 2025}\n"
        "years: [2025, 2026]\n"
    )
    (taxation,) = build_echeancier(loads_scenario(text)).taxations
    assert taxation.base.last_year and taxation.retained == D(24000)
    # Without any known income the organism must give the base (the revenu forfaitaire of L131-6-2).
    unknown = text.replace("incomes: {2023: 20000, 2024: 24000}", "amounts: {2025: {provisional: 5000}}")
    with pytest.raises(ScenarioError, match=r"taxation_office\.base"):
        build_echeancier(loads_scenario(unknown))


def test_after_the_real_declaration_the_next_year_s_provisional_contributions_are_on_the_real_income() -> None:
    # Example 25 shown over 2026 and 2027: the taxation of 6 July opens 2027 on the taxed base (41 250 €); the
    # declaration of 10 September (income 2025: 45 000 €) calls 2027 on the real income, as any declaration does
    # (R613-5 I 3°): the same amounts as a scenario where 2025 was declared without a taxation.
    text = (EXAMPLES / "25-taxation-office-remplacee.yaml").read_text().replace("years: [2026]", "years: [2026, 2027]")
    declaration = "  - {date: 2026-09-10, type: declaration, year: 2025}\n"
    replaced = build_echeancier(
        loads_scenario(text.replace(declaration, declaration.replace("year: 2025}", "year: 2025, income: 45000}")))
    )
    taxed = build_echeancier(loads_scenario(text.replace(declaration, "")))
    declared = text.replace("  - {date: 2026-07-06, type: taxation_office, year: 2025}\n", "")
    declared = declared.replace("{2023: 30000, 2024: 36000}", "{2023: 30000, 2024: 36000, 2025: 45000}")
    without_taxation = build_echeancier(loads_scenario(declared))
    assert replaced.year_total(2027, ("provisional",)) == without_taxation.year_total(2027, ("provisional",))
    assert taxed.year_total(2027, ("provisional",)) != replaced.year_total(2027, ("provisional",))
    assert replaced.taxations[0].replaced_on == date(2026, 9, 10)
