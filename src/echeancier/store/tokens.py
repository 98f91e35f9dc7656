"""The bearer tokens of the HTTP API, kept in the store's `tokens` table (migration 0002).

A token is `ech_` followed by 32 bytes from `secrets` (256 bits, URL-safe base64). Only its SHA-256 is stored;
the token is returned once, by `create`, and cannot be read back. A fast hash is enough here, unlike for
passwords: a slow hash (bcrypt, Argon2) protects secrets a human chose, which an attacker holding the table could
guess among a few billion candidates; a random 256-bit token has no such candidates, and inverting SHA-256 on
it is 2^256 work however fast each try is. A slow hash would only add its cost to every API request. The look-up
is by the hash (a unique index), so the stored value is never compared with what a client sent.

Each token has a public `token_id` (what `tokens list` shows and `tokens revoke` takes), a role and its scope: a
contributor's token names one account, an agent's one organism, an admin's neither (a CHECK constraint keeps it
so). A revoked token stays in the table with its `revoked_at` and is never accepted again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Row

from echeancier.kernel.inputs import shown
from echeancier.store import schema
from echeancier.store.records import MAX_ID_LENGTH, StoreInputError

Role = Literal["contributor", "agent", "admin"]
ROLES: tuple[Role, ...] = ("contributor", "agent", "admin")
PREFIX = "ech_"
SECRET_BYTES = 32
MAX_TOKEN_LENGTH = 200  # a longer Authorization value is not one of ours: refused without hashing it


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A token as stored: never the token itself."""

    token_id: str
    role: Role
    account_id: str | None
    organism: str | None
    created_at: datetime
    revoked_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "token_id": self.token_id,
            "role": self.role,
            "account": self.account_id,
            "organism": self.organism,
            "created_at": self.created_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


def digest(token: str) -> str:
    """The SHA-256 of a token, as stored (hexadecimal)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    """The tokens of the store whose engine is given (`EventStore.engine`: the store migrates the database)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, role: str, account_id: str | None = None, organism: str | None = None) -> tuple[TokenRecord, str]:
        """A new token and its record. Refused (StoreInputError naming the field): an unknown role, a scope that
        does not fit the role (a contributor without an account, an agent without an organism, an admin with
        either), an account that does not exist. The organism is checked by the caller (the store knows no
        organisms)."""
        if role not in ROLES:
            raise StoreInputError("role", f"{shown(role)} n'est pas un rôle ({', '.join(ROLES)})")
        if role == "contributor" and not account_id:
            raise StoreInputError("account", "le jeton d'un cotisant (contributor) nomme son compte")
        if role == "agent" and not organism:
            raise StoreInputError("organism", "le jeton d'un agent nomme son organisme")
        if role != "contributor" and account_id is not None:
            raise StoreInputError("account", f"un jeton du rôle {role} ne nomme pas de compte")
        if role != "agent" and organism is not None:
            raise StoreInputError("organism", f"un jeton du rôle {role} ne nomme pas d'organisme")
        if account_id is not None and (
            len(account_id) > MAX_ID_LENGTH or not account_id.strip() or not account_id.isprintable()
        ):
            raise StoreInputError("account", f"compte inconnu {account_id[:MAX_ID_LENGTH]}")
        if organism is not None and len(organism) > 64:
            raise StoreInputError("organism", "dépasse 64 caractères")
        token = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
        record = TokenRecord(
            token_id=secrets.token_hex(8),
            role=role,
            account_id=account_id,
            organism=organism,
            created_at=datetime.now(UTC),
        )
        with self.engine.execution_options(immediate=True).begin() as connection:
            if account_id is not None:
                found = connection.execute(
                    select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account_id)
                ).first()
                if found is None:
                    raise StoreInputError("account", f"compte inconnu {account_id}")
            connection.execute(
                insert(schema.tokens).values(
                    token_id=record.token_id,
                    secret_sha256=digest(token),
                    role=record.role,
                    account_id=account_id,
                    organism=organism,
                    created_at=record.created_at,
                )
            )
        return record, token

    def resolve(self, token: str) -> TokenRecord | None:
        """The record of a valid (not revoked) token, or None for anything else."""
        if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH or not token.isprintable():
            return None
        table = schema.tokens
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table).where(table.c.secret_sha256 == digest(token), table.c.revoked_at.is_(None))
            ).first()
        return None if row is None else _record(row)

    def list(self) -> list[TokenRecord]:
        """Every token, revoked ones included, in the order they were created."""
        table = schema.tokens
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.created_at, table.c.token_id)).all()
        return [_record(row) for row in rows]

    def revoke(self, token_id: str) -> TokenRecord:
        """Revoke a token (a no-op when it is revoked already); StoreInputError for an unknown id."""
        table = schema.tokens
        with self.engine.execution_options(immediate=True).begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.token_id == token_id, table.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
            row = connection.execute(select(table).where(table.c.token_id == token_id)).first()
        if row is None:
            raise StoreInputError("token_id", f"jeton inconnu {token_id}")
        return _record(row)


def _record(row: Row[Any]) -> TokenRecord:
    return TokenRecord(
        token_id=row.token_id,
        role=row.role,
        account_id=row.account_id,
        organism=row.organism,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
