"""The output contract: every reader of a column (tables, DataCollector, model.output, column@year) agrees."""
import numpy as np
import pandas as pd
import pytest

from model import CentralAsiaModel
from model.errors import InputError
from model.outputs import OutputRef, column, region_columns


@pytest.fixture(scope="module")
def model():
    return CentralAsiaModel(n_runs=4, seed=3, end_year=2026).run()


def test_datacollector_reports_the_ensemble_mean_of_the_contract_columns(model):
    region = model.results()["region"]
    collected = model.datacollector.get_model_vars_dataframe()   # one row per step after the base year
    assert list(collected.columns) == ["influence_CHN", "influence_RUS", "influence_EU", "influence_USA",
                                       "china_ca_trade"]
    means = region[region["step"] > 0].groupby("step")[list(collected.columns)].mean()
    np.testing.assert_allclose(collected.to_numpy(), means.to_numpy(), rtol=1e-12)


def test_model_output_is_the_tables_column_at_this_step(model):
    tables = model.results()
    last = tables["region"][tables["region"]["step"] == model.steps]
    for name in ("china_ca_trade", "china_russia_gap", "hhi", "influence_EU"):
        np.testing.assert_array_equal(model.output(name), last[name].to_numpy())
    states = tables["states"][tables["states"]["step"] == model.steps]
    np.testing.assert_array_equal(model.output("alignment_RUS", "states").ravel(), states["alignment_RUS"].to_numpy())
    assert list(np.asarray(model.actors.powers)[model.output("leader")]) == list(last["leader"])


def test_column_at_year_reads_the_last_step_of_the_year(model):
    tables = model.results()
    region, states = tables["region"], tables["states"]
    got = OutputRef.parse("influence_CHN@2025").values(tables)
    expected = region[region["step"] == 4].set_index("run")["influence_CHN"]
    pd.testing.assert_series_equal(got, expected)
    kaz = OutputRef.parse("KAZ.alignment_CHN@2026").values(tables)
    assert kaz.tolist() == states[(states["step"] == 8) & (states["state"] == "KAZ")]["alignment_CHN"].tolist()
    with pytest.raises(InputError, match="year 2031 is not in the outputs"):
        OutputRef.parse("hhi@2031").values(tables)


@pytest.mark.parametrize("text, message", [("influence_CHN", "COLUMN@YEAR"),
                                           ("influnce_CHN@2030", "did you mean 'influence_CHN'"),
                                           ("KAZZ.gdp@2030", "did you mean 'KAZ'"),
                                           ("KAZ.leader@2030", "unknown output column 'leader'")])
def test_bad_references_name_the_nearest(model, text, message):
    with pytest.raises(InputError, match=message):
        OutputRef.parse(text, model.actors)


def test_each_column_is_defined_once(model):
    names = [c.name for c in region_columns(model.actors)]
    assert len(names) == len(set(names))
    assert column("trade_CHN", model.actors, "region").unit == column("trade_CHN", model.actors, "states").unit


def test_channel_parts_add_up_to_the_influence_columns_when_an_event_moves_a_weight():
    """channel_<c>_<P> = omega_ci s_cij: summed over channels it is the state's influence, GDP-weighted over the
    states the region's; a `set` event on w_trade in 2026 moves the recorded weights with it."""
    from model.events import make_set_event
    from model.influence import CHANNELS
    from model.outputs import channel_column

    model = CentralAsiaModel(n_runs=3, seed=5, end_year=2027, events=[make_set_event(5, {"w_trade": 0.9})]).run()
    tables = model.results()
    states, region = tables["states"], tables["region"]
    gdp_weight = states["gdp"] / states.groupby(["run", "step"])["gdp"].transform("sum")
    for p in model.actors.powers:
        parts = sum(states[channel_column(c, p)] for c in CHANNELS)
        np.testing.assert_allclose(parts, states[f"influence_{p}"], rtol=0, atol=1e-15)
        regional = (parts * gdp_weight).groupby([states["run"], states["step"]]).sum()
        np.testing.assert_allclose(regional.to_numpy(), region.set_index(["run", "step"])[f"influence_{p}"], atol=1e-15)
    # by hand for one state and step: every channel is present in Kazakhstan, so omega_trade = w_trade / sum w
    weights = {c: model.params.resolved()[f"w_{c}"] for c in CHANNELS}
    history = model.history.arrays()["channel_weight"]              # (T, R, S, C)
    kaz = model.actors.state_index("KAZ")
    before, after = history[4, 0, kaz, 0], history[5, 0, kaz, 0]
    others = sum(w for c, w in weights.items() if c != "trade")
    assert weights["trade"] == 0.9 and after == pytest.approx(0.9 / (0.9 + others))
    assert before == pytest.approx(0.25 / (0.25 + others)) and before < 0.3 < 0.5 < after
    kaz_rows = states[(states["state"] == "KAZ") & (states["step"] == 5)]
    trade_share = kaz_rows["trade_CHN"] / kaz_rows[[f"trade_{p}" for p in model.actors.powers]].sum(axis=1)
    np.testing.assert_allclose(kaz_rows["channel_trade_CHN"], after * trade_share, rtol=1e-12)
