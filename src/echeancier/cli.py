"""The `echeancier` command line (DESIGN §4): human output in French, `--json` and `--jsonl` for machines.

Exit status: 0 success; 1 some `--jsonl` lines failed, or `law status` found stale parameter files; 2 bad input
or bad usage (one line in French on standard error naming the field or the option, never a traceback nor a
usage box); 3 internal error (traceback only with ECHEANCIER_DEBUG=1); 4 standard output cannot be written (a full
disk, `/dev/full`, a closed descriptor: one line on standard error); 141 (128 + SIGPIPE, as `cat` or `yes` give)
when the reader of standard output went away, say nothing. Every input is read by `echeancier.kernel.inputs`.
The engine, the law and the formatting are imported inside the commands, so that `echeancier simulate` starts in
well under half a second; numpy, polars and pyarrow stay out of this path.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, cast

import typer
import typer.main
from typer.core import TyperGroup

if TYPE_CHECKING:
    from echeancier.contributions.result import Line, Simulation, Tranche
    from echeancier.contributions.situation import Situation
    from echeancier.law.loader import Law, Parameter, ParameterFile, ParamValue
    from echeancier.law.snapshot import LawSnapshot
    from echeancier.organisms import Organism

EXIT_LINES_FAILED = 1
EXIT_STALE = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_OUTPUT = 4
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE
DEBUG_VARIABLE = "ECHEANCIER_DEBUG"


class OutputError(Exception):
    """Standard output cannot be written: closed, full, or its reader went away (`error` is None if closed)."""

    def __init__(self, error: OSError | None) -> None:
        super().__init__(error.strerror if error else "closed")
        self.error = error


class _Stdout:
    """Standard output whose write errors are OutputError, so that no command mistakes them for its own."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if self._stream is None:
            raise OutputError(None)
        try:
            return self._stream.write(text)
        except OSError as error:
            raise OutputError(error) from None

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except OSError as error:
            raise OutputError(error) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _say(line: str) -> None:
    """One line on standard error, if there is one to write to."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, AttributeError, ValueError):
        pass


class _Command(TyperGroup):
    """The `echeancier` group: every failure, usage errors included, ends as one French line and an exit status.

    The commands of `COMMANDS` are built (their module imported, their options turned into click parameters) only
    when invoked or listed by `--help`: `echeancier simulate` builds one command, not the sixty options of all.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.commands, *(name for name in COMMANDS if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = self.commands[cmd_name] = _build_command(cmd_name)
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:  # an unknown command: typer suggests among the built ones, suggest among all
            message = getattr(error, "message", None)
            if args and isinstance(message, str) and message.startswith("No such command") and "?" not in message:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    error.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"  # type: ignore[attr-defined]
            raise

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        real = sys.stdout
        sys.stdout = cast(TextIO, _Stdout(real))
        try:
            try:
                status = super().main(
                    args=args,
                    prog_name=prog_name,
                    complete_var=complete_var,
                    standalone_mode=False,
                    windows_expand_args=windows_expand_args,
                    **extra,
                )
                sys.stdout.flush()
            finally:
                sys.stdout = real
        except OutputError as failure:
            status = _output_failed(failure, real)
        except Exception as error:
            status = _outside_commands(error)
        status = status if isinstance(status, int) else 0
        if standalone_mode:
            sys.exit(status)
        return status


def _output_failed(failure: OutputError, stream: TextIO | None) -> int:
    """Nothing more can be written: point the descriptor at /dev/null so that the exit's flush cannot fail too."""
    if stream is not None:
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stream.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):  # no descriptor (a test's buffer)
            pass
    error = failure.error
    if error is not None and error.errno == errno.EPIPE:
        return EXIT_BROKEN_PIPE
    reason = "fermée" if error is None else f"écriture impossible ({error.strerror})"
    _say(f"erreur: sortie standard: {reason}")
    return EXIT_OUTPUT


def _outside_commands(error: Exception) -> int:
    """A usage error (unknown option, missing value…) as one French line, exit 2; anything else is internal."""
    kind = type(error).__name__
    if kind == "NoArgsIsHelpError":  # `echeancier` alone: the help, as asked by no_args_is_help
        _say(str(getattr(error, "message", "")).rstrip())
        return EXIT_INPUT
    if kind == "Abort":
        _say("erreur: interrompu")
        return 1
    if not hasattr(error, "format_message") or getattr(error, "exit_code", None) != EXIT_INPUT:
        try:
            _internal_error(error)
        except typer.Exit as done:
            return done.exit_code
    _say(f"erreur: {_usage_message(error)}")
    return EXIT_INPUT


def _usage_message(error: Any) -> str:
    import re

    kind = type(error).__name__
    message = _one_line(str(getattr(error, "message", "") or error.format_message()))
    context = getattr(error, "ctx", None)
    hint = f" (voir {context.command_path} --help)" if context is not None else ""
    possibilities = getattr(error, "possibilities", None)
    if kind == "NoSuchOption":
        close = f" ; vouliez-vous dire {', '.join(sorted(possibilities))} ?" if possibilities else ""
        return f"{error.option_name}: option inconnue{close}{hint}"
    if kind == "BadOptionUsage" and "requires an argument" in message:
        return f"{error.option_name}: une valeur est attendue{hint}"
    param = getattr(error, "param", None)
    if getattr(param, "param_type_name", "") == "argument":
        name = str(getattr(param, "metavar", None) or getattr(param, "name", None) or "argument")
    else:
        name = "/".join(getattr(param, "opts", []) or []) or "option"
    if kind == "MissingParameter":
        return f"{name}: obligatoire{hint}"
    if kind == "BadParameter":
        return f"{name}: {message}{hint}"
    unknown = re.fullmatch(r"No such command '(.*)'\.(?: Did you mean (.*)\?)?", message)
    if unknown:
        close = f" ; vouliez-vous dire {unknown.group(2)} ?" if unknown.group(2) else ""
        return f"{unknown.group(1)}: commande inconnue{close}{hint}"
    extra = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if extra:
        return f"{extra.group(1)}: argument en trop{hint}"
    return f"{message}{hint}"


def _group() -> None:
    pass  # the group has no option of its own; a callback makes typer build a group even with no eager command


app = typer.Typer(
    cls=_Command,
    name="echeancier",
    help="Cotisations sociales des travailleurs indépendants (CSS L613-3) : simulation, échéancier et paramètres "
    "de la loi.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    callback=_group,
)
# The commands defined in this module, built on demand by `_Command` (a command registered on `app` itself is
# built eagerly, and listed first).
commands = typer.Typer()
law_app = typer.Typer(help="Paramètres de la loi : validité et valeurs datées.", no_args_is_help=True)

