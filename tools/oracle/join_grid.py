#!/usr/bin/env python3
"""Join situations in the project's contract with the model's amounts (modele_ti.mjs output) into grid lines
{"situation", "expected", "also"} (as shared/oracle/tools/to_contract.py, for inputs already in the contract).

usage: join_grid.py IN.jsonl OUT.jsonl > grid.jsonl
"""

import json
import sys

KEYS = {
    "maladie": "maladie_maternite",
    "indemnites_journalieres": "indemnites_journalieres",
    "retraite_base": "retraite_base",
    "retraite_complementaire": "retraite_complementaire",
    "invalidite_deces": "invalidite_deces",
    "allocations_familiales": "allocations_familiales",
    "csg_crds": "csg_crds",
    "formation_professionnelle": "formation_professionnelle",
}
ins = [json.loads(line) for line in open(sys.argv[1])]
outs = [json.loads(line) for line in open(sys.argv[2])]
for situation, out in zip(ins, outs, strict=True):
    assert situation["id"] == out["id"], (situation, out)
    if "error" in out:
        print(f"left out {situation['id']}: {out['error']}", file=sys.stderr)
        continue
    a = out["amounts"]
    expected = {KEYS[k]: a[k] for k in KEYS}
    if situation.get("department") == "976":
        # Mayotte: the project shows its two maladie contributions (ordonnance 96-1122 art. 28-3 and 28-4, each
        # rounded) as the one line maladie_maternite (docs/law-choices.md, 184).
        expected["maladie_maternite"] = a["maladie_mayotte_contribution"] + a["maladie_mayotte_cotisation"]
    if situation.get("conjoint_collaborateur"):
        # The conjoint collaborateur's four contributions (the model's `cotisations . conjoint collaborateur . …`).
        for key in ("indemnites_journalieres", "retraite_base", "retraite_complementaire", "invalidite_deces"):
            # (null, "not applicable", is 0: the conjoint's IJ on the minimum base, which the RSA sets aside)
            expected[f"conjoint_{key}"] = a[f"conjoint_{key}"] or 0
    if situation.get("section") in ("carmf", "carpimko", "carcdsf", "cavp"):
        # A health section's own contributions (null where not applicable: a médecin not conventionné, a pharmacien)
        for key in ("pcv", "contribution_maladie_additionnelle", "curps"):
            expected[key] = a[key] or 0
    expected["total"] = a["total"]
    also = {
        "assiette_sociale": a["assiette_cotisations"],
        "assiette_csg": a["assiette_csg"],
        "prorata_temporis_percent": a["prorata_temporis"],
        "pass": a["pass"],
        "taux_1_maladie_percent": a["taux_1_maladie_percent"],
    }
    if situation.get("conjoint_collaborateur"):
        also["conjoint_assiette"] = a["conjoint_assiette"]
        also["assiette_retraite_chef"] = a["assiette_retraite_chef"]
        also["conjoint_total"] = a["conjoint_total"]
    if situation.get("section") in ("carmf", "carpimko", "carcdsf", "cavp"):
        for key in ("participation_cpam", "urssaf", "caisse"):
            also[key] = a[key]
    if situation.get("department") == "976":
        also["maladie_mayotte_contribution"] = a["maladie_mayotte_contribution"]
        also["maladie_mayotte_cotisation"] = a["maladie_mayotte_cotisation"]
    print(json.dumps({"situation": situation, "expected": expected, "also": also}, ensure_ascii=False))
