"""A portfolio file of situations simulated at once: one row per client in, one row per client out.

The columns (any order, names with or without accents, any case; the contract's names or the French ones):

| field | names | cell |
|---|---|---|
| `id` | `id`, `client`, `identifiant`, `reference`, `dossier`, `code_client` | a text, echoed back |
| `name` | `nom`, `raison_sociale`, `name` | a text, echoed back |
| `year` | `year`, `annee`, `annee_revenus`, `exercice` | the income year, 2023… |
| `profession` | `profession`, `metier` | artisan, commerçant, libéral (`profession libérale`), libérale réglementée |
| `income` | `income`, `revenu`, `revenus` | the income the law's base starts from (see below) |
| | `revenu_professionnel` | the revenu professionnel: years up to 2024 only |
| | `revenu_brut` | the revenu brut, before contributions and the abatement: years from 2025 only |
| `income_nature` | `nature_revenu`, `income_nature` | `professionnel` or `brut`, saying what `revenu` is |
| `start_date` | `start_date`, `date_debut`, `debut_activite`, `date_creation` | the creation of the activity |
| `end_date` | `end_date`, `date_fin`, `date_cessation` | its cessation |
| `acre`, `rsa`, `income_is_net` | `acre`, `rsa`, `income_is_net`, `net` | oui/non, true/false, 1/0, x or empty |
| `conjoint_collaborateur` | `conjoint_collaborateur`, `conjoint` | `forfaitaire`, `tiers sans partage`… or empty |
| `department` | `departement`, `dept`, `code_departement`, `department` | COG code (75, 2A, 971…); empty: metropole |
| `exoneration_debut_outre_mer` | `exoneration_debut_activite_outre_mer`, `exoneration_debut_outre_mer` | L756-2 |
| `abattement_outre_mer` | `abattement_outre_mer` | oui/non, empty: oui (the abattement of L756-4 overseas) |
| `section` | `section`, `section_professionnelle`, `caisse` | a profession libérale réglementée's: cipav, carmf… |
| `pension_invalidite_mois` | `mois_pension_invalidite`, `pension_invalidite_mois` | months (0–12), empty: 0 |
| `exoneration_age` | `exoneration_age`, `exoneration_invalidite_deces_age` | oui/non… (exemption by age) |
| `secteur` | `secteur`, `secteur_conventionnel` | a médecin's secteur (carmf): 1, 2, non_conventionne |
| `metier` | `metier_sante`, `profession_sante` | a CARCDSF member's: chirurgien_dentiste, sage_femme |
| `classe_cnbf` | `classe_cnbf`, `classe_cotisation_cnbf` | an avocat's class of the CNBF's complémentaire: 1, 2, 2+ |
| `remplacant` | `remplacant` | oui/non… (a praticien conventionné only a remplaçant: no CURPS) |

LAW: the income the law starts from changed with the réforme de l'assiette (LFSS 2024 art. 18, décret
2024-688; CSS L131-6 and L136-3 for the incomes of 2025 on, the `apres_reforme` of the law snapshot): the
revenu professionnel up to 2024, the revenu brut from 2025. A column called only `revenu` does not say which
one a row holds. In a file whose years are all on one side of the reform, each row is read as that side's
income, as `simulate --income` is; a file with years on both sides must say it (two columns, or a
`nature_revenu` column), else it is refused as a whole rather than half misread (docs/law-choices.md row 150).
A nature contradicting the year is an error of that row (row 151).

Each row is read by the input layer (`kernel/inputs.py`) and checked as one `Situation` (the same rules and
messages as `echeancier simulate`); the valid rows are computed together by `simulate_many` (equal to `simulate`
row by row), the invalid ones are reported with their row number and column, in French.

The output has the eight contributions, then the conjoint collaborateur's four when the file has a conjoint column,
the health sections' PCV, contribution additionnelle maladie and CURPS when it has a section column (0 on the other
rows), then the total, which includes them all: the columns follow the file's columns, not its rows, so that one
layout always gives the same columns, and a file without these columns the output it always had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from echeancier.contributions.conjoint_collaborateur import COLUMNS as CONJOINT_COLUMNS
from echeancier.contributions.conjoint_collaborateur import KEYS as CONJOINT_KEYS
from echeancier.contributions.result import CONTRIBUTIONS, LABELS
from echeancier.contributions.situation import MAX_INCOME
from echeancier.kernel.inputs import InputError, check_text, parse_date, parse_euros, parse_flag, parse_whole, shown
from echeancier.portfolio.tables import Column, Table, TableError, cell_text, normalise_name

__all__ = ["ALIASES", "RowError", "SimulatedPortfolio", "simulate_table"]

# field -> the normalised column names that give it (French names first, then the contract's)
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("client", "identifiant", "reference", "ref", "dossier", "code_client", "numero_client", "id"),
    "name": ("nom", "raison_sociale", "name"),
    "year": ("annee", "annee_revenus", "annee_des_revenus", "exercice", "year"),
    "profession": ("profession", "metier"),
    "income": ("revenu", "revenus", "montant_revenu", "income"),
    "income_professionnel": ("revenu_professionnel", "professional_income"),
    "income_brut": ("revenu_brut", "gross_income"),
    "income_nature": ("nature_revenu", "nature_du_revenu", "type_revenu", "income_nature"),
    "start_date": (
        "date_debut",
        "date_de_debut",
        "debut_activite",
        "date_debut_activite",
        "date_de_debut_d_activite",
        "date_creation",
        "start_date",
    ),
    "end_date": ("date_fin", "date_de_fin", "fin_activite", "date_cessation", "end_date"),
    "acre": ("acre",),
    "rsa": ("rsa",),
    "income_is_net": ("revenu_net_de_cotisations", "net", "income_is_net"),
    "conjoint_collaborateur": ("conjoint_collaborateur", "conjoint"),
    "section": ("section", "section_professionnelle", "caisse"),
    "pension_invalidite_mois": ("mois_pension_invalidite", "pension_invalidite_mois"),
    "exoneration_age": ("exoneration_invalidite_deces_age", "exoneration_age"),
    "secteur": ("secteur", "secteur_conventionnel"),
    "metier": ("metier_sante", "profession_sante"),
    "classe_cnbf": ("classe_cnbf", "classe_cotisation_cnbf"),
    "remplacant": ("remplacant",),
    "department": ("departement", "dept", "code_departement", "department"),
    "exoneration_debut_outre_mer": ("exoneration_debut_activite_outre_mer", "exoneration_debut_outre_mer"),
    "abattement_outre_mer": ("abattement_outre_mer",),
}
# Names that are only French: a file using one of them writes its dates jj/mm/aaaa if it wants to.
_CONTRACT_NAMES = frozenset(
    {"id", "name", "year", "profession", "income", "income_nature", "start_date", "end_date", "income_is_net"}
    | {"acre", "rsa", "professional_income", "gross_income", "net", "conjoint_collaborateur", "section"}
    | {"pension_invalidite_mois", "exoneration_age", "secteur", "classe_cnbf", "remplacant", "department"}
    | {"exoneration_debut_outre_mer", "abattement_outre_mer"}
)
FRENCH_NAMES = frozenset(name for names in ALIASES.values() for name in names if name not in _CONTRACT_NAMES)
PROFESSION_NAMES = {
    "artisan": "artisan",
    "commercant": "commercant",
    "liberal": "liberal",
    "liberale": "liberal",
    "profession_liberale": "liberal",
    "liberal_reglementee": "liberal_reglementee",
    "liberale_reglementee": "liberal_reglementee",
    "profession_liberale_reglementee": "liberal_reglementee",
}
NATURES = {"professionnel": "professionnel", "revenu_professionnel": "professionnel", "brut": "brut"}
NATURES["revenu_brut"] = "brut"


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be computed: its number in the file, the column (as written) and why, in French."""

    row: int
    field: str
    message: str

    def line(self) -> str:
        return f"ligne {self.row} : {self.field} : {self.message}"


