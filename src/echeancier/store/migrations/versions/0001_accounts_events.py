"""The account store: accounts, their payment references, the append-only events, the suspense list of bank
lines, and the projections.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)

# Events are never updated nor deleted: a correction is a new event citing the one it corrects.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
)
POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'events are append-only'; END $$""",
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()",
)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(100), nullable=False),
        sa.Column("contributor", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"),
        sa.UniqueConstraint("idempotency_key", name="uq_accounts_idempotency_key"),
    )
    op.create_table(
        "payment_references",
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("account_id", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.account_id"], name="fk_payment_references_account_id_accounts"
        ),
        sa.PrimaryKeyConstraint("reference", name="pk_payment_references"),
    )
    op.create_index("ix_payment_references_account_id", "payment_references", ["account_id"])
    op.create_table(
        "events",
        sa.Column("account_id", sa.String(100), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("corrects", sa.Integer(), nullable=True),
        sa.CheckConstraint("sequence >= 1", name="ck_events_sequence_positive"),
        sa.CheckConstraint(
            "corrects IS NULL OR (corrects >= 1 AND corrects < sequence)", name="ck_events_corrects_earlier"
        ),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], name="fk_events_account_id_accounts"),
        sa.ForeignKeyConstraint(
            ["account_id", "corrects"], ["events.account_id", "events.sequence"], name="fk_events_corrects_events"
        ),
        sa.PrimaryKeyConstraint("account_id", "sequence", name="pk_events"),
        sa.UniqueConstraint("idempotency_key", name="uq_events_idempotency_key"),
    )
    op.create_table(
        "suspense",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("line_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_suspense"),
        sa.UniqueConstraint("key", name="uq_suspense_key"),
    )
    op.create_table(
        "projections",
        sa.Column("account_id", sa.String(100), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("balance_cents", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_cents", sa.BigInteger(), nullable=False),
        sa.Column("credit_cents", sa.BigInteger(), nullable=False),
        sa.Column("majorations_cents", sa.BigInteger(), nullable=False),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("late_since", sa.Date(), nullable=True),
        sa.Column("late_amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("organism", sa.String(32), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], name="fk_projections_account_id_accounts"),
        sa.PrimaryKeyConstraint("account_id", name="pk_projections"),
    )
    op.create_index("ix_projections_late_since", "projections", ["late_since"])
    op.create_index("ix_projections_organism", "projections", ["organism"])
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER events_append_only ON events")
        op.execute("DROP FUNCTION events_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER events_no_update")
        op.execute("DROP TRIGGER events_no_delete")
    op.drop_index("ix_projections_organism", table_name="projections")
    op.drop_index("ix_projections_late_since", table_name="projections")
    op.drop_table("projections")
    op.drop_table("suspense")
    op.drop_table("events")
    op.drop_index("ix_payment_references_account_id", table_name="payment_references")
    op.drop_table("payment_references")
    op.drop_table("accounts")
