"""ISO 20022 bank files (payments/iso20022.py): camt.054 of several versions, pain.002 with group, payment
information and transaction rejects, and hostile XML refused with one line naming the file, the entry and the
element."""

from __future__ import annotations

import hashlib
import random
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from benchmarks.make_bank_files import expected_cents, payments_camt054
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.payments import (
    MAX_AMOUNT_CENTS,
    MAX_FILE_BYTES,
    BankFileError,
    parse_bank_bytes,
    parse_bank_file,
    parse_camt054,
    parse_pain002,
)

DATA = Path(__file__).parent / "data" / "bank"
SAMPLES = sorted(DATA.glob("*"))


def summary(lines):
    return [
        (x.key, x.kind, x.date, x.amount_cents, x.reference, x.bank_id, x.due_date, x.reason, x.line) for x in lines
    ]


def error_of(data: bytes, name: str = "banque.xml") -> str:
    with pytest.raises(BankFileError) as caught:
        parse_bank_bytes(data, name)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(name + ": ")
    return message


def camt(entries: str, version: str = "08") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version}">'
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId><CreDtTm>2026-01-05T00:00:00</CreDtTm></GrpHdr>\n"
        f"<Ntfctn><Id>N</Id>\n{entries}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode()


def entry(
    amount: str = '<Amt Ccy="EUR">10.00</Amt>',
    booking: str = "<BookgDt><Dt>2026-01-05</Dt></BookgDt>",
    *,
    indicator: str = "CRDT",
    status: str = "<Sts><Cd>BOOK</Cd></Sts>",
    ref: str = "R1",
    details: str = "",
) -> str:
    return (
        f"<Ntry>{amount}<CdtDbtInd>{indicator}</CdtDbtInd>{status}{booking}<AcctSvcrRef>{ref}</AcctSvcrRef>"
        f"{details}</Ntry>\n"
    )


def pain(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">'
        "<CstmrPmtStsRpt><GrpHdr><MsgId>P</MsgId><CreDtTm>2026-02-01T10:00:00</CreDtTm></GrpHdr>\n"
        f"{body}</CstmrPmtStsRpt></Document>\n"
    ).encode()


def transaction(status: str = "<TxSts>RJCT</TxSts>", amount: str = '<InstdAmt Ccy="EUR">5.00</InstdAmt>') -> str:
    return (
        f"<TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId>{status}"
        f"<OrgnlTxRef><Amt>{amount}</Amt></OrgnlTxRef></TxInfAndSts>\n"
    )


# --- camt.054, checked by hand ------------------------------------------------------------------------------------


def test_camt054_v02_batch_transfer_return():
    # Entry 1: an SDD batch of 750 + 500 = 1 250 € gives one credit per direct debit, keyed by the entry's
    # reference and the rank; entry 2: a transfer whose end-to-end id is NOTPROVIDED, referenced by its free text
    # (its two Ustrd joined, spaces collapsed); entry 3: the return of the 500 € (AM04); entry 4 pending and
    # entry 5 a bank fee: no line.
    assert summary(parse_bank_file(DATA / "camt054_v02.xml")) == [
        ("BQ-20261105-0001/1", "credit", date(2026, 11, 5), 750_00, "ECH-2026-000123-T4", "BQ-20261105-0001",
         None, None, 1),
        ("BQ-20261105-0001/2", "credit", date(2026, 11, 5), 500_00, "ECH-2026-000456-T4", "BQ-20261105-0001",
         None, None, 1),
        ("BQ-20261105-0002", "credit", date(2026, 11, 5), 320_50, "COTISATIONS TI-000789 NOVEMBRE",
         "BQ-20261105-0002", None, None, 2),
        ("BQ-20261112-0107", "rejection", date(2026, 11, 12), 500_00, "ECH-2026-000456-T4", "BQ-20261112-0107",
         None, "AM04", 3),
    ]  # fmt: skip


