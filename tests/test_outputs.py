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
