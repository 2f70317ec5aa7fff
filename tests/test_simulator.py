"""The model as a hindcast simulator (calibration/simulator.py): one ensemble, per-run parameters, common seeds."""
import numpy as np
import pytest

from calibration.simulator import ModelSimulator, parse_key
from model.actors import ACTORS_FILE, load_actors
from model.rng import run_seeds
from model.scenario import load_scenario

SCENARIO = ACTORS_FILE.parents[2] / "scenarios" / "baseline.yaml"
NAMES = ("powers.CHN.demand_growth", "beta_trade")
THETA = np.array([[0.02, 0.5], [0.08, 2.0], [0.05, 1.0]])
KEYS = ["end:KAZ.trade_CHN@2024", "mean:KAZ.trade_CHN@2024", "mean:KAZ.trade_CHN@2026", "end:KAZ.trade_CHN@2026",
        "end:UZB.alignment_CHN@2026", "mean:china_ca_trade@2025"]


@pytest.fixture(scope="module")
def values():
    simulate = ModelSimulator(NAMES, load_scenario(SCENARIO), run_seeds(5, 2))
    return simulate(THETA, KEYS, 2026)


def _quarters(i, m, end_year=2026):
    """The single run with seed m and vector i, stepped by hand: KAZ-China trade at every step."""
    simulate = ModelSimulator(NAMES, load_scenario(SCENARIO), [run_seeds(5, 2)[m]])
    model = simulate.model(THETA[i:i + 1], end_year)
    kaz, chn = model.actors.state_index("KAZ"), model.actors.power_index("CHN")
    out = [model.state.trade[0, kaz, chn]]
    while model.steps < model.n_steps:
        model.step()
        out.append(model.state.trade[0, kaz, chn])
    return np.array(out)


def test_shapes_and_the_base_year_values(values):
    actors = load_actors()
    assert all(v.shape == (3, 2) for v in values.values())
    base = actors.pair["trade"][actors.state_index("KAZ"), actors.power_index("CHN")]
    np.testing.assert_allclose(values["end:KAZ.trade_CHN@2024"], base)       # step 0: the table itself
    np.testing.assert_allclose(values["mean:KAZ.trade_CHN@2024"], base)      # the base year has one step
    # faster Chinese demand, more Kazakh trade with China, seed by seed
    assert np.all(values["mean:KAZ.trade_CHN@2026"][1] > values["mean:KAZ.trade_CHN@2026"][0])


def test_measures_are_the_year_mean_and_the_year_end_of_the_single_run(values):
    for i, m in ((1, 0), (2, 1)):
        steps = _quarters(i, m)                      # step 0 (2024), 1-4 (2025), 5-8 (2026)
        assert values["mean:KAZ.trade_CHN@2026"][i, m] == pytest.approx(steps[5:9].mean(), rel=1e-12)
        assert values["end:KAZ.trade_CHN@2026"][i, m] == steps[8]


def test_chunks_and_a_longer_horizon_change_nothing(values):
    simulate = ModelSimulator(NAMES, load_scenario(SCENARIO), run_seeds(5, 2), chunk_runs=2)
    longer = simulate(THETA, KEYS, 2028)
    for key in KEYS:
        np.testing.assert_array_equal(longer[key], values[key])


def test_keys_and_years_are_checked():
    with pytest.raises(ValueError, match="measure 'median' is not one of mean, end, mean5"):
        parse_key("median:KAZ.gdp@2025")
    simulate = ModelSimulator(NAMES, load_scenario(SCENARIO), run_seeds(5, 1))
    with pytest.raises(ValueError, match="year 2022 was not simulated"):
        simulate(THETA[:1], ["mean5:KAZ.gdp@2026"], 2026)


def test_five_year_windows_average_the_year_ends():
    # mean5@2028 is the mean of the year-end values 2024 (step 0), 2025, ..., 2028 (steps 4, 8, 12, 16)
    simulate = ModelSimulator(NAMES, load_scenario(SCENARIO), run_seeds(5, 2))
    value = simulate(THETA[1:2], ["mean5:KAZ.trade_CHN@2028"], 2028)["mean5:KAZ.trade_CHN@2028"][0, 0]
    steps = _quarters(1, 0, end_year=2028)
    assert value == pytest.approx(steps[[0, 4, 8, 12, 16]].mean(), rel=1e-12)
    assert value != pytest.approx(np.mean([steps[0]] + [steps[k - 3:k + 1].mean() for k in (4, 8, 12, 16)]), rel=1e-6)
