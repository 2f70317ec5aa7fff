"""PRIM on synthetic data with a planted box."""
import numpy as np
import pandas as pd
import pytest

from casim.analysis.prim import Box, box_stats, prim


def planted(n=2000, seed=0, noise=0.05):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (n, 5)), columns=["a", "b", "c", "d", "e"])
    inside = (x["a"] > 0.6) & (x["c"] < 0.3)
    y = np.where(inside, rng.random(n) > noise, rng.random(n) < noise)
    return x, y


@pytest.mark.parametrize("pasting", [False, True])
def test_finds_the_planted_box(pasting):
    x, y = planted()
    result = prim(x, y, threshold=0.8, min_coverage=0.5, pasting=pasting)
    assert result.chosen is not None
    limits = result.limits.set_index("input")
    assert set(limits.index) == {"a", "c"}          # only the planted inputs are restricted
    assert abs(limits.loc["a", "lower"] - 0.6) < 0.05
    assert abs(limits.loc["c", "upper"] - 0.3) < 0.05
    assert (limits["quasi_p"] < 1e-6).all()
    assert result.stats["density"] >= 0.8 and result.stats["coverage"] >= 0.5


def test_trajectory_trades_coverage_for_density():
    x, y = planted(seed=1)
    traj = prim(x, y).trajectory
    assert traj["coverage"].iloc[0] == 1.0
    assert traj["density"].iloc[0] == pytest.approx(y.mean())
    assert traj["density"].iloc[-1] > 0.8
    assert (np.diff(traj["mass"]) < 0).all()


def test_no_structure_gives_no_box():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(0, 1, (1000, 3)), columns=["a", "b", "c"])
    result = prim(x, rng.random(1000) < 0.3, threshold=0.8)
    assert result.chosen is None and result.limits is None


def test_box_stats_by_hand():
    x = pd.DataFrame({"a": [0.0, 0.5, 1.0, 1.5]})
    stats = box_stats(Box({"a": (0.4, 1.6)}), x, np.array([False, True, True, False]))
    assert stats == {"coverage": 1.0, "density": 2 / 3, "mass": 0.75, "n": 3, "hits": 2}
