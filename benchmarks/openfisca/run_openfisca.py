"""Run in the OpenFisca environment (.venv-openfisca, see setup.sh) by bench_openfisca.py: the contributions of the
situations of an .npz file (income year, profession code 0/1/2, revenu professionnel in euros) with
OpenFisca-France's `cotisations_non_salarie`, timed. Prints one JSON line: load, build and compute times (wall, and
the CPU time of the process, `time.process_time`, which a loaded machine does not inflate), the sum.

Not part of echeancier (it imports openfisca, which the package never does).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_france import FranceTaxBenefitSystem


def main(path: str, runs: int) -> None:
    data = np.load(path)
    year = str(int(data["year"][0]))
    began = time.perf_counter()
    system = FranceTaxBenefitSystem()
    loaded = time.perf_counter() - began
    categories = system.variables["categorie_non_salarie"].possible_values
    # the three categories encoded once, then indexed by the profession codes (not 1,000,000 strings encoded)
    codes = categories.encode(np.array(["artisan", "commercant", "profession_liberale"]))
    professions = data["profession"]
    best = dict.fromkeys(("build_s", "compute_s", "build_cpu_s", "compute_cpu_s"), float("inf"))
    total = 0.0
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        simulation = SimulationBuilder().build_default_simulation(system, count=len(professions))
        simulation.set_input("categorie_non_salarie", year, codes[professions])
        simulation.set_input("rpns_imposables", year, data["income"].astype(np.float32))
        built, built_cpu = time.perf_counter(), time.process_time()
        amounts = simulation.calculate("cotisations_non_salarie", year)
        done, done_cpu = time.perf_counter(), time.process_time()
        for key, spent in (
            ("build_s", built - began),
            ("compute_s", done - built),
            ("build_cpu_s", built_cpu - began_cpu),
            ("compute_cpu_s", done_cpu - built_cpu),
        ):
            best[key] = min(best[key], spent)
        total = float(np.asarray(amounts, dtype=np.float64).sum())
    print(json.dumps({"load_s": loaded, **best, "sum": total}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
