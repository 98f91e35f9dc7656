"""Who collects (CSS R613-6, L213-1, L752-4): every code of the COG mapped, the others refused with their reason,
the dated values, the commune override, `echeancier organism`, and the organism carried by the échéancier."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from typer.testing import CliRunner, Result

import echeancier.organisms as organisms
from echeancier.cli import app
from echeancier.documents.echeancier import to_csv, to_ics, to_json, to_table
from echeancier.law import load_law
from echeancier.organisms import (
    Organism,
    OrganismDataError,
    OrganismKind,
    UnknownTerritory,
    department_codes,
    is_overseas,
    normalise_department,
    organism_for,
    table_valid_until,
)
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import ScenarioError, loads_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
ON = date(2026, 6, 1)

# The COG, written independently of the data file: 96 metropolitan départements, 5 overseas départements, the two
# collectivities of the Antilles that kept the CSS (CSS L751-1).
METROPOLITAN = [f"{n:02d}" for n in range(1, 20)] + ["2A", "2B"] + [f"{n:02d}" for n in range(21, 96)]
OVERSEAS = ["971", "972", "973", "974", "976", "977", "978"]
COG = METROPOLITAN + OVERSEAS

# Which body collects where, organism by organism (the pre-2016 regions; ecosystem-next.md §3), on 1 June 2026.
URSSAF = {
    "Urssaf Alsace": "67 68",
    "Urssaf Aquitaine": "24 33 40 47 64",
    "Urssaf Auvergne": "03 15 43 63",
    "Urssaf Bourgogne": "21 58 71 89",
    "Urssaf Bretagne": "22 29 35 56",
    "Urssaf Centre-Val de Loire": "18 28 36 37 41 45",
    "Urssaf Champagne-Ardenne": "08 10 51 52",
    "Urssaf Corse": "2A 2B",
    "Urssaf Franche-Comté": "25 39 70 90",
    "Urssaf Île-de-France": "75 77 78 91 92 93 94 95",
    "Urssaf Languedoc-Roussillon": "11 30 34 66",
    "Caisse commune de sécurité sociale de la Lozère": "48",
    "Urssaf Limousin": "19 23 87",
    "Urssaf Lorraine": "54 55 57 88",
    "Urssaf Midi-Pyrénées": "09 12 31 32 46 65 81 82",
    "Urssaf Nord-Pas-de-Calais": "59 62",
    "Urssaf Normandie": "14 27 50 61 76",
    "Urssaf Pays de la Loire": "44 49 53 72 85",
    "Urssaf Picardie": "02 60 80",
    "Urssaf Poitou-Charentes": "16 17 79 86",
    "Urssaf Provence-Alpes-Côte d'Azur": "04 05 06 13 83 84",
    "Urssaf Rhône-Alpes": "01 07 26 38 42 69 73 74",
}
OVERSEAS_ORGANISMS = {
    "971": (OrganismKind.CGSS, "Caisse générale de sécurité sociale de la Guadeloupe"),
    "972": (OrganismKind.CGSS, "Caisse générale de sécurité sociale de la Martinique"),
    "973": (OrganismKind.CGSS, "Caisse générale de sécurité sociale de la Guyane"),
    "974": (OrganismKind.CGSS, "Caisse générale de sécurité sociale de La Réunion"),
    "976": (OrganismKind.CSS, "Caisse de sécurité sociale de Mayotte"),
    "977": (OrganismKind.CGSS, "Caisse de prévoyance sociale de Saint-Barthélemy"),  # L752-1, since 2020
    "978": (OrganismKind.CGSS, "Caisse générale de sécurité sociale de la Guadeloupe"),  # L751-1, L752-4
}

REFUSED = ["20", "00", "975", "99", "2C", "96", "970", "979", "984", "986", "987", "988", "989", "", "  ", "7A", "2A1"]


# --- The table ---------------------------------------------------------------------------------------------------


def test_the_table_serves_exactly_the_cog_codes() -> None:
    assert sorted(department_codes()) == sorted(COG)
    assert len(department_codes()) == 103 and len(set(department_codes())) == 103


@pytest.mark.parametrize("code", COG)
def test_every_cog_code_is_accepted_and_mapped(code: str) -> None:
    organism = organism_for(code, ON)
    assert organism.code == code
    assert organism.territory and organism.name and organism.reference.startswith("CSS R613-6 al. 1")
    assert organism.url.startswith("https://www.legifrance.gouv.fr/")
    assert organism.overseas is (code in OVERSEAS)
    assert is_overseas(code) is organism.overseas
    if code in OVERSEAS:
        assert (organism.kind, organism.name) == OVERSEAS_ORGANISMS[code]
        assert ("L752-4" in organism.reference) is (organism.kind is OrganismKind.CGSS)
    else:
        assert organism.kind is OrganismKind.URSSAF and "L213-1" in organism.reference
        assert code in URSSAF[organism.name].split()


def test_every_metropolitan_organism_serves_its_departements_and_no_other() -> None:
    served: dict[str, set[str]] = {}
    for code in METROPOLITAN:
        served.setdefault(organism_for(code, ON).name, set()).add(code)
    assert served == {name: set(codes.split()) for name, codes in URSSAF.items()}


def test_hand_checked_organisms() -> None:
    paris = organism_for("75", ON)
    assert (paris.kind, paris.name, paris.territory, paris.short_name) == (
        OrganismKind.URSSAF,
        "Urssaf Île-de-France",
        "Paris",
        "Urssaf",
    )
    assert organism_for("2A", ON).name == organism_for("2B", ON).name == "Urssaf Corse"
    assert organism_for("978", ON).name == organism_for("971", ON).name  # Saint-Martin: the CGSS de la Guadeloupe
    assert organism_for("976", ON).short_name == "CSS de Mayotte"


def test_values_are_dated() -> None:
    # The Urssaf of Basse- and Haute-Normandie merged into the Urssaf Normandie on 1 January 2022.
    assert organism_for("14", date(2021, 12, 31)).name == "Urssaf Basse-Normandie"
    assert organism_for("76", date(2021, 12, 31)).name == "Urssaf Haute-Normandie"
    assert organism_for("14", date(2022, 1, 1)).name == organism_for("76", date(2022, 1, 1)).name == "Urssaf Normandie"
    assert organism_for("14", date(2022, 1, 1)).since == date(2022, 1, 1)
    # Saint-Barthélemy: the CPS collects the contributions of the self-employed since 1 January 2020.
    assert organism_for("977", date(2019, 12, 31)).name == "Caisse générale de sécurité sociale de la Guadeloupe"
    assert organism_for("977", date(2020, 1, 1)).name == "Caisse de prévoyance sociale de Saint-Barthélemy"
    with pytest.raises(UnknownTerritory, match=r"^Paris \(75\) : aucun organisme connu avant le 01/01/2018$"):
        organism_for("75", date(2017, 12, 31))


def test_the_table_covers_every_day_of_the_law_parameters() -> None:
    law = load_law()
    assert table_valid_until() >= law.last_date
    for code in COG:
        assert organism_for(code, law.first_date).since <= law.first_date
    assert organism_for("75") == organism_for("75", date.today())  # default: today
    assert organism_for("75", date(2040, 1, 1)).name == "Urssaf Île-de-France"  # after the last check: the last value


# --- Codes refused --------------------------------------------------------------------------------------------------


def assert_one_french_line(error: UnknownTerritory) -> None:
    message = str(error)
    assert message == error.message and "\n" not in message and message.strip() == message
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("code", REFUSED)
def test_codes_that_are_not_ones_are_refused(code: str) -> None:
    with pytest.raises(UnknownTerritory) as raised:
        organism_for(code, ON)
    assert_one_french_line(raised.value)
    with pytest.raises(UnknownTerritory) as again:
        normalise_department(code)
    assert str(again.value) == str(raised.value)


def test_the_reason_of_each_refusal() -> None:
    def message(code: object) -> str:
        with pytest.raises(UnknownTerritory) as raised:
            normalise_department(code)
        return str(raised.value)

    assert message("20") == (
        "« 20 » n'est plus un code de département depuis 1976 : la Corse est divisée en 2A (Corse-du-Sud) et 2B "
        "(Haute-Corse)"
    )
    assert message("975").startswith("Saint-Pierre-et-Miquelon (975) relève d'un autre régime de sécurité sociale")
    assert message(975) == message("975")
    assert message("99").startswith("« 99 » n'est pas un code de département ou de collectivité (attendu : 01 à 19")
    assert message("2c").startswith("« 2c » n'est pas un code")
    assert "Nouvelle-Calédonie" in message("988")


@pytest.mark.parametrize("value", [7, 75, 2.0, None, True, date(2026, 1, 1), ["75"]])
def test_organism_for_takes_a_code_as_text(value: object) -> None:
    with pytest.raises(UnknownTerritory, match="s'écrit en texte") as raised:
        organism_for(value)  # type: ignore[arg-type]
    assert_one_french_line(raised.value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        *[("1", "01"), (1, "01"), ("01", "01"), (75, "75"), ("75", "75"), (" 75 ", "75"), ("2a", "2A"), ("2B", "2B")],
        *[(971, "971"), ("974", "974"), (" 976", "976"), (977, "977"), ("978", "978"), (95, "95"), ("9", "09")],
    ],
)
def test_normalise_department(value: object, code: str) -> None:
    assert normalise_department(value) == code


@pytest.mark.parametrize("value", [0, -1, -75, 20, 96, 100, 975, 999, True, False, None, 1.0, b"75", "1 ", "٣"])
def test_normalise_department_refuses_the_rest(value: object) -> None:
    if value == "1 ":  # trimmed first: accepted
        assert normalise_department(value) == "01"
        return
    with pytest.raises(UnknownTerritory):
        normalise_department(value)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=5), st.integers(min_value=-10, max_value=1100)))
def test_normalise_gives_a_served_code_or_a_one_line_refusal(value: str | int) -> None:
    try:
        code = normalise_department(value)
    except UnknownTerritory as error:
        assert_one_french_line(error)
    else:
        assert code in department_codes()
        assert normalise_department(code) == code
        assert organism_for(code, ON).code == code


# --- Commune override and the data file ----------------------------------------------------------------------------


@pytest.fixture
def table_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "organismes.yaml"
    monkeypatch.setattr(organisms, "DATA_FILE", path)
    organisms._table.cache_clear()
    yield path
    organisms._table.cache_clear()


SMALL_TABLE = """\
last_value_still_valid_on: 2026-12-31
organisms:
  a: {kind: URSSAF, name: Urssaf A, short: Urssaf, verified: test}
  b: {kind: CGSS, name: Caisse B, short: CB, verified: test}
