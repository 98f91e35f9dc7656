"""Who may see and write an account through the HTTP API (issue #8): a contributor its own account, an agent the
accounts its organism collects, an admin every account.

The organism of an account is the one that collects its contributions (CSS R613-6 al. 1, `echeancier.organisms`):
the organism of the département (or commune) of activity the account's contributor names, on the day of the
request. An agent's scope is an organism's key in `organisms/organismes.yaml` (`urssaf_ile_de_france`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from echeancier.account.service import AccountError

Role = Literal["contributor", "agent", "admin"]


@dataclass(frozen=True, slots=True)
class Scope:
    """What a token gives access to: its role, and the account (contributor) or organism (agent) it names."""

    role: Role
    account: str | None = None
    organism: str | None = None


def check_organism(key: str) -> str:
    """An organism's key as an agent's token names it, or AccountError naming `organism`."""
    from echeancier.organisms import organism_keys

    keys = organism_keys()
    cleaned = key.strip().lower() if isinstance(key, str) else ""
    if cleaned not in keys:
        raise AccountError("organism", f"{key!r} n'est pas un organisme connu (par exemple : {', '.join(keys[:3])}…)")
    return cleaned


def account_organism(contributor: Mapping[str, Any], on: date) -> str | None:
    """The key of the organism that collects for the account's contributor on `on`, or None when its place of
    activity names none (such an account is visible to admins only).

    LAW: R613-6 al. 1 — the organism "dans le ressort duquel ils exercent leur activité", on the day asked: an
    agent of the organism that collects today sees the account's whole history, including the years another
    organism collected (docs/law-choices.md row 140).
    """
    from echeancier.organisms import UnknownTerritory, organism_for

    person = contributor.get("contributor")
    if not isinstance(person, Mapping):
        return None
    department = person.get("department", "75")
    commune = person.get("commune")
    try:
        return organism_for(str(department), on, commune if isinstance(commune, str) else None).key
    except UnknownTerritory:
        return None


def may_access(scope: Scope, account_id: str, contributor: Mapping[str, Any] | None, on: date) -> bool:
    """Whether `scope` may read and write the account `account_id` (whose contributor is given when it exists).

    A contributor: its own account only. An agent: an existing account its organism collects. An admin: any."""
    if scope.role == "admin":
        return True
    if scope.role == "contributor":
        return scope.account is not None and account_id == scope.account
    return (
        contributor is not None and scope.organism is not None and account_organism(contributor, on) == scope.organism
    )
