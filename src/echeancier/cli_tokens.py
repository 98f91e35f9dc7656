"""`echeancier tokens …`: the bearer tokens of the HTTP API's account routes (issue #8).

`tokens create` prints the token once (only its SHA-256 is stored: `store/tokens.py`); `tokens list` shows every
token without it; `tokens revoke` ends one. The database is the account store's (`--db`, as `account …`).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from echeancier.cli_account import DbOption, _errors, _expected, _store

tokens_app = typer.Typer(help="Jetons d'accès à l'API des comptes (contributor, agent, admin).")


def _tokens(store: Any) -> Any:
    from echeancier.store.tokens import TokenStore

    return TokenStore(store.engine)


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option("--role", help="contributor (un compte), agent (un organisme) ou admin.")],
    account: Annotated[
        str | None, typer.Option("--account", metavar="ID", help="Le compte d'un contributor.", show_default=False)
    ] = None,
    organism: Annotated[
        str | None,
        typer.Option(
            "--organism",
            metavar="CODE",
            help="L'organisme d'un agent (clé de organismes.yaml, ex. urssaf_ile_de_france).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le jeton et son enregistrement en JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Crée un jeton et l'affiche une seule fois (seule son empreinte SHA-256 est conservée)."""
    from echeancier.account.access import check_organism

    with _errors(*_expected()):
        scope = None if organism is None else check_organism(organism)
        with _store(db) as store:
            record, token = _tokens(store).create(role.strip().lower(), account, scope)
    if as_json:
        sys.stdout.write(json.dumps({**record.to_dict(), "token": token}, ensure_ascii=False) + "\n")
        return
    print(token)
    what = {"contributor": f"compte {account}", "agent": f"organisme {scope}", "admin": "tous les comptes"}
    print(
        f"jeton {record.token_id} ({record.role}, {what[record.role]}) : conservez-le, il ne sera plus affiché",
        file=sys.stderr,
    )


@tokens_app.command("list")
def tokens_list(
    as_json: Annotated[bool, typer.Option("--json", help="En JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Les jetons (jamais leur valeur) : identifiant, rôle, compte ou organisme, création, révocation."""
    with _errors(*_expected()):
        with _store(db) as store:
            records = _tokens(store).list()
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in records], ensure_ascii=False) + "\n")
        return
    if not records:
        print("Aucun jeton.")
    for r in records:
        scope = r.account_id or r.organism or "tous les comptes"
        revoked = f", révoqué le {r.revoked_at:%d/%m/%Y %H:%M} UTC" if r.revoked_at else ""
        print(f"{r.token_id}  {r.role:<11} {scope}  créé le {r.created_at:%d/%m/%Y %H:%M} UTC{revoked}")


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[str, typer.Argument(metavar="ID", help="L'identifiant du jeton (tokens list).")],
    db: DbOption = None,
) -> None:
    """Révoque un jeton : il n'ouvre plus rien (une nouvelle exécution ne change rien)."""
    with _errors(*_expected()):
        with _store(db) as store:
            record = _tokens(store).revoke(token_id)
    print(f"jeton {record.token_id} : révoqué")