territories:
  "75":
    name: Paris
    values:
      2018-01-01: {organism: a, reference: "CSS R613-6 al. 1", url: "https://example.invalid/a"}
    communes:
      "75056":
        2024-01-01: {organism: b, reference: "CSS R613-6 al. 1 (override)", url: "https://example.invalid/b"}
refused: {}
"""


def test_a_commune_may_have_its_own_organism(table_file: Path) -> None:
    table_file.write_text(SMALL_TABLE, encoding="utf-8")
    assert organism_for("75", ON).name == "Urssaf A"
    assert organism_for("75", ON, commune="75056").name == "Caisse B"
    assert organism_for("75", date(2023, 6, 1), commune="75056").name == "Urssaf A"  # before its own value: none
    assert organism_for("75", ON, commune="75101").name == "Urssaf A"  # no override: the département's
    with pytest.raises(UnknownTerritory, match=r"« 97105 » n'est pas un code de commune de Paris \(75\)"):
        organism_for("75", ON, commune="97105")


def test_the_real_table_has_no_commune_override_today() -> None:
    for code in COG:
        assert organism_for(code, ON, commune=f"{code}001"[:5]) == organism_for(code, ON)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("organism: b", "organism: c"), "unknown organism 'c'"),
        (("kind: CGSS", "kind: MSA"), "kind must be one of URSSAF, CGSS, CSS"),
        (('"75056"', '"13055"'), "commune '13055' is not a commune code of 75"),
        (("refused: {}", 'refused: {"75": non}'), "codes both served and refused"),
        (("    name: Paris\n", ""), "territories.75.name: expected a non-empty text"),
    ],
)
def test_a_malformed_table_is_a_package_defect(table_file: Path, change: tuple[str, str], words: str) -> None:
    table_file.write_text(SMALL_TABLE.replace(*change), encoding="utf-8")
    with pytest.raises(OrganismDataError, match=words):
        organism_for("75", ON)


# --- echeancier organism ------------------------------------------------------------------------------------------

runner = CliRunner()


def organism_command(*args: str) -> Result:
    return runner.invoke(app, ["organism", *args])


def test_cli_organism_in_french() -> None:
    result = organism_command("75", "--on", "2026-06-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "Organisme de recouvrement pour Paris (75) au 01/06/2026 :",
        "  Urssaf Île-de-France (URSSAF)",
        "Référence : CSS R613-6 al. 1, L213-1",
    ]
    mayotte = organism_command("976", "--on", "2026-06-01")
    assert mayotte.exit_code == 0 and "règles de la métropole" in mayotte.stdout


@pytest.mark.parametrize("code", ["2a", "971", "976", "977", "978", "14"])
def test_cli_organism_json(code: str) -> None:
    result = organism_command(code, "--json", "--on", "2026-06-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    document = json.loads(result.stdout)
    expected = organism_for(code, ON)
    assert document["code"] == expected.code
    assert document["organism"] == {"kind": expected.kind.value, "name": expected.name}
    assert document["reference"] == expected.reference
    assert document["overseas"] is expected.overseas


@pytest.mark.parametrize("code", ["20", "00", "975", "99", "2C", "", "988"])
def test_cli_organism_refuses_with_one_line_and_exit_2(code: str) -> None:
    result = organism_command(code)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("erreur: CODE: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert normalise_error(code) in result.stderr


def normalise_error(code: str) -> str:
    with pytest.raises(UnknownTerritory) as raised:
        normalise_department(code)
    return str(raised.value)


def test_cli_organism_bad_date() -> None:
    result = organism_command("75", "--on", "2026-02-30")
    assert result.exit_code == 2 and result.stderr.startswith("erreur: --on: ")


# --- The échéancier names its organism ----------------------------------------------------------------------------

OUTRE_MER = (EXAMPLES / "13-outre-mer.yaml").read_text(encoding="utf-8")


def scenario_in(code: str) -> str:
    assert 'department: "974"' in OUTRE_MER
    return OUTRE_MER.replace('department: "974"', f'department: "{code}"')


def schedule(tmp_path: Path, code: str, *args: str, abattement: bool = True) -> Result:
    path = tmp_path / f"compte-{code}.yaml"
    text = scenario_in(code)
    if not abattement:  # the régime de croisière abattement (CSS L756-4) switched off: the model's amounts
        text = text.replace(f'department: "{code}"', f'department: "{code}"\n  abattement_outre_mer: false')
    path.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["schedule", str(path), *args])


@pytest.mark.parametrize("code", ["2A", "971", "976", "977", "978", "75"])
def test_schedule_end_to_end_names_the_organism_and_warns_overseas(tmp_path: Path, code: str) -> None:
    organism = organism_for(code, date(2026, 12, 31))
    # The collectivités of L751-1 with the abattement of L756-4 switched off: their rates, not their exemptions.
    # Mayotte: its own law for the income years of this scenario (2025 on), so no warning.
    overseas = code in OVERSEAS and code != "976"
    warning = "les taux de l'outre-mer sont appliqués"
    note = "exonerations_outre_mer_non_appliquees"
    # By default the abattement is computed (docs/law-choices.md, 330): no warning, its note instead.
    default = json.loads(schedule(tmp_path, code, "--format", "json").stdout)
    assert not any(n.startswith(note) for n in default["notes"])
    assert ("abattement_outre_mer" in default["notes"]) is overseas

    def schedule_off(tmp_path: Path, code: str, *args: str) -> Result:
        return schedule(tmp_path, code, *args, abattement=False)

    table = schedule_off(tmp_path, code)
    assert table.exit_code == 0, table.output
    header = table.stdout.splitlines()[:3]
    assert header[1] == f"Organisme de recouvrement : {organism.name} — lieu d'activité : {organism.territory} ({code})"
    assert (warning in header[2]) is overseas
    assert table.stdout.count(warning) == (1 if overseas else 0)

    document = json.loads(schedule_off(tmp_path, code, "--format", "json").stdout)
    assert document["organism"]["kind"] == organism.kind.value
    assert document["organism"]["name"] == organism.name
    assert document["organism"]["code"] == code
    assert (f"{note}:{code}" in document["notes"]) is overseas

    for output_format, column in (("csv", "warning"), ("csv-fr", "Avertissement")):
        text = schedule_off(tmp_path, code, "--format", output_format).stdout.removeprefix("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if output_format == "csv-fr" else ","))
        assert rows
        organism_column = "organism" if output_format == "csv" else "Organisme"
        assert {row[organism_column] for row in rows} == {organism.name}
        if overseas:
            expected = f"{note}:{code}" if output_format == "csv" else None
            assert all(row[column] == expected or warning in row[column] for row in rows)
        else:
            assert {row[column] for row in rows} == {""}

    calendar = Calendar.from_ical(schedule_off(tmp_path, code, "--format", "ics").stdout)
    assert str(calendar["X-WR-CALNAME"]) == f"Cotisations {organism.name}"
    events = calendar.walk("VEVENT")
    assert events
    for event in events:
        assert str(event["SUMMARY"]).startswith(f"Cotisations {organism.short_name} : ")
        assert f"Organisme : {organism.name}" in str(event["DESCRIPTION"])
        assert (warning in str(event["DESCRIPTION"])) is overseas


def test_schedule_refuses_saint_pierre_et_miquelon_naming_the_line(tmp_path: Path) -> None:
    line = next(n for n, text in enumerate(OUTRE_MER.splitlines(), start=1) if "department:" in text)
    result = schedule(tmp_path, "975")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"erreur: {tmp_path / 'compte-975.yaml'}: ligne {line} : contributor.department: Saint-Pierre-et-Miquelon "
        "(975) relève d'un autre régime de sécurité sociale (caisse de prévoyance sociale, ordonnance 77-1102) : "
        "non pris en charge\n"
    )


@pytest.mark.parametrize("code", ["20", "00", "975", "99", "2C", "", "988"])
def test_scenario_refuses_what_is_not_a_code_with_its_line(code: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        loads_scenario(scenario_in(code))
    assert raised.value.line == 8
    assert str(raised.value) == f"ligne 8 : contributor.department: {normalise_error(code)}"


@pytest.mark.parametrize(("value", "code"), [("1", "01"), ("2a", "2A"), (75, "75"), (976, "976")])
def test_scenario_normalises_the_code(value: object, code: str) -> None:
    text = OUTRE_MER.replace(
        'department: "974"', f"department: {value!r}" if isinstance(value, str) else f"department: {value}"
    )
    assert loads_scenario(text).contributor.department == code


def test_the_documents_are_the_same_whatever_the_spelling_of_the_code() -> None:
    upper = build_echeancier(loads_scenario(scenario_in("2A")))
    lower = build_echeancier(loads_scenario(scenario_in("2a")))
    assert to_table(upper) == to_table(lower) and to_json(upper) == to_json(lower)
    assert to_csv(upper) == to_csv(lower) and to_ics(upper, "x") == to_ics(lower, "x")


def test_a_mayotte_account_uses_its_own_law_from_2025_and_says_when_it_does_not() -> None:
    metropolitan = build_echeancier(loads_scenario(scenario_in("75")))
    mayotte = build_echeancier(loads_scenario(scenario_in("976")))
    assert [i.amount for i in mayotte.instalments] != [i.amount for i in metropolitan.instalments]
    assert isinstance(mayotte.organism, Organism) and mayotte.organism.kind is OrganismKind.CSS
    assert not any(note.startswith("regles_metropolitaines") for note in mayotte.notes)
    assert not any(note.startswith("regles_metropolitaines") for note in metropolitan.notes)
    # An échéancier of 2024 shows the régularisation of 2023, computed with the metropolitan rules: it says so.
    assert "years: [2026]" in OUTRE_MER
    text = scenario_in("976").replace("years: [2026]", "years: [2024]").replace("  2024: 35000", "  2022: 35000")
    earlier = build_echeancier(loads_scenario(text))
    assert earlier.notes[0] == "regles_metropolitaines:976"


def test_each_overseas_territory_has_its_own_holiday_zone() -> None:
    # The vectorised campaign tells an overseas row by its holiday zone (Campaign.zone_overseas).
    from echeancier.schedule.calendar import Departement

    zones: dict[str | None, set[str]] = {}
    for code in COG:
        zones.setdefault(Departement(code).subdivision, set()).add(code)
    for code in OVERSEAS:
        assert zones[Departement(code).subdivision] == {code}


def test_the_campaign_says_too_which_overseas_rules_an_account_lacks() -> None:
    import numpy as np

    from echeancier.schedule.vectorized import campaign_many

    departments = ["75", "976", "2A", "971", "977", "976"]
    n = len(departments)
    campaign = campaign_many(
        {
            "profession": np.array(["artisan"] * n),
            "frequency": np.array(["monthly"] * n),
            "day": np.array([5] * n),
            "direct_debit": np.array([True] * n),
            "department": np.array(departments),
            "income_n2": np.array([30000.0] * n),
            "income_n1": np.array([30000.0] * (n - 1) + [40000.0]),
            "declaration_date": np.array([date(2025, 5, 20)] * n, dtype="datetime64[D]"),
            "activity_start": np.array([date(2015, 1, 1)] * n, dtype="datetime64[D]"),
            # CSS L756-4 switched off for 971, computed (its note) for 977 (docs/law-choices.md, 330)
            "abattement_outre_mer": np.array([True, True, True, False, True, True]),
        },
        2025,
    )
    # Mayotte: its own law from 2025; the last row's régularisation of 2024 (income 2024 above the income 2023 its
    # provisional contributions were called on) is computed with the metropolitan rules, and says so.
    warnings = [[note for note in campaign.notes(i) if note.startswith(("regles_", "exonerations_"))] for i in range(n)]
    assert warnings == [
        [],
        [],
        [],
        ["exonerations_outre_mer_non_appliquees:971"],
        [],
        ["regles_metropolitaines:976"],
    ]
    assert "abattement_outre_mer" in campaign.notes(4) and "abattement_outre_mer" not in campaign.notes(3)


@pytest.mark.parametrize(
    ("name", "kind", "organism"),
    [
        ("13-outre-mer.yaml", OrganismKind.CGSS, "Caisse générale de sécurité sociale de La Réunion"),
        ("23-mayotte.yaml", OrganismKind.CSS, "Caisse de sécurité sociale de Mayotte"),
        ("01-declaration-mensuel.yaml", OrganismKind.URSSAF, None),
    ],
)
def test_the_examples_name_their_organism(name: str, kind: OrganismKind, organism: str | None) -> None:
    from echeancier.schedule.scenario import load_scenario

    e = build_echeancier(load_scenario(EXAMPLES / name))
    assert e.organism is not None and e.organism.kind is kind
    assert organism is None or e.organism.name == organism
    # 23-mayotte.yaml shows 2026: Mayotte's own law, no warning.
    assert not any(note.startswith("regles_metropolitaines:") for note in e.notes)
    # A CGSS account (L751-1): the abattement of L756-4 computed, its note (docs/law-choices.md, 330).
    assert ("abattement_outre_mer" in e.notes) is (kind is OrganismKind.CGSS)
    assert not any(note.startswith("exonerations_outre_mer_non_appliquees:") for note in e.notes)


# --- Commune and residence in a scenario ----------------------------------------------------------------------------


def contributor_with(extra: str) -> str:
    return OUTRE_MER.replace('  department: "974"\n', f'  department: "974"\n{extra}')


def test_scenario_commune_is_checked_against_its_departement() -> None:
    assert loads_scenario(contributor_with('  commune: "97411"\n')).contributor.commune == "97411"
    assert loads_scenario(contributor_with("  commune: 97411\n")).contributor.commune == "97411"
    with pytest.raises(ScenarioError) as raised:
        loads_scenario(contributor_with('  commune: "75056"\n'))
    assert str(raised.value) == (
        "ligne 9 : contributor.commune: « 75056 » n'est pas un code INSEE de commune du département 974"
    )


def test_the_residence_organism_is_named_when_it_is_another_one() -> None:
    e = build_echeancier(loads_scenario(contributor_with('  residence_department: "2b"\n')))
    assert e.organism is not None and e.organism.code == "974"
    assert e.residence_organism is not None and e.residence_organism.name == "Urssaf Corse"
    assert "l'organisme de votre résidence, Urssaf Corse (Haute-Corse, 2B), qui ne recouvre pas" in to_table(e)
    assert to_json(e)["residence_organism"]["code"] == "2B"
    same = build_echeancier(loads_scenario(contributor_with('  residence_department: "974"\n')))
    assert same.residence_organism is None and to_json(same)["residence_organism"] is None
    assert "résidence" not in to_table(same)
    with pytest.raises(ScenarioError, match=r"^ligne 9 : contributor.residence_department: Saint-Pierre-et-Miquelon"):
        loads_scenario(contributor_with('  residence_department: "975"\n'))


def test_cli_organism_commune() -> None:
    same = organism_command("974", "--commune", "97411", "--json", "--on", "2026-06-01")
    assert same.exit_code == 0 and json.loads(same.stdout)["organism"]["name"] == organism_for("974", ON).name
    bad = organism_command("974", "--commune", "75056")
    assert bad.exit_code == 2 and bad.stderr.startswith("erreur: --commune: « 75056 » n'est pas un code de commune")
