"""The bearer tokens of the HTTP API: their SHA-256, role and scope (an account or an organism), never the token.

Also widens `projections.organism` from 32 to 200 characters: the projection keeps the collecting organism's
name, and "Caisse générale de sécurité sociale de la Guadeloupe" is 52 (PostgreSQL refused such an account).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("account_id", sa.String(100), nullable=True),
        sa.Column("organism", sa.String(64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "(role = 'contributor' AND account_id IS NOT NULL AND organism IS NULL)"
            " OR (role = 'agent' AND organism IS NOT NULL AND account_id IS NULL)"
            " OR (role = 'admin' AND account_id IS NULL AND organism IS NULL)",
            name="ck_tokens_role_scope",
        ),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], name="fk_tokens_account_id_accounts"),
        sa.PrimaryKeyConstraint("token_id", name="pk_tokens"),
        sa.UniqueConstraint("secret_sha256", name="uq_tokens_secret_sha256"),
    )
    op.create_index("ix_tokens_account_id", "tokens", ["account_id"])
    with op.batch_alter_table("projections") as batch:
        batch.alter_column("organism", existing_type=sa.String(32), type_=sa.String(200), existing_nullable=True)


def downgrade() -> None:
    # A name longer than 32 characters is cut: the projections are caches, `rebuild_projections` recomputes them.
    op.execute("UPDATE projections SET organism = substr(organism, 1, 32) WHERE length(organism) > 32")
    with op.batch_alter_table("projections") as batch:
        batch.alter_column("organism", existing_type=sa.String(200), type_=sa.String(32), existing_nullable=True)
    op.drop_index("ix_tokens_account_id", table_name="tokens")
    op.drop_table("tokens")
