"""`echeancier recovery …`: the recovery procedure from the command line (issue #7).

`worklist` lists the steps due on a date over the store; `step` records a step an agent took (checked against the
procedure on its date: refused before its delay, out of order, or on prescribed sums — one line, exit 2, nothing
written); `show` prints an account's procedure; `document` writes the mise en demeure as a PDF. Heavy imports
happen inside the commands.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from echeancier import cli_account
from echeancier.cli_account import DbOption, _errors, _expected, _fail, _parse_date, _payloads, _store

recovery_app = typer.Typer(
    help="Recouvrement des cotisations impayées : relance, mise en demeure, contrainte, opposition (CSS L244-2 "
    "et suivants)."
)


def _now() -> date:
    """Today, as the account commands see it (tests fix it there)."""
    today: date = cli_account._today()
    return today


def _euros(cents: int) -> str:
    from echeancier.kernel.fmt import format_euros

    return format_euros(cents / 100, cents=True)


def _date(day: date | None) -> str:
    from echeancier.kernel.fmt import format_date

    return "—" if day is None else format_date(day)


# --- worklist ---------------------------------------------------------------------------------------------------


@recovery_app.command("worklist")
def recovery_worklist(
    organism: Annotated[
        str | None,
        typer.Option("--organism", help="Clé (urssaf_corse) ou nom de l'organisme.", show_default=False),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="AAAA-MM-JJ", show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json ou csv.")] = "table",
    db: DbOption = None,
) -> None:
    """Les comptes dont une étape du recouvrement est due : l'étape, le montant, l'échéance, l'article."""
    chosen = output_format.strip().lower()
    if chosen not in ("table", "json", "csv"):
        _fail("--format", f"format inconnu {output_format!r} (formats : table, json, csv)")
    day = _parse_date("--as-of", as_of) or _now()
    from echeancier.recovery.service import worklist

    with _errors(*_expected()):
        with _store(db) as store:
            items = worklist(store, day, _organism_key(organism, day))
    rows = [item.to_dict() for item in items]
    if chosen == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif chosen == "csv":
        buffer = io.StringIO()
        fields = ["account", "organism", "step", "amount", "due_on", "deadline", "article", "debts", "coordinated"]
        writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "debts": " ".join(row["debts"]), "amount": f"{row['amount_cents'] / 100:.2f}"})
        sys.stdout.write(buffer.getvalue())
    else:
        sys.stdout.write(_worklist_table(items, day))


def _organism_key(value: str | None, day: date) -> str | None:
    """`--organism` as an organism's key or name, or a département or collectivity code (`2A`, `971`): the
    organism that collects there on `day` (R613-6)."""
    if value is None:
        return None
    from echeancier.organisms import UnknownTerritory, organism_for

    try:
        return organism_for(value, day).key
    except UnknownTerritory:
        return value  # a key or a name: matched as it is


def _worklist_table(items: list[Any], day: date) -> str:
    if not items:
        return f"Aucune étape de recouvrement due le {_date(day)}.\n"
    lines = [f"Étapes de recouvrement dues le {_date(day)} :", ""]
    for item in items:
        deadline = f", au plus tard le {_date(item.deadline)}" if item.deadline else ""
        extra = " — recouvrement concerté (L613-3 al. 3)" if item.coordinated else ""
        if item.abandon_possible:
            extra += " — abandon possible (D133-1)"
        lines.append(
            f"{item.account} : {item.label}, {_euros(item.amount)}, depuis le {_date(item.due_on)}{deadline} "
            f"({item.article}){extra}"
        )
    return "\n".join(lines) + "\n"


# --- step -------------------------------------------------------------------------------------------------------


