"""Bank files of N payments for given references, for import tests and benchmarks (`echeancier payments import`).

    .venv/bin/python benchmarks/make_bank_files.py 10000 out.csv --references TI-000001,TI-000002 [--french]
        [--no-ids] [--seed 7]
    .venv/bin/python benchmarks/make_bank_files.py 10000 out.xml --references TI-000001 --camt054

From Python (tests can import it: `from benchmarks.make_bank_files import payments_csv`):
`payments_csv(references, count)` gives the bytes of a CSV (international by default, French with `french=True`),
`payments_camt054(references, count)` those of a camt.054.001.08 notification of `count` booked credits. The same
arguments give the same bytes; the N-th payment (from 0) is for `references[N % len(references)]`, of
`expected_cents(N, seed)` cents, dated `start + N % 365` days, with the bank id `GEN-{seed}-{N:07d}` (CSV: unless
`with_ids=False`, then the parser keys lines by the file's hash and line number).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

NBSP = "\u00a0"


def expected_cents(number: int, seed: int = 0) -> int:
    """The amount of the `number`-th generated payment: 1 cent to 5,000 €, whole euros one time in four."""
    rng = random.Random(seed * 1_000_003 + number)
    cents = rng.randint(1, 500_000)
    return max(100, cents - cents % 100) if rng.random() < 0.25 else cents


def _french_amount(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    grouped = f"{euros:,}".replace(",", NBSP)
    return grouped if rest == 0 else f"{grouped},{rest:02d}"


def _payments(references: Sequence[str], count: int, seed: int, start: date) -> list[tuple[str, date, int, str]]:
    if not references:
        raise ValueError("references: at least one reference")
    return [
        (
            f"GEN-{seed}-{n:07d}",
            start + timedelta(days=n % 365),
            expected_cents(n, seed),
            references[n % len(references)],
        )
        for n in range(count)
    ]


def payments_csv(
    references: Sequence[str],
    count: int,
    *,
    french: bool = False,
    with_ids: bool = True,
    seed: int = 0,
    start: date = date(2026, 1, 5),
) -> bytes:
    """A CSV of `count` credits (see the module's docstring); French: `;`, `1 234,56`, `jj/mm/aaaa`, BOM, CRLF."""
    rows = []
    for bank_id, day, cents, reference in _payments(references, count, seed, start):
        if french:
            cells = [day.strftime("%d/%m/%Y"), _french_amount(cents), reference]
        else:
            cells = [day.isoformat(), f"{cents // 100}.{cents % 100:02d}", reference]
        rows.append([*cells, bank_id] if with_ids else cells)
    header = ["date", "amount", "reference"] + (["id"] if with_ids else [])
    out = io.StringIO()
    csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n" if french else "\n").writerows(
        [header, *rows]
    )
    return ("\ufeff" if french else "").encode() + out.getvalue().encode("utf-8")


def payments_camt054(references: Sequence[str], count: int, *, seed: int = 0, start: date = date(2026, 1, 5)) -> bytes:
    """A camt.054.001.08 notification of `count` booked credits, one entry each (see the module's docstring)."""
    entries = "".join(
        f'<Ntry><Amt Ccy="EUR">{cents // 100}.{cents % 100:02d}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><AcctSvcrRef>{bank_id}</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RmtInf><Ustrd>{escape(reference)}</Ustrd>"
        "</RmtInf></TxDtls></NtryDtls></Ntry>\n"
        for bank_id, day, cents, reference in _payments(references, count, seed, start)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>'
        f"<GrpHdr><MsgId>GEN-{seed}</MsgId><CreDtTm>{start.isoformat()}T00:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>GEN-{seed}-1</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>\n"
        f"{entries}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("count", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--references", default="TI-000001", help="comma-separated account IDs or references")
    parser.add_argument("--french", action="store_true", help="French CSV (; 1 234,56 jj/mm/aaaa)")
    parser.add_argument("--no-ids", action="store_true", help="CSV without the id column")
    parser.add_argument("--camt054", action="store_true", help="a camt.054.001.08 notification instead of a CSV")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    references = [reference for reference in arguments.references.split(",") if reference]
    if arguments.camt054:
        data = payments_camt054(references, arguments.count, seed=arguments.seed)
    else:
        data = payments_csv(
            references, arguments.count, french=arguments.french, with_ids=not arguments.no_ids, seed=arguments.seed
        )
    arguments.output.write_bytes(data)
    print(f"{arguments.output}: {arguments.count} payments, {len(data)} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