# name -> (module, attribute): a function registered on `commands`, another module's command function, or a Typer
# sub-app; in the order `echeancier --help` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("echeancier.cli", "simulate"),
    "schedule": ("echeancier.cli", "schedule"),
    "organism": ("echeancier.cli", "organism"),
    "serve": ("echeancier.cli", "serve"),
    "forecast": ("echeancier.cli_forecast", "forecast"),
    "rights": ("echeancier.cli_forecast", "rights"),
    "campaign": ("echeancier.cli_campaign", "campaign"),
    "law": ("echeancier.cli", "law_app"),
    "account": ("echeancier.cli_account", "account_app"),
    "payments": ("echeancier.cli_account", "payments_app"),
    "tokens": ("echeancier.cli_tokens", "tokens_app"),
    "recovery": ("echeancier.cli_recovery", "recovery_app"),
}


def _build_command(name: str) -> Any:
    """The click command `name` of `COMMANDS`, built by typer exactly as if it had been registered on `app`."""
    from importlib import import_module

    module, attribute = COMMANDS[name]
    here = module == __name__ or (module == "echeancier.cli" and __name__ == "__main__")  # `python -m echeancier.cli`
    target = globals()[attribute] if here else getattr(import_module(module), attribute)
    one = typer.Typer()
    if isinstance(target, typer.Typer):
        one.add_typer(target, name=name)
    else:
        registered = [info for info in commands.registered_commands if info.callback is target]
        if registered:
            one.registered_commands.append(registered[0])
        else:
            one.command(name=name)(target)
    return typer.main.get_group(one).commands[name]


# `batch` (DESIGN §4) will be registered here, as a command or a sub-app like `law`.

# Situation field -> the option that sets it, so that an error names what the user typed.
OPTIONS = {
    "year": "--year",
    "profession": "--profession",
    "income": "--income",
    "start_date": "--start-date",
    "end_date": "--end-date",
    "acre": "--acre",
    "rsa": "--rsa",
    "income_is_net": "--net",
    "department": "--department",
    "conjoint_collaborateur": "--conjoint-collaborateur",
    "section": "--section",
    "pension_invalidite_mois": "--pension-invalidite-mois",
    "exoneration_age": "--exoneration-age",
    "exoneration_debut_outre_mer": "--exoneration-debut-outre-mer",
    "secteur": "--secteur",
    "metier": "--metier",
    "classe_cnbf": "--classe-cnbf",
    "remplacant": "--remplacant",
    "abattement_outre_mer": "--sans-abattement-outre-mer",
}


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _fail(field: str, message: str) -> NoReturn:
    """Bad input: one line on standard error naming the field, exit status 2."""
    print(f"erreur: {field}: {_one_line(message)}", file=sys.stderr)
    raise typer.Exit(EXIT_INPUT)