def test_camt054_v04_prefixed_namespace_structured_reference_value_date():
    data = (DATA / "camt054_v04.xml").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert summary(parse_camt054(data, "v04.xml")) == [
        # no booking date: the value date, the date of its DtTm as written; the RF reference wins over Ustrd
        ("TX-77001", "credit", date(2026, 3, 1), 1_234_50, "RF18TI000321", "TX-77001", None, None, 1),
        # no details, no id: the entry's additional information, a key from the file's content
        (f"{digest}:2", "credit", date(2026, 3, 2), 80_00, "VIR TI-000654", None, None, None, 2),
    ]


def test_camt054_v08_batch_with_own_ids_and_return_by_return_information():
    lines = parse_bank_file(DATA / "camt054_v08.xml")
    assert summary(lines) == [
        ("T-8001-1", "credit", date(2026, 12, 7), 1_200_00, "ECH-2026-000111-M12", "T-8001-1", None, None, 1),
        ("T-8001-2", "credit", date(2026, 12, 7), 800_00, "ECH-2026-000222-M12", "T-8001-2", None, None, 1),
        # a DBIT with RtrInf and no RvslInd is a return; its TxId repeats the collection's, so the entry's
        # own AcctSvcrRef is its key; the credit reversal (entry 3) gives no line
        ("E-8040", "rejection", date(2026, 12, 14), 800_00, "ECH-2026-000222-M12", "E-8040", None, "MS02", 2),
    ]
    assert lines[0].raw.startswith("<TxDtls") and "LEROY ANNE" in lines[0].raw
    assert lines[2].raw.startswith("<Ntry") and "MS02" in lines[2].raw


@pytest.mark.parametrize("namespace", ["camt.054.001.03", "camt.054.001.06", "camt.054.001.13", None])
def test_camt054_is_read_whatever_the_version_namespace(namespace):
    data = (DATA / "camt054_v08.xml").read_bytes()
    old = b'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"'
    new = f'xmlns="urn:iso:std:iso:20022:tech:xsd:{namespace}"'.encode() if namespace else b""
    assert summary(parse_bank_bytes(data.replace(old, new), "x.xml")) == summary(
        parse_bank_file(DATA / "camt054_v08.xml")
    )


def test_camt054_sts_as_text_and_return_by_bank_transaction_code():
    code = "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>"
    data = camt(entry(indicator="DBIT", status="<Sts>BOOK</Sts>", details=code), version="02")
    [line] = parse_camt054(data, "x.xml")
    assert (line.kind, line.key, line.reference, line.reason) == ("rejection", "R1", "", None)


# --- pain.002, checked by hand ------------------------------------------------------------------------------------


def test_pain002_transaction_level_rejects():
    # Two RJCT transactions (AC04 of its own; the second has no reason and takes MD01 from its payment
    # information), one ACCP: no line.
    assert summary(parse_bank_file(DATA / "pain002_v08_transactions.xml")) == [
        ("STS-0001", "rejection", date(2026, 11, 1), 320_00, "ECH-2026-000789-T4", "STS-0001", date(2026, 11, 5),
         "AC04", 1),
        ("STS-0002", "rejection", date(2026, 11, 1), 1_045_37, "ECH-2026-000790-T4", "STS-0002", date(2026, 11, 5),
         "MD01", 2),
    ]  # fmt: skip


def test_pain002_group_level_reject():
    # GrpSts RJCT (FF01): both listed transactions are rejected; the second has NOTPROVIDED as end-to-end id and
    # is referenced by its original remittance information; no status id: keys from the file's content.
    data = (DATA / "pain002_v03_group.xml").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert summary(parse_pain002(data, "g.xml")) == [
        (f"{digest}:1", "rejection", date(2026, 5, 3), 612_00, "ECH-2026-000321-M5", None, date(2026, 5, 5), "FF01", 1),
        (f"{digest}:2", "rejection", date(2026, 5, 3), 77_70, "TI-000654 MAI", None, date(2026, 5, 5), "FF01", 2),
    ]


