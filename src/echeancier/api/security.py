"""Who is calling: the seam for the account endpoints and their tokens (issue #8, not wired yet).

The public endpoints (simulations, schedules, law, the web page) need no token. The account endpoints will
depend on `require_principal`: it reads `Authorization: Bearer TOKEN`, asks the app's `TokenResolver` (the
account store's token table, tokens stored hashed) who holds it, and refuses with 401 and nothing else said.
Each account route then checks what the principal may see (a contributor its own account, an agent its
organism's) and refuses with 403.
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
    """The resolver until the account store exists: no token is valid."""
    return None


def require_principal(request: Request) -> Principal:
    """FastAPI dependency of every account route: the principal holding the bearer token, or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    resolver: TokenResolver = request.app.state.settings.token_resolver
    principal = resolver(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if principal is None:
        raise ApiError(401, None, "authentication required")
    return principal