@contextmanager
def _errors(*expected: type[Exception], options: dict[str, str] | None = None) -> Iterator[None]:
    """Turn the `expected` exceptions (InputError, LawError) into exit status 2 and any other into status 3."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException, OutputError):
        raise
    except expected as error:
        field = getattr(error, "field", None)
        if isinstance(field, str):
            _fail((options or {}).get(field, field), str(getattr(error, "message", error)))
        print(f"erreur: {_one_line(str(error))}", file=sys.stderr)
        raise typer.Exit(EXIT_INPUT) from None
    except Exception as error:
        _internal_error(error)


def _internal_error(error: BaseException) -> NoReturn:
    if os.environ.get(DEBUG_VARIABLE) == "1":
        traceback.print_exception(error, file=sys.stderr)
    print(f"erreur interne: {type(error).__name__}: {_one_line(str(error))}", file=sys.stderr)
    raise typer.Exit(EXIT_INTERNAL)


def _parse_date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    from echeancier.kernel.inputs import InputError, parse_date

    try:
        return parse_date(value, option)
    except InputError as error:
        _fail(option, error.message)


# --- echeancier simulate -----------------------------------------------------------------------------------


@commands.command()
def simulate(
    year: Annotated[
        str | None, typer.Option("--year", metavar="ANNÉE", help="Année des revenus (ex. 2025).", show_default=False)
    ] = None,
    profession: Annotated[
        str | None,
        typer.Option("--profession", metavar="MÉTIER", help="artisan, commercant ou liberal.", show_default=False),
    ] = None,
    income: Annotated[
        str | None,
        typer.Option(
            "--income",
            metavar="EUROS",
            help="Revenu de l'année : revenu professionnel jusqu'à 2024, revenu brut (avant cotisations et "
            "abattement de 26 %) à partir de 2025. Un déficit est admis.",
            show_default=False,
        ),
    ] = None,
    start_date: Annotated[
        str | None,
        typer.Option("--start-date", metavar="AAAA-MM-JJ", help="Date de début d'activité.", show_default=False),
    ] = None,
    end_date: Annotated[
        str | None,
        typer.Option("--end-date", metavar="AAAA-MM-JJ", help="Date de cessation d'activité.", show_default=False),
    ] = None,
    acre: Annotated[bool, typer.Option("--acre", help="Bénéficiaire de l'ACRE (exige --start-date).")] = False,
    rsa: Annotated[
        bool, typer.Option("--rsa", help="Bénéficiaire du RSA ou de la prime d'activité (pas de minimum).")
    ] = False,
    net: Annotated[bool, typer.Option("--net", help="Le revenu est donné net des cotisations.")] = False,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            metavar="CODE",
            help="Département ou collectivité d'exercice (code INSEE : 75, 2A, 971…) ; métropole par défaut.",
            show_default=False,
        ),
    ] = None,
    conjoint: Annotated[
        str | None,
        typer.Option(
            "--conjoint-collaborateur",
            metavar="OPTION",
            help="Conjoint collaborateur et l'assiette choisie (CSS D633-19-2) : forfaitaire, tiers_sans_partage, "
            "moitie_sans_partage, tiers_avec_partage ou moitie_avec_partage.",
            show_default=False,
        ),
    ] = None,
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            metavar="SECTION",
            help="Section professionnelle d'une profession libérale réglementée (cipav…), avec --profession "
            "liberal_reglementee.",
            show_default=False,
        ),
    ] = None,
    secteur: Annotated[
        str | None,
        typer.Option(
            "--secteur",
            metavar="SECTEUR",
            help="Secteur conventionnel d'un médecin (section carmf) : 1, 2 ou non_conventionne.",
            show_default=False,
        ),
    ] = None,
    metier: Annotated[
        str | None,
        typer.Option(
            "--metier",
            metavar="METIER",
            help="Métier d'un affilié de la section carcdsf : chirurgien_dentiste ou sage_femme.",
            show_default=False,
        ),
    ] = None,
    classe_cnbf: Annotated[
        str | None,
        typer.Option(
            "--classe-cnbf",
            metavar="CLASSE",
            help="Classe de retraite complémentaire d'un avocat (section cnbf) : 1 (par défaut), 2 ou 2+.",
            show_default=False,
        ),
    ] = None,
    remplacant: Annotated[
        bool,
        typer.Option(
            "--remplacant",
            help="Praticien ou auxiliaire médical conventionné exerçant uniquement comme remplaçant au 1er janvier "
            "(pas de CURPS).",
        ),
    ] = False,
    pension_invalidite_mois: Annotated[
        int | None,
        typer.Option(
            "--pension-invalidite-mois",
            metavar="MOIS",
            help="Mois de l'année avec une pension d'invalidité de travailleur indépendant (1 à 12).",
            show_default=False,
        ),
    ] = None,
    exoneration_age: Annotated[
        bool,
        typer.Option(
            "--exoneration-age",
            help="Exonération de la cotisation invalidité-décès liée à l'âge, obtenue avant sa suppression en 2015.",
        ),
    ] = False,
    exoneration_debut_outre_mer: Annotated[
        bool,
        typer.Option(
            "--exoneration-debut-outre-mer",
            help="Exonération de début d'activité outre-mer (CSS L756-2) : activité créée dans une collectivité "
            "de l'article L751-1, avec --start-date.",
        ),
    ] = False,
    sans_abattement_outre_mer: Annotated[
        bool,
        typer.Option(
            "--sans-abattement-outre-mer",
            help="Ne pas calculer l'abattement de régime de croisière (CSS L756-4) des collectivités de l'article "
            "L751-1, comme le simulateur de l'Urssaf.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Résultat en JSON sur une ligne.")] = False,
    pdf: Annotated[
        str | None,
        typer.Option(
            "--pdf",
            metavar="FICHIER",
            help="Écrit la simulation en PDF (en français) dans ce fichier.",
            show_default=False,
        ),
    ] = None,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help="Une situation JSON par ligne sur l'entrée standard, un résultat JSON par ligne en sortie.",
        ),
    ] = False,
    input_file: Annotated[
        str | None,
        typer.Option(
            "--input",
            metavar="FICHIER",
            help="Un portefeuille de clients (.csv, .xlsx, .parquet), une situation par ligne (docs/portfolio.md).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            metavar="FICHIER",
            help="Avec --input : résultats en .csv, .xlsx, .parquet ou .jsonl (défaut : CSV sur la sortie standard).",
            show_default=False,
        ),
    ] = None,
    errors_file: Annotated[
        str | None,
        typer.Option(
            "--errors",
            metavar="FICHIER",
            help="Avec --input : les lignes en erreur dans ce fichier plutôt que sur la sortie d'erreur.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Calcule les cotisations et contributions sociales d'une année de revenus."""
    if input_file is not None:
        given = [
            option
            for option, value in (
                ("--year", year),
                ("--profession", profession),
                ("--income", income),
                ("--start-date", start_date),
                ("--end-date", end_date),
                ("--department", department),
                ("--conjoint-collaborateur", conjoint),
                ("--section", section),
                ("--secteur", secteur),
                ("--metier", metier),
                ("--classe-cnbf", classe_cnbf),
                ("--pdf", pdf),
                ("--pension-invalidite-mois", pension_invalidite_mois),
            )
            if value is not None
        ]
        given += [option for option, flag in (("--acre", acre), ("--rsa", rsa), ("--net", net)) if flag]
        given += ["--exoneration-age"] if exoneration_age else []
        given += ["--exoneration-debut-outre-mer"] if exoneration_debut_outre_mer else []
        given += ["--remplacant"] if remplacant else []
        given += ["--sans-abattement-outre-mer"] if sans_abattement_outre_mer else []
        given += [option for option, flag in (("--json", as_json), ("--jsonl", jsonl)) if flag]
        if given:
            _fail("--input", f"ne se combine pas avec {', '.join(given)} (chaque situation est une ligne du fichier)")
        from echeancier.cli_portfolio import simulate_file

        raise typer.Exit(simulate_file(input_file, output, errors_file))
    for option, value in (("--output", output), ("--errors", errors_file)):
        if value is not None:
            _fail(option, "s'utilise avec --input FICHIER")
    if jsonl:
        given = [
            OPTIONS[name]
            for name, value in (
                ("year", year),
                ("profession", profession),
                ("income", income),
                ("start_date", start_date),
                ("end_date", end_date),
                ("department", department),
                ("conjoint_collaborateur", conjoint),
                ("section", section),
                ("secteur", secteur),
                ("metier", metier),
                ("classe_cnbf", classe_cnbf),
                ("pension_invalidite_mois", pension_invalidite_mois),
            )
            if value is not None
        ]
        given += [option for option, flag in (("--acre", acre), ("--rsa", rsa), ("--net", net)) if flag]
        given += ["--exoneration-age"] if exoneration_age else []
        given += ["--exoneration-debut-outre-mer"] if exoneration_debut_outre_mer else []
        given += ["--remplacant"] if remplacant else []
        given += ["--sans-abattement-outre-mer"] if sans_abattement_outre_mer else []
        given += ["--json"] if as_json else []
        given += ["--pdf"] if pdf is not None else []
        if given:
            _fail(
                "--jsonl", f"ne se combine pas avec {', '.join(given)} (chaque situation est lue sur l'entrée standard)"
            )
        from echeancier.contributions import jsonl as jsonl_path

        with _errors():
            try:
                status = jsonl_path.run(sys.stdin.buffer, sys.stdout)
            except jsonl_path.OutputFailed as failure:  # written by a worker process, to the same descriptor
                raise OutputError(failure.error) from None
        raise typer.Exit(status)

    for name, value in (("year", year), ("profession", profession), ("income", income)):
        if value is None:
            _fail(OPTIONS[name], "obligatoire (ou --jsonl pour lire les situations sur l'entrée standard)")
    assert year is not None and profession is not None
    if pdf is not None and as_json:
        _fail("--pdf", "ne peut pas être combiné avec --json")
    from echeancier.kernel.inputs import InputError, parse_whole

    try:
        year_number = parse_whole(year, "--year")
    except InputError as error:
        _fail("--year", error.message)
    situation = {
        "year": year_number,
        "profession": profession.strip().lower().replace("ç", "c").replace("é", "e"),
        "income": income,
        "start_date": _parse_date("--start-date", start_date),
        "end_date": _parse_date("--end-date", end_date),
        "acre": acre,
        "rsa": rsa,
        "income_is_net": net,
        "department": department,
        "conjoint_collaborateur": conjoint,
        "section": section,
        "secteur": secteur,
        "metier": metier,
        "classe_cnbf": classe_cnbf,
        "remplacant": remplacant,
        "pension_invalidite_mois": pension_invalidite_mois or 0,
        "exoneration_age": exoneration_age,
        "exoneration_debut_outre_mer": exoneration_debut_outre_mer,
        "abattement_outre_mer": not sans_abattement_outre_mer,
    }

    from echeancier.contributions.engine import simulate as simulate_situation
    from echeancier.contributions.situation import InputError
    from echeancier.law.loader import LawError

    with _errors(InputError, LawError, options=OPTIONS):
        result = simulate_situation(situation)
        if pdf is not None:
            from echeancier.documents.pdf import simulation_pdf

            _write_binary(pdf, simulation_pdf(result, issued_on=_today()), "--pdf")
        elif as_json:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        else:
            from echeancier.law.snapshot import snapshot

            sys.stdout.write(render_simulation(result, snapshot(result.year)))


