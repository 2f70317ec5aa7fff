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


def test_datacollector_summarises_the_ensemble_from_the_contract_columns(model):
    region = model.results()["region"]
    collected = model.datacollector.get_model_vars_dataframe()   # row k: step k, row 0 the base year
    powers = ["CHN", "RUS", "EU", "USA"]
    assert list(collected.columns) == ["year", "period", *(f"influence_{p}" for p in powers), "china_ca_trade",
                                       "leader", "leader_share", *(f"p_leader_{p}" for p in powers)]
    by_step = region.groupby("step")
    np.testing.assert_array_equal(collected.index, by_step.size().index)
    np.testing.assert_array_equal(collected[["year", "period"]], by_step[["year", "period"]].first())
    means = by_step[[f"influence_{p}" for p in powers] + ["china_ca_trade"]].mean()
    np.testing.assert_allclose(collected[means.columns].to_numpy(), means.to_numpy(), rtol=1e-12)
    shares = region.pivot_table(index="step", columns="leader", values="run", aggfunc="count").reindex(
        columns=powers).fillna(0) / model.n_runs
    np.testing.assert_allclose(collected[[f"p_leader_{p}" for p in powers]].to_numpy(), shares.to_numpy())
    assert (collected["leader"] == shares.idxmax(axis=1)).all()
    largest = region[[f"influence_{p}" for p in powers]].max(axis=1).groupby(region["step"]).mean()
    np.testing.assert_allclose(collected["leader_share"], largest, rtol=1e-12)


def test_reporters_of_two_runs_that_disagree_on_the_leader():
    """A hand-built case: one run led by China, one by Russia; P(leader) is a half each, the modal leader is the first."""
    from model.outputs import summary_reporters
    from model.actors import load_actors

    actors = load_actors()

    class Stub:
        steps = 3
        actors = load_actors()

        def snapshot(self):
            regional = np.array([[0.5, 0.3, 0.1, 0.1], [0.2, 0.6, 0.1, 0.1]])
            return {"regional": regional, "trade": np.zeros((2, 5, 4)), "gdp": np.ones((2, 5)),
                    "china_transit": np.zeros((2, 5))}

        def step_years(self, step):
            return 2025, 3

    values = {name: f(Stub()) for name, f in summary_reporters(actors).items()}
    assert (values["year"], values["period"], values["leader"]) == (2025, 3, "CHN")
    assert [values[f"p_leader_{p}"] for p in ("CHN", "RUS", "EU", "USA")] == [0.5, 0.5, 0.0, 0.0]
    assert values["leader_share"] == pytest.approx(0.55) and values["influence_RUS"] == pytest.approx(0.45)


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
