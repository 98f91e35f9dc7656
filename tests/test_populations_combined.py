"""Every optional field of a situation drawn together (issue #10): the département (overseas, Mayotte), the conjoint
collaborateur, the professions libérales réglementées with their section and its health fields, the invalidity and
age exemptions, the overseas start-of-activity exemption and abattement, with the years 2023–2026, the three
professions, starts and cessations, ACRE, RSA, deficits, zero and huge incomes, incomes given net.

Each branch is tested alone elsewhere; here their combinations: every situation computes or is refused with the
input layer's one-line French message naming a field, and every path that computes the same thing gives the same
answer — `simulate`, `simulate_many` row by row, `simulate --jsonl` in chunks and line by line, `POST
/v1/simulations`, and the échéancier of the simulated year (what the Urssaf calls is what `simulate` says it
collects).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st

from echeancier import simulate
from echeancier.api import Settings, create_app
from echeancier.api.projection import scenario_for
from echeancier.contributions import conjoint_collaborateur, pamc
from echeancier.contributions.jsonl import one_line
from echeancier.contributions.professions_liberales import collected_elsewhere
from echeancier.contributions.result import CONTRIBUTIONS, Simulation
from echeancier.contributions.situation import ConjointCollaborateur, InputError, Situation
from echeancier.contributions.vectorized import FIELDS, RowInputError, simulate_many
from echeancier.kernel.inputs import loads_json, shown
from echeancier.law import load_law
from echeancier.law.loader import LawError
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import ScenarioError, parse_scenario
from tests.test_jsonl_batch import batch, scalar

CLIENT = TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)
SITUATION_FIELDS = set(Situation.model_fields)
SECTIONS = ("cipav", "cavec", "cnbf", "carmf", "carpimko", "carcdsf", "cavp")
DEPARTMENTS = ("75", "2A", "971", "972", "973", "974", "976", "977", "978")


@st.composite
def situations(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly valid situations over every field, with some combinations the input layer refuses."""
    year = draw(st.sampled_from((2023, 2024, 2025, 2026)))
    profession = draw(st.sampled_from(("artisan", "commercant", "liberal", "liberal_reglementee")))
    income = draw(
        st.one_of(
            st.integers(-50_000, 250_000),
            st.sampled_from((0, 1, -1, 10_000_000, 99_999_999, 100_000_000, 100_000_001, -100_000_001)),
            st.sampled_from(("40 000,50", "-1 200 €", "1e5", "40,000", "100000000.01", 1e9)),
            st.decimals(-1_000, 500_000, places=2).map(str),
        )
    )
    data: dict[str, Any] = {"year": year, "profession": profession, "income": income}
    if draw(st.booleans()):
        first = date(year - 3, 1, 1)
        data["start_date"] = (
            first + timedelta(days=draw(st.integers(0, (date(year, 12, 31) - first).days)))
        ).isoformat()
        data["acre"] = draw(st.booleans())
    if draw(st.integers(0, 5)) == 0:
        data["end_date"] = (date(year, 1, 1) + timedelta(days=draw(st.integers(0, 364)))).isoformat()
    if draw(st.integers(0, 5)) == 0:
        data["rsa"] = True
    if draw(st.integers(0, 7)) == 0:
        data["income_is_net"] = True
    if draw(st.booleans()):
        data["department"] = draw(st.sampled_from(DEPARTMENTS))
    if draw(st.integers(0, 3)) == 0:
        data["conjoint_collaborateur"] = draw(st.sampled_from([o.value for o in ConjointCollaborateur]))
    if profession == "liberal_reglementee" or draw(st.integers(0, 30)) == 0:
        section = draw(st.sampled_from((*SECTIONS, *SECTIONS, "carpv")))
        data["section"] = section
        if section == "carmf" or draw(st.integers(0, 30)) == 0:
            data["secteur"] = draw(st.sampled_from(("1", "2", "non_conventionne", 1)))
        if section == "carcdsf" or draw(st.integers(0, 30)) == 0:
            data["metier"] = draw(st.sampled_from(("chirurgien_dentiste", "sage_femme")))
        if (section == "cnbf" and draw(st.booleans())) or draw(st.integers(0, 30)) == 0:
            data["classe_cnbf"] = draw(st.sampled_from(("1", "2", "2+", 2)))
        if draw(st.integers(0, 3)) == 0:
            data["remplacant"] = True
    elif draw(st.integers(0, 15)) == 0:  # a section's field without a section
        name = draw(st.sampled_from(("secteur", "metier", "classe_cnbf")))
        data[name] = {"secteur": "1", "metier": "sage_femme", "classe_cnbf": "2"}[name]
    if draw(st.integers(0, 5)) == 0:
        data["pension_invalidite_mois"] = draw(st.integers(1, 12))
    if draw(st.integers(0, 6)) == 0:
        data["exoneration_age"] = True
    if draw(st.integers(0, 4)) == 0:
        data["exoneration_debut_outre_mer"] = True
        if draw(st.integers(0, 2)):  # mostly where and when it applies: created in a collectivité of L751-1
            data["department"] = draw(st.sampled_from(("971", "972", "973", "974", "977", "978")))
            start = date(year - draw(st.integers(0, 3)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
            data["start_date"] = start.isoformat()
            data.pop("pension_invalidite_mois", None)
            data.pop("exoneration_age", None)
    if draw(st.integers(0, 5)) == 0:
        data["abattement_outre_mer"] = False
    if draw(st.integers(0, 9)) == 0:  # a value of the wrong type in one of the new fields
        name = draw(st.sampled_from(sorted(ODD_VALUES)))
        data[name] = draw(st.sampled_from(ODD_VALUES[name]))
    return data


# Values the input layer reads or refuses by their type: each is read by both paths as a single situation reads it
# (null is "not given" in a batch's column, so only for the fields a situation takes as null).
ODD_VALUES: dict[str, tuple[Any, ...]] = {
    "pension_invalidite_mois": (0, False, True, "6", 6.0, 0.0, 13, -1),
    "exoneration_age": (0, 1, "true", "oui", 2),
    "remplacant": (0, 1, False, "true"),
    "exoneration_debut_outre_mer": (0, 1, "false", "non"),
    "abattement_outre_mer": (0, 1, "false", "non", True),
    "department": (971, 75, "2a", " 972 ", "975", "20", "", 2.5, True),
    "section": ("CIPAV", "", 1, "crn"),
    "secteur": (1, 2, 3, "3", "", True),
    "metier": ("dentiste", "", 0),
    "classe_cnbf": (1, 2, 3, "3", "2 +", True),
    "conjoint_collaborateur": ("", "tiers", 1, True, None),
}


def computed(data: dict[str, Any]) -> Simulation | InputError:
    """`simulate`, or the input layer's refusal: one line in French naming a field of the situation."""
    try:
        return simulate(data)
    except InputError as error:
        assert error.field in SITUATION_FIELDS, (error.field, error.message)
        assert error.message and "\n" not in error.message
        return error


def amounts(result: Simulation) -> dict[str, int]:
    out = dict(zip(CONTRIBUTIONS, result.amounts, strict=True))
    out.update(zip(conjoint_collaborateur.COLUMNS, result.conjoint_amounts, strict=False))
    out.update(zip(pamc.EXTRAS, result.section_amounts, strict=False))
    out["total"] = int(result.total)
    return out


def columns_of(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [row.get(name) for row in rows] for name in FIELDS if any(name in row for row in rows)}


def many(rows: list[dict[str, Any]]) -> list[dict[str, int]]:
    out = simulate_many(columns_of(rows))
    return [{key: int(values[i]) for key, values in out.items() if key != "id"} for i in range(len(rows))]


# --- 1 and 2: simulate, and simulate_many row by row ------------------------------------------------------------


# The defects this module found, each fixed in `contributions.vectorized`:
# the batch refused in English what a single situation refuses in French (dates, ACRE, year, income);
END_BEFORE_START = {
    "year": 2023,
    "profession": "artisan",
    "income": 0,
    "start_date": "2023-01-02",
    "end_date": "2023-01-01",
}
# the batch reported a conjoint of a profession libérale réglementée before its section's field refused first;
CONJOINT_AND_CLASS = {
    "year": 2023,
    "profession": "liberal_reglementee",
    "income": 0,
    "section": "carmf",
    "secteur": "1",
    "classe_cnbf": "1",
    "conjoint_collaborateur": "forfaitaire",
}
# the batch computed (ignoring it) a section's field given without a section, which a situation refuses.
CLASS_WITHOUT_SECTION = {"year": 2025, "profession": "artisan", "income": 40000, "classe_cnbf": "2"}


@settings(max_examples=200, deadline=None)
@given(st.lists(situations(), min_size=1, max_size=6))
@example([END_BEFORE_START])
@example([CONJOINT_AND_CLASS])
@example([CLASS_WITHOUT_SECTION])
@example([{"year": 2025, "profession": "artisan", "income": 100_000_001}])
@example([{"year": 2025, "profession": "artisan", "income": 1e9}])
@example([{"year": 2025, "profession": "artisan", "income": 1, "section": "cipav", "abattement_outre_mer": "non"}])
@example([{"year": 2025, "profession": "artisan", "income": 1, "conjoint_collaborateur": "", "secteur": "1"}])
@example([{"year": 2025, "profession": "liberal_reglementee", "income": 1, "section": "carpv", "classe_cnbf": 3}])
@example([{"year": 2025, "profession": "artisan", "income": 1, "remplacant": 0}])  # computed by the batch, refused
@example([{"year": 2025, "profession": "artisan", "income": 1, "pension_invalidite_mois": False}])  # alone: the same
def test_simulate_many_equals_simulate_row_by_row_or_reports_the_same_error(rows: list[dict[str, Any]]) -> None:
    results = [computed(row) for row in rows]
    good = [(row, r) for row, r in zip(rows, results, strict=True) if isinstance(r, Simulation)]
    if good:
        got = many([row for row, _ in good])
        for (row, result), columns in zip(good, got, strict=True):
            expected = amounts(result)
            assert {key: columns.get(key, 0) for key in expected} == expected, row
            assert all(value == 0 for key, value in columns.items() if key not in expected), (row, columns)
    for row, result in zip(rows, results, strict=True):
        if isinstance(result, InputError):
            try:
                simulate_many(columns_of([row]))
            except RowInputError as error:
                assert (error.row, error.field, error.message) == (0, result.field, result.message), row
            else:
                raise AssertionError(f"simulate_many computed {row}, refused by simulate: {result}")


# --- 3: simulate --jsonl in chunks and line by line ---------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(situations(), min_size=1, max_size=12), st.integers(1, 12))
def test_jsonl_in_chunks_writes_what_the_line_by_line_path_writes(rows: list[dict[str, Any]], size: int) -> None:
    raw = [(json.dumps(row) + "\n").encode() for row in rows]
    expected, expected_status = scalar(raw)
    got, status = batch(raw, size)
    assert got == expected and status == expected_status
    for row, line in zip(rows, expected.splitlines(), strict=True):
        result = computed(loads_json(json.dumps(row).encode()))  # a JSON number is read as an exact decimal
        if isinstance(result, InputError):
            assert json.loads(line)["error"] == one_line(f"{result.field}: {result.message}")
        else:
            assert json.loads(line) == json.loads(json.dumps(result.to_dict(), ensure_ascii=False))


# --- 4: POST /v1/simulations ---------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(situations())
@example({"year": 2025, "profession": "artisan", "income": 1, "abattement_outre_mer": 0})  # was answered in English
def test_the_api_answers_the_simulation_or_the_input_layer_s_message(row: dict[str, Any]) -> None:
    response = CLIENT.post("/v1/simulations", json=row)
    # JSON's own types are taken plainly by the API (`api.parsing`): a flag is true or false (null: not given),
    # never 0 or "true"
    flag = next((name for name in API_FLAGS if row.get(name) is not None and not isinstance(row[name], bool)), None)
    if flag is not None:
        assert response.status_code == 422, response.text
        message = f"doit être true ou false (reçu {shown(row[flag])})"
        assert response.json() == {"error": {"field": flag, "message": message}}
        return
    result = computed(row)
    if isinstance(result, InputError):
        assert response.status_code == 422, response.text
        assert response.json() == {"error": {"field": result.field, "message": one_line(result.message)}}
    else:
        assert response.status_code == 200, response.text
        assert response.json() == json.loads(json.dumps(result.to_dict()))


API_FLAGS = (
    "acre",
    "rsa",
    "income_is_net",
    "exoneration_age",
    "exoneration_debut_outre_mer",
    "remplacant",
    "abattement_outre_mer",
)


# --- 5: the échéancier of the simulated year ------------------------------------------------------------------------


def _credits(e: Any, year: int) -> Decimal:
    return sum((r.amount + r.imputed + r.on_instalments for r in e.refunds if r.year == year), Decimal(0))


@settings(max_examples=100, deadline=None)
@given(situations())
def test_the_echeancier_calls_for_the_year_what_the_urssaf_collects(row: dict[str, Any]) -> None:
    result = computed(row)
    if isinstance(result, InputError):
        return
    situation = result.situation
    document, _ = scenario_for(result, situation.department or "75")
    try:
        e = build_echeancier(parse_scenario(document))
    except (ScenarioError, LawError) as error:
        assert "\n" not in str(error)
        return
    if date(situation.year + 1, 5, 20) > load_law().last_date:
        return  # not yet declared: the year's provisional contributions only
    section = situation.section
    elsewhere = (
        0 if section is None else collected_elsewhere(result.amounts, section.value, extras=result.section_amounts)
    )
    assert e.year_total(situation.year) - _credits(e, situation.year) == result.total - elsewhere, row


def test_the_batch_reports_the_first_invalid_row_even_when_the_scalar_engine_finds_it() -> None:
    """Row 0 is refused by the scalar engine (a class outside the CNBF), row 1 by the arrays (end before start): the
    first invalid row is row 0, as row by row."""
    rows = [{**CONJOINT_AND_CLASS, "conjoint_collaborateur": None}, END_BEFORE_START]
    expected = computed(rows[0])
    assert isinstance(expected, InputError) and expected.field == "classe_cnbf"
    try:
        simulate_many(columns_of(rows))
    except RowInputError as error:
        assert (error.row, error.field, error.message) == (0, expected.field, expected.message)
    else:
        raise AssertionError("the batch computed an invalid row")
