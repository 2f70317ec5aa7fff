"""The model as a hindcast simulator (calibration/simulator.py): one ensemble, per-run parameters, common seeds."""
import numpy as np
import pytest

from calibration.simulator import ModelSimulator
from model.actors import ACTORS_FILE, load_actors
from model.model import CentralAsiaModel
from model.rng import run_seeds
from model.scenario import load_scenario

SCENARIO = ACTORS_FILE.parents[2] / "scenarios" / "baseline.yaml"
NAMES = ("powers.CHN.demand_growth", "beta_trade")
THETA = np.array([[0.02, 0.5], [0.08, 2.0], [0.05, 1.0]])
REFS = ["KAZ.trade_CHN@2024", "KAZ.trade_CHN@2026", "UZB.alignment_CHN@2026", "china_ca_trade@2025"]


@pytest.fixture(scope="module")
def values():
    simulate = ModelSimulator(NAMES, load_scenario(SCENARIO), run_seeds(5, 2))
    return simulate(THETA, REFS, 2026)


def test_shapes_and_the_base_year_values(values):
    actors = load_actors()
    assert all(v.shape == (3, 2) for v in values.values())
    base = actors.pair["trade"][actors.state_index("KAZ"), actors.power_index("CHN")]
    np.testing.assert_allclose(values["KAZ.trade_CHN@2024"], base)                   # step 0: the table itself
    # faster Chinese demand, more Kazakh trade with China, seed by seed
    assert np.all(values["KAZ.trade_CHN@2026"][1] > values["KAZ.trade_CHN@2026"][0])


def test_each_run_is_the_single_run_with_its_seed_and_vector(values):
    scenario = load_scenario(SCENARIO)
    seeds = run_seeds(5, 2)
    spec = scenario.run_spec(replicates=1, end_year=2026)
    for i, m in ((1, 0), (2, 1)):
        model = CentralAsiaModel(run_seeds=[seeds[m]], params={**spec.params, **dict(zip(NAMES, THETA[i]))},
                                 start_year=spec.start_year, end_year=2026, events=list(spec.events),
                                 record="year_end", use_calibrated=False).run()
        kaz = model.actors.state_index("KAZ")
        step = (2026 - model.start_year + 1) * model.steps_per_year
        chn = model.actors.power_index("CHN")
        assert values["KAZ.trade_CHN@2026"][i, m] == model.history.at(step)["trade"][0, kaz, chn]


def test_chunks_and_a_longer_horizon_change_nothing(values):
    simulate = ModelSimulator(NAMES, load_scenario(SCENARIO), run_seeds(5, 2), chunk_runs=2)
    longer = simulate(THETA, REFS, 2028)
    for ref in REFS:
        np.testing.assert_array_equal(longer[ref], values[ref])
