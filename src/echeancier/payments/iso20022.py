"""ISO 20022 bank files: camt.054 credit notifications and pain.002 payment status reports (issue #6).

Read namespace-agnostically (by element names), so that every version a French bank sends is read alike:
camt.054.001.02 to .001.08 and later; pain.002.001.02 (message element `pain.002.001.02`, transactions under
it) to .001.10 and later (transactions under `OrgnlPmtInfAndSts`). The version differences handled: `Ntry/Sts`
as text (.02) or `Sts/Cd` (.08); a transaction's amount in `TxDtls/AmtDtls/TxAmt/Amt` (.02) or `TxDtls/Amt`
(.08); the reason code in `StsRsnInf/Rsn` (pain.002.001.03 and later) or `StsRsnInf/StsRsn` (.02). No schema
validation: a field this module does not read cannot make a file fail.

Safety: ISO 20022 messages are UTF-8 and have no DTD, so a file in another encoding, or with a `<!DOCTYPE` or
`<!ENTITY` declaration (billion laughs, external entities), is refused before it is parsed; lxml then parses
without resolving entities, without network access and with libxml2's default limits (`huge_tree=False`:
depth, text node size), and the file is at most `MAX_FILE_BYTES`.

camt.054 — which entries become lines:
- only booked entries (`Sts` BOOK): pending or information-only entries are not money received yet;
- a credit (`CdtDbtInd` CRDT, no `RvslInd`) gives one `credit` line per transaction of its details (an SDD batch
  collection lists each direct debit collected), or one for the entry when it has no details or one; the
  transactions' amounts must add up to the entry's;
- a debit that is a return of a collected direct debit (`CdtDbtInd` DBIT and `RvslInd` true, or its transactions
  carry `RtrInf`, or its bank transaction code is PMNT/RDDT/UPDD) gives a `rejection` line per transaction, dated
  by the booking of the return, with the return reason `RtrInf/Rsn/Cd`; its `due_date` is None (camt.054 does not
  carry the requested collection date: the store finds the instalment by the end-to-end id);
- every other entry is not a contributor's payment and gives no line: other debits (bank fees, refunds paid out by
  transfer) and credits that reverse a debit (`CRDT` with `RvslInd`: a refund transfer that came back).
- reference: `Refs/EndToEndId` unless it is NOTPROVIDED, else `RmtInf/Strd/CdtrRefInf/Ref`, else the
  unstructured remittance information `RmtInf/Ustrd` (joined), else the entry's `AddtlNtryInf`, else empty (the
  store keeps such a line in its suspense list);
- bank id: the transaction's `Refs/AcctSvcrRef`, else the entry's `AcctSvcrRef` (an entry of one transaction),
  else `Refs/TxId`; the key is that id, `ENTRY_REF/N` for the N-th transaction of a batch entry without ids of its
  own, or `SHA256:ENTRY` (`SHA256:ENTRY.N`) when the file gives no id at all;
- date: the booking date `BookgDt`, else the value date `ValDt` (`Dt`, or the date of `DtTm` as written).

pain.002 — a transaction is rejected when its `TxSts` is RJCT or, without a `TxSts`, when its payment
information's `PmtInfSts` or the group's `GrpSts` is RJCT; each gives a `rejection` line: reference
`OrgnlEndToEndId` (else the original remittance information), amount `OrgnlTxRef/Amt/InstdAmt` (required),
`due_date` `OrgnlTxRef/ReqdColltnDt`, reason `StsRsnInf/Rsn/Cd` (or `Prtry`) of the transaction, else of its
payment information, else of the group; date: the report's `GrpHdr/CreDtTm`; bank id `AcctSvcrRef`, else `StsId`.
A group or payment information rejected whole without listing its transactions is refused: the file does not say
which direct debits were rejected. Accepted and pending statuses give no line.

Every amount must be in EUR, positive, to the cent and at most `MAX_AMOUNT_CENTS`; every date valid and plausible;
every problem a `BankFileError` naming the file, the entry (`écriture N`, `transaction N`) with its line in the
file, and the element.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Literal

from lxml import etree

from echeancier.payments.errors import (
    MAX_FILE_BYTES,
    BankFileError,
    plausible_amount,
    plausible_date,
    quoted,
)
from echeancier.store.bank import BankLine

Element = etree._Element
Fail = Callable[[str, str], BankFileError]

CAMT054 = "BkToCstmrDbtCdtNtfctn"
PAIN002 = "CstmrPmtStsRpt"
_OTHER_MESSAGES = {
    CAMT054: "une notification camt.054",
    PAIN002: "un rapport de statut pain.002",
    "BkToCstmrStmt": "un relevé camt.053",
    "BkToCstmrAcctRpt": "un relevé camt.052",
    "CstmrDrctDbtInitn": "un ordre de prélèvement pain.008 (émis par l'organisme, pas reçu de la banque)",
    "CstmrCdtTrfInitn": "un ordre de virement pain.001",
}
_DECLARATION_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_AMOUNT = re.compile(r"(\d{1,18})(?:\.(\d{1,5}))?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T.*|Z|[+-]\d{2}:\d{2})?", re.DOTALL)  # xs:date, xs:dateTime
_NOT_PROVIDED = "NOTPROVIDED"
MAX_TEXT = 140  # longest reference or id kept (ISO 20022 Max140Text, the longest remittance information)
_RETURN_SUBFAMILIES = {"UPDD"}  # ISO bank transaction code PMNT/RDDT/UPDD: unpaid (returned) direct debit


# --- Parsing safely -----------------------------------------------------------------------------------------------


def parse_xml(data: bytes, file_name: str) -> Element:
    """The root of an ISO 20022 file: UTF-8, no DTD, parsed without entities nor network."""
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(file_name, f"fichier trop gros ({len(data)} octets, au plus {MAX_FILE_BYTES})")
    if not data.strip():
        raise BankFileError(file_name, "fichier vide")
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    declared = _DECLARATION_ENCODING.match(body)
    if declared and declared.group(1).decode("ascii", "replace").lower().replace("_", "-") not in ("utf-8", "utf8"):
        encoding = declared.group(1).decode("ascii", "replace")
        raise BankFileError(file_name, f"encodage {quoted(encoding)} refusé: un fichier ISO 20022 est en UTF-8", line=1)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        raise BankFileError(
            file_name, "octets qui ne sont pas de l'UTF-8: un fichier ISO 20022 est en UTF-8", line=line
        ) from None
    dtd = _DTD.search(body)
    if dtd:
        line = body.count(b"\n", 0, dtd.start()) + 1
        raise BankFileError(
            file_name, "déclaration DTD ou d'entité refusée (un fichier ISO 20022 n'en contient pas)", line=line
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        column = error.position[1] if error.position else None
        where = f", colonne {column}" if column else ""
        raise BankFileError(
            file_name, f"XML mal formé ({_xml_problem(str(error.msg or error))}{where})", line=error.lineno or None
        ) from None
    if root.getroottree().docinfo.doctype:
        raise BankFileError(file_name, "déclaration DTD refusée (un fichier ISO 20022 n'en contient pas)")
    return root


_XML_PROBLEMS = (
    ("Opening and ending tag mismatch", "la balise fermante ne correspond pas à la balise ouvrante"),
    ("Premature end of data", "fin du fichier avant la fermeture d'une balise"),
    ("EndTag", "fin du fichier avant la fermeture d'une balise"),
    ("Document is empty", "document vide"),
    ("Extra content at the end of the document", "contenu après la fin du document"),
    ("xmlParseEntityRef", "« & » non échappé (écrire &amp;)"),
    ("AttValue", "valeur d'attribut sans guillemets"),
    ("Start tag expected", "balise ouvrante « < » attendue"),
    ("Couldn't find end of Start Tag", "balise ouvrante non terminée"),
    ("StartTag: invalid element name", "nom de balise invalide"),
    ("Excessive depth in document", "imbrication trop profonde"),
    ("Input is not proper UTF-8", "texte qui n'est pas de l'UTF-8"),
)


def _xml_problem(message: str) -> str:
    """libxml2's syntax error in French (its own words are English)."""
    return next((french for start, french in _XML_PROBLEMS if message.startswith(start)), "syntaxe incorrecte")


