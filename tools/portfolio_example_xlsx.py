"""Write docs/examples/portfolio/clients.xlsx from clients.csv, as a spreadsheet would hold it: numbers as numbers,
dates as dates, yes/no as text (`python tools/portfolio_example_xlsx.py`; tests/test_portfolio.py checks that both
files give the same results)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from echeancier.kernel.inputs import parse_euros

FOLDER = Path(__file__).resolve().parents[1] / "docs" / "examples" / "portfolio"


def main() -> None:
    with (FOLDER / "clients.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "clients"
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = []
        for header, value in zip(rows[0], row, strict=True):
            if not value:
                cells.append(None)
            elif header.startswith("revenu"):
                amount = parse_euros(value, header, negative=True)
                cells.append(int(amount) if amount == amount.to_integral_value() else float(amount))
            elif header == "année":
                cells.append(int(value))
            elif header.startswith("date"):
                cells.append(datetime.strptime(value, "%d/%m/%Y"))
            else:
                cells.append(value)
        sheet.append(cells)
    for column in ("E", "F"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    for cell in sheet["G"][1:]:
        cell.number_format = "DD/MM/YYYY"
    workbook.save(FOLDER / "clients.xlsx")


if __name__ == "__main__":
    main()
