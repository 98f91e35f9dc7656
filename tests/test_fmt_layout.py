"""kernel.fmt lays out numbers as babel's fr_FR `format_decimal` did, without importing babel (cold start, issue 9)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.kernel.fmt import _layout, _rounded, format_euros, format_number, format_rate


@settings(max_examples=1000, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15, places=6),
    st.integers(min_value=0, max_value=6),
)
def test_layout_equals_babel_fr_fr(value: Decimal, places: int) -> None:
    # babel is the reference here only: the value is rounded half up first, then laid out.
    pattern = "#,##0" + ("." + "0" * places if places else "")
    assert _layout(value, places) == format_decimal(_rounded(value, places), format=pattern, locale="fr_FR")


def test_worked_examples() -> None:
    assert format_euros(Decimal("1234567.891")) == "1\u202f234\u202f567,89\u00a0€"
    assert format_euros(Decimal("-0.004")) == "0\u00a0€"
    assert format_euros(-1234) == "-1\u202f234\u00a0€"
    assert format_number(Decimal("12345.5")) == "12\u202f345,5"
    assert format_rate(Decimal("0.00725")) == "0,725\u00a0%"
    assert format_euros(999) == "999\u00a0€"


def test_the_command_line_does_not_import_babel() -> None:
    script = "import sys\nimport echeancier.kernel.fmt\nprint('babel' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
