"""Hindcast scores (calibration/scoring.py), each against numbers worked by hand."""
import numpy as np
import pandas as pd
import pytest

from calibration.patterns import Observation
from calibration.scoring import (add_observation_error, band, coverage, inside, leader_agreement, observation_table,
                                 pattern_scores, persistence, skill)


def _obs(pattern, output, year, y, role="held_out"):
    return Observation(pattern, "s", output, year, y, y, 0.1, role)


def test_band_and_coverage_by_hand():
    samples = np.column_stack([np.arange(101.0), np.arange(101.0) * 2])   # 0..100 and 0..200
    lo, hi = band(samples, 0.9)
    np.testing.assert_allclose(lo, [5.0, 10.0])
    np.testing.assert_allclose(hi, [95.0, 190.0])
    # 95 is on the first band's edge (counts), 191 just outside the second
    np.testing.assert_array_equal(inside(samples, np.array([95.0, 191.0])), [True, False])
    assert coverage(samples, np.array([95.0, 191.0])) == 0.5
    assert coverage(samples, np.array([50.0, 100.0]), level=0.5) == 1.0   # 25..75 and 50..150
    assert np.isnan(coverage(np.zeros((3, 0)), np.zeros(0)))


def test_skill_by_hand():
    observed = np.array([1.0, 2.0, 3.0])
    reference = np.array([1.0, 1.0, 1.0])                 # SSE 0 + 1 + 4 = 5
    assert skill(np.array([1.0, 2.0, 2.0]), observed, reference) == pytest.approx(1 - 1 / 5)
    assert skill(reference, observed, reference) == pytest.approx(0.0)
    assert skill(np.array([4.0, 4.0, 4.0]), observed, reference) == pytest.approx(1 - 14 / 5)   # worse than persistence
    # observations without a reference are left out of both sums
    assert skill(np.array([1.0, 2.0, 9.0]), observed, np.array([1.0, 1.0, np.nan])) == pytest.approx(1.0)
    assert np.isnan(skill(observed, observed, observed))    # persistence exact: undefined


def test_persistence_takes_the_latest_value_at_or_before_the_anchor():
    history = [_obs("trade", "KAZ.trade_CHN", 2018, 1.0, "fit"), _obs("trade", "KAZ.trade_CHN", 2019, 2.0, "fit"),
               _obs("trade", "KAZ.trade_CHN", 2020, 9.0), _obs("debt", "KGZ.share", 2017, 0.4, "fit"),
               _obs("trade", "KGZ.trade_CHN", 2020, 5.0)]
    held = [_obs("trade", "KAZ.trade_CHN", 2021, 3.0), _obs("debt", "KGZ.share", 2023, 0.38), _obs("trade", "KGZ.trade_CHN", 2021, 5.0)]
    np.testing.assert_array_equal(persistence(held, history, 2019), [2.0, 0.4, np.nan])
    np.testing.assert_array_equal(persistence(held, history, 2018), [1.0, 0.4, np.nan])


def test_observation_error_is_added_per_column():
    draws = add_observation_error(np.zeros((20000, 2)), np.array([0.1, 1.0]), np.random.default_rng(0))
    np.testing.assert_allclose(draws.std(axis=0), [0.1, 1.0], rtol=0.03)


def test_scores_per_pattern_by_hand():
    obs = [_obs("a", "KAZ.x", 2020, 1.0), _obs("a", "KAZ.x", 2021, 2.0), _obs("b", "KGZ.y", 2020, 0.5)]
    samples = np.array([[0.0, 1.0, 0.0], [1.0, 2.0, 0.2], [2.0, 3.0, 0.4]])   # medians 1, 2, 0.2
    table = observation_table(obs, samples, np.array([0.0, 0.0, np.nan]), level=0.9)
    assert list(table["inside"]) == [True, True, False]                     # 0.5 above the 0.38 upper edge
    scores = pattern_scores(table).set_index("pattern")
    assert scores.loc["a", "coverage"] == 1.0 and scores.loc["b", "coverage"] == 0.0
    assert scores.loc["a", "skill"] == pytest.approx(1.0)                   # medians exact; persistence SSE 5
    assert scores.loc["a", "mse_persistence"] == pytest.approx(2.5)
    assert np.isnan(scores.loc["b", "skill"]) and scores.loc["b", "n_reference"] == 0
    assert scores.loc["b", "mse_model"] == pytest.approx(0.09)
    assert isinstance(table, pd.DataFrame) and list(pattern_scores(table)["pattern"]) == ["a", "b"]


def test_leader_agreement_by_hand():
    model = np.array([[0.2, -0.1, 0.3], [0.4, -0.3, -0.2], [0.1, 0.2, -0.5]])   # medians 0.2, -0.1, -0.2
    assert leader_agreement(model, np.array([0.5, -0.2, 0.1])) == pytest.approx(2 / 3)
    assert np.isnan(leader_agreement(np.zeros((2, 0)), np.zeros(0)))
