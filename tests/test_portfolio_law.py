"""A file of clients (`schedule --input`) and a directory of scenarios are read and computed with the `Law` passed in:
the payment days a row may choose and the day of a row that gives none are the law's (CSS R613-2 I, law-choices
431), here in a temporary copy of the YAML whose day "à défaut de choix" is the 6th."""

from __future__ import annotations

from pathlib import Path

from echeancier.law.loader import Law
from echeancier.portfolio.schedules import ClientSchedule, schedules_of_directory, schedules_of_table
from echeancier.portfolio.tables import read_table
from tests.test_one_text import law_with

HEADER = (
    "client;profession;debut_activite;paiement;jour;revenu_professionnel_2024;revenu_brut_2025;date_declaration\r\n"
)


def default_6(tmp_path: Path) -> Law:
    """The packaged law with the default payment day the 6th (the other stays the 20th)."""
    return law_with(
        tmp_path, "echeances", '{value: 5, reference: "CSS R613-2 I al. 2', '{value: 6, reference: "CSS R613-2 I al. 2'
    )


def clients(tmp_path: Path, law: Law | None) -> dict[str, ClientSchedule]:
    tmp_path.mkdir(exist_ok=True)
    source = tmp_path / "clients.csv"
    source.write_text(
        HEADER
        + "C5;artisan;01/01/2015;mensuel;5;30 000;40 000;20/05/2026\r\n"
        + "C6;artisan;01/01/2015;mensuel;6;30 000;40 000;20/05/2026\r\n"
        + "C20;artisan;01/01/2015;mensuel;20;30 000;40 000;20/05/2026\r\n"
        + "Cx;artisan;01/01/2015;mensuel;;30 000;40 000;20/05/2026\r\n",
        encoding="utf-8",
    )
    schedules, french = schedules_of_table(read_table(str(source)), law=law)
    assert french
    return {s.client: s for s in schedules}


def monthly_days(schedule: ClientSchedule) -> set[int]:
    assert schedule.result is not None, schedule.error
    return {i.due_date.day for i in schedule.result.instalments if i.due_date.year == 2026}


def test_the_days_a_row_may_choose_are_the_law_s(tmp_path: Path) -> None:
    packaged = clients(tmp_path / "a", None)
    assert packaged["C6"].error is not None and packaged["C6"].error.message == "doit être 5 ou 20 (reçu '6')"
    assert packaged["C5"].error is None and packaged["C20"].error is None
    assert packaged["Cx"].scenario is not None and packaged["Cx"].scenario.contributor.payment.day == 5

    law = default_6(tmp_path / "b")
    mine = clients(tmp_path / "b", law)
    error = mine["C5"].error
    assert error is not None and (error.field, error.message) == ("jour", "doit être 6 ou 20 (reçu '5')")
    assert mine["C6"].error is None and mine["C20"].error is None
    assert monthly_days(mine["C6"]) == {6}
    assert monthly_days(mine["C20"]) == {20}
    # A row without a day: the law's day "à défaut de choix".
    scenario = mine["Cx"].scenario
    assert scenario is not None and scenario.contributor.payment.day == 6
    assert monthly_days(mine["Cx"]) == {6}


def test_a_directory_of_scenarios_is_read_with_the_law_passed_in(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "contributor: {profession: artisan, activity_start: 2015-01-01}\n"
        "incomes: {2024: 30000, 2025: 40000}\n"
        "events:\n  - {date: 2026-05-20, type: declaration, year: 2025}\nyears: [2026]\n",
        encoding="utf-8",
    )
    [packaged] = schedules_of_directory(str(folder))
    [mine] = schedules_of_directory(str(folder), law=default_6(tmp_path))
    assert packaged.scenario is not None and packaged.scenario.contributor.payment.day == 5
    assert mine.scenario is not None and mine.scenario.contributor.payment.day == 6
    assert monthly_days(mine) == {6}
