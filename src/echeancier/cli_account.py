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
    """The store's projection of an account: the ledger on today's date (`service.project`)."""
    from echeancier.account.service import project

    return project(account, events, _today())


def _payloads(events: list[Any]) -> list[dict[str, Any]]:
    from echeancier.account.service import stored_payloads

    return stored_payloads(events)


def _validator(account: Any, existing: list[Any], new: list[Any]) -> None:
    """A batch is refused when the law refuses the account it makes (exit 2, nothing written)."""
    from echeancier.account.service import validate_batch

    validate_batch(account, existing, new, _today())
    from echeancier.recovery.events import RECOVERY_EVENT_TYPES
    from echeancier.recovery.service import as_input, prepare_step

    # Recovery steps are checked again here, inside the store's transaction (recovery/service.py).
    so_far = _payloads(existing)
    for event in new:
        payload = {"type": event.type, "date": event.effective_date.isoformat(), **event.payload}
        if event.type in RECOVERY_EVENT_TYPES:
            prepare_step(account.contributor, so_far, as_input(payload))
        so_far.append(payload)


def _expected() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from echeancier.account.service import AccountError
    from echeancier.contributions.situation import InputError
    from echeancier.law.loader import LawError
    from echeancier.payments import BankFileError
    from echeancier.recovery.procedure import RecoveryError
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
        RecoveryError,
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
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NOM", help="Nom du cotisant (sur le relevé PDF).", show_default=False),
    ] = None,
    siren: Annotated[
        str | None,
        typer.Option("--siren", metavar="SIREN", help="SIREN (9 chiffres, sur le relevé PDF).", show_default=False),
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
            **({"name": name} if name is not None else {}),
            **({"siren": siren} if siren is not None else {}),
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
    from echeancier.account.service import check_contributor

    check_contributor(contributor, _today())


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
    from echeancier.account.service import new_events
    from echeancier.kernel.inputs import load_yaml
    from echeancier.recovery.events import RECOVERY_EVENT_TYPES

    with _errors(*_expected()):
        document = load_yaml(text)
        items = document if isinstance(document, list) else [document]
        # recovery steps (recovery/events.py) are checked once the account is read, by _recovery_events
        recovery = [
            (index, item)
            for index, item in enumerate(items)
            if isinstance(item, dict) and item.get("type") in RECOVERY_EVENT_TYPES
        ]
        others = [item for index, item in enumerate(items) if index not in {i for i, _ in recovery}]
        events = (
            new_events(account_id, others if isinstance(document, list) else others[0], key, corrects) if others else []
        )
        with _store(db) as store:
            before = store.last_sequence(account_id)
            if recovery:
                events = _recovery_events(store, account_id, events, recovery, key, corrects)
            store.append(account_id, events, validate=_validator)
            added = store.last_sequence(account_id) - before
    print(f"compte {account_id} : {added} événement(s) enregistré(s)" + ("" if added else " (déjà présent)"))


def _recovery_events(
    store: Any,
    account_id: str,
    events: list[Any],
    steps: list[tuple[int, dict[str, Any]]],
    key: str | None,
    corrects: int | None,
) -> list[Any]:
    """Recovery steps recorded with `account record` (recovery/events.py), checked against the procedure on their
    date as `recovery step` does; they keep their place among the other events."""
    from echeancier.account.service import idempotency_key
    from echeancier.recovery.service import already_recorded, prepare_step
    from echeancier.store import NewEvent

    if corrects is not None:
        _fail("--corrects", "une étape du recouvrement ne se corrige pas : une nouvelle étape la suit")
    account = store.account(account_id)
    payloads = _payloads(store.events(account_id)) + [
        {"type": e.type, "date": e.effective_date.isoformat(), **e.payload} for e in events
    ]
    out = list(events)
    for index, item in steps:
        if already_recorded(payloads, item) is not None:
            continue  # recorded before: nothing changes
        payload = prepare_step(account.contributor, payloads, item)
        payloads.append(payload)
        day = date.fromisoformat(str(payload["date"]))
        event_key = idempotency_key(account_id, payload) if key is None else f"{key}:{index}"
        out.insert(min(index, len(out)), NewEvent(str(payload["type"]), payload, day, event_key))
    return out


# --- account show / list ----------------------------------------------------------------------------------------


@account_app.command("show")
def account_show(
    account_id: Annotated[str, typer.Argument(metavar="ID")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="AAAA-MM-JJ", show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json, csv, ics ou pdf.")] = "table",
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            metavar="FICHIER",
            help="Écrit le document dans ce fichier (pdf : le relevé de compte).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """L'échéancier et le relevé de compte : chaque écriture, le solde, les majorations et leur calcul."""
    chosen = output_format.strip().lower()
    if chosen not in ("table", "json", "csv", "ics", "pdf"):
        _fail("--format", f"format inconnu {output_format!r} (formats : table, json, csv, ics, pdf)")
    if chosen == "pdf" and output is None and sys.stdout.isatty():
        _fail("--format", "le PDF est un document binaire : donner --output FICHIER ou rediriger la sortie")
    day = _parse_date("--as-of", as_of)
    from echeancier.account.service import echeancier_of, statement_date
    from echeancier.documents import echeancier as documents

    with _errors(*_expected()):
        with _store(db) as store:
            account = store.account(account_id)
            payloads = _payloads(store.events(account_id))
        on = day or statement_date(payloads, _today())
        result = echeancier_of(account.contributor, payloads, on)
        if chosen == "pdf":
            from echeancier.account.service import scenario_of
            from echeancier.documents.releve import statement_pdf

            scenario = scenario_of(account.contributor, payloads, on)
            document = statement_pdf(result, scenario, account=account_id, issued_on=_today())
            _cli()._write_binary(output, document, "--output")
            return
        if output is not None:
            _fail("--output", "s'utilise avec --format pdf")
        from echeancier.cli_recovery import procedure_json, procedure_text
        from echeancier.recovery.service import procedure_of

        if chosen in ("json", "table"):
            recovery = procedure_of(account.contributor, payloads, result).procedure
        if chosen == "json":
            # As the API's GET /v1/accounts/{id}: `account` is the statement (`documents.to_json`), the id is apart.
            shown = {"account_id": account_id, **documents.to_json(result), "recovery": procedure_json(recovery)}
            sys.stdout.write(json.dumps(shown, ensure_ascii=False) + "\n")
        elif chosen == "csv":
            sys.stdout.write(statement_csv(result))
        elif chosen == "ics":
            sys.stdout.write(documents.to_ics(result, account_id))
        else:
            sys.stdout.write(
                f"Compte {account_id}\n\n"
                + documents.to_table(result)
                + "\n"
                + relevé(result)
                + "\n"
                + procedure_text(recovery)
            )


def relevé(result: Any) -> str:
    """The relevé de compte in French: every posting with its date, nature, amount and settlement."""
    from echeancier.documents.echeancier import ORIGIN_LABELS, _french_dates, kind_label
    from echeancier.kernel.fmt import format_date, format_euros

    statement = result.statement
    lines = ["Relevé de compte :", ""]
    labels = {"debit": "appelé", "credit": "reçu", "refund": "remboursé"}
    for p in statement.postings:
        what = ORIGIN_LABELS.get(p.origin) or kind_label(p.origin)
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
    from echeancier.account.service import account_rows

    with _errors(*_expected()):
        with _store(db) as store:
            rows = account_rows(store, late, day)
    if chosen == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif chosen == "csv":
        from echeancier.account.service import account_row

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(account_row("", None)), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        sys.stdout.write(_list_table(rows, late))


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
