"""Identifiability tables (calibration/identify.py) on populations whose answers are known."""
import numpy as np
import pytest
from scipy import stats

from calibration.identify import correlations, pattern_information, sensitivities, width_table
from calibration.smc import Generation, Prior


def _population(theta, summaries, weights=None):
    n = len(theta)
    weights = np.full(n, 1.0 / n) if weights is None else weights
    return Generation(theta, weights, summaries[:, None, :], np.zeros((n, 1)), 1.0, float(n), np.zeros(n))


def test_width_table_by_hand():
    prior = Prior.uniform(["a", "b"], [0.0, 0.0], [10.0, 1.0])      # 90% intervals (0.5, 9.5) and (0.05, 0.95)
    table = width_table(["a", "b"], prior, np.array([[4.0, 5.0], [0.1, 0.9]]))
    assert table["prior_width"].tolist() == pytest.approx([9.0, 0.9])
    assert table["ratio"].tolist() == pytest.approx([1 / 9, 0.8 / 0.9])
    assert table["identified"].tolist() == [True, False]


def test_sensitivities_and_information_of_a_linear_model():
    """Summaries: pattern A = (2a, a), pattern B = (3b): slopes exact; A carries all information on a,
    B all on b; J_A[a] = (2^2 + 1^2) / 0.1^2 = 500 and J_B[b] = 9 / 0.5^2 = 36 (eps = 1)."""
    theta = np.random.default_rng(0).normal(size=(200, 2))
    summaries = np.column_stack([2 * theta[:, 0], theta[:, 0], 3 * theta[:, 1]])
    gen = _population(theta, summaries)
    np.testing.assert_allclose(sensitivities(gen), [[2, 0], [1, 0], [0, 3]], atol=1e-10)
    info = pattern_information(gen, ["a", "b"], np.array([0.1, 0.1, 0.5]), {"A": [0, 1], "B": [2]}).set_index("parameter")
    assert info.loc["a", "information_A"] == pytest.approx(500.0) and info.loc["b", "information_B"] == pytest.approx(36.0)
    assert info.loc["a", "share_A"] == pytest.approx(1.0) and info.loc["b", "share_B"] == pytest.approx(1.0)
    assert info.loc["a", "share_B"] == pytest.approx(0.0, abs=1e-12)
    doubled = pattern_information(gen, ["a", "b"], np.array([0.1, 0.1, 0.5]), {"A": [0, 1], "B": [2]}, eps=2.0)
    assert doubled["information"].tolist() == pytest.approx([125.0, 9.0])        # errors doubled: a quarter


def test_a_parameter_no_summary_depends_on_has_no_information():
    theta = np.random.default_rng(1).uniform(size=(300, 2))
    gen = _population(theta, np.column_stack([theta[:, 0]]))
    info = pattern_information(gen, ["used", "unused"], np.array([0.1]), {"A": [0]}).set_index("parameter")
    assert info.loc["used", "information"] == pytest.approx(100.0)
    assert info.loc["unused", "information"] == pytest.approx(0.0, abs=1e-12) and np.isnan(info.loc["unused", "share_A"])


def test_weighted_correlations():
    rng = np.random.default_rng(2)
    theta = stats.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]]).rvs(5000, random_state=rng)
    corr = correlations(_population(theta, np.zeros((5000, 1))), ["x", "y"])
    assert corr.loc["x", "y"] == pytest.approx(0.8, abs=0.02) and corr.loc["x", "x"] == pytest.approx(1.0)