@dataclass(slots=True)
class SimulatedPortfolio:
    """The output table (one row per input row, in order) and the rows that failed."""

    columns: list[Column]
    rows: list[list[Any]]
    errors: list[RowError]
    french: bool


def columns_of(table: Table, aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """field -> index of its column; TableError for an unknown column or a field given by two columns."""
    known = {name: field for field, names in aliases.items() for name in names}
    found: dict[str, int] = {}
    for index, header in enumerate(table.header):
        name = normalise_name(header)
        if not header.strip():
            raise TableError(table.path, f"colonne {index + 1} sans nom sur la ligne d'en-tête")
        field = known.get(name)
        if field is None:
            listed = ", ".join(names[0] for names in aliases.values())
            raise TableError(table.path, f"colonne {header!r} inconnue (colonnes connues : {listed})")
        if field in found:
            first = table.header[found[field]]
            raise TableError(table.path, f"les colonnes {first!r} et {header!r} donnent la même valeur ({field})")
        found[field] = index
    return found


def is_french(table: Table) -> bool:
    """A French file: separated by ';' (French spreadsheets) or with a French column name."""
    return table.semicolon or any(normalise_name(h) in FRENCH_NAMES for h in table.header)


def whole_cell(value: Any, field: str, minimum: int, maximum: int) -> int:
    """A whole number of a cell: a spreadsheet's number cell (2025.0) is a whole number when it has no fraction."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return parse_whole(value, field, minimum=minimum, maximum=maximum)


def year_cell(value: Any, field: str) -> int:
    return whole_cell(value, field, 1900, 2200)


@lru_cache(maxsize=256)
def _profession_name(value: str) -> str:
    return PROFESSION_NAMES.get(normalise_name(value), value)


def _profession(value: Any) -> Any:
    return _profession_name(value) if isinstance(value, str) and len(value) < 64 else value


@lru_cache(maxsize=64)
def after_reform(year: int) -> bool | None:
    """Whether the law's base of `year` starts from the revenu brut (None if no parameters cover `year`)."""
    from echeancier.law.loader import LawError
    from echeancier.law.snapshot import snapshot, supported_years

    if year not in supported_years():
        return None
    try:
        return bool(snapshot(year).apres_reforme)
    except LawError:
        return None


def _check_mixed_years(table: Table, cols: dict[str, int]) -> None:
    """A lone `revenu` column over years on both sides of the reform: refused (see the module docstring)."""
    if "income" not in cols or "income_nature" in cols:
        return
    sides: dict[bool, int] = {}
    for _, cells in table.rows:
        if cell_of(cells, cols["income"]) is None:  # this row gives its income in a column that says which
            continue
        try:
            year = year_cell(cell_of(cells, cols.get("year")), "year")
        except InputError:
            continue
        side = after_reform(year)
        if side is not None and side not in sides:
            sides[side] = year
    if len(sides) == 2:
        header = table.header[cols["income"]]
        raise TableError(
            table.path,
            f"la colonne {header!r} mêle des revenus {sides[False]} (revenu professionnel) et {sides[True]} "
            "(revenu brut, avant cotisations et abattement, depuis la réforme des revenus 2025) sans dire lequel "
            "chaque ligne donne : nommer les colonnes revenu_professionnel et revenu_brut, ou ajouter une colonne "
            "nature_revenu (professionnel ou brut)",
        )


def cell_of(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def read_row(
    table: Table,
    cols: dict[str, int],
    cells: list[Any],
    french: bool,
    header: dict[str, str] | None = None,
    *,
    optional: tuple[str, ...] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The situation fields of a row, read by the input layer; InputError naming the column as written.

    `header`: field -> the column's name as written (computed from `cols` when not given); `optional`: the
    optional fields the file has a column for (`present_fields(header)` when not given)."""
    if header is None:
        header = {field: table.header[index] for field, index in cols.items()}
    if len(cells) > len(table.header) and any(c is not None for c in cells[len(table.header) :]):
        raise InputError("ligne", f"{len(cells)} cellules pour {len(table.header)} colonnes")
    data: dict[str, Any] = {}
    ident = cell_of(cells, cols.get("id"))
    if ident is not None:
        data["id"] = check_text(cell_text(ident), header.get("id", "id"))
    written_year = cell_of(cells, cols.get("year"))
    if written_year is None:
        raise InputError(header.get("year", "annee"), "est obligatoire")
    data["year"] = year_cell(written_year, header.get("year", "annee"))
    data["profession"] = _profession(cell_of(cells, cols.get("profession")))
    income, nature = _income(cells, cols, header)
    data["income"] = parse_euros(income, "income", maximum=MAX_INCOME, negative=True)  # as `Situation` reads it
    if nature is not None:
        after = after_reform(data["year"])
        column = header.get(f"income_{nature}") or header["income_nature"]
        if after is True and nature == "professionnel":
            raise InputError(
                column,
                f"les revenus {data['year']} se déclarent en revenu brut (avant cotisations et abattement, "
                "réforme des revenus 2025) : donner le revenu brut, pas le revenu professionnel",
            )
        if after is False and nature == "brut":
            raise InputError(
                column,
                f"jusqu'aux revenus 2024 la loi part du revenu professionnel : donner celui de {data['year']}, pas "
                "le revenu brut",
            )
    for field in ("start_date", "end_date"):
        value = cell_of(cells, cols.get(field))
        if value is not None:
            data[field] = parse_date(value, header[field], french=french)
    for field in ("acre", "rsa", "income_is_net"):
        value = cell_of(cells, cols.get(field))
        data[field] = parse_flag(value, header.get(field, field))
    conjoint = cell_of(cells, cols.get("conjoint_collaborateur"))
    if conjoint is not None:
        # `Tiers sans partage`, `moitié avec partage` → the option names; `Situation` checks them.
        data["conjoint_collaborateur"] = normalise_name(cell_text(conjoint)) or None
    data.update(OPTIONAL_DEFAULTS)
    if optional is None:
        optional = present_fields(header)
    if optional:
        data.update(optional_fields(lambda field: cell_of(cells, cols.get(field)), header, optional))
    return data, header


# The situation's optional fields a file may give in a column of its own (`optional_fields`), and their value
# when the column is absent or the cell empty.
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "pension_invalidite_mois": 0,
    "exoneration_age": False,
    "remplacant": False,
    "exoneration_debut_outre_mer": False,
}
OPTIONAL_FIELDS = (
    *("department", "section", "secteur", "metier", "classe_cnbf", "remplacant", "pension_invalidite_mois"),
    *("exoneration_age", "exoneration_debut_outre_mer", "abattement_outre_mer"),
)


def optional_fields(
    cell: Callable[[str], Any], header: dict[str, str], fields: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The optional fields of a situation (`OPTIONAL_FIELDS`) that a row gives, read as the situation and the
    scenario's contributor take them (the same French cells in a simulation file and a client file); InputError
    naming the column as written. `cell(field)`: the row's cell of that field, None when empty or absent;
    `header`: field -> the column as written; `fields`: the optional fields the file has a column for (only those
    are read; `present_fields(header)`, computed once for a file)."""
    data: dict[str, Any] = {}
    for field in present_fields(header) if fields is None else fields:
        value = cell(field)
        if value is not None:
            data[field] = _OPTIONAL_READERS[field](value, header[field])
    return data


def present_fields(header: dict[str, str]) -> tuple[str, ...]:
    """The optional fields (`OPTIONAL_FIELDS`) a file has a column for."""
    return tuple(field for field in OPTIONAL_FIELDS if field in header)


def _health_name(value: Any, field: str) -> str | None:
    # `Secteur 1`, `1`, `non conventionné`; `Chirurgien-dentiste` → the names `Situation` checks
    text = normalise_name(cell_text(value)) or None
    return text.removeprefix("secteur_") if field == "secteur" and text else text


_OPTIONAL_READERS: dict[str, Callable[[Any, str], Any]] = {
    "department": lambda value, _: cell_text(value).strip(),  # 971, `2A`, `01`: `Situation` checks the code
    "section": lambda value, _: cell_text(value).strip().lower(),  # CIPAV, Cipav: the section's code
    "secteur": lambda value, _: _health_name(value, "secteur"),
    "metier": lambda value, _: _health_name(value, "metier"),
    # `Classe 2+`, `2`, 2 → the class's name
    "classe_cnbf": lambda value, _: cell_text(value).strip().lower().removeprefix("classe").strip() or None,
    "pension_invalidite_mois": lambda value, column: whole_cell(value, column, 0, 12),
    **{
        flag: parse_flag
        for flag in ("remplacant", "exoneration_age", "exoneration_debut_outre_mer", "abattement_outre_mer")
    },
}
assert set(_OPTIONAL_READERS) == set(OPTIONAL_FIELDS)


def _income(cells: list[Any], cols: dict[str, int], header: dict[str, str]) -> tuple[Any, str | None]:
    given = [
        (field, cell_of(cells, cols.get(field)))
        for field in ("income", "income_professionnel", "income_brut")
        if cell_of(cells, cols.get(field)) is not None
    ]
    if not given:
        names = " ou ".join(header[f] for f in ("income", "income_professionnel", "income_brut") if f in header)
        raise InputError(names or "revenu", "est obligatoire")
    if len(given) > 1:
        both = " et ".join(header[f] for f, _ in given)
        raise InputError(both, "un seul revenu par ligne")
    field, value = given[0]
    if field == "income_professionnel":
        return value, "professionnel"
    if field == "income_brut":
        return value, "brut"
    nature_cell = cell_of(cells, cols.get("income_nature"))
    if "income_nature" in cols:
        if nature_cell is None:
            raise InputError(header["income_nature"], "est obligatoire : professionnel ou brut")
        nature = NATURES.get(normalise_name(str(nature_cell)))
        if nature is None:
            raise InputError(header["income_nature"], f"doit être professionnel ou brut (reçu {shown(nature_cell)})")
        return value, nature
    return value, None


CHUNK = 4096  # rows given to `simulate_many` at once; a chunk with an invalid row is checked row by row


def simulate_table(table: Table, progress: Callable[[int], None] | None = None) -> SimulatedPortfolio:
    """Simulate every row of `table`; TableError if the file as a whole cannot be read as situations.

    `progress(n)` is told of `n` more steps done, out of twice the number of rows (reading, then computing).

    Each row's cells are read by the input layer (`read_row`); the rows are then given to `simulate_many` by
    chunks, which checks them with the rules and in the order of a single `Situation` and computes them equal
    to `simulate`. A chunk in which `simulate_many` finds an invalid row is checked row by row as `Situation`s,
    which gives each invalid row its French message; its valid rows are then computed together.
    """
    cols = columns_of(table, ALIASES)
    missing = [f for f in ("year", "profession") if f not in cols]
    if not any(f in cols for f in ("income", "income_professionnel", "income_brut")):
        missing.append("income")
    if missing:
        names = {"year": "annee (year)", "profession": "profession", "income": "revenu (income)"}
        raise TableError(table.path, f"colonne obligatoire absente : {', '.join(names[m] for m in missing)}")
    _check_mixed_years(table, cols)
    french = is_french(table)
    read: list[dict[str, Any] | None] = []
    header: dict[str, str] = {f: table.header[i] for f, i in cols.items()}
    optional = present_fields(header)
    errors: dict[int, RowError] = {}
    for index, (number, cells) in enumerate(table.rows):
        try:
            data, _ = read_row(table, cols, cells, french, header, optional=optional)
        except InputError as error:
            errors[index] = RowError(number, _written(error.field, header), error.message)
            read.append(None)
        else:
            read.append(data)
        if progress is not None and index % 1000 == 999:
            progress(1000)
    if progress is not None:
        progress(len(table.rows) % 1000)
    amounts: dict[int, list[int]] = {}
    valid = [i for i, data in enumerate(read) if data is not None]
    for begin in range(0, len(valid), CHUNK):
        chunk = valid[begin : begin + CHUNK]
        computed = _compute_chunk(table, chunk, read, header, errors)
        amounts.update(computed)
        if progress is not None:
            progress(len(chunk))
    if progress is not None:
        progress(len(table.rows) - len(valid))
    ordered = [errors[i] for i in sorted(errors)]
    return _output(table, cols, read, amounts, errors, ordered, french)


def _compute_chunk(
    table: Table,
    chunk: list[int],
    read: list[dict[str, Any] | None],
    header: dict[str, str],
    errors: dict[int, RowError],
) -> dict[int, list[int]]:
    """The amounts (CONTRIBUTIONS then total) of the rows `chunk`; invalid rows go to `errors`, `read` None."""
    from echeancier.contributions.situation import situation_from_mapping
    from echeancier.contributions.vectorized import RowInputError
    from echeancier.law.loader import LawError

    rows = [read[i] for i in chunk]
    try:
        return dict(zip(chunk, _compute([r for r in rows if r is not None], header), strict=True))
    except (RowInputError, LawError):
        pass
    good: list[int] = []
    for i in chunk:
        data = read[i]
        assert data is not None
        try:
            situation = situation_from_mapping(data)
        except InputError as error:
            errors[i] = RowError(table.rows[i][0], _written(error.field, header), error.message)
            read[i] = None
        else:
            read[i] = {field: getattr(situation, field) for field in FIELDS}
            good.append(i)
    return dict(zip(good, _compute([read[i] for i in good], header), strict=True)) if good else {}


FIELDS = (
    *("year", "profession", "income", "start_date", "end_date", "acre", "rsa", "income_is_net"),
    "conjoint_collaborateur",
    *OPTIONAL_FIELDS,
)


def _value(field: Any) -> str | None:
    """A field of the situation as text for `simulate_many` (an enum's value), None as None."""
    return None if field is None else str(getattr(field, "value", field))


def _written(field: str, header: dict[str, str]) -> str:
    """The column as the file names it, for a field of the situation."""
    if field == "income":
        for name in ("income", "income_professionnel", "income_brut"):
            if name in header:
                return header[name]
    return header.get(field, field)


def _compute(rows: list[Any], header: dict[str, str]) -> list[list[int]]:
    """Every contribution and the total of each row (situation fields read by the input layer), by the
    vectorised path (equal to `simulate`); RowInputError for the first row a `Situation` would refuse.
    `header`: the fields the file has a column for; with a conjoint collaborateur column, the conjoint's four
    contributions, with a section column the health sections' three (`_extra_keys`), come before the total."""
    if not rows:
        return []
    import numpy as np

    from echeancier.contributions.vectorized import simulate_many

    columns = {
        "year": np.array([r["year"] for r in rows], dtype=np.int64),
        "profession": [str(getattr(r["profession"], "value", r["profession"])) for r in rows],
        "income": [r["income"] for r in rows],
        "start_date": [r.get("start_date") for r in rows],
        "end_date": [r.get("end_date") for r in rows],
        "acre": np.array([r["acre"] for r in rows], dtype=np.bool_),
        "rsa": np.array([r["rsa"] for r in rows], dtype=np.bool_),
        "income_is_net": np.array([r["income_is_net"] for r in rows], dtype=np.bool_),
        "section": [
            None if r.get("section") is None else str(getattr(r["section"], "value", r["section"])) for r in rows
        ],
        "pension_invalidite_mois": np.array([r["pension_invalidite_mois"] for r in rows], dtype=np.int64),
        "exoneration_age": np.array([r["exoneration_age"] for r in rows], dtype=np.bool_),
        **{field: [_value(r.get(field)) for r in rows] for field in ("secteur", "metier", "classe_cnbf")},
        "remplacant": np.array([r["remplacant"] for r in rows], dtype=np.bool_),
    }
    if "conjoint_collaborateur" in header:
        options = (r.get("conjoint_collaborateur") for r in rows)
        columns["conjoint_collaborateur"] = [None if o is None else str(getattr(o, "value", o)) for o in options]
    # the overseas fields only when the file has their column: each is a pass over the rows
    if "department" in header:
        columns["department"] = [r.get("department") for r in rows]
    for field, default in (("exoneration_debut_outre_mer", False), ("abattement_outre_mer", True)):
        if field in header:
            columns[field] = np.array([r.get(field, default) for r in rows], dtype=np.bool_)
    out = simulate_many(columns)
    zeros = np.zeros(len(rows), dtype=np.int64)  # a chunk without a health section's row has no such column
    keys = (*CONTRIBUTIONS, *_extra_keys(header), "total")
    return [list(amounts) for amounts in zip(*(out.get(key, zeros).tolist() for key in keys), strict=True)]


def _extra_keys(header: dict[str, str]) -> tuple[str, ...]:
    """The columns of `simulate_many` a file's output shows beside the eight contributions: the conjoint
    collaborateur's four when the file has a conjoint column, the health sections' PCV, contribution additionnelle
    maladie and CURPS (`contributions.pamc.EXTRAS`, 0 on the other rows) when it has a section column."""
    from echeancier.contributions.pamc import EXTRAS

    return (
        *(CONJOINT_COLUMNS if "conjoint_collaborateur" in header else ()),
        *(EXTRAS if "section" in header else ()),
    )


def _output(
    table: Table,
    cols: dict[str, int],
    read: list[dict[str, Any] | None],
    amounts: dict[int, list[int]],
    errors: dict[int, RowError],
    ordered: list[RowError],
    french: bool,
) -> SimulatedPortfolio:
    from echeancier.contributions.pamc import LABELS as SECTION_LABELS

    columns = [Column("row", "Ligne", "int")]
    for echoed in ("id", "name"):
        if echoed in cols:
            columns.append(Column(echoed, table.header[cols[echoed]], "text"))
    columns += [
        Column("year", "Année", "int"),
        Column("profession", "Profession", "text"),
        Column("income", "Revenu", "money"),
        *(Column(key, LABELS[key], "int") for key in CONTRIBUTIONS),
        *(
            Column(f"conjoint_{key}", f"Conjoint : {LABELS[key].lower()}", "int")
            for key in (CONJOINT_KEYS if "conjoint_collaborateur" in cols else ())
        ),
        *(Column(key, SECTION_LABELS[key], "int") for key in (SECTION_LABELS if "section" in cols else ())),
        Column("total", "Total", "int"),
        Column("error", "Erreur", "text"),
    ]
    rows: list[list[Any]] = []
    for index, ((number, cells), data) in enumerate(zip(table.rows, read, strict=True)):
        row: list[Any] = [number]
        for echoed in ("id", "name"):
            if echoed in cols:
                value = cell_of(cells, cols[echoed])
                row.append(None if value is None else cell_text(value))
        if data is None:
            error = errors[index]
            row += [None] * (len(columns) - len(row) - 1)
            row.append(f"{error.field} : {error.message}")
        else:
            profession = str(getattr(data["profession"], "value", data["profession"]))
            row += [data["year"], profession, data["income"], *amounts[index], None]
        rows.append(row)
    return SimulatedPortfolio(columns, rows, ordered, french)
