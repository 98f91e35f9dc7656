"""Contribution à la formation professionnelle — C. trav. L6331-48; CGI 1601 B for artisans.

A share of the annual PASS, never prorated: 0.25 % for commerçants and professions libérales, 0.29 % for
artisans (0.34 % for a commerçant or libéral with a conjoint collaborateur). Called with the November instalment.
Not exempted by ACRE.
"""

from __future__ import annotations

from echeancier.contributions.context import Context
from echeancier.contributions.result import Line, Tranche
from echeancier.contributions.situation import Profession
from echeancier.kernel.money import round_euro

REFERENCES = {
    Profession.artisan: "C. trav. L6331-48; CGI 1601 B",
    Profession.commercant: "C. trav. L6331-48",
    Profession.liberal: "C. trav. L6331-48",
}


def formation_professionnelle(ctx: Context) -> Line:
    law = ctx.law
    rate = {
        Profession.artisan: law.cfp_taux_artisan,
        Profession.commercant: law.cfp_taux_commercant,
        Profession.liberal: law.cfp_taux_liberal,
    }[ctx.profession]
    base = law.pass_annuel
    gross = base * rate
    return Line(
        "formation_professionnelle",
        base=base,
        rate=rate,
        amount=round_euro(gross),
        reference=REFERENCES[ctx.profession],
        tranches=(Tranche("PASS", base, rate, gross),),
        gross=round_euro(gross),
    )
