"""Scenario files: one contributor, their incomes and the events of their account (issue #3 format).

A scenario is YAML. Every problem is reported with the line it is on, never with a traceback:

```yaml
contributor:
  profession: artisan            # artisan | commercant | liberal | liberal_reglementee (with section)
  activity_start: 2019-03-01
  payment: {frequency: monthly, day: 5, direct_debit: true}
  department: "75"               # COG code of the place of activity: decides the collecting organism (R613-6)
  commune: "75056"               # optional: INSEE code of the commune, for a commune with its own organism
  residence_department: "93"     # optional: where the main residence is, if elsewhere (R613-6 al. 2)
  acre: false                    # optional
  rsa: false                     # optional
  conjoint_collaborateur: forfaitaire   # optional: the base the conjoint collaborateur chose (CSS D633-19-2)
  name: Jeanne Dupont            # optional, printed on the PDF
  siren: "732 829 320"           # optional, 9 digits with a valid Luhn key
incomes: {2023: 12000, 2024: 14400}   # the income the law's base starts from, per year
amounts:                          # optional: totals as printed on an URSSAF notice (CFP excluded)
  2025: {provisional: 12000, adjusted: 14400, definitive: 14400}
events:
  - {date: 2025-05-20, type: declaration, year: 2024}
years: [2025]
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from echeancier.contributions.situation import (
    MAX_INCOME,
    ClasseCnbf,
    ConjointCollaborateur,
    Metier,
    Profession,
    Secteur,
    Section,
    Situation,
    check_combinations,
    check_debut_outre_mer,
    check_exemptions,
    check_health,
    check_section,
)
from echeancier.kernel.fmt import format_date
from echeancier.kernel.identity import parse_name, parse_siren
from echeancier.kernel.inputs import (
    InputError,
    SafeYamlLoader,
    load_yaml,
    parse_date,
    parse_euros,
    pydantic_message,
    shown,
)
from echeancier.organisms import UnknownTerritory, normalise_department

if TYPE_CHECKING:
    from echeancier.law import Law


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message starts with the line it is about."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(f"ligne {line} : {message}" if line else message)
        self.line = line
        self.message = message

    def named(self) -> tuple[str | None, str]:
        """(field, rest of the message) when the message starts with the field it is about (`incomes : le revenu…`,
        `contributor.acre: doit être…`), else (None, message)."""
        found = _FIELD_FIRST.fullmatch(self.message)
        return (found.group(1), found.group(2)) if found else (None, self.message)


_FIELD_FIRST = re.compile(r"([^\s:]+) ?: (.+)", re.DOTALL)


# --- YAML with line numbers -------------------------------------------------------------------------------------


class LineDict(dict[Any, Any]):
    """A mapping read from YAML, remembering the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    line: int = 0