def run_jsonl(lines: Iterable[bytes], out: IO[str], law: Law | None = None) -> int:
    """Simulate one JSON situation per line of `lines`, writing one JSON result per line to `out`, in order.

    The scalar path, line by line (the reference of `contributions.jsonl`, which the command runs): each result is
    written and flushed before the next line is read. A bad line yields {"id", "line", "error"} and the run goes
    on; blank lines are skipped. Each line is read by the input layer (`loads_json`: size, depth, duplicate keys,
    lone surrogates, exact decimals). Returns the exit status: 0 if every line was simulated, 1 otherwise. `law`:
    the parameters (the packaged law when None).
    """
    from echeancier.contributions.jsonl import scalar_line

    status = 0
    for number, raw in enumerate(lines, start=1):
        done = scalar_line(number, raw, law)
        if done is None:
            continue
        output, failed = done
        if failed:
            status = EXIT_LINES_FAILED
        out.write(output + "\n")
        out.flush()
    return status


# --- the French table -----------------------------------------------------------------------------------------

PROFESSIONS = {
    "artisan": "artisan",
    "commercant": "commerçant",
    "liberal": "profession libérale",
    "liberal_reglementee": "profession libérale réglementée",
}
HEADERS = ("Cotisation", "Assiette", "Taux", "Montant", "Référence")
RIGHT_ALIGNED = (False, True, True, True, False)

Row = tuple[str, str, str, str, str]


def render_simulation(result: Simulation, law: LawSnapshot) -> str:
    """The simulation as a French table with the explanations a contributor needs to follow it."""
    from echeancier.kernel.fmt import format_euros

    situation = result.situation
    lines = [f"Cotisations sociales sur les revenus {result.year} — {PROFESSIONS[situation.profession.value]}"]
    if situation.section is not None:
        lines[0] += f" (section {situation.section.value.upper()})"
        if situation.secteur is not None:
            lines[0] += f", {SECTEURS_FR[situation.secteur.value]}"
        if situation.metier is not None:
            lines[0] += f", {situation.metier.value.replace('_', '-')}"
        if situation.classe_cnbf is not None:
            lines[0] += f", classe {situation.classe_cnbf.value} de retraite complémentaire"
    lines += _situation_lines(result)
    lines.append("")
    lines += _table(simulation_rows(result), total=format_euros(result.total))
    explanations = simulation_explanations(result, law) + collection_explanations(result)
    if explanations:
        lines += ["", "À savoir :"]
        lines += [f"  • {text}" for text in explanations]
    if result.forfait is not None:
        lines += ["", *_forfait_block(result.forfait, law)]
    from echeancier.rights.result import render as render_rights

    lines += ["", *render_rights(result.rights)]
    return "\n".join(lines) + "\n"


def is_fixed(part: Line | Tranche) -> bool:
    """A contribution or tranche of a fixed amount (a class or a forfait of a section's statuts: CAVEC, CNBF),
    carried with a zero rate: its rate is not shown as 0 %."""
    return part.rate == 0 and part.amount != 0


def collection_explanations(result: Simulation) -> list[str]:
    """The lines of a profession libérale réglementée that another body than the Urssaf alone collects, one
    sentence each (CSS R613-1, R642-2, R652-34): the table, the web page and the PDF say them the same."""
    from echeancier.contributions.professions_liberales import by

    return [
        f"{line.label} : {'recouvrées' if line.key == 'pcv' else 'recouvrée'} par {by(line.collected_by)}."
        for line in (*result.lines, *result.section_lines)
        if line.collected_by is not None and line.collected_by != "Urssaf"
    ]


SECTEURS_FR = {"1": "secteur 1", "2": "secteur 2", "non_conventionne": "non conventionné"}


def simulation_rows(result: Simulation) -> list[Row]:
    """The rows of every line of the table: the contributions, a health section's own (PCV, contribution
    additionnelle, CURPS), then the conjoint collaborateur's."""
    rows = [row for line in (*result.lines, *result.section_lines) for row in _rows(line)]
    for line in result.conjoint_lines:
        first, *rest = _rows(line)
        rows += [(f"Conjoint : {first[0][0].lower()}{first[0][1:]}", *first[1:]), *rest]
    return rows


def _situation_lines(result: Simulation) -> list[str]:
    from echeancier.kernel.fmt import format_date, format_euros

    situation = result.situation
    out: list[str] = []
    events = []
    if situation.start_date is not None:
        events.append(f"début d'activité le {format_date(situation.start_date)}")
    if situation.end_date is not None:
        events.append(f"cessation le {format_date(situation.end_date)}")
    if events:
        text = " ; ".join(events)
        out.append(f"{text[0].upper()}{text[1:]} : {result.jours_activite} jours d'activité en {result.year}")
    if result.abattement is not None:
        out.append(
            f"Revenu brut : {format_euros(result.income)} ; abattement : {format_euros(result.abattement)} ; "
            f"assiette sociale : {format_euros(result.assiette_sociale)}"
        )
    else:
        out.append(f"Revenu professionnel : {format_euros(result.income)}")
    if situation.conjoint_collaborateur is not None and result.conjoint_assiette is not None:
        option = situation.conjoint_collaborateur.value.replace("_", " ").replace("moitie", "moitié")
        from echeancier.contributions.territory import MAYOTTE, mayotte_rules_for, territory

        if territory(situation.department) == MAYOTTE and mayotte_rules_for(result.year):
            # LAW (docs/law-choices.md, 340): at Mayotte the option does not set the conjoint's base.
            from echeancier.law.snapshot import snapshot

            hours, base = snapshot(result.year).cc_heures_mayotte, format_euros(result.conjoint_assiette)
            out.append(f"Conjoint collaborateur à Mayotte : assiette de {hours} heures de SMIC de Mayotte, {base}")
            return out
        out.append(
            f"Conjoint collaborateur (CSS L662-1, D633-19-2) : assiette {option}, "
            f"{format_euros(result.conjoint_assiette)}"
            + (" déduite de l'assiette retraite et invalidité-décès du chef d'entreprise" if "avec" in option else "")
        )
    return out


def _rows(line: Line) -> list[Row]:
    from echeancier.kernel.fmt import format_euros, format_rate

    slices = len(line.tranches) > 1 and any(t.base != line.base for t in line.tranches)
    if line.progressive:
        rate = f"progressif {format_rate(line.rate)}"
    elif is_fixed(line):
        rate = "montant fixe"
    elif slices:
        rate = ""  # each tranche has its own rate, on its own row
    else:
        rate = format_rate(line.rate)
    rows: list[Row] = [(line.label, format_euros(line.base), rate, format_euros(line.amount), line.reference)]
    if len(line.tranches) > 1:
        for tranche in line.tranches:
            rows.append(
                (
                    f"  {tranche.label}",
                    format_euros(tranche.base),
                    "montant fixe" if is_fixed(tranche) else format_rate(tranche.rate),
                    format_euros(tranche.amount),
                    "",
                )
            )
    if line.exoneration:
        rows.append(
            (f"  {line.exoneration_label}", "", "", format_euros(-line.exoneration), line.exoneration_reference)
        )
    return rows


