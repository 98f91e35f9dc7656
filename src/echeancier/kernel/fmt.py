"""French number formatting for human output: `1 234,56 €`, `17,75 %`.

The CLDR fr_FR symbols: narrow no-break space U+202F between thousands, comma for decimals, hyphen-minus, no-break
space U+00A0 before € and %. Every value is rounded half up first (URSSAF practice, kernel/money.py), then only its
digits are laid out, by Python's own grouping of a Decimal with those symbols put in: babel's `format_decimal` gave
the same text (a test compares them) but cost 15–25 ms of the command line's start (its import and its locale data).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from echeancier.kernel.money import to_decimal

LOCALE = "fr_FR"  # the CLDR locale whose symbols these are
NBSP = "\u00a0"  # before the unit: "1 234 €", "17,75 %" (CLDR fr currency and percent patterns)
GROUP = "\u202f"  # between thousands (CLDR fr group symbol)
HUNDRED = Decimal(100)


def _rounded(value: Decimal, places: int) -> Decimal:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded  # never print "-0"


_SYMBOLS = str.maketrans({",": GROUP, ".": ","})


def _layout(value: Decimal, places: int) -> str:
    """`value` rounded half up to `places` decimals, grouped by thousands: babel's pattern `#,##0.00…` in fr_FR."""
    return format(_rounded(value, places), f",.{places}f").translate(_SYMBOLS)


def _decimals(value: Decimal) -> int:
    """How many decimals `value` needs to be written exactly (0 for 1 200, 2 for 0.25)."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def format_number(value: Decimal | int | float | str, places: int | None = None) -> str:
    """A grouped French number: `1 234,5`. With `places`, rounded half up to that many decimals and padded;
    without, written exactly with the decimals it has (none for a whole number)."""
    number = to_decimal(value)
    return _layout(number, _decimals(number) if places is None else places)


def format_euros(value: Decimal | int | float | str, cents: bool | None = None) -> str:
    """An amount in euros, rounded half up to the cent: `1 234,56 €`; whole euros print without decimals
    (`1 234 €`) unless `cents` is True; `cents=False` rounds half up to the euro."""
    number = to_decimal(value)
    if cents is None:
        to_the_cent = _rounded(number, 2)
        cents = to_the_cent != to_the_cent.to_integral_value()
    return _layout(number, 2 if cents else 0) + NBSP + "€"


def format_rate(rate: Decimal | int | float | str, places: int = 2) -> str:
    """A rate given as a fraction, in percent with at least `places` decimals and as many more as it needs to
    be exact: 0.1775 → `17,75 %`, 0.005 → `0,50 %`, 0.00725 → `0,725 %`."""
    percent = to_decimal(rate) * HUNDRED
    return _layout(percent, max(places, _decimals(percent))) + NBSP + "%"


def format_date(day: date) -> str:
    """A date as French readers write it: 01/03/2025."""
    return day.strftime("%d/%m/%Y")