def test_pain002_payment_information_reject_and_mixed():
    assert summary(parse_bank_file(DATA / "pain002_v10_mixed.xml")) == [
        ("REJ-A-1", "rejection", date(2026, 12, 3), 150_00, "ECH-2026-000900-M12", "REJ-A-1", date(2026, 12, 5),
         "MS03", 1),
        ("REJ-B-1", "rejection", date(2026, 12, 3), 2_400_00, "ECH-2026-000901-M12", "REJ-B-1", date(2026, 12, 20),
         "AM04", 2),
    ]  # fmt: skip


def test_pain002_v02_message_element_named_after_the_version():
    assert summary(parse_bank_file(DATA / "pain002_v02.xml")) == [
        ("OLD-STS-1", "rejection", date(2026, 2, 9), 430_10, "ECH-2026-000555-M2", "OLD-STS-1", date(2026, 2, 5),
         "MD06", 1),
    ]  # fmt: skip


def test_pain002_dates_with_a_time_zone():
    # xs:date may carry a time zone: the date is the one written.
    tx = transaction().replace("</Amt>", "</Amt><ReqdColltnDt>2026-02-05+01:00</ReqdColltnDt>")
    [line] = parse_pain002(pain(f"<OrgnlPmtInfAndSts>{tx}</OrgnlPmtInfAndSts>"), "tz.xml")
    assert (line.date, line.due_date, line.amount_cents, line.reference) == (
        date(2026, 2, 1),
        date(2026, 2, 5),
        500,
        "E1",
    )


def test_pain002_accepted_report_has_no_line():
    body = "<OrgnlGrpInfAndSts><OrgnlMsgId>O</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId><GrpSts>ACCP"
    assert parse_pain002(pain(body + "</GrpSts></OrgnlGrpInfAndSts>"), "ok.xml") == []


# --- Every sample: stable, unique keys; format told from the content ---------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_keys_are_stable_and_unique(path):
    lines = parse_bank_file(path)
    assert lines, "every sample has lines"
    assert len({x.key for x in lines}) == len(lines)
    assert [x.key for x in lines] == [x.key for x in parse_bank_bytes(path.read_bytes(), "copy")]
    assert all(0 < x.amount_cents and x.raw for x in lines)


def test_each_parser_refuses_the_other_format():
    camt054 = (DATA / "camt054_v08.xml").read_bytes()
    pain002 = (DATA / "pain002_v08_transactions.xml").read_bytes()
    with pytest.raises(
        BankFileError, match=r"ce fichier est un rapport de statut pain\.002: attendu une notification camt\.054"
    ):
        parse_camt054(pain002, "p.xml")
    with pytest.raises(BankFileError, match=r"ce fichier est une notification camt\.054: attendu un rapport"):
        parse_pain002(camt054, "c.xml")