def message_body(root: Element, file_name: str) -> Element:
    """The message element under `Document` (`BkToCstmrDbtCdtNtfctn`, `CstmrPmtStsRpt`…)."""
    if local_name(root) != "Document":
        raise BankFileError(
            file_name, f"élément racine {quoted(local_name(root))}: attendu Document (ISO 20022 camt.054 ou pain.002)"
        )
    children = [child for child in root if local_name(child)]
    if len(children) != 1:
        raise BankFileError(file_name, "Document doit contenir un seul message ISO 20022", line=root.sourceline)
    return children[0]


def is_pain002(body: Element) -> bool:
    """Whether a message element is a pain.002: `CstmrPmtStsRpt`, or `pain.002.001.02` in that old version."""
    return local_name(body) == PAIN002 or local_name(body).startswith("pain.002.")


def _wrong_message(body: Element, file_name: str, expected: str) -> BankFileError:
    name = local_name(body)
    what = _OTHER_MESSAGES.get(name, f"un message {quoted(name)}")
    return BankFileError(file_name, f"ce fichier est {what}: attendu {expected}", line=body.sourceline)


# --- Reading elements by local name -----------------------------------------------------------------------------
# `{*}Name` matches `Name` in any namespace (or none), inside lxml: every version is read alike.


@functools.cache
def _steps(path: str) -> tuple[str, ...]:
    return tuple("{*}" + name for name in path.split("/"))