def _table(rows: Sequence[Row], total: str) -> list[str]:
    widths = [max(len(row[i]) for row in (HEADERS, *rows)) for i in range(len(HEADERS))]

    def render(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, RIGHT_ALIGNED, strict=True)
        ]
        return "  ".join(cells).rstrip()

    rule = "─" * (sum(widths[:-1]) + 2 * (len(widths) - 1) + len(HEADERS[-1]))
    return [render(HEADERS), rule, *(render(row) for row in rows), rule, render(("Total", "", "", total, ""))]


def overseas_exemptions_sentence(situation: Situation, law: LawSnapshot) -> str:
    """What the explanation says of the exemptions of L756-2 and L756-4 (`contributions.debut_outre_mer`)."""
    from echeancier.contributions import debut_outre_mer
    from echeancier.kernel.fmt import format_rate

    debut = (
        " ; l'exonération de début d'activité (CSS L756-2, D756-4) est calculée pour les jours de l'année compris "
        "dans les 24 mois qui suivent la création"
        if situation.exoneration_debut_outre_mer
        else " ; l'exonération de début d'activité (CSS L756-2) n'est pas demandée"
    )
    if debut_outre_mer.abated(situation):
        rate = format_rate(debut_outre_mer.croisiere_rate(situation, law))
        return (
            f"{debut} ; l'abattement de régime de croisière (CSS L756-4, D756-4) de {rate} des cotisations et "
            "contributions dues sur la partie du revenu inférieure au PASS (hors retraite complémentaire, "
            "invalidité-décès et CFP) est calculé, dégressif de 150 % à 250 % du PASS"
        )
    reason = "non demandé" if not situation.abattement_outre_mer else "non cumulable avec l'exonération demandée"
    return f"{debut} ; l'abattement de régime de croisière (CSS L756-4) n'est pas calculé ({reason})"


def simulation_explanations(result: Simulation, law: LawSnapshot) -> list[str]:
    """One sentence for each rule that changed the figures of this simulation."""
    from echeancier.kernel.fmt import format_euros, format_rate
    from echeancier.kernel.money import ZERO

    situation = result.situation
    out: list[str] = []
    notes = set(result.notes)
    what = "revenu brut" if law.apres_reforme else "revenu professionnel"
    if "net_solved" in notes:
        if law.apres_reforme:
            solved = "le revenu brut qui le laisse exactement, une fois payées toutes les cotisations ci-dessus"
        else:
            solved = (
                "le revenu professionnel (déjà net des cotisations déductibles) qui le laisse exactement, une fois "
                "payées la CSG non déductible et la CRDS"
            )
        out.append(
            f"Revenu saisi net de cotisations : {format_euros(situation.income)} ; {solved}, est de "
            f"{format_euros(result.income)}."
        )
    if "net_below_minimum_contributions" in notes:
        out.append(f"Même sans revenu, les cotisations minimales dépassent ce net : le {what} retenu est 0 €.")
    if "net_not_reachable_exactly" in notes:
        out.append(
            f"Les arrondis à l'euro ne permettent pas d'atteindre ce net exactement : le {what} retenu est le plus "
            "petit qui laisse au moins ce net."
        )
    if "deficit_as_zero" in notes:
        out.append(
            f"Déficit : le revenu négatif déclaré ({format_euros(situation.income)}) compte pour un revenu nul "
            "(CSS L131-6, R613-1-2)."
        )
    if result.abattement is not None and law.abattement_taux is not None:
        assert law.abattement_plancher is not None and law.abattement_plafond is not None
        out.append(
            f"Revenus {result.year} : une seule assiette pour les cotisations et la CSG-CRDS, le revenu brut moins "
            f"un abattement de {format_rate(law.abattement_taux, 0)} ({format_euros(result.abattement)}), "
            f"compris entre {_pass_share(law.abattement_plancher)} et {_pass_share(law.abattement_plafond)} "
            "(CSS L131-6, L136-3, D136-5)."
        )
    elif result.abattement is None:
        out.append(
            "CSG-CRDS : assiette égale au revenu professionnel augmenté des cotisations sociales obligatoires, "
            f"soit {format_euros(result.assiette_csg)} (CSS L136-3 dans sa rédaction applicable jusqu'aux revenus "
            "2024)."
        )
    if result.pass_proratise != result.pass_annuel:
        out.append(
            f"Activité sur une partie de l'année ({result.jours_activite} jours) : le PASS de "
            f"{format_euros(result.pass_annuel)} est proratisé à {format_euros(result.pass_proratise)} "
            f"({result.jours_activite}/{law.jours_prorata}) pour les plafonds, les taux progressifs et les "
            "minimums (CSS R613-17)."
        )
    if situation.rsa:
        out.append("RSA ou prime d'activité : aucune cotisation minimale, les cotisations suivent le revenu.")
    elif result.jours_activite < law.rb_duree_minimale_affiliation:
        out.append(
            f"Moins de {law.rb_duree_minimale_affiliation} jours d'activité : pas d'assiette minimale pour la "
            "retraite de base (CSS D633-2)."
        )
    minimums = [line for line in result.lines if line.minimum is not None]
    if minimums:
        listed = ", ".join(f"{line.label.lower()} ({format_euros(line.minimum or ZERO)})" for line in minimums)
        out.append(
            f"Revenu inférieur aux minimums : assiette minimale appliquée pour {listed} ; ces cotisations sont "
            "dues même sans revenu."
        )
    capped = [line for line in result.lines if line.capped is not None]
    if capped:
        listed = ", ".join(f"{line.label.lower()} ({format_euros(line.capped or ZERO)})" for line in capped)
        out.append(f"Assiette plafonnée pour {listed}.")
    for line in result.section_lines:
        if line.amount_cap is not None and line.base * line.rate >= line.amount_cap:
            out.append(
                f"{line.label} : montant plafonné à {format_euros(line.amount_cap, cents=True)} (CSP D4031-45) ; "
                "son assiette ne l'est pas."
            )
    exempted = sum((line.exoneration for line in result.lines), ZERO)
    from echeancier.contributions.territory import MAYOTTE, OUTRE_MER, territory

    overseas = territory(situation.department)
    if overseas == OUTRE_MER:
        out.append(
            f"Activité en outre-mer ({situation.department}, CSS L751-1) : allocations familiales au taux de "
            f"{format_rate(law.om_af_taux)} sur toute l'assiette"
            + (
                f", maladie-maternité au taux de base de {format_rate(law.om_maladie_taux_tranche_1)} sans réduction "
                "(CSS D621-1)"
                if law.om_maladie_taux_tranche_1 is not None
                else ""
            )
            + overseas_exemptions_sentence(situation, law)
            + (", et l'ACRE ne s'y applique pas." if situation.acre else ".")
        )
    elif overseas == MAYOTTE and result.pass_annuel != law.pass_annuel:
        out.append(
            "Mayotte (ordonnance n° 96-1122) : plafond de la sécurité sociale de Mayotte "
            f"({format_euros(result.pass_annuel)}), cotisations et contributions propres ; exonération de toutes "
            "les cotisations pendant les 24 premiers mois d'activité (art. 28-8), assiette des allocations "
            "familiales et de la cotisation maladie-maternité et autonomie réduite de moitié jusqu'au plafond à "
            "partir du 25e mois (art. 28-5) ; la CSG-CRDS et la CFP restent dues."
            + (" L'ACRE est sans objet pendant cette exonération." if situation.acre else "")
        )
    elif overseas == MAYOTTE:
        out.append(
            "Mayotte : ses cotisations propres (ordonnance n° 96-1122) ne sont appliquées qu'à partir des revenus "
            "2025 ; les montants sont ceux de la métropole."
        )
    if situation.pension_invalidite_mois:
        months = situation.pension_invalidite_mois
        out.append(
            f"Pension d'invalidité ({months} mois sur {law.inv_mois_par_an}) : maladie-maternité, indemnités "
            "journalières (CSS D621-4) et retraite complémentaire (CSS D635-2) exonérées au prorata des mois de "
            "pension ; les autres cotisations restent dues."
        )
    if situation.exoneration_age:
        out.append(
            "Exonération de la cotisation invalidité-décès liée à l'âge, maintenue pour ceux qui l'avaient obtenue "
            "avant sa suppression en 2015."
        )
    mayotte_rules = overseas == MAYOTTE and result.pass_annuel != law.pass_annuel
    if situation.acre and overseas != OUTRE_MER and not mayotte_rules:
        out.append(_acre_sentence(result, law, exempted))
    return out