# --- Hostile and broken files -------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 2 else "") + ";") * 10}">'.encode() for n in range(2, 10))
    + b"]>\n<Document><BkToCstmrDbtCdtNtfctn>&lol9;</BkToCstmrDbtCdtNtfctn></Document>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><AddtlNtryInf>&x;</AddtlNtryInf></Ntry></Ntfctn>"
    b"</BkToCstmrDbtCdtNtfctn></Document>"
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BILLION_LAUGHS, "banque.xml: ligne 2: déclaration DTD ou d'entité refusée"),
        (EXTERNAL_ENTITY, "banque.xml: ligne 2: déclaration DTD ou d'entité refusée"),
        (b'<?xml version="1.0"?><!ENTITY x "y"><Document/>', "banque.xml: ligne 1: déclaration DTD"),
        (
            b"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn>",
            "banque.xml: ligne 1: XML mal formé (fin du fichier avant la fermeture d'une balise, colonne 42)",
        ),
        (
            b"<Document>\n<a>\n</b></Document>",
            "banque.xml: ligne 3: XML mal formé (la balise fermante ne correspond pas à la balise ouvrante, colonne 5)",
        ),
        (b"<" + b"<a>" * 3000, "banque.xml: ligne 1: XML mal formé (nom de balise invalide, colonne 2)"),
        (
            b"<a>" * 3000 + b"</a>" * 3000,
            "banque.xml: ligne 1: XML mal formé (imbrication trop profonde",
        ),  # deeper than libxml2's limit
        (
            b'<?xml version="1.0" encoding="ISO-8859-1"?><Document/>',
            "banque.xml: ligne 1: encodage « ISO-8859-1 » refusé",
        ),
        (b"<Document>\xe9</Document>", "banque.xml: ligne 1: octets qui ne sont pas de l'UTF-8"),
        ("<Document/>".encode("utf-16"), "banque.xml: encodage UTF-16 refusé"),
        (b"<html><body/></html>", "banque.xml: élément racine « html »: attendu Document"),
        (b"<Document><A/><B/></Document>", "banque.xml: ligne 1: Document doit contenir un seul message"),
        (b"<Document><BkToCstmrStmt/></Document>", "banque.xml: ligne 1: ce fichier est un relevé camt.053"),
        (b"<Document><CstmrDrctDbtInitn/></Document>", "banque.xml: ligne 1: ce fichier est un ordre de prélèvement"),
        (b"<Document><BkToCstmrDbtCdtNtfctn/></Document>", "banque.xml: ligne 1: BkToCstmrDbtCdtNtfctn: aucune notif"),
        (
            camt(entry(amount='<Amt Ccy="USD">10.00</Amt>')),
            "banque.xml: écriture 1 (ligne 4): Ntry/Amt/@Ccy: devise « USD » refusée",
        ),
        (camt(entry(amount="<Amt>10.00</Amt>")), "banque.xml: écriture 1 (ligne 4): Ntry/Amt/@Ccy: devise manquante"),
        (
            camt(entry(amount='<Amt Ccy="EUR">-10.00</Amt>')),
            "banque.xml: écriture 1 (ligne 4): Ntry/Amt: « -10.00 » n'est pas un montant positif",
        ),
        (
            camt(entry(amount='<Amt Ccy="EUR">0.00</Amt>')),
            "banque.xml: écriture 1 (ligne 4): Ntry/Amt: « 0.00 »: un montant nul",
        ),
        (
            camt(entry(amount='<Amt Ccy="EUR">1.005</Amt>')),
            "banque.xml: écriture 1 (ligne 4): Ntry/Amt: « 1.005 »: fraction de centime",
        ),
        (
            camt(entry(amount='<Amt Ccy="EUR">999999999999999999</Amt>')),
            "banque.xml: écriture 1 (ligne 4): Ntry/Amt: « 999999999999999999 »: montant invraisemblable",
        ),
        (
            camt(entry(amount='<Amt Ccy="EUR">1e3</Amt>')),
            "banque.xml: écriture 1 (ligne 4): Ntry/Amt: « 1e3 » n'est pas",
        ),
        (camt(entry(amount="")), "banque.xml: écriture 1 (ligne 4): Ntry/Amt: montant manquant"),
        (
            camt(entry(booking="<BookgDt><Dt>2026-02-30</Dt></BookgDt>")),
            "banque.xml: écriture 1 (ligne 4): Ntry/BookgDt/Dt: « 2026-02-30 » n'est pas une date valide",
        ),
        (
            camt(entry(booking="<BookgDt><Dt>05/01/2026</Dt></BookgDt>")),
            "banque.xml: écriture 1 (ligne 4): Ntry/BookgDt/Dt: « 05/01/2026 » n'est pas une date ISO",
        ),
        (
            camt(entry(booking="<BookgDt><Dt>1970-01-01</Dt></BookgDt>")),
            "banque.xml: écriture 1 (ligne 4): Ntry/BookgDt/Dt: « 1970-01-01 »: date invraisemblable",
        ),
        (camt(entry(booking="")), "banque.xml: écriture 1 (ligne 4): Ntry/BookgDt: date de comptabilisation"),
        (camt(entry(booking="<BookgDt/>")), "banque.xml: écriture 1 (ligne 4): Ntry/BookgDt: date manquante"),
        (camt(entry(status="")), "banque.xml: écriture 1 (ligne 4): Ntry/Sts: statut de l'écriture manquant"),
        (camt(entry(indicator="CREDIT")), "banque.xml: écriture 1 (ligne 4): Ntry/CdtDbtInd: « CREDIT »: attendu"),
        (
            camt(entry() + entry()),
            "banque.xml: écriture 2: identifiant bancaire « R1 » déjà donné par écriture 1",
        ),
        (
            camt(
                entry(
                    details="<NtryDtls><TxDtls><Amt Ccy='EUR'>4.00</Amt></TxDtls>"
                    "<TxDtls><Amt Ccy='EUR'>5.00</Amt></TxDtls></NtryDtls>"
                )
            ),
            "banque.xml: écriture 1 (ligne 4): Ntry/Amt: les 2 transactions (9.00) ≠ montant de l'écriture",
        ),
        (
            camt(entry(details="<NtryDtls><TxDtls><Amt Ccy='EUR'>4.00</Amt></TxDtls><TxDtls/></NtryDtls>")),
            "banque.xml: écriture 1 (ligne 4): TxDtls 2/Amt: montant manquant",
        ),
        (
            camt(entry(details="<NtryDtls><TxDtls><Amt Ccy='EUR'>4.00</Amt></TxDtls></NtryDtls>")),
            "banque.xml: écriture 1 (ligne 4): TxDtls/Amt: montant de la transaction (4.00) ≠ montant de l'écriture",
        ),
        (
            camt(entry(details="<NtryDtls><TxDtls><Amt Ccy='GBP'>10.00</Amt></TxDtls></NtryDtls>")),
            "banque.xml: écriture 1 (ligne 4): TxDtls/Amt/@Ccy: devise « GBP » refusée",
        ),
        (
            camt(
                entry(
                    details="<NtryDtls><TxDtls><Refs><EndToEndId>" + "X" * 141 + "</EndToEndId></Refs></TxDtls>"
                    "</NtryDtls>"
                )
            ),
            "banque.xml: écriture 1 (ligne 4): Refs/EndToEndId: valeur trop longue (141 caractères",
        ),
        (
            pain("<OrgnlGrpInfAndSts><GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts>"),
            "banque.xml: ligne 3: OrgnlGrpInfAndSts/GrpSts: remise entière rejetée",
        ),
        (
            pain("<OrgnlPmtInfAndSts><PmtInfSts>RJCT</PmtInfSts></OrgnlPmtInfAndSts>"),
            "banque.xml: ligne 3: OrgnlPmtInfAndSts/PmtInfSts: lot rejeté sans le détail",
        ),
        (
            pain("<OrgnlPmtInfAndSts>" + transaction(amount="") + "</OrgnlPmtInfAndSts>"),
            "banque.xml: transaction 1 (ligne 3): OrgnlTxRef/Amt/InstdAmt: montant manquant",
        ),
        (
            pain(
                "<OrgnlPmtInfAndSts>" + transaction(amount='<InstdAmt Ccy="CHF">5</InstdAmt>') + "</OrgnlPmtInfAndSts>"
            ),
            "banque.xml: transaction 1 (ligne 3): OrgnlTxRef/Amt/InstdAmt/@Ccy: devise « CHF » refusée",
        ),
        (
            pain(
                "<OrgnlPmtInfAndSts>"
                + transaction().replace("</Amt>", "</Amt><ReqdColltnDt>2026-02-29</ReqdColltnDt>")
                + "</OrgnlPmtInfAndSts>"
            ),
            "banque.xml: transaction 1 (ligne 3): OrgnlTxRef/ReqdColltnDt: « 2026-02-29 » n'est pas une date valide",
        ),
        (
            pain("").replace(b"<CreDtTm>2026-02-01T10:00:00</CreDtTm>", b""),
            "banque.xml: en-tête (ligne 2): GrpHdr/CreDtTm: date de création du rapport manquante",
        ),
    ],
)
def test_refused_files(data, expected):
    assert error_of(data).startswith(expected)


