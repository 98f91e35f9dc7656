#!/bin/sh
# A separate environment for the OpenFisca-France anchor of benchmarks/bench_openfisca.py, in .venv-openfisca/ at
# the root of the repository (not under benchmarks/, which the tests scan). OpenFisca is NOT a dependency of
# echeancier, it is only measured next to it. Usage: sh benchmarks/openfisca/setup.sh
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
VENV="$HERE/../.venv-openfisca"
PYTHON=${PYTHON:-python3.11}
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "openfisca-france==176.1.8"
"$VENV/bin/python" -c "import openfisca_france; print('openfisca-france', openfisca_france.__name__, 'ready')"
