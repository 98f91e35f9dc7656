"""The tables of the account store (SQLAlchemy Core). The migrations in `migrations/versions/` create them; a test
checks that the migrated database and these definitions agree.

`events` is append-only: the database itself refuses any UPDATE or DELETE on it (triggers of the first migration).
Amounts are integer cents (BIGINT), never floats or decimals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

Json = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(100), primary_key=True),
    Column("contributor", Json, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("idempotency_key", String(200), nullable=True, unique=True),
)

payment_references = Table(
    "payment_references",
    metadata,
    Column("reference", String(100), primary_key=True),
    Column("account_id", String(100), ForeignKey("accounts.account_id"), nullable=False, index=True),
)

events = Table(
    "events",
    metadata,
    Column("account_id", String(100), ForeignKey("accounts.account_id"), primary_key=True),
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("type", String(64), nullable=False),
    Column("payload", Json, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("corrects", Integer, nullable=True),
    CheckConstraint("sequence >= 1", name="sequence_positive"),
    CheckConstraint("corrects IS NULL OR (corrects >= 1 AND corrects < sequence)", name="corrects_earlier"),
    ForeignKeyConstraint(
        ["account_id", "corrects"], ["events.account_id", "events.sequence"], name="fk_events_corrects_events"
    ),
)

suspense = Table(
    "suspense",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("line_date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reference", String(200), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("line", Integer, nullable=True),
    Column("raw", Text, nullable=False),
    Column("details", Json, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

projections = Table(
    "projections",
    metadata,
    Column("account_id", String(100), ForeignKey("accounts.account_id"), primary_key=True),
    Column("last_sequence", Integer, nullable=False),
    Column("balance_cents", BigInteger, nullable=False),
    Column("outstanding_cents", BigInteger, nullable=False),
    Column("credit_cents", BigInteger, nullable=False),
    Column("majorations_cents", BigInteger, nullable=False),
    Column("next_due_date", Date, nullable=True),
    Column("late_since", Date, nullable=True),
    Column("late_amount_cents", BigInteger, nullable=False),
    Column("organism", String(200), nullable=True),  # the organism's name: 32 characters until migration 0002
    Column("payload", Json, nullable=False),
)

Index("ix_projections_late_since", projections.c.late_since)
Index("ix_projections_organism", projections.c.organism)

# Bearer tokens of the HTTP API (migration 0002). Only the SHA-256 of a token is kept (`docs/store.md`, "Tokens"):
# the token itself is shown once, when it is created. A contributor's token names its account, an agent's its
# organism (a key of `organisms/organismes.yaml`), an admin's neither.
tokens = Table(
    "tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("secret_sha256", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("account_id", String(100), ForeignKey("accounts.account_id"), nullable=True, index=True),
    Column("organism", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    CheckConstraint(
        "(role = 'contributor' AND account_id IS NOT NULL AND organism IS NULL)"
        " OR (role = 'agent' AND organism IS NOT NULL AND account_id IS NULL)"
        " OR (role = 'admin' AND account_id IS NULL AND organism IS NULL)",
        name="role_scope",
    ),
)
