import re

import numpy as np
import pytest

import yaml

from model.actors import DATA_DIR, load_actors, load_fact_ids
from model.economy import fdi_shiptime_exponent
from model.params import REGISTRY, ParameterError, Params, parse_path, valid_paths

FACT_LIKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+){1,}\b")
NOT_FACTS = {"not_found"}


def cited_ids(source: str) -> set[str]:
    return {t for t in FACT_LIKE.findall(source) if t not in NOT_FACTS}


def test_every_parameter_is_fully_specified():
    for p in REGISTRY.values():
        assert p.unit and p.source and p.doc, p.name
        lo, hi = p.bounds
        values = p.default.values() if isinstance(p.default, dict) else [p.default]
        assert all(lo <= v <= hi for v in values), p.name
        assert lo <= p.range[0] <= p.range[1] <= hi, p.name


def history_series_ids() -> set[str]:
    with open(DATA_DIR / "history.yaml", encoding="utf-8") as fh:
        return {s["id"] for s in yaml.safe_load(fh)["series"]}


def test_cited_fact_ids_exist():
    facts = load_fact_ids() | history_series_ids()  # a figure from facts.yaml or a series of history.yaml
    actors = load_actors()
    sources = list(actors.sources.values()) + [p.source for p in REGISTRY.values()]
    cited = set().union(*(cited_ids(s) for s in sources))
    unknown = {c for c in cited if c not in facts and c not in REGISTRY}  # parameter names may appear too
    assert not unknown, f"sources cite ids missing from facts.yaml: {sorted(unknown)}"
    assert len(cited & facts) >= 40


def test_fdi_exponent_from_card():
    assert fdi_shiptime_exponent(0.12) == pytest.approx(np.log(1.12) / np.log(1 / 0.9))
    assert fdi_shiptime_exponent(0.12) == pytest.approx(1.0756, abs=1e-4)


def test_unknown_names_suggest_the_nearest():
    with pytest.raises(ParameterError, match="did you mean 'ship_time_scale'"):
        parse_path("ship_time_scal")
    with pytest.raises(ParameterError, match="did you mean 'security_capacity'"):
        parse_path("powers.RUS.security_capacty")
    with pytest.raises(ParameterError, match="did you mean 'KAZ'"):
        parse_path("states.KAX.base_growth")


def test_out_of_range_and_wrong_type():
    with pytest.raises(ParameterError, match="outside the valid range"):
        Params(1, {"ship_time_scale": -1.0})
    with pytest.raises(ParameterError, match="expected a number"):
        Params(1, {"ship_time_scale": "fast"})


def test_per_run_arrays_and_scopes():
    p = Params(3, {"ship_time_scale": [0.9, 1.0, 1.1], "states.all.local_processing": 0.5,
                   "powers.RUS.security_capacity": 0.7}, use_calibrated=False)
    assert p.ship_time_scale.tolist() == [0.9, 1.0, 1.1]
    assert np.all(p.local_processing == 0.5)
    assert p.security_capacity[:, 1].tolist() == [0.7] * 3
    assert p.security_capacity[0, 0] == REGISTRY["security_capacity"].default["CHN"]
    with pytest.raises(ParameterError, match="3 per-run values"):
        Params(3, {"ship_time_scale": [0.9, 1.0]})


def test_a_scoped_parameter_needs_an_actor_or_all():
    """A bare scoped name would set every power silently; it is refused, naming both explicit forms."""
    with pytest.raises(ParameterError, match=r"'security_capacity' is set per power: name one "
                                             r"\(powers.CHN.security_capacity\) or every power \(powers.all.security_capacity\)"):
        Params(1, {"security_capacity": 0.5})
    with pytest.raises(ParameterError, match="did you mean 'all'"):
        parse_path("powers.al.security_capacity")
    every = Params(2, {"powers.all.security_capacity": 0.5, "powers.RUS.security_capacity": 0.9}, use_calibrated=False)
    assert every.security_capacity.tolist() == [[0.5, 0.9, 0.5, 0.5]] * 2     # later paths win, in order


def test_per_run_values_may_be_a_series_or_array():
    import pandas as pd

    p = Params(3, {"ship_time_scale": pd.Series([0.9, 1.0, 1.1], index=[7, 8, 9]),
                   "beta_trade": np.array([1, 2, 3])}, use_calibrated=False)
    assert p.ship_time_scale.tolist() == [0.9, 1.0, 1.1] and p.beta_trade.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ParameterError, match="beta_trade: expected a number or per-run numbers, got Series of"):
        Params(2, {"beta_trade": pd.Series(["1", "2"])})


def test_parameter_paths_are_the_runs_tables_columns_and_all_forms_are_valid():
    from model import CentralAsiaModel, parameter_paths

    runs = CentralAsiaModel(seed=1, end_year=2025).runs_table()
    assert list(runs.columns[5:]) == parameter_paths()
    assert set(valid_paths()) - set(parameter_paths()) == {
        f"{prefix}.all.{p.name}" for p in REGISTRY.values() if p.scope != "global"
        for prefix in [{"state": "states", "power": "powers"}[p.scope]]}


