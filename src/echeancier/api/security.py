"""Who is calling: the bearer tokens of the account routes (issue #8).

The public endpoints (simulations, schedules, law, the web page) need no token. The account routes
(`api/accounts.py`) depend on `require_principal`: it reads `Authorization: Bearer TOKEN`, asks the app's
`TokenResolver` (by default the account store's `tokens` table, where only each token's SHA-256 is kept,
`store/tokens.py`) who holds it, and refuses with 401 and nothing else said. Each account route then checks what
the principal may see (a contributor its own account, an agent its organism's: `account/access.py`) and refuses
with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import Request

from echeancier.api.parsing import ApiError

Role = Literal["contributor", "agent", "admin"]


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    account: str | None = None  # a contributor's own account
    organism: str | None = None  # an agent's organism


TokenResolver = Callable[[str], Principal | None]


def no_tokens(token: str) -> Principal | None:
    """A resolver for which no token is valid (an app without account access)."""
    return None


def require_principal(request: Request) -> Principal:
    """FastAPI dependency of every account route: the principal holding the bearer token, or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    resolver: TokenResolver = request.app.state.token_resolver
    token = token.strip()
    principal = resolver(token) if scheme.lower() == "bearer" and token and token.isascii() else None
    if principal is None:
        raise ApiError(401, None, "authentification requise (Authorization: Bearer …)")
    return principal
