"""`echeancier account …` and `echeancier payments import`: the account store from the command line (issue #6).

Every write is idempotent (an idempotency key per event: given, or the event's content); a refused event writes
nothing and exits 2 with one line naming the field. Heavy imports (SQLAlchemy, the ledger) happen inside the
commands, so that the CLI's cold start stays small.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer


def _cli() -> Any:
    """The main CLI module, for its shared helpers (imported when a command runs: `cli` imports this module)."""
    import echeancier.cli as cli

    return cli


def _errors(*expected: type[Exception]) -> Any:
    return _cli()._errors(*expected)


def _fail(field: str, message: str) -> NoReturn:
    _cli()._fail(field, message)
    raise AssertionError("unreachable")


def _parse_date(option: str, value: str | None) -> date | None:
    parsed: date | None = _cli()._parse_date(option, value)
    return parsed


def _read_scenario(path: str) -> str:
    text: str = _cli()._read_scenario(path)
    return text


def _today() -> date:
    today: date = _cli()._today()
    return today


account_app = typer.Typer(help="Comptes des cotisants : création, événements, relevé, comptes en retard.")
payments_app = typer.Typer(help="Paiements reçus de la banque (CSV, camt.054, pain.002).")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Base du compte (défaut : ECHEANCIER_DATABASE_URL, sinon echeancier.db dans le dossier courant).",
        show_default=False,
    ),
]
MAX_EVENT_BYTES = 1 << 20


def _store(db: str | None) -> Any:
    from echeancier.store import EventStore

    return EventStore(db, projector=_projector)


def _projector(account: Any, events: list[Any]) -> Any:
    """The store's projection of an account: the ledger on today's date. An account the law cannot compute (its
    history refused after the fact, e.g. a bank rejection of nothing) keeps its events and says why."""
    from echeancier.account.service import projection_of, statement_date
    from echeancier.schedule.scenario import ScenarioError
    from echeancier.store import Projection

    payloads = _payloads(events)
    as_of = statement_date(payloads, _today())
    try:
        values = projection_of(account.contributor, payloads, as_of)
    except ScenarioError as error:
        return Projection(payload={"error": str(error), "as_of": as_of.isoformat()})
    return Projection(**values)


def _payloads(events: list[Any]) -> list[dict[str, Any]]:
    """Stored events as the account's scenario events: the type and effective date the store keeps as columns
    (a bank line's payload has only its amount, method and bank id)."""
    corrected = {e.corrects for e in events if e.corrects is not None}
    # A correction replaces the event it cites (nothing is ever updated in the store, DESIGN §3).
    return [
        {"type": e.type, "date": e.effective_date.isoformat(), **e.payload}
        for e in events
        if getattr(e, "sequence", None) not in corrected
    ]


def _validator(account: Any, existing: list[Any], new: list[Any]) -> None:
    """A batch is refused when the law refuses the account it makes (exit 2, nothing written)."""
    from echeancier.account.service import AccountError, echeancier_of, statement_date
    from echeancier.schedule.scenario import ScenarioError

    payloads = _payloads(existing) + _payloads(new)
    try:
        echeancier_of(account.contributor, payloads, statement_date(payloads, _today()))
    except ScenarioError as error:
        raise AccountError("event", error.message if error.line else str(error)) from None


def _expected() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from echeancier.account.service import AccountError
    from echeancier.contributions.situation import InputError
    from echeancier.law.loader import LawError
    from echeancier.payments import BankFileError
    from echeancier.schedule.scenario import ScenarioError

    # A database that cannot be reached or a URL that is not one: said in one line, exit 2 (never a traceback).
    return (
        AccountError,
        InputError,
        LawError,
        ScenarioError,
        BankFileError,
        OperationalError,
        ArgumentError,
        NoSuchModuleError,
    )


# --- account create / import ------------------------------------------------------------------------------------


@account_app.command("create")
def account_create(
    account_id: Annotated[str, typer.Argument(metavar="ID", help="Identifiant du compte.")],
    profession: Annotated[str, typer.Option("--profession", help="artisan, commercant ou liberal.")],
    activity_start: Annotated[str, typer.Option("--activity-start", metavar="AAAA-MM-JJ", help="Début d'activité.")],
    department: Annotated[str, typer.Option("--department", help="Département du lieu d'activité.")] = "75",
    payment: Annotated[str, typer.Option("--payment", help="monthly (mensuel) ou quarterly (trimestriel).")] = (
        "monthly"
    ),
    day: Annotated[int, typer.Option("--day", help="Jour de paiement : 5 ou 20.")] = 5,
    no_direct_debit: Annotated[bool, typer.Option("--no-direct-debit", help="Sans prélèvement.")] = False,
    income: Annotated[
        list[str] | None,
        typer.Option("--income", metavar="ANNÉE=EUROS", help="Revenu d'une année (répétable).", show_default=False),
    ] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference", metavar="RÉF", help="Référence de paiement du compte (répétable).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Crée un compte (une nouvelle exécution avec les mêmes valeurs ne change rien)."""
    start = _parse_date("--activity-start", activity_start)
    assert start is not None
    contributor: dict[str, Any] = {
        "contributor": {
            "profession": profession,
            "activity_start": start.isoformat(),
            "department": department,
            "payment": {"frequency": payment, "day": day, "direct_debit": not no_direct_debit},
        },
        "incomes": _incomes(income or []),
    }
    with _errors(*_expected()):
        _check_account(contributor)
        with _store(db) as store:
            store.create_account(account_id, contributor, reference or (), idempotency_key=f"create:{account_id}")
    print(f"compte {account_id} : créé")


def _incomes(values: list[str]) -> dict[str, str]:
    from echeancier.kernel.inputs import InputError, parse_euros, parse_whole

    incomes: dict[str, str] = {}
    for value in values:
        year, sep, amount = value.partition("=")
        if not sep:
            _fail("--income", f"ANNÉE=EUROS attendu, reçu {value!r}")
        try:
            incomes[str(parse_whole(year.strip(), "--income", minimum=2000, maximum=2100))] = str(
                parse_euros(amount.strip(), "--income", negative=True)
            )
        except InputError as error:
            _fail("--income", error.message)
    return incomes


def _check_account(contributor: dict[str, Any]) -> None:
    """The contributor must make a valid scenario (fields, département, dates), before anything is written."""
    from echeancier.account.service import scenario_of

    scenario_of(contributor, [], _today())


@account_app.command("import")
def account_import(
    account_id: Annotated[str, typer.Argument(metavar="ID")],
    scenario: Annotated[str, typer.Argument(metavar="SCÉNARIO.yaml", help="Un scénario : cotisant et événements.")],
    db: DbOption = None,
) -> None:
    """Crée le compte d'un scénario et enregistre ses événements (idempotent)."""
    text = _read_scenario(scenario)
    from echeancier.account.service import idempotency_key, to_cents_payload
    from echeancier.kernel.inputs import load_yaml
    from echeancier.schedule.scenario import ScenarioError, loads_scenario
    from echeancier.store import NewEvent

    with _errors(*_expected()):
        try:
            parsed = loads_scenario(text)
        except ScenarioError as error:
            _fail(scenario, str(error))
        document = load_yaml(text)
        contributor = {
            "contributor": parsed.contributor.model_dump(mode="json", exclude_none=True),
            "incomes": {str(y): str(v) for y, v in parsed.incomes.items()},
            "amounts": {
                str(y): {k: str(v) for k, v in a.model_dump().items() if v is not None}
                for y, a in parsed.amounts.items()
            },
            "options": parsed.options.model_dump(mode="json"),
        }
        events = []
        for index, event in enumerate(document.get("events") or []):
            payload = to_cents_payload({k: v for k, v in event.items()} if isinstance(event, dict) else {"raw": event})
            key = idempotency_key(account_id, {"import": index, **payload})
            events.append(NewEvent(str(payload.get("type")), payload, date.fromisoformat(str(payload["date"])), key))
        with _store(db) as store:
            store.create_account(account_id, contributor, (), idempotency_key=f"create:{account_id}")
            stored = store.append(account_id, events, validate=_validator)
    print(f"compte {account_id} : {len(stored)} événement(s) enregistré(s)")


# --- account record ---------------------------------------------------------------------------------------------


@account_app.command("record")
def account_record(
    account_id: Annotated[str, typer.Argument(metavar="ID")],
    source: Annotated[
        str,
        typer.Argument(metavar="FICHIER", help="Un événement (ou une liste) en JSON ou YAML ; - : l'entrée standard."),
    ] = "-",
    key: Annotated[
        str | None,
        typer.Option(
            "--key", metavar="CLÉ", help="Clé d'idempotence (défaut : le contenu de l'événement).", show_default=False
        ),
    ] = None,
    corrects: Annotated[
        int | None,
        typer.Option(
            "--corrects",
            metavar="N",
            help="Corrige l'événement numéro N du compte (il est remplacé).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Enregistre un événement du compte, au format des scénarios (paiement, rejet de prélèvement, déclaration,
    délai de paiement, remise…). Refusé s'il contredit la loi : rien n'est écrit."""
    text = sys.stdin.read(MAX_EVENT_BYTES + 1) if source == "-" else _read_scenario(source)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_EVENT_BYTES:
        _fail(source, f"trop long (plus de {MAX_EVENT_BYTES} octets)")
    from pydantic import TypeAdapter, ValidationError

    from echeancier.account.service import idempotency_key, to_cents_payload
    from echeancier.kernel.inputs import load_yaml
    from echeancier.schedule.scenario import Event
    from echeancier.store import NewEvent

    with _errors(*_expected()):
        document = load_yaml(text)
        items = document if isinstance(document, list) else [document]
        adapter: TypeAdapter[Any] = TypeAdapter(Event)
        events = []
        for index, item in enumerate(items):
            try:
                parsed = adapter.validate_python(item)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"][1:]) or "type"
                _fail(f"event.{where}", str(first["msg"]).removeprefix("Value error, "))
            payload = to_cents_payload(parsed.model_dump(mode="json", exclude_none=True))
            event_key = key if key is not None and len(items) == 1 else idempotency_key(account_id, payload)
            if key is not None and len(items) > 1:
                event_key = f"{key}:{index}"
            if corrects is not None and len(items) != 1:
                _fail("--corrects", "une correction porte sur un seul événement")
            events.append(NewEvent(parsed.type, payload, parsed.date, event_key, corrects=corrects))
        with _store(db) as store:
            before = store.last_sequence(account_id)
            store.append(account_id, events, validate=_validator)
            added = store.last_sequence(account_id) - before
    print(f"compte {account_id} : {added} événement(s) enregistré(s)" + ("" if added else " (déjà présent)"))


# --- account show / list ----------------------------------------------------------------------------------------


@account_app.command("show")
def account_show(
    account_id: Annotated[str, typer.Argument(metavar="ID")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="AAAA-MM-JJ", show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json, csv ou ics.")] = "table",
    db: DbOption = None,
) -> None:
    """L'échéancier et le relevé de compte : chaque écriture, le solde, les majorations et leur calcul."""
    chosen = output_format.strip().lower()
    if chosen not in ("table", "json", "csv", "ics"):
        _fail("--format", f"format inconnu {output_format!r} (formats : table, json, csv, ics)")
    day = _parse_date("--as-of", as_of)
    from echeancier.account.service import echeancier_of, statement_date
    from echeancier.documents import echeancier as documents

    with _errors(*_expected()):
        with _store(db) as store:
            account = store.account(account_id)
            payloads = _payloads(store.events(account_id))
        on = day or statement_date(payloads, _today())
        result = echeancier_of(account.contributor, payloads, on)
        if chosen == "json":
            sys.stdout.write(
                json.dumps({"account": account_id, **documents.to_json(result)}, ensure_ascii=False) + "\n"
            )
        elif chosen == "csv":
            sys.stdout.write(statement_csv(result))
        elif chosen == "ics":
            sys.stdout.write(documents.to_ics(result, account_id))
        else:
            sys.stdout.write(f"Compte {account_id}\n\n" + documents.to_table(result) + "\n" + relevé(result))


def relevé(result: Any) -> str:
    """The relevé de compte in French: every posting with its date, nature, amount and settlement."""
    from echeancier.documents.echeancier import _french_dates, kind_label
    from echeancier.kernel.fmt import format_date, format_euros

    statement = result.statement
    lines = ["Relevé de compte :", ""]
    labels = {"debit": "appelé", "credit": "reçu", "refund": "remboursé"}
    origins = {
        "direct_debit": "prélèvement",
        "transfer": "virement",
        "card": "carte",
        "cheque": "chèque",
        "cash": "espèces",
        "plan": "versement du délai de paiement",
        "regularisation_credit": "crédit de régularisation",
        "ajustement_credit": "crédit d'ajustement",
        "remise": "remise de majorations",
        "refund": "remboursement",
    }
    for p in statement.postings:
        what = origins.get(p.origin) or kind_label(p.origin)
        year = f" {p.year}" if p.year is not None and p.origin != "majoration" else ""
        amount = format_euros(p.amount / 100, cents=True)
        settled = ""
        if p.kind == "debit":
            settled = f" — réglé le {format_date(p.settled_on)}" if p.settled_on else " — non réglé"
        detail = f" ({_french_dates(p.detail)})" if p.detail and p.origin == "penalite_declaration" else ""
        lines.append(f"  {format_date(p.date)}  {labels[p.kind]:<9} {amount:>14}  {what}{year}{detail}{settled}")
    return "\n".join(lines) + "\n"


def statement_csv(result: Any) -> str:
    """Every posting of the account, one row each (machine-readable)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("id", "date", "kind", "origin", "year", "amount", "settled_on", "reference"))
    for p in result.statement.postings:
        writer.writerow(
            (
                p.id,
                p.date.isoformat(),
                p.kind,
                p.origin,
                "" if p.year is None else p.year,
                f"{p.amount / 100:.2f}",
                "" if p.settled_on is None else p.settled_on.isoformat(),
                p.reference,
            )
        )
    return buffer.getvalue()


@account_app.command("list")
def account_list(
    late: Annotated[
        bool, typer.Option("--late", help="Seulement les comptes ayant une somme exigible impayée.")
    ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="AAAA-MM-JJ", show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json ou csv.")] = "table",
    db: DbOption = None,
) -> None:
    """Les comptes et leur solde ; avec --late, ceux en retard : combien, depuis quand, les majorations."""
    chosen = output_format.strip().lower()
    if chosen not in ("table", "json", "csv"):
        _fail("--format", f"format inconnu {output_format!r} (formats : table, json, csv)")
    day = _parse_date("--as-of", as_of)
    rows = []
    with _errors(*_expected()):
        with _store(db) as store:
            if day is None:
                for stored in store.projections(late_only=late):
                    p = stored.projection
                    rows.append(
                        _row(
                            stored.account_id,
                            p.balance_cents,
                            p.late_amount_cents,
                            p.late_since,
                            p.majorations_cents,
                            p.next_due_date,
                            p.payload.get("error"),
                        )
                    )
            else:
                from echeancier.account.service import projection_of
                from echeancier.schedule.scenario import ScenarioError

                for account in store.accounts():
                    payloads = _payloads(store.events(account.account_id))
                    try:
                        p = projection_of(account.contributor, payloads, day)
                    except ScenarioError as error:
                        rows.append(_row(account.account_id, 0, 0, None, 0, None, str(error)))
                        continue
                    if late and (p["late_since"] is None or p["late_since"] > day):
                        continue
                    rows.append(
                        _row(
                            account.account_id,
                            p["balance_cents"],
                            p["late_amount_cents"],
                            p["late_since"],
                            p["majorations_cents"],
                            p["next_due_date"],
                            None,
                        )
                    )
    if chosen == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif chosen == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(_row("", 0, 0, None, 0, None, None)), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        sys.stdout.write(_list_table(rows, late))


def _row(
    account_id: str,
    balance: int,
    late_amount: int,
    late_since: date | None,
    majorations: int,
    next_due: date | None,
    error: str | None,
) -> dict[str, Any]:
    return {
        "account": account_id,
        "balance": balance / 100,
        "late_amount": late_amount / 100,
        "late_since": None if late_since is None else late_since.isoformat(),
        "majorations": majorations / 100,
        "next_due_date": None if next_due is None else next_due.isoformat(),
        "error": error,
    }


def _list_table(rows: list[dict[str, Any]], late: bool) -> str:
    from echeancier.kernel.fmt import format_date, format_euros

    if not rows:
        return "Aucun compte en retard.\n" if late else "Aucun compte.\n"
    out = []
    for r in rows:
        since = f", en retard depuis le {format_date(date.fromisoformat(r['late_since']))}" if r["late_since"] else ""
        majorations = f", majorations {format_euros(r['majorations'], cents=True)}" if r["majorations"] else ""
        error = f" — {r['error']}" if r["error"] else ""
        out.append(
            f"{r['account']} : solde {format_euros(r['balance'], cents=True)}, impayé "
            f"{format_euros(r['late_amount'], cents=True)}{since}{majorations}{error}"
        )
    return "\n".join(out) + "\n"


# --- payments import --------------------------------------------------------------------------------------------


@payments_app.command("import")
def payments_import(
    bank_file: Annotated[
        str, typer.Argument(metavar="FICHIER", help="CSV (date, amount, reference[, id]), camt.054 ou pain.002.")
    ],
    db: DbOption = None,
) -> None:
    """Importe un fichier de la banque : chaque ligne devient un paiement ou un rejet du compte qu'elle désigne ;
    une ligne sans compte va en attente (suspens), jamais perdue. Importer deux fois le même fichier ne change rien."""
    from echeancier.payments import parse_bank_file

    with _errors(*_expected()):
        if not Path(bank_file).is_file():
            _fail(bank_file, "fichier introuvable")
        lines = parse_bank_file(bank_file)
        with _store(db) as store:
            result = store.import_bank_lines(lines, Path(bank_file).name)
    print(
        f"{Path(bank_file).name} : {result.recorded} ligne(s) enregistrée(s), {result.already_present} déjà "
        f"présente(s), {result.suspense} en attente (aucun compte)"
    )