def test_parameter_table_gives_numbers_the_value_in_effect_and_its_source():
    from model import parameter_table
    from model.params import load_defaults

    calibrated = load_defaults()
    table = parameter_table({"powers.all.sanctions": 0.3, "war_intensity": [0.2, 0.4]}).set_index("path")
    assert table.loc["beta_trade", "value"] == calibrated["beta_trade"]
    assert table.loc["beta_trade", "value_source"] == "calibrated"
    assert table.loc["beta_trade", "default"] == REGISTRY["beta_trade"].default
    assert table.loc["powers.EU.sanctions", ["value", "value_source"]].tolist() == [0.3, "override"]
    assert np.isnan(table.loc["war_intensity", "value"])                  # differs between runs
    assert table.loc["ship_time_scale", ["value", "value_source"]].tolist() == [1.0, "registry"]
    # the uncertainty range is the actor's prior: around Russia's own default (prior_around), not the shared range
    assert table.loc["powers.RUS.security_capacity", ["lower", "upper", "range_lower", "range_upper"]].tolist() == \
        [0.0, 3.0, 0.5, 1.5]
    assert table[["lower", "upper", "range_lower", "range_upper", "value", "default"]].dtypes.eq(float).all()
    plain = parameter_table(use_calibrated=False).set_index("path")
    assert plain.loc["beta_trade", ["value", "value_source"]].tolist() == [REGISTRY["beta_trade"].default, "registry"]


def test_every_valid_path_parses():
    for path in valid_paths():
        parse_path(path)


def test_calibrated_defaults_load_through_one_documented_step(tmp_path):
    """`load_defaults` reads the calibrated file; Params layers it, or other `defaults`, under the overrides."""
    from model.params import load_defaults

    good = tmp_path / "calibrated.yaml"
    good.write_text("params:\n  beta_trade: 3.5\n  powers.CHN.demand_growth: 0.05\n")
    assert load_defaults(good) == {"beta_trade": 3.5, "powers.CHN.demand_growth": 0.05}
    params = Params(2, {"beta_trade": 4.0}, defaults=load_defaults(good))
    assert params.beta_trade.tolist() == [4.0, 4.0] and params.demand_growth[0, 0] == 0.05
    plain = Params(1, use_calibrated=False)
    assert plain.beta_trade[0] == REGISTRY["beta_trade"].default
    assert load_defaults(tmp_path / "none.yaml") == {}              # an uncalibrated checkout
    bad = tmp_path / "bad.yaml"
    bad.write_text("params:\n  beta_trade: 3.5\n  beta_trad: 1.0\n")
    with pytest.raises(ParameterError, match=r"bad.yaml:3: params.beta_trad: unknown parameter .*did you mean 'beta_trade'"):
        load_defaults(bad)


def test_calibrated_ranges_replace_the_sourced_range_through_the_same_load_step(tmp_path):
    """`intervals:` beside `params:` are the calibrated parameters' uncertainty ranges in effect."""
    from model.params import load_ranges, parameter_table, uncertainty_range

    good = tmp_path / "calibrated.yaml"
    good.write_text("params:\n  beta_trade: 3.5\n  powers.CHN.demand_growth: 0.02\n"
                    "intervals:\n  beta_trade: [3.0, 4.0]\n  powers.CHN.demand_growth: [0.01, 0.03]\n"
                    "hindcast:\n  not_identified: [trade_gdp_elasticity]\n")
    assert load_ranges(good) == {"beta_trade": (3.0, 4.0), "powers.CHN.demand_growth": (0.01, 0.03)}
    assert uncertainty_range("beta_trade", good) == (3.0, 4.0)
    assert uncertainty_range("beta_fdi", good) == REGISTRY["beta_fdi"].range       # not calibrated: sourced
    table = parameter_table(defaults_path=good).set_index("path")
    assert table.loc["beta_trade", ["value", "value_source"]].tolist() == [3.5, "calibrated"]
    assert table.loc["beta_trade", ["calibrated_lower", "calibrated_upper"]].tolist() == [3.0, 4.0]
    assert table.loc["beta_trade", ["in_effect_lower", "in_effect_upper"]].tolist() == [3.0, 4.0]
    assert table.loc["beta_trade", ["range_lower", "range_upper"]].tolist() == list(REGISTRY["beta_trade"].range)
    assert table.loc["beta_trade", "upper"] == REGISTRY["beta_trade"].bounds[1]
    assert table.loc["powers.CHN.demand_growth", ["value", "in_effect_lower", "in_effect_upper"]].tolist() == \
        [0.02, 0.01, 0.03]
    russia = table.loc["powers.RUS.demand_growth"]                     # not calibrated: its sourced prior
    assert np.isnan(russia["calibrated_lower"]) and russia["value_source"] == "registry"
    assert (russia["in_effect_lower"], russia["in_effect_upper"]) == (russia["range_lower"], russia["range_upper"])
    assert table.loc["beta_fdi", "value"] == REGISTRY["beta_fdi"].default and table.loc["beta_fdi", "identified"]
    assert not table.loc["trade_gdp_elasticity", "identified"]
    assert table.loc["trade_gdp_elasticity", "value"] == REGISTRY["trade_gdp_elasticity"].default
    shared = tmp_path / "shared.yaml"   # an interval written for all powers holds for each power's path
    shared.write_text("params:\n  powers.all.demand_growth: 0.02\nintervals:\n  powers.all.demand_growth: [0.01, 0.03]\n")
    assert uncertainty_range("powers.EU.demand_growth", shared) == (0.01, 0.03)
    assert parameter_table(defaults_path=shared).set_index("path").loc["powers.EU.demand_growth", "in_effect_upper"] == 0.03
    outside = tmp_path / "outside.yaml"
    outside.write_text("params:\n  beta_trade: 3.5\nintervals:\n  beta_trade: [1.0, 2.0]\n")
    with pytest.raises(ParameterError, match=r"outside.yaml:4: intervals.beta_trade: \[1, 2\] must be ordered and hold"):
        load_ranges(outside)
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("params:\n  beta_trade: 3.5\nintervals:\n  beta_trade: [-1.0, 4.0]\n")
    with pytest.raises(ParameterError, match=r"invalid.yaml:4: intervals.beta_trade: .*outside the valid range"):
        load_ranges(invalid)
