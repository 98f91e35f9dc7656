"""The rights of a year's contributions as a result: figures for display (Decimal), JSON, and French sentences.

Each right carries the article that decides it and the figures that decide it; `effets` says what ACRE, the RSA
and the first years of activity change for each right (L613-3 al. 1: information on "l'ensemble des droits").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from echeancier.contributions.result import _num, decimal
from echeancier.kernel.dates import add_months
from echeancier.rights.figures import RightsFigures
from echeancier.rights.rules import REFERENCE_IJ, REFERENCE_RCI, REFERENCE_RETRAITE_BASE, DroitsAnnee

_CENT = Decimal(100)

# What the invalidité-décès contribution covers (one sentence each, with its article).
INVALIDITE_DECES: tuple[tuple[str, str], ...] = (
    (
        "La cotisation invalidité-décès ouvre droit à une pension d'invalidité en cas de réduction d'au moins deux "
        "tiers de la capacité de travail, calculée sur le revenu annuel moyen des meilleures années dans la limite "
        "du PASS (30 % en invalidité partielle, 50 % en invalidité totale).",
        "CSS L632-1, R341-4 à R341-6-1",
    ),
    (
        "Elle ouvre droit, au décès de l'assuré, au versement d'un capital décès à ses ayants droit.",
        "CSS L632-1",
    ),
)


def _euros(cents: int) -> Decimal:
    return decimal(cents, 100)


@dataclass(frozen=True, slots=True)
class RetraiteBaseRights:
    trimestres: int
    revenu_cotise: Decimal
    seuil_trimestre: Decimal  # revenu cotisé per quarter (150 hours of SMIC)
    trimestres_maximum: int
    reference: str
    trimestres_assimiles: int = 0  # of an invalidity pension (R351-12 5°), included in `trimestres`
    # a profession libérale of the CNAVPL: the points of the year (L643-1), their value and the pension they add
    points: Decimal | None = None
    valeur_point: Decimal | None = None
    pension_annuelle: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "trimestres": self.trimestres,
            "revenu_cotise": _num(self.revenu_cotise),
            "seuil_trimestre": _num(self.seuil_trimestre),
            "trimestres_maximum": self.trimestres_maximum,
            "reference": self.reference,
        }
        if self.trimestres_assimiles:
            data["trimestres_assimiles"] = self.trimestres_assimiles
        if self.points is not None:
            assert self.valeur_point is not None and self.pension_annuelle is not None
            data["points"] = _num(self.points)
            data["valeur_point"] = _num(self.valeur_point)
            data["pension_annuelle"] = _num(self.pension_annuelle)
        return data


@dataclass(frozen=True, slots=True)
class RetraiteComplementaireRights:
    points: Decimal
    pension_annuelle: Decimal
    valeur_achat: Decimal
    valeur_service: Decimal
    reference: str
    non_calcules: str | None = None  # why the points are not computed (a section's own statuts), None otherwise

    def to_dict(self) -> dict[str, Any]:
        if self.non_calcules is not None:
            return {"non_calcules": self.non_calcules, "reference": self.reference}
        return {
            "points": _num(self.points),
            "pension_annuelle": _num(self.pension_annuelle),
            "valeur_achat": _num(self.valeur_achat),
            "valeur_service": _num(self.valeur_service),
            "reference": self.reference,
        }


@dataclass(frozen=True, slots=True)
class IndemnitesJournalieresRights:
    eligible: bool
    montant_journalier: Decimal  # euros per day
    revenu_annuel_moyen: Decimal
    seuil_revenu: Decimal  # D622-8: 10 % of the PASS
    plafond_journalier: Decimal  # D622-7: the ceiling of the average income (the PASS) / 730, as the rule computed it
    premieres_annees: bool  # D622-7 II applied
    delai_carence_jours: int
    affiliation_suffisante_le: date | None  # D622-1: the date one year of affiliation is reached, when in the future
    reference: str

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "eligible": self.eligible,
            "montant_journalier": _num(self.montant_journalier),
            "revenu_annuel_moyen": _num(self.revenu_annuel_moyen),
            "seuil_revenu": _num(self.seuil_revenu),
            "plafond_journalier": _num(self.plafond_journalier),
            "regle": "D622-7 II" if self.premieres_annees else "D622-7 I",
            "delai_carence_jours": self.delai_carence_jours,
            "reference": self.reference,
        }
        if self.affiliation_suffisante_le is not None:
            data["affiliation_suffisante_le"] = self.affiliation_suffisante_le.isoformat()
        return data


@dataclass(frozen=True, slots=True)
class ConjointRights:
    """The conjoint collaborateur's own rights from their own contributions (CSS L662-1): quarters and points on
    their base, the daily allowance of D622-7 on the base of their IJ contribution."""

    retraite_base: RetraiteBaseRights
    retraite_complementaire: RetraiteComplementaireRights
    ij_eligible: bool
    ij_montant_journalier: Decimal  # euros per day
    ij_reference: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "retraite_base": self.retraite_base.to_dict(),
            "retraite_complementaire": self.retraite_complementaire.to_dict(),
            "indemnites_journalieres": {
                "eligible": self.ij_eligible,
                "montant_journalier": _num(self.ij_montant_journalier),
                "reference": self.ij_reference,
            },
        }


@dataclass(frozen=True, slots=True)
class Rights:
    """The rights the contributions of one income year open (`rights.of_simulation`)."""

    year: int
    retraite_base: RetraiteBaseRights
    retraite_complementaire: RetraiteComplementaireRights
    indemnites_journalieres: IndemnitesJournalieresRights
    effets: tuple[str, ...]  # what ACRE, the RSA and the first years change, in French
    # why the rights are not computed (Mayotte from 2025, the CNBF: their own rules), None otherwise
    non_calcules: str | None = None
    conjoint: ConjointRights | None = None  # the conjoint collaborateur's own rights

    def to_dict(self) -> dict[str, Any]:
        if self.non_calcules is not None:
            return {"non_calcules": self.non_calcules}
        data: dict[str, Any] = {
            "retraite_base": self.retraite_base.to_dict(),
            "retraite_complementaire": self.retraite_complementaire.to_dict(),
            "indemnites_journalieres": self.indemnites_journalieres.to_dict(),
            "invalidite_deces": [{"texte": text, "reference": ref} for text, ref in INVALIDITE_DECES],
            "effets": list(self.effets),
        }
        if self.conjoint is not None:
            data["conjoint_collaborateur"] = self.conjoint.to_dict()
        return data


def affiliation_date(f: RightsFigures, start: date | None) -> date | None:
    """The day one year of affiliation is reached (CSS D622-1: the IJ require it at the date of the arrêt), when
    it is after 1 January of the income year; None otherwise (`simulate --jsonl` writes it per row)."""
    if start is None:
        return None
    reached = add_months(start, f.ij_duree_affiliation_mois)
    return reached if reached > date(f.year, 1, 1) else None


def build(
    f: RightsFigures,
    computed: DroitsAnnee,
    *,
    start: date | None,
    acre: bool,
    rsa: bool,
    minimum: tuple[int, int] | None,
) -> Rights:
    """The result of the integer rules `computed` for one situation (Python ints); `minimum`: (hours, quarters)
    of the minimum base of D633-2 when it replaced a lower income."""
    rb, rci, ij = computed.retraite_base, computed.retraite_complementaire, computed.indemnites_journalieres
    affiliation = affiliation_date(f, start)
    rights = Rights(
        year=f.year,
        retraite_base=RetraiteBaseRights(
            trimestres=int(rb.trimestres),
            revenu_cotise=_euros(rb.revenu_cotise),
            seuil_trimestre=_euros(f.seuil_trimestre),
            trimestres_maximum=f.trimestres_maximum,
            reference=REFERENCE_RETRAITE_BASE,
        ),
        retraite_complementaire=RetraiteComplementaireRights(
            points=decimal(rci.points, 100),
            pension_annuelle=_euros(rci.pension_annuelle),
            valeur_achat=decimal(f.rci_valeur_achat, 1000),
            valeur_service=decimal(f.rci_valeur_service, 1000),
            reference=REFERENCE_RCI,
        ),
        indemnites_journalieres=IndemnitesJournalieresRights(
            eligible=bool(ij.eligible),
            montant_journalier=_euros(ij.montant_journalier),
            revenu_annuel_moyen=_euros(ij.revenu_moyen),
            seuil_revenu=decimal(f.pass_annuel * f.ij_seuil_revenu, 10**4),
            plafond_journalier=_euros(ij.plafond_journalier),
            premieres_annees=bool(computed.premieres_annees),
            delai_carence_jours=f.ij_delai_carence_jours,
            affiliation_suffisante_le=affiliation,
            reference=REFERENCE_IJ,
        ),
        effets=(),
    )
    return Rights(
        rights.year,
        rights.retraite_base,
        rights.retraite_complementaire,
        rights.indemnites_journalieres,
        effets(rights, acre=acre, rsa=rsa, minimum=minimum, exonere=bool(rb.exonere)),
    )


def effets(rights: Rights, *, acre: bool, rsa: bool, minimum: tuple[int, int] | None, exonere: bool) -> tuple[str, ...]:
    """What ACRE, the RSA, the minimum base and the first years change for each right, in French."""
    from echeancier.kernel.fmt import format_date, format_euros

    rb, ij = rights.retraite_base, rights.indemnites_journalieres
    out: list[str] = []
    if minimum is not None:
        hours, quarters = minimum
        out.append(
            f"Retraite de base : l'assiette minimale de {hours} heures de SMIC (CSS D633-2) valide à elle seule "
            f"{quarters} trimestre{'s' if quarters > 1 else ''} ; vos trimestres suivent votre revenu au-delà."
        )
    if acre and exonere:
        out.append(
            "ACRE : la part exonérée de la cotisation de retraite de base ne compte pas comme revenu cotisé "
            f"(CSS R351-9, D131-6-1) : {format_euros(rb.revenu_cotise)} retenus, soit {rb.trimestres} "
            f"trimestre{'s' if rb.trimestres > 1 else ''}"
            + (
                " ; pour valider les autres, un versement complémentaire est possible (CSS L634-2-1)."
                if rb.trimestres < rb.trimestres_maximum
                else "."
            )
            + " La retraite complémentaire n'est pas exonérée : vos points sont entiers. "
            "Les indemnités journalières sont calculées sur le revenu, exonération ou non."
        )
    elif acre:
        out.append(
            "ACRE : l'exonération n'a pas réduit la cotisation de retraite de base de cette année, vos droits sont "
            "entiers."
        )
    if rsa:
        out.append(
            "RSA ou prime d'activité : aucune assiette minimale (CSS D633-2, D621-3) ; les trimestres et les "
            "indemnités journalières suivent votre seul revenu"
            + (" : sous 10 % du PASS, aucune indemnité journalière (CSS D622-8)." if not ij.eligible else ".")
        )
    if ij.premieres_annees:
        out.append(
            "Premières années d'activité : l'indemnité journalière est calculée sur le revenu de la période "
            "d'activité rapporté à 365 jours (CSS D622-7 II). Les cotisations provisionnelles forfaitaires des deux "
            "premières années n'ouvrent pas de droits par elles-mêmes : ce sont les cotisations définitives, après "
            "régularisation, qui comptent."
        )
    if ij.affiliation_suffisante_le is not None:
        out.append(
            "Indemnités journalières : une année d'affiliation est requise à la date de l'arrêt (CSS D622-1), "
            f"soit à partir du {format_date(ij.affiliation_suffisante_le)}."
        )
    return tuple(out)


def not_computed(year: int, section: str | None) -> Rights:
    """The rights of a profession libérale réglementée, which follow its section's rules (CNAVPL points, CSS
    L643-1; the section's statuts), and (`section` None) those of an indépendant at Mayotte from 2025, whose
    contributions follow ordonnance 96-1122 (no indemnités journalières cotisation, its own retraite de base):
    not computed, and said so (docs/law-choices.md, 187)."""
    if section is None:
        why = "droits à Mayotte (ordonnance n° 96-1122, régime propre) non calculés"
    elif section == "cnbf":
        why = "droits de la CNBF (statuts de la CNBF) non calculés"
    else:
        why = f"droits de la section {section} (CNAVPL, CSS L643-1 ; statuts de la section) non calculés"
    zero = Decimal(0)
    return Rights(
        year=year,
        retraite_base=RetraiteBaseRights(0, zero, zero, 0, REFERENCE_RETRAITE_BASE),
        retraite_complementaire=RetraiteComplementaireRights(zero, zero, zero, zero, REFERENCE_RCI),
        indemnites_journalieres=IndemnitesJournalieresRights(
            zero != 0, zero, zero, zero, zero, False, 0, None, REFERENCE_IJ
        ),
        effets=(),
        non_calcules=why,
    )


def render(rights: Rights) -> list[str]:
    """The "Vos droits" section of the French table."""
    from echeancier.kernel.fmt import format_euros

    if rights.non_calcules is not None:
        return [f"Vos droits : {rights.non_calcules}."]
    rb, rci, ij = rights.retraite_base, rights.retraite_complementaire, rights.indemnites_journalieres
    lines = ["Vos droits :", *_pensions(rb, rci)]
    if ij.eligible:
        lines.append(
            f"  • Indemnités journalières maladie : {format_euros(ij.montant_journalier, cents=True)} par jour "
            f"(1/730 du revenu annuel moyen {format_euros(ij.revenu_annuel_moyen, cents=True)}, au plus "
            f"{format_euros(ij.plafond_journalier, cents=True)}), après {ij.delai_carence_jours} jours de carence "
            f"— {ij.reference}"
        )
    else:
        lines.append(
            "  • Indemnités journalières maladie : aucune, le revenu annuel moyen "
            f"({format_euros(ij.revenu_annuel_moyen, cents=True)}) est inférieur à "
            f"{format_euros(ij.seuil_revenu, cents=True)} (10 % du PASS) — {ij.reference}"
        )
    for text, ref in INVALIDITE_DECES:
        lines.append(f"  • Invalidité-décès : {text} — {ref}")
    lines += [f"  • {text}" for text in rights.effets]
    conjoint = rights.conjoint
    if conjoint is not None:
        # The conjoint collaborateur's own rights (CSS L662-1), each line saying whose they are.
        own = _pensions(conjoint.retraite_base, conjoint.retraite_complementaire)
        lines += [f"  • Conjoint collaborateur (droits propres), {line[4].lower()}{line[5:]}" for line in own]
        if conjoint.ij_eligible:
            daily = format_euros(conjoint.ij_montant_journalier, cents=True)
            lines.append(
                f"  • Conjoint collaborateur (droits propres), indemnités journalières maladie : {daily} par jour "
                f"— {conjoint.ij_reference}"
            )
        else:
            lines.append(
                "  • Conjoint collaborateur (droits propres), indemnités journalières maladie : aucune, sa "
                f"cotisation n'est pas due (RSA ou prime d'activité) — {conjoint.ij_reference}"
            )
    return lines


def _pensions(rb: RetraiteBaseRights, rci: RetraiteComplementaireRights) -> list[str]:
    """The lines of the retraite de base and the retraite complémentaire."""
    from echeancier.kernel.fmt import NBSP, format_euros, format_number

    s = "s" if rb.trimestres > 1 else ""
    assimiles = (
        f", dont {rb.trimestres_assimiles} assimilé{'s' if rb.trimestres_assimiles > 1 else ''} (pension d'invalidité)"
        if rb.trimestres_assimiles
        else ""
    )
    lines = [
        f"  • Retraite de base : {rb.trimestres} trimestre{s} validé{s} sur {rb.trimestres_maximum}{assimiles} "
        f"(revenu cotisé {format_euros(rb.revenu_cotise)} ; un trimestre par {format_euros(rb.seuil_trimestre)}) "
        f"— {rb.reference}",
    ]
    if rb.points is not None and rb.valeur_point is not None and rb.pension_annuelle is not None:
        lines.append(
            f"  • Retraite de base (CNAVPL) : {format_number(rb.points, 1)} points (valeur du point "
            f"{format_number(rb.valeur_point, 4)}{NBSP}€), soit {format_euros(rb.pension_annuelle, cents=True)} de "
            "pension par an"
        )
    if rci.non_calcules is not None:
        lines.append(f"  • Retraite complémentaire : {rci.non_calcules} — {rci.reference}")
    else:
        lines.append(
            f"  • Retraite complémentaire : {format_number(rci.points, 2)} points (valeur d'achat "
            f"{format_number(rci.valeur_achat, 3)}{NBSP}€), soit {format_euros(rci.pension_annuelle, cents=True)} "
            f"de pension par an (valeur de service {format_number(rci.valeur_service, 3)}{NBSP}€) — {rci.reference}"
        )
    return lines
