"""Contribution à la formation professionnelle — C. trav. L6331-48; CGI 1601 B for artisans.

A share of the annual PASS, never prorated: 0.25 % for commerçants and professions libérales, 0.29 % for
artisans (0.34 % for a commerçant or libéral with a conjoint collaborateur). Called with the November instalment.
Not exempted by ACRE.
"""

from __future__ import annotations

from decimal import Decimal

from echeancier.contributions.exact import Bools, Ints, Ops
from echeancier.contributions.result import Line, Tranche
from echeancier.contributions.situation import Profession
from echeancier.law.snapshot import Figures, LawSnapshot

KEY = "formation_professionnelle"
PROFESSIONS: tuple[Profession, ...] = tuple(Profession)  # the profession codes of the rules: their order here
REFERENCES = {
    Profession.artisan: "C. trav. L6331-48; CGI 1601 B",
    Profession.commercant: "C. trav. L6331-48",
    Profession.liberal: "C. trav. L6331-48",
    Profession.liberal_reglementee: "C. trav. L6331-48",
}


def rule(k: Ops, law: Figures, profession: Ints, conjoint: Bools | None = None) -> Ints:
    """The CFP in euros: the rate of the profession × the annual PASS, rounded half up (`Figures.cfp`); for a
    commerçant or libéral with a conjoint collaborateur (`conjoint`), the rate of L6331-48 2° (`Figures.cfp_conjoint`;
    an artisan's rate of CGI 1601 B is not raised)."""
    cfp = k.take(law.cfp, profession)
    if conjoint is None:
        return cfp
    return k.where(conjoint & (profession != 0), law.cfp_conjoint, cfp)


def explain(amount: int, profession: Profession, law: LawSnapshot, conjoint: bool = False) -> Line:
    rate = {
        Profession.artisan: law.cfp_taux_artisan,
        Profession.commercant: law.cfp_taux_commercant,
        Profession.liberal: law.cfp_taux_liberal,
        Profession.liberal_reglementee: law.cfp_taux_liberal,
    }[profession]
    reference = REFERENCES[profession]
    if conjoint and profession != Profession.artisan:
        rate, reference = law.cfp_taux_conjoint_collaborateur, "C. trav. L6331-48 2°"
    base = law.pass_annuel
    return Line(
        KEY,
        base=base,
        rate=rate,
        amount=Decimal(amount),
        reference=reference,
        tranches=(Tranche("PASS", base, rate, base * rate),),
        gross=Decimal(amount),
    )