@recovery_app.command("step")
def recovery_step(
    account_id: Annotated[str, typer.Argument(metavar="ID")],
    step: Annotated[
        str,
        typer.Argument(
            metavar="ÉTAPE",
            help="relance, payment_plan_offer, mise_en_demeure, mise_en_demeure_receipt, contrainte, "
            "contrainte_notification, opposition, opposition_decision, execution, coordinated_plan, "
            "recovery_abandoned.",
        ),
    ],
    agent: Annotated[str, typer.Option("--agent", metavar="AGENT", help="Identifiant de l'agent qui décide.")],
    on: Annotated[
        str | None, typer.Option("--date", metavar="AAAA-MM-JJ", help="Date de l'étape (défaut : aujourd'hui).")
    ] = None,
    debt: Annotated[
        list[str] | None,
        typer.Option(
            "--debt",
            metavar="CLÉ",
            help="Somme concernée (répétable ; défaut : toutes celles dues).",
            show_default=False,
        ),
    ] = None,
    means: Annotated[str | None, typer.Option("--means", help="Moyen d'envoi (lrar, courrier…).")] = None,
    decision: Annotated[str | None, typer.Option("--decision", help="validee ou annulee (jugement).")] = None,
    creditor: Annotated[str | None, typer.Option("--creditor", help="Créancier (défaut : l'organisme).")] = None,
    share: Annotated[
        list[str] | None,
        typer.Option(
            "--share", metavar="CRÉANCIER=EUROS", help="Part d'un créancier (plan concerté).", show_default=False
        ),
    ] = None,
    instalment: Annotated[
        list[str] | None,
        typer.Option(
            "--instalment",
            metavar="AAAA-MM-JJ=EUROS",
            help="Échéance du plan concerté (répétable).",
            show_default=False,
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Commentaire.")] = None,
    db: DbOption = None,
) -> None:
    """Enregistre une étape du recouvrement : refusée (rien n'est écrit) avant son délai, hors de l'ordre de la
    procédure, ou sur des sommes prescrites."""
    from echeancier.account.service import idempotency_key
    from echeancier.recovery.events import RECOVERY_EVENT_TYPES
    from echeancier.store import NewEvent

    if step not in RECOVERY_EVENT_TYPES:
        _fail("ÉTAPE", f"étape inconnue {step!r} (étapes : {', '.join(RECOVERY_EVENT_TYPES)})")
    day = _parse_date("--date", on) or _now()
    event: dict[str, Any] = {"type": step, "date": day.isoformat(), "agent": agent}
    for name, value in (("means", means), ("decision", decision), ("creditor", creditor), ("note", note)):
        if value is not None:
            event[name] = value
    if debt:
        event["debts"] = list(debt)
    if share:
        event["creditors"] = [_pair(value, "--share", "creditor") for value in share]
    if instalment:
        event["instalments"] = [_pair(value, "--instalment", "date") for value in instalment]
    with _errors(*_expected()):
        with _store(db) as store:
            from echeancier.recovery.service import already_recorded

            account = store.account(account_id)
            existing = _payloads(store.events(account_id))
            again = already_recorded(existing, event)
            if again is not None:
                print(f"compte {account_id} : {_step_label(step)} du {_date(day)} déjà enregistrée")
                return
            payload = _prepared(account, existing, event)
            key = idempotency_key(account_id, payload)
            new = NewEvent(step, payload, day, key)
            before = store.last_sequence(account_id)
            store.append(account_id, [new], validate=cli_account._validator)
            added = store.last_sequence(account_id) - before
    debts = ", ".join(payload.get("debts", []))
    done = "enregistrée" if added else "déjà enregistrée"
    print(f"compte {account_id} : {_step_label(step)} du {_date(day)} {done} ({debts})")


def _pair(value: str, option: str, name: str) -> dict[str, str]:
    left, sep, right = value.partition("=")
    if not sep or not left.strip() or not right.strip():
        _fail(option, f"{name.upper()}=EUROS attendu, reçu {value!r}")
    return {name: left.strip(), "amount": right.strip()}


def _step_label(step: str) -> str:
    from echeancier.recovery.procedure import STEP_LABELS

    return STEP_LABELS.get(step, step)


def _prepared(account: Any, payloads: list[dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
    from echeancier.recovery.service import prepare_step

    return prepare_step(account.contributor, payloads, event)


# --- show -------------------------------------------------------------------------------------------------------


@recovery_app.command("show")
def recovery_show(
    account_id: Annotated[str, typer.Argument(metavar="ID")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="AAAA-MM-JJ", show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="table ou json.")] = "table",
    db: DbOption = None,
) -> None:
    """La procédure de recouvrement d'un compte : chaque somme impayée, son stade, l'étape suivante."""
    chosen = output_format.strip().lower()
    if chosen not in ("table", "json"):
        _fail("--format", f"format inconnu {output_format!r} (formats : table, json)")
    day = _parse_date("--as-of", as_of) or _now()
    from echeancier.recovery.service import account_procedure, check_date

    with _errors(*_expected()):
        check_date(day, "--as-of")
        with _store(db) as store:
            account = store.account(account_id)
            payloads = _payloads(store.events(account_id))
        state = account_procedure(account.contributor, payloads, day).procedure
    if chosen == "json":
        sys.stdout.write(json.dumps({"account": account_id, **procedure_json(state)}, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(f"Compte {account_id}\n\n" + procedure_text(state))


def procedure_json(state: Any) -> dict[str, Any]:
    """The procedure as JSON (ASCII field names, cents and ISO dates)."""
    return {
        "as_of": state.as_of.isoformat(),
        "organism": state.organism,
        "creditors": list(state.creditors),
        "outstanding_cents": state.outstanding,
        "abandon_threshold_cents": state.abandon_threshold,
        "abandon_possible": state.abandon_possible,
        "coordinated": state.coordinated,
        "coordinated_plan_until": None
        if state.coordinated_plan_until is None
        else state.coordinated_plan_until.isoformat(),
        "keepable_credit_cents": state.keepable_credit,
        "debts": [
            {
                "debt": s.debt.key,
                "origin": s.debt.origin,
                "nature": s.debt.nature,
                "year": s.debt.year,
                "due": s.debt.due.isoformat(),
                "unpaid_cents": s.debt.unpaid,
                "prescription": s.debt.prescription.isoformat(),
                "stage": s.stage,
                "next_step": s.next_step,
                "due_on": None if s.due_on is None else s.due_on.isoformat(),
                "deadline": None if s.deadline is None else s.deadline.isoformat(),
                "article": s.article,
            }
            for s in state.debts
        ],
        "steps": [
            {
                "type": s.type,
                "date": s.date.isoformat(),
                "agent": s.agent,
                "creditor": s.creditor,
                "debts": list(s.debts),
            }
            for s in state.steps
        ],
        "next_steps": [
            {
                "step": n.step,
                "due_on": n.due_on.isoformat(),
                "deadline": None if n.deadline is None else n.deadline.isoformat(),
                "amount_cents": n.amount,
                "article": n.article,
                "debts": list(n.debts),
            }
            for n in state.next_steps
        ],
    }


def procedure_text(state: Any) -> str:
    """The procedure in French: each unpaid sum, its stage and next step; the steps taken; the thresholds."""
    lines = [f"Recouvrement au {_date(state.as_of)} :"]
    unpaid = [s for s in state.debts if s.debt.unpaid > 0]
    if not unpaid and not state.steps:
        lines.append("  aucune somme exigible impayée.")
    for s in state.debts:
        following = ""
        if s.next_step:
            when = f" à partir du {_date(s.due_on)}" if s.due_on else " (en attente)"
            until = f", au plus tard le {_date(s.deadline)}" if s.deadline else ""
            following = f" ; prochaine étape : {_step_label(s.next_step)}{when}{until} ({s.article})"
        lines.append(
            f"  {s.debt.label}, échéance du {_date(s.debt.due)} : {_euros(s.debt.unpaid)} impayé — "
            f"{s.stage_label}{following}"
        )
    if state.steps:
        lines.append("  Étapes enregistrées :")
        for step in state.steps:
            creditor = f", créancier {step.creditor}" if step.creditor else ""
            lines.append(f"    {_date(step.date)} {step.label} (agent {step.agent}{creditor})")
    lines.append(
        f"  Seuil d'abandon (D133-1) : {_euros(state.abandon_threshold)}"
        + (" — la dette du compte est en deçà : abandon possible." if state.abandon_possible else ".")
    )
    if state.coordinated:
        lines.append(f"  Recouvrement concerté et coordonné (L613-3 al. 3) : créanciers {', '.join(state.creditors)}.")
    if state.keepable_credit:
        lines.append(f"  Trop-perçu de {_euros(state.keepable_credit)} acquis à l'organisme possible (D133-1 al. 2).")
    return "\n".join(lines) + "\n"


# --- document ---------------------------------------------------------------------------------------------------


@recovery_app.command("document")
def recovery_document(
    account_id: Annotated[str, typer.Argument(metavar="ID")],
    output: Annotated[str, typer.Option("--output", metavar="FICHIER.pdf", help="Fichier PDF à écrire.")],
    step: Annotated[str, typer.Option("--step", help="mise_en_demeure (le seul document pour l'instant).")] = (
        "mise_en_demeure"
    ),
    on: Annotated[
        str | None,
        typer.Option("--date", metavar="AAAA-MM-JJ", help="Date de la mise en demeure (défaut : la dernière)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Écrit la mise en demeure enregistrée (R244-1) en PDF : ce qu'elle réclame, le délai, les voies de recours."""
    if step != "mise_en_demeure":
        _fail("--step", f"pas de document pour l'étape {step!r} (documents : mise_en_demeure)")
    day = _parse_date("--date", on)
    from echeancier.documents.recovery import mise_en_demeure_pdf

    with _errors(*_expected()):
        with _store(db) as store:
            account = store.account(account_id)
            payloads = _payloads(store.events(account_id))
        sent = [p for p in payloads if p["type"] == "mise_en_demeure" and (day is None or p["date"] == day.isoformat())]
        if not sent:
            _fail("--date" if day else "ID", f"aucune mise en demeure enregistrée sur le compte {account_id}")
        pdf = mise_en_demeure_pdf(account_id, account.contributor, sent[-1])
    try:
        Path(output).write_bytes(pdf)
    except OSError as error:
        _fail("--output", f"impossible d'écrire {output} : {error.strerror}")
    print(f"{output} : mise en demeure du {_date(date.fromisoformat(sent[-1]['date']))} écrite")
