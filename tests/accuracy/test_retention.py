"""Section 4 Arrhenius retention model."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.accuracy import retention as R


def test_paper_fit_values():
    tr = float(R.retention_time(300.0))
    assert tr == pytest.approx(8.1e-14 * np.exp(2e-19 / (1.380649e-23 * 300)), rel=1e-12)
    assert 1e7 < tr < 1e8  # ~2.4 years at room temperature: "hundreds of hours or better"
    assert float(R.retention_time(400.0)) < 1e3
    assert float(R.escape_rate(350.0)) == pytest.approx(1 / float(R.retention_time(350.0)))


@settings(max_examples=50, deadline=None)
@given(t1=st.floats(150, 800), dt=st.floats(1, 300))
def test_retention_monotone_decreasing_in_temperature(t1, dt):
    assert R.retention_time(t1 + dt) < R.retention_time(t1)


@settings(max_examples=50, deadline=None)
@given(T=st.floats(250, 600), t=st.floats(0, 1e9), dt=st.floats(1, 1e9))
def test_survival_is_probability_and_decays(T, t, dt):
    p1, p2 = float(R.survival_probability(t, T)), float(R.survival_probability(t + dt, T))
    assert 0.0 <= p2 <= p1 <= 1.0
    assert float(R.survival_probability(0.0, T)) == 1.0


def test_survival_at_retention_time_is_one_over_e():
    tr = float(R.retention_time(380.0))
    assert float(R.survival_probability(tr, 380.0)) == pytest.approx(np.exp(-1))


def test_max_temperature_inverts_retention():
    t = R.max_temperature_for(3.15576e7)
    assert float(R.retention_time(t)) == pytest.approx(3.15576e7, rel=1e-9)


def test_table_and_validation():
    rows = R.retention_table([300, 350, 400])
    assert [r["temperature_K"] for r in rows] == [300, 350, 400]
    assert rows[0]["survive_1h"] > rows[-1]["survive_1h"]
    with pytest.raises(ValueError):
        R.retention_time(0)


def test_cli_retention_json_and_bad_input():
    import json

    from click.testing import CliRunner

    from ppa.cli import main

    res = CliRunner().invoke(main, ["retention", "--temperatures", "300,400", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [r["temperature_K"] for r in data["rows"]] == [300.0, 400.0]
    assert data["rows"][0]["retention_s"] == pytest.approx(float(R.retention_time(300.0)))
    for bad in ("300,abc", "-5", ""):
        res = CliRunner().invoke(main, ["retention", "--temperatures", bad])
        assert res.exit_code == 2
    res = CliRunner().invoke(main, ["retention", "--prefactor", "-1"])
    assert res.exit_code == 2 and "Traceback" not in res.output