def local_name(element: Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _kids(element: Element, name: str) -> list[Element]:
    return list(element.iterchildren(_steps(name)[0]))


def _find(element: Element | None, path: str) -> Element | None:
    for step in _steps(path):
        if element is None:
            return None
        element = next(element.iterchildren(step), None)
    return element


def _findall(element: Element, path: str) -> list[Element]:
    *parents, last = path.split("/")
    parent = _find(element, "/".join(parents)) if parents else element
    return [] if parent is None else _kids(parent, last)


def _text(element: Element | None, path: str | None = None) -> str | None:
    found = _find(element, path) if path else element
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _amount(element: Element | None, column: str, fail: Fail) -> int:
    if element is None:
        raise fail(column, "montant manquant")
    text = (element.text or "").strip()
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise fail(column, f"{quoted(text)} n'est pas un montant positif (1234.56)")
    currency = element.get("Ccy")
    if not currency:
        raise fail(f"{column}/@Ccy", "devise manquante: seuls les euros (EUR) sont acceptés")
    if currency != "EUR":
        raise fail(f"{column}/@Ccy", f"devise {quoted(currency)} refusée: seuls les euros (EUR) sont acceptés")
    whole, decimals = match.group(1), (match.group(2) or "").rstrip("0")
    if len(decimals) > 2:
        raise fail(column, f"{quoted(text)}: fraction de centime")
    cents = int(whole) * 100 + int(decimals.ljust(2, "0"))
    problem = plausible_amount(cents)
    if problem:
        raise fail(column, f"{quoted(text)}: {problem}")
    return cents


def _parse_date(element: Element | None, column: str, fail: Fail) -> date | None:
    """A date from an ISODate, an ISODateTime (its date as written), or a choice `Dt`/`DtTm` under `element`."""
    if element is None:
        return None
    if len(element):
        for choice in ("Dt", "DtTm"):
            inner = _find(element, choice)
            if inner is not None:
                return _parse_date(inner, f"{column}/{choice}", fail)
        raise fail(column, "date manquante (Dt ou DtTm)")
    text = (element.text or "").strip()
    if not text:
        raise fail(column, "date manquante")
    match = _DATE.fullmatch(text)
    if match is None:
        raise fail(column, f"{quoted(text)} n'est pas une date ISO (aaaa-mm-jj)")
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise fail(column, f"{quoted(text)} n'est pas une date valide") from None
    problem = plausible_date(day)
    if problem:
        raise fail(column, f"{quoted(text)}: {problem}")
    return day


def _reason(element: Element | None) -> str | None:
    """The first ISO reason code of an element's `StsRsnInf` (pain.002) or of `RtrInf` (camt.054)."""
    if element is None:
        return None
    for info in [*_kids(element, "StsRsnInf"), *_kids(element, "RtrInf")]:
        for path in ("Rsn/Cd", "Rsn/Prtry", "StsRsn/Cd", "StsRsn/Prtry"):
            code = _text(info, path)
            if code:
                return code
    return None


def _remittance(element: Element | None) -> str | None:
    """The reference a payer gave: the structured creditor reference, else the unstructured text."""
    if element is None:
        return None
    for structured in _findall(element, "RmtInf/Strd"):
        reference = _text(structured, "CdtrRefInf/Ref")
        if reference:
            return reference
    free = [text for item in _findall(element, "RmtInf/Ustrd") if (text := _text(item))]
    return " ".join(free) or None


def _end_to_end(text: str | None) -> str | None:
    return text if text and text.upper() != _NOT_PROVIDED else None


def _raw(element: Element) -> str:
    return etree.tostring(element, encoding="unicode", with_tail=False)


def _bounded(text: str, column: str, fail: Fail) -> str:
    if len(text) > MAX_TEXT:
        raise fail(column, f"valeur trop longue ({len(text)} caractères, au plus {MAX_TEXT})")
    return text


def _failer(file_name: str, position: str, number: int) -> Fail:
    def fail(column: str, detail: str) -> BankFileError:
        return BankFileError(file_name, detail, position=position, line=number, column=column)

    return fail


def _unique(lines: list[BankLine], file_name: str, what: str) -> list[BankLine]:
    seen: dict[str, int] = {}
    for line in lines:
        if line.key in seen:
            raise BankFileError(
                file_name,
                f"identifiant bancaire {quoted(line.key)} déjà donné par {what} {seen[line.key]}",
                position=f"{what} {line.line}",
                line=line.line,
            )
        seen[line.key] = line.line
    return lines


# --- camt.054 -----------------------------------------------------------------------------------------------------


def parse_camt054(data: bytes, file_name: str) -> list[BankLine]:
    """The credits and returned direct debits of a camt.054 notification (see the module's docstring)."""
    return camt054_lines(parse_xml(data, file_name), data, file_name)


def camt054_lines(root: Element, data: bytes, file_name: str) -> list[BankLine]:
    body = message_body(root, file_name)
    if local_name(body) != CAMT054:
        raise _wrong_message(body, file_name, "une notification camt.054 (BkToCstmrDbtCdtNtfctn)")
    notifications = _kids(body, "Ntfctn")
    if not notifications:
        raise BankFileError(file_name, "aucune notification (Ntfctn)", line=body.sourceline, column=CAMT054)
    digest = hashlib.sha256(data).hexdigest()
    entries = (entry for notification in notifications for entry in _kids(notification, "Ntry"))
    lines = [line for number, entry in enumerate(entries, start=1) for line in _entry(entry, number, file_name, digest)]
    return _unique(lines, file_name, "écriture")


def _entry(entry: Element, number: int, file_name: str, digest: str) -> Iterator[BankLine]:
    fail = _failer(file_name, f"écriture {number} (ligne {entry.sourceline})", number)
    status_element = _find(entry, "Sts")
    status = _text(status_element, "Cd") or _text(status_element, "Prtry") or _text(status_element)
    if status is None:
        raise fail("Ntry/Sts", "statut de l'écriture manquant")
    if status.upper() != "BOOK":
        return
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise fail("Ntry/CdtDbtInd", f"{quoted(indicator or '')}: attendu CRDT ou DBIT")
    reversal = (_text(entry, "RvslInd") or "").lower() in ("true", "1")
    details = [tx for group in _kids(entry, "NtryDtls") for tx in _kids(group, "TxDtls")]
    subfamily = _text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd")
    returned = any(_find(tx, "RtrInf") is not None for tx in details) or subfamily in _RETURN_SUBFAMILIES
    kind: Literal["credit", "rejection"]
    if indicator == "CRDT" and not reversal:
        kind = "credit"
    elif indicator == "DBIT" and (reversal or returned):
        kind = "rejection"
    else:
        return

    cents = _amount(_find(entry, "Amt"), "Ntry/Amt", fail)
    day = _parse_date(_find(entry, "BookgDt"), "Ntry/BookgDt", fail) or _parse_date(
        _find(entry, "ValDt"), "Ntry/ValDt", fail
    )
    if day is None:
        raise fail("Ntry/BookgDt", "date de comptabilisation (BookgDt) ou de valeur (ValDt) manquante")
    entry_ref = _text(entry, "AcctSvcrRef")
    entry_info = _text(entry, "AddtlNtryInf")

    def line(tx: Element | None, amount: int, bank_id: str | None, key: str) -> BankLine:
        reference = (
            (_end_to_end(_text(tx, "Refs/EndToEndId")) or _remittance(tx) if tx is not None else None)
            or entry_info
            or ""
        )
        return BankLine(
            key=_bounded(key, "Refs/AcctSvcrRef", fail),
            kind=kind,
            date=day,
            amount_cents=amount,
            reference=_bounded(reference, "Refs/EndToEndId", fail),
            bank_id=bank_id,
            due_date=None,
            reason=(_reason(tx) if tx is not None else None) if kind == "rejection" else None,
            line=number,
            raw=_raw(entry if tx is None or len(details) == 1 else tx),
        )

    if len(details) <= 1:
        tx = details[0] if details else None
        if tx is not None:
            tx_cents = _transaction_amount(tx, fail)
            if tx_cents is not None and tx_cents != cents:
                raise fail("TxDtls/Amt", f"montant de la transaction ({tx_cents / 100:.2f}) ≠ montant de l'écriture")
        bank_id = _text(tx, "Refs/AcctSvcrRef") or entry_ref or _text(tx, "Refs/TxId")
        yield line(tx, cents, bank_id, bank_id or f"{digest}:{number}")
        return

    amounts = []
    for index, tx in enumerate(details, start=1):
        tx_cents = _transaction_amount(tx, _failer(file_name, f"écriture {number}, transaction {index}", number))
        if tx_cents is None:
            raise fail(f"TxDtls {index}/Amt", "montant manquant dans une écriture de plusieurs transactions")
        amounts.append(tx_cents)
    if sum(amounts) != cents:
        raise fail("Ntry/Amt", f"les {len(details)} transactions ({sum(amounts) / 100:.2f}) ≠ montant de l'écriture")
    for index, (tx, tx_cents) in enumerate(zip(details, amounts, strict=True), start=1):
        own = _text(tx, "Refs/AcctSvcrRef") or _text(tx, "Refs/TxId")
        key = own or (f"{entry_ref}/{index}" if entry_ref else f"{digest}:{number}.{index}")
        yield line(tx, tx_cents, own or entry_ref, key)


def _transaction_amount(tx: Element, fail: Fail) -> int | None:
    for path in ("Amt", "AmtDtls/TxAmt/Amt"):
        element = _find(tx, path)
        if element is not None:
            return _amount(element, f"TxDtls/{path}", fail)
    return None


# --- pain.002 -----------------------------------------------------------------------------------------------------


def parse_pain002(data: bytes, file_name: str) -> list[BankLine]:
    """The rejected direct debits of a pain.002 status report (see the module's docstring)."""
    return pain002_lines(parse_xml(data, file_name), data, file_name)


def pain002_lines(root: Element, data: bytes, file_name: str) -> list[BankLine]:
    body = message_body(root, file_name)
    if not is_pain002(body):
        raise _wrong_message(body, file_name, "un rapport de statut pain.002 (CstmrPmtStsRpt)")
    whole = _failer(file_name, f"en-tête (ligne {body.sourceline})", 0)
    created = _parse_date(_find(body, "GrpHdr/CreDtTm"), "GrpHdr/CreDtTm", whole)
    if created is None:
        raise whole("GrpHdr/CreDtTm", "date de création du rapport manquante")
    group = _find(body, "OrgnlGrpInfAndSts")
    group_status = _text(group, "GrpSts")
    group_reason = _reason(group)

    # (transaction, inherited status, inherited reason), in the order of the file
    transactions: list[tuple[Element, str | None, str | None]] = [
        (tx, group_status, group_reason) for tx in _kids(body, "TxInfAndSts")
    ]
    for payment in _kids(body, "OrgnlPmtInfAndSts"):
        status = _text(payment, "PmtInfSts") or group_status
        reason = _reason(payment) or group_reason
        txs = _kids(payment, "TxInfAndSts")
        if status == "RJCT" and not txs:
            raise BankFileError(
                file_name,
                "lot rejeté sans le détail de ses transactions: le fichier ne dit pas quels prélèvements sont rejetés",
                line=payment.sourceline,
                column="OrgnlPmtInfAndSts/PmtInfSts",
            )
        transactions.extend((tx, status, reason) for tx in txs)
    if group_status == "RJCT" and not transactions:
        raise BankFileError(
            file_name,
            "remise entière rejetée sans le détail de ses transactions: le fichier ne dit pas quels prélèvements"
            " sont rejetés",
            line=group.sourceline if group is not None else None,
            column="OrgnlGrpInfAndSts/GrpSts",
        )

    digest = hashlib.sha256(data).hexdigest()
    lines = []
    for number, (tx, inherited, inherited_reason) in enumerate(transactions, start=1):
        if (_text(tx, "TxSts") or inherited) != "RJCT":
            continue
        fail = _failer(file_name, f"transaction {number} (ligne {tx.sourceline})", number)
        original = _find(tx, "OrgnlTxRef")
        cents = _amount(_find(original, "Amt/InstdAmt"), "OrgnlTxRef/Amt/InstdAmt", fail)
        bank_id = _text(tx, "AcctSvcrRef") or _text(tx, "StsId")
        lines.append(
            BankLine(
                key=_bounded(bank_id or f"{digest}:{number}", "AcctSvcrRef", fail),
                kind="rejection",
                date=created,
                amount_cents=cents,
                reference=_bounded(
                    _end_to_end(_text(tx, "OrgnlEndToEndId")) or _remittance(original) or "", "OrgnlEndToEndId", fail
                ),
                bank_id=bank_id,
                due_date=_parse_date(_find(original, "ReqdColltnDt"), "OrgnlTxRef/ReqdColltnDt", fail),
                reason=_reason(tx) or inherited_reason,
                line=number,
                raw=_raw(tx),
            )
        )
    return _unique(lines, file_name, "transaction")
