"""Units: the fast SI-symbol reader agrees with pint, and wrong dimensions are refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.spec.units import _parse_with_pint, to_si

PREFIXES = ["", "f", "p", "n", "u", "m", "k", "M", "G"]
UNITS = [("s", "s"), ("J", "J"), ("V", "V"), ("A", "A"), ("S", "S"), ("ohm", "ohm"), ("m", "m"), ("F", "F"),
         ("Hz", "Hz"), ("W", "W"), ("{p}F/{q}m", "F/m"), ("{p}F/{q}m^2", "F/m^2"), ("A/{q}m^2", "A/m^2"),
         ("{p}ohm*{q}m", "ohm*m"), ("{p}m^2", "m^2")]


@settings(deadline=None)
@given(value=st.floats(1e-3, 1e3), p=st.sampled_from(PREFIXES), q=st.sampled_from(PREFIXES), unit=st.sampled_from(UNITS))
def test_fast_reader_agrees_with_pint(value, p, q, unit):
    text, target = unit
    text = text.format(p=p, q=q) if "{" in text else p + text
    quantity = f"{value!r} {text}"
    assert to_si(quantity, target) == pytest.approx(_parse_with_pint(quantity, target), rel=1e-9)


@pytest.mark.parametrize("text,unit", [("2 nJ", "s"), ("3 V", "A"), ("1 fF/um", "F/m^2")])
def test_wrong_dimension_is_refused(text, unit):
    with pytest.raises(ValueError, match="not a quantity"):
        to_si(text, unit)


def test_feature_size_area():
    assert to_si("350 F^2", "m^2", feature_size=40e-9) == pytest.approx(350 * 1.6e-15)
    with pytest.raises(ValueError, match="feature size"):
        to_si("350 F^2", "m^2")


def test_latex_escape_covers_every_special_character():
    from ppa.report.tables import _latex_escape

    assert _latex_escape(r"a_b & 50% {x} ^2 ~ \ $#") == (
        r"a\_b \& 50\% \{x\} \textasciicircum{}2 \textasciitilde{} \textbackslash{} \$\#")