def _acre_sentence(result: Simulation, law: LawSnapshot, exempted: Decimal) -> str:
    from echeancier.kernel.fmt import format_euros, format_rate
    from echeancier.kernel.money import round_places

    months = law.acre_duree_mois
    if not result.acre_fraction:
        return f"ACRE : les {months} mois d'exonération ne couvrent pas cette année, aucune exonération."
    pass_ = "du PASS proratisé" if result.pass_proratise != result.pass_annuel else "du PASS"
    if not exempted:
        return (
            f"ACRE : aucune exonération, l'assiette atteint {_pass_share(law.acre_seuil_sortie, pass_)} (CSS D131-6-1)."
        )
    details = ""
    # The cap the rules applied: an activity created before the year may have its own (docs/law-choices.md, 280).
    maximum = getattr(result.explanation, "law", law).acre_exoneration_maximale
    if maximum < 1:
        details += f" dans la limite de {format_rate(maximum, 0)} des cotisations,"
    if result.acre_fraction < 1:
        share = format_rate(round_places(result.acre_fraction, 4))
        details += f" sur la part de l'année couverte par les {months} premiers mois ({share}),"
    return (
        f"ACRE : {format_euros(exempted)} d'exonération de début d'activité,{details} maximale sous "
        f"{_pass_share(law.acre_seuil_degressivite, pass_)} et dégressive jusqu'à "
        f"{_pass_share(law.acre_seuil_sortie, pass_)} ; la retraite complémentaire, la CSG-CRDS et la CFP restent "
        "dues (CSS L131-6-4, D131-6-1)."
    )


def _forfait_block(forfait: Simulation, law: LawSnapshot) -> list[str]:
    from echeancier.kernel.fmt import format_euros

    pass_ = "du PASS proratisé" if forfait.pass_proratise != forfait.pass_annuel else "du PASS"
    title = (
        f"Cotisations provisionnelles de début d'activité (assiette forfaitaire de "
        f"{_pass_share(law.forfait_assiette, suffix=pass_)} : {format_euros(forfait.assiette_sociale)})"
    )
    width = max(len(line.label) for line in forfait.lines) + 2
    amounts = [format_euros(line.amount) for line in forfait.lines] + [format_euros(forfait.total)]
    number_width = max(len(amount) for amount in amounts)
    out = [title]
    for line, amount in zip(forfait.lines, amounts, strict=False):
        out.append(f"  {line.label.ljust(width)}{amount.rjust(number_width)}")
    out.append(f"  {'Total'.ljust(width)}{amounts[-1].rjust(number_width)}")
    exempted = sum((line.exoneration for line in forfait.lines), Decimal(0))
    if exempted:
        label = next(line.exoneration_label for line in forfait.lines if line.exoneration)
        out.append(f"  Montants nets de l'{label} ({format_euros(exempted)}).")
    out.append(
        f"  Appelées les {law.forfait_duree_annees} premières années civiles faute de revenu connu, puis "
        "régularisées sur le revenu déclaré, c'est-à-dire sur les montants du tableau principal "
        "(CSS L131-6-2, R131-2-1, D131-1)."
    )
    return out


def _pass_share(fraction: Decimal, suffix: str = "du PASS") -> str:
    """A multiple of the PASS as people say it: 19 % du PASS, 130 % du PASS, 5 PASS."""
    from echeancier.kernel.fmt import format_number, format_rate

    if fraction > 1 and fraction == fraction.to_integral_value():
        return f"{format_number(fraction)} PASS"
    return f"{format_rate(fraction, 0)} {suffix}"


# --- echeancier law ------------------------------------------------------------------------------------------


def _today() -> date:
    return date.today()


