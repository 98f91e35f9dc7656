"""`echeancier campaign`: the yearly campaign of an organism, from Parquet/CSV files or the account store, to
partitioned Parquet (docs/campaign.md). Heavy modules (NumPy, PyArrow, Dask) are imported inside the command, so
that the CLI's cold start does not grow."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer


def _cli() -> Any:
    from echeancier import cli

    return cli


def _euros(cents: int) -> str:
    from decimal import Decimal

    from echeancier.kernel.fmt import format_euros

    text: str = format_euros(Decimal(cents).scaleb(-2))
    return text


def campaign(
    year: Annotated[int, typer.Option("--year", help="Année N de la campagne (revenus de N-1 déclarés en N).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Répertoire de sortie (Parquet partitionné).")],
    input_path: Annotated[
        Path | None,
        typer.Option("--input", "-i", help="Fichier ou répertoire de comptes (.parquet ou .csv, partitionnés)."),
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", metavar="URL", help="Les comptes de la base (au lieu de --input).")
    ] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Comptes par partition.")] = 50_000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processus de calcul locaux.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option("--dask", metavar="ADRESSE", help="Calcul sur Dask : local[:N] ou l'adresse de l'ordonnanceur."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le résumé en JSON.")] = False,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Barre de progression (défaut : sur un terminal).")
    ] = None,
) -> None:
    """Campagne annuelle : chaque échéance de N et N+1 de chaque compte (régularisation N-1, ajustement N,
    provisionnelles N+1), vers des fichiers Parquet partitionnés ; reprend là où une exécution s'est arrêtée."""
    cli = _cli()
    if (input_path is None) == (db is None):
        cli._fail("--input", "donner soit --input FICHIER, soit --db URL")
    with cli._errors(*_expected()):
        _run(year, output, input_path, db, chunk_size, workers, dask, as_json, progress)


def _expected() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from echeancier.law.loader import LawError
    from echeancier.schedule.campaign import CampaignError

    return (CampaignError, LawError, OperationalError, ArgumentError, NoSuchModuleError, OSError)


def _run(
    year: int,
    output: Path,
    input_path: Path | None,
    db: str | None,
    chunk_size: int,
    workers: int,
    dask: str | None,
    as_json: bool,
    progress: bool | None,
) -> None:
    from echeancier.law import load_law
    from echeancier.schedule.campaign import check_year
    from echeancier.schedule.campaign_run import count_rows, file_tasks, parse_dask, run_campaign, store_tasks

    law = load_law()
    check_year(year, law)
    address = parse_dask(dask) if dask else None
    tasks = file_tasks(input_path, chunk_size) if input_path is not None else store_tasks(db, chunk_size)
    total = count_rows(input_path) if input_path is not None else None
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(
            TextColumn("campagne {task.fields[year]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        with bar:
            handle = bar.add_task("campaign", total=total, year=year)
            report = run_campaign(
                tasks,
                year,
                output,
                workers=workers,
                dask=address,
                law=law,
                progress=lambda n: bar.advance(handle, n),
            )
    else:
        report = run_campaign(tasks, year, output, workers=workers, dask=address, law=law)
    for message in report.errors:
        print(f"erreur: {message}", file=sys.stderr)
    summary = report.summary
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        paths = summary["paths"]
        print(
            f"Campagne {year} : {summary['accounts']} comptes ({paths.get('array', 0)} en régime établi, "
            f"{paths.get('planner', 0)} rejoués, {paths.get('error', 0)} en erreur), "
            f"{summary['instalments']} échéances ; {report.computed} partitions calculées, "
            f"{report.skipped} déjà faites."
        )
        for kind, cents in summary["called_cents"].items():
            print(f"  {kind:<16} {_euros(cents):>20}")
        for kind, cents in summary["refunded_cents"].items():
            print(f"  remboursé {kind:<16} {_euros(cents):>20}")
        for organism, figures in summary["organisms"].items():
            print(f"  {organism:<32} {figures['accounts']:>9} comptes {_euros(figures['called_cents']):>20}")
    if report.errors:
        raise typer.Exit(2)
