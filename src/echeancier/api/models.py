"""The API's bodies as pydantic models, for the OpenAPI document and its clients.

Requests are the core's own models (`Situation`, `Scenario`): the API accepts what the command line accepts.
Responses are written by the core's serialisers (`Simulation.to_dict`, `documents.echeancier.to_json`) and
described here; the models allow extra keys, so that a field added to a serialiser is not a breaking change.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from echeancier.contributions.situation import Situation
from echeancier.schedule.scenario import Scenario

Number = int | float


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    field: str | None = Field(description="The field the problem is about (`3.income`, `year[12]`, `on`), or null.")
    message: str


class ErrorBody(BaseModel):
    """Every refused request: 4xx with this body."""

    error: ErrorDetail


class TrancheOut(_Open):
    label: str
    base: Number
    rate: Number
    amount: Number


class LineOut(_Open):
    label: str
    amount: Number
    base: Number
    rate: Number
    reference: str
    tranches: list[TrancheOut] | None = None
    exoneration_acre: Number | None = Field(None, description="The ACRE exemption (CSS D131-6-1), in euros.")
    exoneration_mayotte: Number | None = Field(
        None, description="Mayotte's exemption of the first 24 months (ordonnance 96-1122 art. 28-8), in euros."
    )
    exoneration_invalidite: Number | None = Field(None, description="An invalidity pensioner's exemption, in euros.")
    exoneration_age: Number | None = Field(None, description="The invalidité-décès exemption by age, in euros.")
    exoneration_debut_outre_mer: Number | None = Field(
        None, description="The overseas start-of-activity exemption (CSS L756-2, D756-4), in euros."
    )
    minimum_base: Number | None = None
    collected_by: str | None = None  # professions libérales réglementées: the body that collects the line


class ForfaitOut(_Open):
    base: Number
    total: Number
    contributions: dict[str, LineOut]


class ConjointOut(_Open):
    """The conjoint collaborateur's contributions (CSS L662-1, D633-19-2): indemnités journalières, retraite de
    base, retraite complémentaire, invalidité-décès, on the base of `option`."""

    option: str
    assiette: Number
    total: Number
    contributions: dict[str, LineOut]


class SimulationOut(_Open):
    """One result, exactly as `echeancier simulate --json` writes it."""

    id: str | int | None
    year: int
    total: Number
    contributions: dict[str, LineOut]
    regime: str
    income: Number
    assiette_sociale: Number
    assiette_csg: Number
    pass_: Number = Field(alias="pass")
    pass_proratise: Number
    jours_activite: int
    abattement: Number | None = None
    acre_fraction: Number | None = None
    notes: list[str] | None = None
    conjoint_collaborateur: ConjointOut | None = None
    forfait_debut_activite: ForfaitOut | None = None


class BatchIn(BaseModel):
    """Columns of situations (the fields of a situation, each a list with one value per row)."""

    model_config = ConfigDict(extra="forbid")

    id: list[str | int | None] | None = None
    year: list[int]
    profession: list[str]
    income: list[float | int | str]
    start_date: list[str | None] | None = None
    end_date: list[str | None] | None = None
    acre: list[bool] | None = None
    rsa: list[bool] | None = None
    income_is_net: list[bool] | None = None
    department: list[str | int | None] | None = None
    conjoint_collaborateur: list[str | None] | None = None
    section: list[str | None] | None = None
    pension_invalidite_mois: list[int | None] | None = None
    exoneration_age: list[bool | None] | None = None
    exoneration_debut_outre_mer: list[bool | None] | None = None
    secteur: list[str | int | None] | None = None
    metier: list[str | None] | None = None
    classe_cnbf: list[str | int | None] | None = None
    remplacant: list[bool | None] | None = None
    abattement_outre_mer: list[bool | None] | None = None


class BatchOut(_Open):
    """Whole-euro amounts per row, in the order of the rows, `id` first when given (`simulate_many`)."""

    id: list[str | int | None] | None = None
    maladie_maternite: list[int]
    indemnites_journalieres: list[int]
    retraite_base: list[int]
    retraite_complementaire: list[int]
    invalidite_deces: list[int]
    allocations_familiales: list[int]
    csg_crds: list[int]
    formation_professionnelle: list[int]
    # with a `conjoint_collaborateur` column: the conjoint's four contributions (0 on a row without one)
    conjoint_indemnites_journalieres: list[int] | None = None
    conjoint_retraite_base: list[int] | None = None
    conjoint_retraite_complementaire: list[int] | None = None
    conjoint_invalidite_deces: list[int] | None = None
    total: list[int]


class ScheduleOut(_Open):
    """The échéancier as `echeancier schedule --format json` writes it; further keys may be added."""

    instalments: list[dict[str, Any]]
    balance: dict[str, Any]


class ValueOut(BaseModel):
    start: str
    value: Any = Field(description="A number, a text, an ISO date, a scale [[threshold, rate], …] or null.")
    reference: str
    url: str | None


class ParameterOut(BaseModel):
    key: str
    description: str
    unit: str
    valid_until: str
    values: list[ValueOut]
    value_on: ValueOut | None = Field(None, description="The value in force on the `on` date, when one is given.")


class ParameterFileOut(BaseModel):
    name: str
    description: str
    last_value_still_valid_on: str
    income_years: list[int]
    stale: bool


class ParametersOut(BaseModel):
    """As `echeancier law status --json`, with every parameter and its dated values."""

    date: str
    supported_years: list[int]
    stale: list[str]
    files: list[ParameterFileOut]
    parameters: list[ParameterOut]


REF = "#/components/schemas/{model}"


def request_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """JSON schemas of the request bodies read by hand (`parsing.py`): (body schemas by name, components)."""
    _, top = models_json_schema(
        [(Situation, "validation"), (Scenario, "validation"), (BatchIn, "validation")], ref_template=REF
    )
    components: dict[str, Any] = top.get("$defs", {})
    scenario = components.get("Scenario", {})
    scenario.get("properties", {}).pop("event_lines", None)  # filled by the loader, not given by a client
    situation = {"$ref": REF.format(model="Situation")}
    bodies = {
        "simulations": {"oneOf": [situation, {"type": "array", "items": situation, "maxItems": 1000}]},
        "batch": {"$ref": REF.format(model="BatchIn")},
        "schedules": {"$ref": REF.format(model="Scenario")},
    }
    return bodies, components
