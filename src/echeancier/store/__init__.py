"""The account store (DESIGN §3, services): accounts and their append-only events in SQLite or PostgreSQL, with
idempotency keys, optimistic concurrency per account, projections cached from the events, and bank lines turned
into events or kept in suspense. It knows nothing of the ledger: the projector that computes an account's
projection from its events is given to `EventStore`.
"""

from echeancier.store.bank import BankLine
from echeancier.store.engine import default_url, downgrade, make_engine, migrate
from echeancier.store.records import (
    AccountRecord,
    ConcurrencyError,
    ImportResult,
    NewEvent,
    Projection,
    StoredEvent,
    StoredProjection,
    StoreInputError,
    SuspenseLine,
)
from echeancier.store.store import EventStore, Projector, Validator

__all__ = [
    "AccountRecord",
    "BankLine",
    "ConcurrencyError",
    "EventStore",
    "ImportResult",
    "NewEvent",
    "Projection",
    "Projector",
    "StoreInputError",
    "StoredEvent",
    "StoredProjection",
    "SuspenseLine",
    "Validator",
    "default_url",
    "downgrade",
    "make_engine",
    "migrate",
]