def test_a_file_above_the_size_limit_is_refused_before_parsing():
    data = camt(entry()) + b" " * MAX_FILE_BYTES
    for parse in (parse_bank_bytes, parse_camt054, parse_pain002):
        with pytest.raises(BankFileError, match="fichier trop gros"):
            parse(data, "big.xml")


def test_entities_are_never_expanded_even_past_the_check():
    # Defence in depth: even called on the parser directly, lxml neither expands nor fetches entities.
    from echeancier.payments.iso20022 import parse_xml

    with pytest.raises(BankFileError, match="DTD"):
        parse_xml(EXTERNAL_ENTITY.replace(b"<!DOCTYPE", b"<!doctype"), "x.xml")


# --- Properties ---------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([path for path in SAMPLES if path.suffix == ".xml"]), st.integers(0, 2**32), st.integers(1, 8))
def test_mutated_samples_give_lines_or_one_line_error(path, seed, edits):
    # Random byte edits of every XML sample: lines, or a BankFileError of one line; never another exception.
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    for _ in range(edits):
        at = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.4:
            del data[at : at + rng.randint(1, 20)]
        elif choice < 0.7:
            data[at] = rng.choice(b'<>/"&;=-0123456789.xEURCRDTDBIT \x00\xff')
        else:
            data[at:at] = rng.choice([b"<Ntry>", b"</Amt>", b"<Sts>", b"RJCT", b"-", b"9999999999", b"&x;", b"\xc3"])
    try:
        lines = parse_bank_bytes(bytes(data), "mutant.xml")
    except BankFileError as error:
        assert "\n" not in str(error) and str(error).startswith("mutant.xml: ")
    else:
        assert all(x.amount_cents > 0 and x.kind in ("credit", "rejection") for x in lines)
        assert len({x.key for x in lines}) == len(lines)


