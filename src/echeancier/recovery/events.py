"""The events of the recovery procedure, as the account's store keeps them (type + JSON payload).

Each is a step someone took on a date: who decided (`agent`, an identifier), for which creditor (`creditor`, the
organism's key; the collecting organism by default), on which debts (`debts`, the keys of the ledger's debits it
covers) and what was sent (`sent`: the means, and for a mise en demeure its whole content, computed when it is
recorded). They are read through the same input layer as the other events (dates `YYYY-MM-DD`, amounts by
`parse_euros`, no unknown key).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from echeancier.kernel.inputs import parse_date, parse_euros
from echeancier.schedule.scenario import ordered_instalments

# Every recovery event type, in the order the procedure goes (and the order of events of one day).
RECOVERY_EVENT_TYPES = (
    "relance",
    "payment_plan_offer",
    "mise_en_demeure",
    "mise_en_demeure_receipt",
    "contrainte",
    "contrainte_notification",
    "opposition",
    "opposition_decision",
    "execution",
    "coordinated_plan",
    "recovery_abandoned",
)
Agent = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]
Key = Annotated[str, Field(min_length=1, max_length=100)]


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    agent: Agent
    creditor: Key | None = None
    debts: list[Key] | None = Field(default=None, max_length=1000)
    sent: dict[str, Any] | None = None
    note: str | None = Field(default=None, max_length=500)

    @field_validator("date", mode="before")
    @classmethod
    def _dates_are_dates(cls, value: Any) -> Any:
        return parse_date(value, "")


class Relance(_Step):
    """A reminder of the amicable phase (practice: no text; its delay is `recouvrement.relance_delai_jours`)."""

    type: Literal["relance"]
    means: Literal["courrier", "courriel", "telephone", "sms", "espace_en_ligne"] = "courrier"


class PaymentPlanOffer(_Step):
    """The offer of a délai de paiement (R243-21) made in the amicable phase; the plan granted is `payment_plan`."""

    type: Literal["payment_plan_offer"]


class MiseEnDemeure(_Step):
    """L244-2: "par lettre recommandée avec demande d'avis de réception ou par tout moyen donnant date certaine"."""

    type: Literal["mise_en_demeure"]
    means: Literal["lrar", "date_certaine"] = "lrar"


class MiseEnDemeureReceipt(_Step):
    """The date the mise en demeure was received (avis de réception): the month of L244-2 runs from it."""

    type: Literal["mise_en_demeure_receipt"]


class Contrainte(_Step):
    """L244-9, R133-3 al. 1: decided by the director once the mise en demeure is left unanswered for a month."""

    type: Literal["contrainte"]


class ContrainteNotification(_Step):
    """R133-3 al. 1: the contrainte is served by a commissaire de justice or notified by LRAR."""

    type: Literal["contrainte_notification"]
    means: Literal["commissaire_de_justice", "lrar"] = "commissaire_de_justice"


class Opposition(_Step):
    """R133-3 al. 3: the debtor's opposition before the pôle social of the tribunal judiciaire (recorded by an
    agent when the court's secretariat informs the organism)."""

    type: Literal["opposition"]


class OppositionDecision(_Step):
    """The court's decision on the opposition: the contrainte validated (it is enforceable) or annulled."""

    type: Literal["opposition_decision"]
    decision: Literal["validee", "annulee"]


class Execution(_Step):
    """Forced execution of an enforceable contrainte entrusted to a commissaire de justice (L244-9)."""

    type: Literal["execution"]


class CreditorShare(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    creditor: Key
    amount: Decimal

    _check = field_validator("amount", mode="before")(lambda cls, value: parse_euros(value, "", negative=False))


class PlanInstalment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    amount: Decimal

    @field_validator("date", mode="before")
    @classmethod
    def _dates_are_dates(cls, value: Any) -> Any:
        return parse_date(value, "")

    _check = field_validator("amount", mode="before")(lambda cls, value: parse_euros(value, "", negative=False))


class CoordinatedPlan(_Step):
    """L613-3 al. 3: a single plan negotiated by the creditors concerned, each creditor's share stated."""

    type: Literal["coordinated_plan"]
    creditors: list[CreditorShare] = Field(min_length=1, max_length=10)
    instalments: list[PlanInstalment] = Field(min_length=1, max_length=120)

    @field_validator("instalments")
    @classmethod
    def _ordered(cls, value: list[PlanInstalment]) -> list[PlanInstalment]:
        return ordered_instalments(value)


class RecoveryAbandoned(_Step):
    """D133-1 al. 1: recovery abandoned for a debt below 2.5 % of the monthly plafond, rounded up to the euro."""

    type: Literal["recovery_abandoned"]


RecoveryEvent = Annotated[
    Relance
    | PaymentPlanOffer
    | MiseEnDemeure
    | MiseEnDemeureReceipt
    | Contrainte
    | ContrainteNotification
    | Opposition
    | OppositionDecision
    | Execution
    | CoordinatedPlan
    | RecoveryAbandoned,
    Field(discriminator="type"),
]
ADAPTER: TypeAdapter[Any] = TypeAdapter(RecoveryEvent)


def is_recovery(payload: dict[str, Any]) -> bool:
    return payload.get("type") in RECOVERY_EVENT_TYPES