class _Loader(SafeYamlLoader):
    """The input layer's safe loader (size, nesting, alias expansion, keys, integers), remembering lines."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.key(key_node)
        if key in result:
            raise ScenarioError(key_node.start_mark.line + 1, f"clé {key!r} donnée deux fois")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise ScenarioError(node.start_mark.line + 1, f"{node.value!r} n'est pas une date du calendrier") from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# --- The scenario model -----------------------------------------------------------------------------------------

Frequency = Literal["monthly", "quarterly"]


def _money(value: Any, negative: bool = True) -> Decimal:
    """An amount of the file, read by the input layer (`40 000,50` yes, `40,000` or `40.000` refused as ambiguous).

    `negative=False` for what cannot be below zero (a payment, a notice's amount); incomes may be a deficit.
    """
    return parse_euros(value, "", maximum=MAX_INCOME, negative=negative)


def _positive_money(value: Any) -> Decimal:
    """An amount of money received or called: positive, whole cents (amounts in input are positive)."""
    amount = _money(value, negative=False)
    if amount == 0:
        raise InputError("", f"doit être un montant positif, pas zéro (reçu {shown(value)})")
    if amount != amount.quantize(Decimal("0.01")):
        raise InputError("", f"doit être un nombre entier de centimes (reçu {shown(value)})")
    return amount


def _non_negative_money(value: Any) -> Decimal:
    return _money(value, negative=False)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_not_given(cls, data: Any) -> Any:
        # One reading of every input: a key given as null (`acre: null`, `"day": null`) is a key not given — its
        # default, or "est obligatoire" — as an empty cell of a campaign or batch column; never a refusal of None.
        if isinstance(data, Mapping) and any(value is None for value in data.values()):
            return {key: value for key, value in data.items() if value is not None}
        return data

    # The date fields of every model (events included), read by the input layer: a number is not a date (pydantic
    # would read 1700000000 as a Unix timestamp), text must be YYYY-MM-DD. A new date field is named here too.
    @field_validator(
        "activity_start", "date", "due_date", "received_on", "requested_on", mode="before", check_fields=False
    )
    @classmethod
    def _dates_are_dates(cls, value: Any) -> Any:
        return value if value is None else parse_date(value, "")  # the error's location names the field


def _payment_day(value: Any) -> Any:
    """A payment day is a day of the month, a whole number; which days the contributor may choose (R613-2 I: the 5th
    or the 20th, parameters `echeances.jour_par_defaut` and `jour_au_choix`) is checked against the law the scenario
    is read with, in `check_coherence`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise ValueError("doit être un jour du mois (5 ou 20, CSS R613-2 I)")
    return value


class Payment(_Model):
    frequency: Frequency = "monthly"
    # When not given, the law's day "à défaut de choix" (`parse_scenario`); 5 in the packaged law.
    day: int = 5
    direct_debit: bool = True

    _check_day = field_validator("day", mode="before")(lambda cls, value: _payment_day(value))


class Contributor(_Model):
    profession: Profession
    activity_start: date
    payment: Payment = Payment()
    department: str = "75"
    commune: str | None = None  # INSEE code of the commune of activity, for a commune with its own organism
    residence_department: str | None = None  # R613-6 al. 2: its organism may be addressed for démarches
    acre: bool = False
    rsa: bool = False
    conjoint_collaborateur: ConjointCollaborateur | None = None  # CSS L662-1, D633-19-2: the base the conjoint chose
    # Exemptions of the contributor's own situation, every year of the scenario (`contributions.exonerations`)
    pension_invalidite_mois: int = Field(default=0, strict=True, ge=0, le=12)
    exoneration_age: bool = False
    # The start-of-activity exemption of the collectivités of L751-1 (CSS L756-2), for an activity created there
    exoneration_debut_outre_mer: bool = False
    # The régime de croisière abattement of the collectivités of L751-1 (CSS L756-4): computed by law; false gives
    # the amounts of URSSAF's simulator (`contributions.debut_outre_mer`)
    abattement_outre_mer: bool = True
    name: str | None = None  # printed on the documents (PDF), optional
    siren: str | None = None  # 9 digits, Luhn-checked; printed on the documents, optional
    section: Section | None = None  # a profession libérale réglementée's section professionnelle
    secteur: Secteur | None = None  # a médecin's secteur conventionnel (section carmf)
    metier: Metier | None = None  # a CARCDSF member's métier
    classe_cnbf: ClasseCnbf | None = None  # an avocat's class of the CNBF's complémentaire (None: class 1)
    remplacant: bool = False  # a praticien conventionné only a remplaçant at 1 January: no CURPS

    @field_validator("section", mode="before")
    @classmethod
    def _known_section(cls, value: Any) -> Any:
        return Situation._known_section(value)

    @field_validator("secteur", mode="before")
    @classmethod
    def _known_secteur(cls, value: Any) -> Any:
        return Situation._known_secteur(value)

    @field_validator("metier", mode="before")
    @classmethod
    def _known_metier(cls, value: Any) -> Any:
        return Situation._known_metier(value)

    @field_validator("classe_cnbf", mode="before")
    @classmethod
    def _known_classe(cls, value: Any) -> Any:
        return Situation._known_classe(value)

    @model_validator(mode="after")
    def _coherent_section(self) -> Contributor:
        check_section(self.profession, self.section, self.department)
        check_health(self.section, self.secteur, self.metier, classe_cnbf=self.classe_cnbf, remplacant=self.remplacant)
        return self

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return None if value is None else parse_name(value)

    @model_validator(mode="after")
    def _exemptions(self) -> Contributor:
        try:
            check_exemptions(
                self.profession,
                self.acre,
                self.activity_start,
                self.department,
                self.pension_invalidite_mois,
                self.exoneration_age,
            )
            check_combinations(
                self.profession,
                self.section,
                self.conjoint_collaborateur,
                self.pension_invalidite_mois,
                self.exoneration_age,
            )
            if self.exoneration_debut_outre_mer:
                check_debut_outre_mer(
                    self.department,
                    self.activity_start,
                    self.conjoint_collaborateur,
                    self.pension_invalidite_mois,
                    self.exoneration_age,
                )
        except InputError as error:
            raise ValueError(f"{error.field} : {error.message}") from None
        return self

    @field_validator("siren", mode="before")
    @classmethod
    def _siren(cls, value: Any) -> Any:
        return None if value is None else parse_siren(value)

    @field_validator("conjoint_collaborateur", mode="before")
    @classmethod
    def _conjoint(cls, value: Any) -> ConjointCollaborateur | None:
        return Situation._known_option(value)  # InputError is a ValueError: a line-numbered ScenarioError

    @field_validator("department", mode="before")
    @classmethod
    def _department_code(cls, value: Any) -> str:
        """The COG code of the place of activity, which decides the collecting organism (CSS R613-6 al. 1)."""
        return normalise_department(value)  # UnknownTerritory is a ValueError: a line-numbered ScenarioError

    @field_validator("residence_department", mode="before")
    @classmethod
    def _residence_code(cls, value: Any) -> str | None:
        return None if value is None else normalise_department(value)

    @field_validator("commune", mode="before")
    @classmethod
    def _commune_code(cls, value: Any, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        department = info.data.get("department")
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100_000:
            value = f"{value:05d}"  # YAML reads 97411 as a number; 1001 is 01001
        code = value.strip().upper() if isinstance(value, str) else value
        if not (isinstance(code, str) and len(code) == 5 and department and code.startswith(department)):
            raise UnknownTerritory(value, f"« {value} » n'est pas un code INSEE de commune du département {department}")
        return code


class Amounts(_Model):
    """Totals of a year as printed on an URSSAF notice (CFP excluded); they replace the computed ones."""

    provisional: Decimal | None = None
    adjusted: Decimal | None = None
    definitive: Decimal | None = None

    _check = field_validator("provisional", "adjusted", "definitive", mode="before")(
        lambda cls, value: None if value is None else _non_negative_money(value)
    )


class _Event(_Model):
    date: date


class Declaration(_Event):
    """The declaration of the income of `year` (L613-2), as the organism learns it on `date`.

    `received_on`: the day the declaration was filed (transmitted by the tax administration, R613-1-1 I, or sent to
    the organism, R613-1-1 III), on which its lateness is judged against the deadline of art. 175 CGI; default
    `date`, never after it. `source: administration_fiscale`: the organism's request for the data went unanswered
    for two months (`requested_on`) and the contributions are computed on the data the tax administration sent
    (R613-1-2 II al. 3: the penalty is then 10 %). An income may be a deficit (counted as zero, R613-1-2 VI)."""

    type: Literal["declaration"]
    year: int | None = None  # the income year declared; default: the previous year
    income: Decimal | None = None
    received_on: date | None = None
    source: Literal["declarant", "administration_fiscale"] = "declarant"
    requested_on: date | None = None  # R613-1-2 II al. 2: the organism's request for the data

    _check = field_validator("income", mode="before")(lambda cls, value: None if value is None else _money(value))

    @property
    def filed_on(self) -> date:
        return self.received_on if self.received_on is not None else self.date


class TaxationOffice(_Event):
    """The taxation d'office of the income of `year`, notified on `date` (R613-1-2 I and IV); `base`: a higher
    base the organism retains on "éléments probants" (R613-1-2 V), never below the one of I."""

    type: Literal["taxation_office"]
    year: int
    base: Decimal | None = None

    _check = field_validator("base", mode="before")(
        lambda cls, value: None if value is None else _non_negative_money(value)
    )


class Modulation(_Event):
    type: Literal["modulation"]
    estimated_income: Decimal

    _check = field_validator("estimated_income", mode="before")(lambda cls, value: _money(value))


class PaymentDayChange(_Event):
    type: Literal["payment_day_change"]
    day: int  # one of the law's payment days of the year of the change (`check_coherence`)

    _check_day = field_validator("day", mode="before")(lambda cls, value: _payment_day(value))


class QuarterlyOption(_Event):
    """R613-3 I: `start: next_year` is the option exercised before 1 December for 1 January of the next year
    (al. 2); `in_year` (default) the next quarterly due date at least 30 days after the request (al. 3)."""

    type: Literal["quarterly_option"]
    start: Literal["in_year", "next_year"] = "in_year"


class QuarterlyRenounced(_Event):
    type: Literal["quarterly_renounced"]


class MissedPayment(_Event):
    """The instalment due on `date` was not paid (alias of a rejected direct debit known on its due date)."""

    type: Literal["missed_payment"]


class RejectedDebit(_Event):
    """A direct debit rejected by the contributor's bank: `date` is the day the rejection is known, `due_date` the
    instalment (or payment-plan instalment) it concerns, `reason` the bank's ISO 20022 code (AM04, MS02…)."""

    type: Literal["rejected_debit"]
    due_date: date | None = None  # unknown (a camt.054 return): the last instalment due on or before `date`
    reason: str | None = Field(default=None, max_length=35)


Method = Literal["transfer", "card", "cheque", "direct_debit", "cash"]


class PaymentEvent(_Event):
    """Money received outside the scheduled direct debits (transfer, card, cheque)."""

    type: Literal["payment"]
    amount: Decimal
    method: Method = "transfer"
    reference: str | None = Field(default=None, max_length=140)

    _check = field_validator("amount", mode="before")(lambda cls, value: _positive_money(value))


class PlanInstalment(_Model):
    date: date
    amount: Decimal

    _check = field_validator("amount", mode="before")(lambda cls, value: _positive_money(value))


def ordered_instalments(value: list[Any]) -> list[Any]:
    """The instalments of a plan (a délai de paiement, R243-21, or a coordinated plan, L613-3 al. 3) fall on
    distinct dates in increasing order; each has a `date`."""
    days = [i.date for i in value]
    if days != sorted(set(days)):
        raise ValueError("les échéances du plan doivent avoir des dates distinctes et croissantes")
    return value


class PaymentPlan(_Event):
    """A délai de paiement granted by the director (R243-21): the exigible sums on `date` are paid in these
    instalments instead."""

    type: Literal["payment_plan"]
    instalments: list[PlanInstalment] = Field(min_length=1, max_length=120)

    @field_validator("instalments")
    @classmethod
    def _ordered(cls, value: list[PlanInstalment]) -> list[PlanInstalment]:
        return ordered_instalments(value)


class RemiseRequest(_Event):
    """A gracious request for the remission of majorations (R243-20 al. 1)."""

    type: Literal["remise_request"]


class RemiseDecision(_Event):
    """The decision on a remise request (R243-20): `total`, `partial` (with `amount`) or `refused`;
    `force_majeure`: events "présentant un caractère irrésistible et extérieur" recorded by the agent (al. 2)."""

    type: Literal["remise_decision"]
    decision: Literal["total", "partial", "refused"]
    amount: Decimal | None = None
    force_majeure: bool = False

    _check = field_validator("amount", mode="before")(
        lambda cls, value: None if value is None else _positive_money(value)
    )


class ReportRequest(_Event):
    type: Literal["report_request"]


class EtalementRequest(_Event):
    type: Literal["etalement_request"]
    years: int = Field(ge=1)


class Cessation(_Event):
    type: Literal["cessation"]


Event = Annotated[
    Declaration
    | Modulation
    | PaymentDayChange
    | QuarterlyOption
    | QuarterlyRenounced
    | MissedPayment
    | RejectedDebit
    | PaymentEvent
    | PaymentPlan
    | RemiseRequest
    | RemiseDecision
    | ReportRequest
    | EtalementRequest
    | TaxationOffice
    | Cessation,
    Field(discriminator="type"),
]
# Every event type, in the order events of the same day apply (echeancier.EVENT_ORDER): requests about the start
# of activity, then what changes the amounts, then what changes the calendar, then incidents and payments, then
# what recovery decides, then a cessation.
EVENT_TYPES = (
    "report_request",
    "etalement_request",
    "taxation_office",
    "declaration",
    "modulation",
    "payment_day_change",
    "quarterly_option",
    "quarterly_renounced",
    "missed_payment",
    "rejected_debit",
    "payment",
    "payment_plan",
    "remise_request",
    "remise_decision",
    "cessation",
)
# Events about money after the schedule: the ledger (account/ledger.py) applies them; the planner only reads
# incidents to switch a year to quarterly payment (R613-2 III).
LEDGER_EVENT_TYPES = frozenset({"payment", "payment_plan", "remise_request", "remise_decision"})


class Options(_Model):
    """Readings of the law a scenario may choose (docs/law-choices.md)."""

    regularisation_credit: Literal["impute", "refund"] = "impute"
    # R613-2 III al. 2: majorations "à compter du deuxième incident de paiement consécutif" — on both unpaid
    # instalments (`streak`, URSSAF: "des majorations de retard sont appliquées sur l'échéance impayée") or only
    # from the second one (`from_second`). docs/law-choices.md.
    majorations_incidents: Literal["streak", "from_second"] = "streak"


class Scenario(_Model):
    contributor: Contributor
    options: Options = Options()
    incomes: dict[int, Decimal] = {}
    amounts: dict[int, Amounts] = {}
    events: list[Event] = []
    years: list[int]
    event_lines: tuple[int, ...] = ()  # the line of each event in the file, same order as `events`

    @field_validator("incomes", mode="before")
    @classmethod
    def _incomes(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {year: _money(amount) for year, amount in value.items()}
        return value

    @field_validator("years")
    @classmethod
    def _years(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("au moins une année à montrer")
        return sorted(set(value))


# --- Loading ----------------------------------------------------------------------------------------------------


def _line_of(document: Any, location: tuple[Any, ...]) -> int | None:
    """The line of the deepest key or item on `location` in the parsed YAML."""
    node, line = document, getattr(document, "line", None)
    for part in location:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line


def _location(error: Mapping[str, Any]) -> tuple[Any, ...]:
    """The error's location without the discriminator pydantic inserts after an event's index."""
    parts = list(error["loc"])
    return tuple(
        part
        for i, part in enumerate(parts)
        if not (i >= 2 and parts[i - 2] == "events" and isinstance(parts[i - 1], int) and part in EVENT_TYPES)
    )


def _message(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in _location(error))
    if error["type"] == "union_tag_invalid" and error["input"].get("type") is not None:
        given = shown(error["input"].get("type"))
        return f"{where}.type : type d'événement inconnu {given} (connus : {', '.join(EVENT_TYPES)})"
    if error["type"] in ("union_tag_not_found", "union_tag_invalid"):  # no type, or a null one: not given
        return f"{where} : chaque événement a un type ({', '.join(EVENT_TYPES)})"
    return f"{where}: {pydantic_message(error)}"


def parse_scenario(document: Any, law: Law | None = None) -> Scenario:
    """Validate a parsed YAML document (see `load_scenario`) against `law` (the parameters the scenario will be
    computed with, `build_echeancier(..., law=law)`; the packaged law when None)."""
    if not isinstance(document, Mapping):
        raise ScenarioError(
            getattr(document, "line", 1) or 1, "un scénario est un dictionnaire : contributor, incomes, events, years…"
        )
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        raise ScenarioError(_line_of(document, _location(first)), _message(first)) from None
    events = document.get("events") or []
    lines = tuple(getattr(event, "line", 0) for event in events)
    scenario = scenario.model_copy(update={"event_lines": lines})
    payment_line = _line_of(document, ("contributor", "payment", "day"))
    scenario = with_default_day(scenario, law)
    check_coherence(scenario, law, payment_line=payment_line)
    return scenario


def with_default_day(scenario: Scenario, law: Law | None = None) -> Scenario:
    """The scenario with the law's payment day "à défaut de choix" (R613-2 I al. 2) when it gives none.

    LAW (docs/law-choices.md, 431): one day for the whole account, the law's default of the first year shown."""
    payment = scenario.contributor.payment
    if "day" in payment.model_fields_set:
        return scenario
    from echeancier.law import LawError
    from echeancier.schedule.calendar import payment_days

    try:
        default = payment_days(scenario.years[0], law=law)[0]
    except (LawError, ValueError):  # (ValueError: not a year of the calendar, such as 0)
        return scenario  # a year the law does not cover: `check_coherence` says so
    if default == payment.day:
        return scenario
    contributor = scenario.contributor.model_copy(update={"payment": payment.model_copy(update={"day": default})})
    return scenario.model_copy(update={"contributor": contributor})


def load_scenario(path: str | Path, law: Law | None = None) -> Scenario:
    """Read and validate a scenario file; every problem is a ScenarioError naming its line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(None, f"lecture impossible de {path} : {error.strerror}") from None
    return loads_scenario(text, law)


def loads_scenario(text: str, law: Law | None = None) -> Scenario:
    """Parse and validate a scenario's text through the input layer's YAML loader (kernel/inputs.py: at most
    MAX_YAML_BYTES, nesting and alias expansion bounded, keys that are names or years); ScenarioError with its line.
    """
    try:
        document = load_yaml(text, loader=_Loader)
    except InputError as error:
        raise ScenarioError(error.line, error.message) from None
    return parse_scenario(document, law)


def check_declaration(event: Declaration, line: int | None, law: Law | None = None) -> None:
    """A declaration's own dates (R613-1-1, R613-1-2 II): filed no later than the day it is recorded; data from the
    tax administration only after a request left unanswered for two months (`law`: the packaged law when None)."""
    from echeancier.kernel.dates import add_months
    from echeancier.law import load_law

    declared = event.year if event.year is not None else event.date.year - 1
    # The income of a year is declared once it is over (after a cessation, within that year: R613-1-5 1°).
    earliest = date(declared + 1, 1, 1) if declared < event.date.year else date(declared, 1, 1)
    for name, day in (("received_on", event.received_on), ("requested_on", event.requested_on)):
        if day is not None and day < earliest:
            raise ScenarioError(
                line,
                f"declaration.{name} : {day} est avant la fin de l'année {declared} dont les revenus sont déclarés",
            )
    if event.received_on is not None and event.received_on > event.date:
        raise ScenarioError(
            line,
            f"declaration.received_on : une déclaration reçue le {event.received_on} ne peut être enregistrée "
            f"le {event.date}, avant sa réception",
        )
    if event.source == "administration_fiscale":
        if event.requested_on is None:
            raise ScenarioError(
                line,
                "declaration.requested_on : les données de l'administration fiscale suivent une demande de "
                "l'organisme restée sans réponse (R613-1-2 II) : sa date est requise",
            )
        months = (law or load_law()).value_near("declaration.demande_donnees_delai_mois", event.requested_on)
        assert isinstance(months, int)
        limit = add_months(event.requested_on, months)
        if event.filed_on < limit:
            raise ScenarioError(
                line,
                f"declaration.requested_on : le délai de {months} mois laissé au cotisant après la demande du "
                f"{event.requested_on} court jusqu'au {limit} (R613-1-2 II al. 2)",
            )
    elif event.requested_on is not None:
        raise ScenarioError(line, "declaration.requested_on : seulement avec source: administration_fiscale")


def check_coherence(scenario: Scenario, law: Law | None = None, *, payment_line: int | None = None) -> None:
    """Rules that need the whole file: dates against the activity, once-a-year requests, known years, payment days —
    in `law`, the parameters the scenario is computed with (the packaged law when None). `payment_line`: the line
    of the contributor's payment day, for its message."""
    from echeancier.law import load_law
    from echeancier.schedule.calendar import payment_days

    law = law or load_law()
    start = scenario.contributor.activity_start
    changes: dict[int, int] = {}
    seen: set[tuple[str, date]] = set()
    for event, line in zip(scenario.events, scenario.event_lines or [0] * len(scenario.events), strict=False):
        if isinstance(event, Declaration) and event.year is not None and event.year >= event.date.year:
            # R613-1-5 1°: after a cessation, the income of the year of the radiation is declared within 90 days.
            ended = [e.date for e in scenario.events if isinstance(e, Cessation) and e.date <= event.date]
            if event.year > event.date.year or not any(day.year == event.year for day in ended):
                raise ScenarioError(
                    line,
                    f"declaration : les revenus {event.year} ne peuvent être déclarés qu'une fois l'année terminée",
                )
        if isinstance(event, Declaration):
            check_declaration(event, line, law)
        if isinstance(event, TaxationOffice) and not start.year <= event.year < event.date.year:
            raise ScenarioError(
                line,
                f"taxation_office.year : les revenus {event.year} ne peuvent être taxés d'office le {event.date} "
                f"(une année d'activité terminée, depuis {start.year})",
            )
        if isinstance(event, RejectedDebit) and event.due_date is not None and event.due_date > event.date:
            raise ScenarioError(
                line, f"rejected_debit : un prélèvement dû le {format_date(event.due_date)} est rejeté après cette date"
            )
        if isinstance(event, PaymentPlan) and event.instalments[0].date <= event.date:
            raise ScenarioError(line, "payment_plan : les échéances d'un plan suivent le jour où il est accordé")
        if event.type not in ("payment", "rejected_debit") and (event.type, event.date) in seen:
            raise ScenarioError(line, f"{event.type} : un second {event.type} le {format_date(event.date)}")
        seen.add((event.type, event.date))
        if event.date < start:
            raise ScenarioError(
                line, f"{event.type} le {format_date(event.date)} : avant le début d'activité ({format_date(start)})"
            )
        if not law.first_date <= event.date <= law.last_date:
            raise ScenarioError(
                line,
                f"{event.type} le {format_date(event.date)} : les paramètres de la loi couvrent du "
                f"{format_date(law.first_date)} au {format_date(law.last_date)}",
            )
        if isinstance(event, PaymentDayChange):
            days = payment_days(event.date.year, law=law)
            if event.day not in days:
                raise ScenarioError(line, f"payment_day_change.day : {_days_message(days, event.day)}")
            limit = law.value("delais.changements_date_par_an", event.date).value
            changes[event.date.year] = changes.get(event.date.year, 0) + 1
            if isinstance(limit, int) and changes[event.date.year] > limit:
                raise ScenarioError(
                    line,
                    "payment_day_change : le jour de paiement ne change qu'une fois par année civile "
                    f"({event.date.year})",
                )
        if isinstance(event, EtalementRequest):
            maximum = law.value("delais.etalement_annees_max", event.date).value
            if isinstance(maximum, int) and event.years > maximum:
                raise ScenarioError(line, f"etalement_request : {maximum} ans au plus (L131-6-1), reçu {event.years}")
    for year in scenario.years:
        if year < start.year:
            raise ScenarioError(None, f"years : {year} est avant le début d'activité ({format_date(start)})")
        # The échéancier sent after a declaration already calls the next year's provisional contributions
        # (R613-5 I 3°): one year past the checked parameters can be shown, computed with the last known ones.
        if not law.first_date.year <= year <= law.last_date.year + 1:
            raise ScenarioError(
                None,
                f"years : {year} est hors des paramètres de la loi ({law.first_date.year} à {law.last_date.year + 1})",
            )
        days = payment_days(year, law=law)
        if scenario.contributor.payment.day not in days:
            raise ScenarioError(
                payment_line, f"contributor.payment.day : {_days_message(days, scenario.contributor.payment.day)}"
            )


def _days_message(days: tuple[int, int], got: int) -> str:
    return f"le jour de paiement est le {days[0]} ou le {days[1]} du mois (CSS R613-2 I), reçu {got}"