def test_generated_camt054_parses_back():
    references = ["TI-000001", "TI-000002"]
    lines = parse_bank_bytes(payments_camt054(references, 300, seed=5), "gen.xml")
    assert [x.amount_cents for x in lines] == [expected_cents(n, 5) for n in range(300)]
    assert [x.reference for x in lines] == [references[n % 2] for n in range(300)]
    assert [x.key for x in lines] == [f"GEN-5-{n:07d}" for n in range(300)]


MAX = MAX_AMOUNT_CENTS


def xml_amount(cents: int, style: int) -> str:
    euros, rest = divmod(cents, 100)
    return [f"{euros}.{rest:02d}", f"{euros}.{rest:02d}000", f"{cents / 100:.2f}".rstrip("0").rstrip(".")][style]


xml_references = st.text(alphabet=st.sampled_from("AZaz09-_/ &<>'\"éà"), min_size=1, max_size=35).filter(
    lambda text: text.strip() and "  " not in text and text == text.strip() and text.upper() != "NOTPROVIDED"
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(1, 10**10), xml_references, st.booleans()
        ),
        max_size=15,
    ),
    st.sampled_from(["02", "04", "08", "13"]),
    st.integers(0, 2),
)
def test_camt054_round_trip(credits, version, style):
    # Credits written with any XML escaping, amount style and date form are read back exactly, keyed by their id.
    entries = "".join(
        entry(
            amount=f'<Amt Ccy="EUR">{xml_amount(cents, style)}</Amt>',
            booking=f"<BookgDt><{'DtTm' if timed else 'Dt'}>{day.isoformat()}{'T23:59:59+14:00' if timed else ''}"
            f"</{'DtTm' if timed else 'Dt'}></BookgDt>",
            ref=f"ID-{n}",
            details=f"<NtryDtls><TxDtls><Refs><EndToEndId>{escape(reference)}</EndToEndId></Refs></TxDtls></NtryDtls>",
        )
        for n, (day, cents, reference, timed) in enumerate(credits)
    )
    lines = parse_camt054(camt(entries, version), "rt.xml")
    assert [(x.date, x.amount_cents, x.reference, x.key) for x in lines] == [
        (day, cents, reference, f"ID-{n}") for n, (day, cents, reference, _) in enumerate(credits)
    ]
