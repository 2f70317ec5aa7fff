"""The hindcast fit and scoring (calibration/hindcast.py) on a toy simulator whose truth is known.

Toy: two states' trade with China and Russia grows at rates g_CHN and g_RUS from known 2013 levels, with
2% process noise per seed; a third parameter does nothing. Data are drawn from g = (0.08, -0.03) with 5%
observation error. The fit must recover the two rates, leave the third at its prior, never look past
2019, and score the held-out years: well when the world goes on as before, badly when it breaks in 2020.
"""
import textwrap

import numpy as np
import pytest

from calibration.hindcast import fit_hindcast, predict, score
from calibration.patterns import load_patterns
from calibration.smc import Prior, SMCConfig
from model.observed import parse_history

STATES = {"KAZ": (20.0, 18.0), "UZB": (6.0, 5.0)}     # 2013 trade with China, with Russia
YEARS = range(2013, 2025)
TRUTH = {"CHN": 0.08, "RUS": -0.03}
PATTERNS = """
fit_years: [2014, 2019]
held_out_years: [2020, 2024]
patterns:
  - name: trade_china
    doc: toy
    transform: log
    error: {floor: 0.05, why: toy}
    observations:
      - {series: kaz_chn, output: KAZ.trade_CHN}
      - {series: uzb_chn, output: UZB.trade_CHN}
  - name: trade_russia
    doc: toy
    transform: log
    error: {floor: 0.05, why: toy}
    observations:
      - {series: kaz_rus, output: KAZ.trade_RUS}
      - {series: uzb_rus, output: UZB.trade_RUS}
derived:
  - {name: china_leads_russia, doc: toy, kind: leader, of: [trade_china, trade_russia]}
"""


def _history(break_in_2020=False):
    rng = np.random.default_rng(42)
    series = []
    for state, levels in STATES.items():
        for level, power in zip(levels, ("CHN", "RUS")):
            g = TRUTH[power]
            values = {}
            for year in YEARS:
                t = year - 2013
                if break_in_2020 and power == "CHN" and year >= 2020:
                    t = 2 * (2019 - 2013) - t           # China's trade turns down
                values[year] = float(level * np.exp(g * t + rng.normal(0, 0.05)))
            values[2013] = level
            series.append({"id": f"{state.lower()}_{power.lower()}", "quantity": "trade", "unit": "USD bn",
                           "basis": "toy", "confidence": "high", "values": values})
    return parse_history({"series": series, "events": []}, "toy.yaml")


class ToyModel:
    """The simulator interface: (N, d) vectors, keys `end:STATE.trade_P@year`, end year -> {key: (N, M)}."""

    def __init__(self, seeds=4):
        self.seeds, self.calls = seeds, []

    def __call__(self, theta, keys, end_year):
        self.calls.append((len(theta), tuple(keys), end_year))
        noise = np.random.default_rng(7).normal(0, 0.02, (1, self.seeds, len(YEARS)))   # common random numbers
        out = {}
        for key in keys:
            measure, ref = key.split(":")
            assert measure == "end"
            output, year = ref.split("@")
            state, column = output.split(".")
            assert int(year) <= end_year
            power = column.split("_")[1]
            g = theta[:, 0] if power == "CHN" else theta[:, 1]
            t = int(year) - 2013
            out[key] = STATES[state][power == "RUS"] * np.exp(g[:, None] * t + noise[:, :, t])
        return out


PRIOR = Prior.uniform(["g_CHN", "g_RUS", "unused"], [-0.2, -0.2, 0.0], [0.2, 0.2, 1.0])
CONFIG = SMCConfig(n_particles=800, seed=3)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "patterns.yaml"
    path.write_text(textwrap.dedent(PATTERNS), encoding="utf-8")
    model = ToyModel()
    patterns = load_patterns(path, _history())
    fit = fit_hindcast(patterns, PRIOR, model, CONFIG)
    return path, model, patterns, fit


def test_the_fit_recovers_the_rates_and_leaves_the_unused_parameter_at_its_prior(toy):
    _, _, _, fit = toy
    interval = fit.result.interval(0.9)
    for k, power in enumerate(("CHN", "RUS")):
        assert interval[k, 0] < TRUTH[power] < interval[k, 1]
        assert interval[k, 1] - interval[k, 0] < 0.1 * 0.36           # < a tenth of the prior's 90% width
    assert interval[2] == pytest.approx([0.05, 0.95], abs=0.06)


def test_the_fit_simulates_only_fit_observations_up_to_2019(toy):
    _, model, patterns, fit = toy
    fit_keys = tuple(o.key for o in patterns.of("fit"))
    assert len(model.calls) == len(fit.result.generations)
    assert all(keys == fit_keys and end == 2019 for _, keys, end in model.calls)


def test_changing_every_held_out_datum_leaves_the_posterior_identical(toy):
    path, _, _, fit = toy
    broken = load_patterns(path, _history(break_in_2020=True))
    assert broken.of("held_out") != fit.patterns.of("held_out")
    again = fit_hindcast(broken, PRIOR, ToyModel(), CONFIG)
    np.testing.assert_array_equal(again.result.posterior.theta, fit.result.posterior.theta)
    np.testing.assert_array_equal(again.result.posterior.weights, fit.result.posterior.weights)


def test_held_out_scores_pass_when_the_world_goes_on_and_fail_when_it_breaks(toy):
    path, _, patterns, fit = toy
    obs, values = predict(fit, ToyModel(), n_draws=300, seed=1)
    assert values.shape == (300, 4, len(obs)) and {o.role for o in obs} == {"check", "fit", "held_out"}
    good = score(patterns, obs, values, seed=2)
    out = good.patterns[good.patterns["window"] == "out_of_sample"].set_index("pattern")
    assert (out["coverage"] >= 0.7).all() and (out["skill"] > 0.5).all()   # the trend beats "no change"
    assert set(good.leaders["agreement"]) == {1.0}

    broken = load_patterns(path, _history(break_in_2020=True))
    bad = score(broken, broken.of("check") + broken.of("fit") + broken.of("held_out"), values, seed=2)
    bad_out = bad.patterns[bad.patterns["window"] == "out_of_sample"].set_index("pattern")
    assert bad_out.loc["trade_china", "coverage"] <= 0.3 and bad_out.loc["trade_china", "skill"] < 0
    assert bad_out.loc["trade_russia", "coverage"] >= 0.7                   # Russia's data did not change
    in_sample = bad.patterns[bad.patterns["window"] == "in_sample"].set_index("pattern")
    assert (in_sample["coverage"] >= 0.7).all()                            # the fit years are the same