@law_app.command("status")
def law_status(
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="AAAA-MM-JJ", help="Date de contrôle (par défaut aujourd'hui).", show_default=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Résultat en JSON sur une ligne.")] = False,
) -> None:
    """Liste les fichiers de paramètres, leur date de validité et les années couvertes ; statut 1 si périmés."""
    day = _parse_date("--on", on) or _today()
    from echeancier.law.loader import LawError, load_law

    with _errors(LawError):
        law = load_law()
        stale = {f.name for f in law.stale(day)}
        if as_json:
            sys.stdout.write(json.dumps(status_document(law, day), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(_render_status(law, day, stale, _supported_years(law)))
    if stale:
        raise typer.Exit(EXIT_STALE)


def status_document(law: Law, day: date) -> dict[str, Any]:
    """`law status --json` (and `GET /v1/law/parameters`): each parameter file, its validity and its years."""
    stale = {f.name for f in law.stale(day)}
    return {
        "date": day.isoformat(),
        "supported_years": list(_supported_years(law)),
        "stale": sorted(stale),
        "files": [
            {
                "name": f.name,
                "description": f.description,
                "last_value_still_valid_on": f.valid_until.isoformat(),
                "income_years": list(_file_years(f)),
                "stale": f.name in stale,
            }
            for f in law.files
        ],
    }


def _supported_years(law: Law) -> range:
    return range(law.first_date.year, law.last_date.year + 1)


def _file_years(parameter_file: ParameterFile) -> tuple[int, int]:
    """First and last income year whose 1 January every parameter of the file covers (R613-17)."""
    first = max(p.values[0].start for p in parameter_file.parameters)
    first_year = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    return first_year, parameter_file.valid_until.year


def _render_status(law: Law, day: date, stale: set[str], years: range) -> str:
    from echeancier.kernel.fmt import format_date

    header = ("Fichier", "Valide jusqu'au", "Années", "État")
    rows = [
        (
            f.name,
            format_date(f.valid_until),
            "{} à {}".format(*_file_years(f)),
            "PÉRIMÉ" if f.name in stale else "à jour",
        )
        for f in law.files
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    out = [f"Paramètres de la loi au {format_date(day)}", ""]
    for row in (header, *rows):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    out.append("")
    if years:
        out.append(f"Années de revenus couvertes : {years[0]} à {years[-1]}")
    else:
        out.append("Aucune année de revenus entièrement couverte")
    if stale:
        out.append(
            f"{len(stale)} fichier(s) périmé(s) : valeurs non vérifiées au {format_date(day)}, à mettre à jour "
            "(last_value_still_valid_on)."
        )
    return "\n".join(out) + "\n"


@law_app.command("show")
def law_show(
    key: Annotated[str, typer.Argument(metavar="CLÉ", help="Paramètre, ex. plafond_securite_sociale.annuel.")],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="AAAA-MM-JJ", help="Date (par défaut aujourd'hui).", show_default=False),
    ] = None,
) -> None:
    """Affiche la valeur d'un paramètre à une date, avec son unité, sa référence et sa source."""
    day = _parse_date("--on", on) or _today()
    from echeancier.law.loader import UNITS, LawError, load_law

    with _errors(LawError):
        law = load_law()
        if key not in law.parameters:
            _fail("CLÉ", unknown_key(law, key))
        parameter = law.parameter(key)
        value = parameter.at(day)
        from echeancier.kernel.fmt import format_date

        out = [f"{parameter.key} — {parameter.description}"]
        out.append(f"Valeur au {format_date(day)} : {_format_value(parameter, value.value)}")
        out.append(f"En vigueur depuis le {format_date(value.start)}")
        out.append(f"Unité : {parameter.unit} ({UNITS[parameter.unit]})")
        out.append(f"Référence : {value.reference}")
        out.append(f"Source : {value.url or 'non renseignée'}")
        out.append(f"Vérifié valable jusqu'au {format_date(parameter.valid_until)}")
        sys.stdout.write("\n".join(out) + "\n")


def unknown_key(law: Law, key: str) -> str:
    """Why `key` is not a parameter, with the closest names (`law show`, `GET /v1/law/parameters/{name}`)."""
    import difflib

    in_file = [name for name in law.parameters if name.startswith(f"{key}.")]
    if in_file:
        return f"{key!r} est un fichier de paramètres ; ses paramètres : {', '.join(in_file)}"
    close = difflib.get_close_matches(key, list(law.parameters), n=3, cutoff=0.6)
    hint = f" ; vouliez-vous dire {', '.join(close)} ?" if close else " ; `echeancier law status` liste les fichiers"
    return f"paramètre inconnu {key!r}{hint}"


def _format_value(parameter: Parameter, value: ParamValue) -> str:
    from echeancier.kernel.fmt import format_date, format_euros, format_number, format_rate

    if value is None:
        return "sans objet à cette date"
    unit = parameter.unit
    if isinstance(value, tuple):
        points = "; ".join(f"{_pass_share(threshold)} : {format_rate(rate)}" for threshold, rate in value)
        return f"barème progressif ({points})"
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return format_date(value)
    if unit == "rate":
        return format_rate(value)
    if unit == "euro":
        if Decimal(value) != Decimal(value).quantize(Decimal("0.01")):  # e.g. an RCI point value, 21.726 €
            return f"{format_number(value)}\u00a0€"
        return format_euros(value)
    if unit == "euro_per_hour":
        return f"{format_euros(value)} de l'heure"
    if unit == "pass_fraction":
        return _pass_share(Decimal(value))
    words = {"hours": "heures", "days": "jours", "months": "mois"}
    return f"{format_number(value)} {words[unit]}" if unit in words else format_number(value)


# --- echeancier schedule -----------------------------------------------------------------------------------

SCHEDULE_FORMATS = ("table", "json", "csv", "csv-fr", "ics", "pdf")


@commands.command()
def schedule(
    scenario: Annotated[
        str | None,
        typer.Argument(
            metavar="SCÉNARIO.yaml",
            help="Le cotisant, ses revenus et les événements de son compte.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="table (tableau en français), json (une ligne), csv, csv-fr (Excel français), ics (agenda) ou pdf "
            "(document en français, avec --output ou une redirection).",
        ),
    ] = "table",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="AAAA-MM-JJ",
            help="Date de situation : les événements postérieurs sont ignorés (défaut : fin de la dernière année).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", metavar="FICHIER", help="Écrit le document dans ce fichier.", show_default=False),
    ] = None,
    input_file: Annotated[
        str | None,
        typer.Option(
            "--input",
            metavar="FICHIER|DOSSIER",
            help="Un fichier de clients (.csv, .xlsx, .parquet, un client par ligne) ou un dossier de scénarios : "
            "un échéancier fusionné avec une colonne client (--output .csv, .xlsx ou .parquet), ou un document "
            "par client (--output-dir).",
            show_default=False,
        ),
    ] = None,
    output_dir: Annotated[
        str | None,
        typer.Option(
            "--output-dir",
            metavar="DOSSIER",
            help="Avec --input : un document par client dans ce dossier, au format de --format.",
            show_default=False,
        ),
    ] = None,
    errors_file: Annotated[
        str | None,
        typer.Option(
            "--errors",
            metavar="FICHIER",
            help="Avec --input : les clients en erreur dans ce fichier plutôt que sur la sortie d'erreur.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Échéancier des cotisations (CSS L613-3 al. 2) : dates et montants de chaque échéance, à partir d'un scénario."""
    if input_file is not None:
        if scenario is not None:
            _fail("--input", f"ne se combine pas avec un scénario ({scenario})")
        from echeancier.cli_portfolio import schedule_input

        raise typer.Exit(schedule_input(input_file, output, output_dir, output_format, as_of, errors_file))
    if scenario is None:
        _fail("SCÉNARIO.yaml", "obligatoire (ou --input FICHIER|DOSSIER pour un portefeuille)")
    for option, value in (("--output-dir", output_dir), ("--errors", errors_file)):
        if value is not None:
            _fail(option, "s'utilise avec --input")
    chosen = output_format.strip().lower()
    if chosen not in SCHEDULE_FORMATS:
        _fail("--format", f"format inconnu {output_format!r} (formats : {', '.join(SCHEDULE_FORMATS)})")
    day = _parse_date("--as-of", as_of)
    if chosen == "pdf" and output is None and sys.stdout.isatty():
        _fail("--format", "pdf is a binary document: give --output FILE or redirect standard output")
    text = _read_scenario(scenario)

    from echeancier.documents import echeancier as documents
    from echeancier.law.loader import LawError
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import ScenarioError, loads_scenario

    with _errors(LawError):
        try:
            parsed = loads_scenario(text)
            result = build_echeancier(parsed, day)
        except ScenarioError as error:
            _fail(scenario, str(error))
        if chosen == "json":
            document = json.dumps(documents.to_json(result), ensure_ascii=False) + "\n"
        elif chosen in ("csv", "csv-fr"):
            document = documents.to_csv(result, french=chosen == "csv-fr")
        elif chosen == "ics":
            document = documents.to_ics(result, Path(scenario).name)
        elif chosen == "pdf":
            from echeancier.documents.pdf import schedule_pdf

            _write_binary(output, schedule_pdf(result, parsed, issued_on=_today()), "--output")
            return
        else:
            document = documents.to_table(result)
    if output is None:
        sys.stdout.write(document)
        return
    try:
        Path(output).write_text(document, encoding="utf-8", newline="")
    except OSError as error:
        _fail("--output", f"écriture impossible dans {output} ({error.strerror})")


def _write_binary(output: str | None, data: bytes, option: str) -> None:
    """A binary document to `output`, or to standard output when it is not a terminal (checked before)."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as error:
        _fail(option, f"cannot write {output} ({error.strerror})")


def _read_scenario(path: str) -> str:
    """The scenario file's text; a file that cannot be read, or longer than the input layer's MAX_YAML_BYTES, is
    bad input (exit 2), named with its path. No more than the limit is ever read (a FIFO or /dev/zero included)."""
    from echeancier.kernel.inputs import MAX_YAML_BYTES

    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_YAML_BYTES + 1)
    except IsADirectoryError:
        _fail(path, "est un dossier, pas un fichier de scénario")
    except FileNotFoundError:
        _fail(path, "fichier introuvable")
    except OSError as error:
        _fail(path, f"lecture impossible ({error.strerror})")
    if len(data) > MAX_YAML_BYTES:
        _fail(path, f"fichier trop long (plus de {MAX_YAML_BYTES} octets)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        _fail(path, f"ligne {line} : texte qui n'est pas de l'UTF-8 (octet 0x{data[error.start]:02x})")


# --- echeancier organism -----------------------------------------------------------------------------------


@commands.command()
def organism(
    code: Annotated[
        str,
        typer.Argument(
            metavar="CODE", help="Code INSEE du département ou de la collectivité du lieu d'activité (75, 2A, 974…)."
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="AAAA-MM-JJ", help="Date (par défaut aujourd'hui).", show_default=False),
    ] = None,
    commune: Annotated[
        str | None,
        typer.Option(
            "--commune",
            metavar="CODE_INSEE",
            help="Code INSEE de la commune, pour une commune servie par un autre organisme que son département.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Résultat en JSON sur une ligne.")] = False,
) -> None:
    """Organisme qui recouvre les cotisations d'un travailleur indépendant selon son lieu d'activité (CSS R613-6)."""
    day = _parse_date("--on", on) or _today()
    from echeancier.organisms import UnknownTerritory, organism_for

    with _errors():
        try:
            found = organism_for(code, day)
        except UnknownTerritory as error:
            _fail("CODE", error.message)
        if commune is not None:
            try:
                found = organism_for(code, day, commune=commune)
            except UnknownTerritory as error:
                _fail("--commune", error.message)
        if as_json:
            sys.stdout.write(json.dumps(found.to_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(render_organism(found, day))


def render_organism(found: Organism, day: date) -> str:
    """The organism in French: who collects, where, since when and by which articles."""
    from echeancier.kernel.fmt import format_date
    from echeancier.organisms import OrganismKind

    out = [
        f"Organisme de recouvrement pour {found.territory} ({found.code}) au {format_date(day)} :",
        f"  {found.name} ({found.kind.value})",
        f"Référence : {found.reference}",
        f"Source : {found.url}",
        f"En vigueur depuis le {format_date(found.since)}",
    ]
    if found.overseas:
        rules = (
            "de Mayotte (ordonnance 96-1122)"
            if found.kind is OrganismKind.CSS
            else "de l'outre-mer (CSS L751-1 et suivants)"
        )
        out.append(
            f"Les règles de cotisation {rules} ne sont pas encore appliquées : l'échéancier calcule les montants "
            "avec les règles de la métropole et le signale sur chaque document."
        )
    return "\n".join(out) + "\n"


# --- echeancier serve -------------------------------------------------------------------------------------------


@commands.command()
def serve(
    host: Annotated[str, typer.Option("--host", metavar="HÔTE", help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", min=1, max=65535, help="Port d'écoute.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Base des comptes : sqlite:///FICHIER ou postgresql+psycopg://… (défaut : ECHEANCIER_DATABASE_URL, "
            "sinon echeancier.db dans le dossier courant, comme les commandes account).",
            show_default=False,
        ),
    ] = None,
    rate_limit: Annotated[
        int,
        typer.Option(
            "--rate-limit",
            metavar="N",
            min=0,
            help="Requêtes par minute et par client sur l'API publique (0 : sans limite).",
        ),
    ] = 600,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            metavar="N",
            min=1,
            max=64,
            help="Processus serveurs (un par cœur ; la limite de débit s'applique dans chacun).",
        ),
    ] = 1,
) -> None:
    """Lance l'API (/v1, /openapi.json) et la page web du simulateur (/)."""
    try:
        import uvicorn

        from echeancier.api import Settings, create_app
    except ImportError as error:  # pragma: no cover - the dependencies are in pyproject.toml
        _internal_error(error)
    from echeancier.store import default_url

    try:
        settings = Settings(db_url=db or default_url(), rate_limit=rate_limit)
    except ValueError as error:
        _fail("--db", str(error).removeprefix("--db: "))
    from echeancier.cli_account import _expected
    from echeancier.store import migrate

    with _errors(*_expected()):
        migrate(settings.db_url)  # the account store is created, or brought to the latest schema, before serving
    print(f"echeancier : simulateur et API sur http://{host}:{port}/ (Ctrl+C pour arrêter)", file=sys.stderr)
    if workers > 1:
        from echeancier.api.app import ENVIRONMENT

        os.environ[ENVIRONMENT["db_url"]] = settings.db_url
        os.environ[ENVIRONMENT["rate_limit"]] = str(settings.rate_limit)
        target = "echeancier.api.app:app_from_environment"
        uvicorn.run(target, factory=True, workers=workers, host=host, port=port, log_level="warning")
        return
    with _errors():
        application = create_app(settings)
    uvicorn.run(application, host=host, port=port, log_level="warning")


# --- entry point -----------------------------------------------------------------------------------------------


def main() -> None:
    """Console script `echeancier` (the group's `main` turns every failure into a line and an exit status)."""
    app(prog_name="echeancier")


if __name__ == "__main__":
    main()
