"""The Python API that outside modellers use: Mesa conventions, designs and `evaluate`, misuse, tidy tables."""
import time

import mesa
import numpy as np
import pandas as pd
import pytest

import model as casim_model
from model import (ArgumentError, CentralAsiaModel, EnsembleTooLarge, HorizonReached, InputError, OutputRef,
                   ParameterError, evaluate, run_seed)
from model import arguments

POWERS = ["CHN", "RUS", "EU", "USA"]


# ---- Mesa conventions -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("max_steps", [6, 30])
def test_batch_run_step_zero_is_the_base_year_and_its_years_agree_with_results(max_steps):
    rows = mesa.batch_run(CentralAsiaModel, parameters={"seed": 3, "n_runs": 2, "end_year": 2027}, iterations=1,
                          max_steps=max_steps, data_collection_period=1, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows).set_index("Step")
    region = CentralAsiaModel(seed=3, n_runs=2, end_year=2027).run().results()["region"]
    by_step = region.groupby("step")
    # below the horizon Mesa steps max_steps + 1 times and reports Steps 0..max_steps; when the horizon (12
    # steps) stops the run first, it reports up to model.steps - 1 (Mesa's batch_run indexing)
    last = min(max_steps, 11)
    assert frame.index.tolist() == list(range(last + 1))
    assert frame.loc[0, ["year", "period"]].tolist() == [2024, 4]                  # Step 0 = the base year
    expected = by_step[["year", "period"]].first().loc[:last]
    np.testing.assert_array_equal(frame[["year", "period"]].to_numpy(), expected.to_numpy())
    influence = by_step[[f"influence_{p}" for p in POWERS]].mean().loc[:last]
    np.testing.assert_allclose(frame[influence.columns].to_numpy(), influence.to_numpy(), rtol=1e-12)


def test_running_turns_false_at_the_horizon_and_a_step_past_it_is_refused():
    model = CentralAsiaModel(seed=1, end_year=2025)
    model.run_model()                                       # Mesa's own loop: while running: step()
    assert (model.running, model.steps) == (False, 4)
    state = model.state.gdp.copy()
    with pytest.raises(HorizonReached, match=r"ended at step 4 \(2025, period 4 of 4\).*later end_year \(now 2025\)"):
        model.step()
    assert model.steps == 4 and np.array_equal(model.state.gdp, state)
    assert len(model.datacollector.get_model_vars_dataframe()) == 5       # the base year and four quarters


def test_mesa_rng_keyword_maps_onto_the_seed_scheme():
    plain = CentralAsiaModel(seed=42, n_runs=3, end_year=2025)
    assert CentralAsiaModel(rng=42, n_runs=3, end_year=2025).seeds == plain.seeds
    generator = np.random.default_rng(7)
    drawn = int(np.random.default_rng(7).integers(2 ** 63))
    from_generator = CentralAsiaModel(rng=generator, n_runs=2, end_year=2025)
    assert from_generator.seed == drawn and from_generator.seeds == [run_seed(drawn, 0, k) for k in range(2)]
    with pytest.raises(ArgumentError, match="pass seed= or Mesa's rng=, not both"):
        CentralAsiaModel(seed=1, rng=1)
    with pytest.raises(ArgumentError, match="rng must be an int seed, a numpy.random.Generator"):
        CentralAsiaModel(rng="abc")


# ---- misuse: each message names the argument -------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    ({"n_runs": 2.5}, r"n_runs must be a whole number \(an int\), got float 2.5"),
    ({"n_runs": "10"}, r"n_runs must be a whole number \(an int\), got str '10'"),
    ({"n_runs": 0}, "n_runs must be at least 1, got 0"),
    ({"n_runs": True}, "n_runs must be a whole number"),
    ({"run_seeds": []}, "run_seeds must list at least one seed, got an empty list"),
    ({"run_seeds": [1, -2]}, r"run_seeds\[1\] must be >= 0"),
    ({"run_seeds": 5}, "run_seeds must be a list of whole numbers >= 0, got int 5"),
    ({"n_runs": 3, "run_seeds": [1, 2]}, "run_seeds lists 2 seeds for 3 runs"),
    ({"seed": -1}, r"seed must be >= 0 \(numpy's SeedSequence takes no negative seeds\), got -1"),
    ({"seed": 1.5}, "seed must be a whole number >= 0, got float 1.5"),
    ({"nruns": 5}, "unknown keyword argument 'nruns' \\(did you mean 'n_runs'\\?\\)"),
    ({"seeds": [1, 2]}, "unknown keyword argument 'seeds' \\(did you mean 'seed'\\?\\)"),
    ({"ship_time_sale": 0.9}, "unknown keyword argument 'ship_time_sale' \\(did you mean 'ship_time_scale'\\?\\)"),
    ({"security_capacity": 0.5}, r"security_capacity=: 'security_capacity' is set per power: .*powers.all"),
    ({"start_year": 1990}, "start_year=1990 is outside the data: .* base years 2013-2024, so start_year may be 2014 to 2025"),
    ({"start_year": 2030, "end_year": 2040}, "start_year=2030 is outside the data"),
    ({"end_year": 2020}, "end_year=2020 is before start_year=2025"),
    ({"start_year": "2025"}, "start_year must be a whole number"),
    ({"record": "sometimes"}, "record must be one of"),
    ({"design": np.ones((3, 2))}, "design must be a pandas DataFrame .* pd.DataFrame\\(array, columns=paths\\)"),
    ({"design": pd.DataFrame({"beta_trad": [1.0]})}, "design column 'beta_trad': .*did you mean 'beta_trade'"),
    ({"design": pd.DataFrame({"beta_trade": ["a"]})}, "design column 'beta_trade': expected numbers"),
    ({"design": pd.DataFrame({"beta_trade": []})}, "design has no rows"),
    ({"design": {"beta_trade": [1.0]}, "n_runs": 4}, "n_runs: with a design the runs are its rows x replicates"),
    ({"design": {"beta_trade": [1.0]}, "replicates": 0}, "replicates must be at least 1"),
    ({"n_runs": 3, "replicates": 4}, "n_runs=3 and replicates=4 disagree"),
    ({"uncertainty": "posterier"}, "uncertainty must be one of 'posterior', 'prior', 'point', got str 'posterier' "
                                   "\\(did you mean 'posterior'\\?\\)"),
    ({"uncertainty": 3}, r"uncertainty must be one of 'posterior', 'prior', 'point', got int 3$"),
    ({"uncertainty": "prior", "run_seeds": [1, 2]}, "uncertainty='prior': parameter draws are keyed by the master "
                                                    "seed; give seed= with run_seeds="),
    ({"params": {"beta_trade": pd.Series(["x"])}}, "beta_trade: expected a number or per-run numbers"),
])
def test_each_misuse_is_refused_with_a_message_naming_the_argument(kwargs, message):
    with pytest.raises(ArgumentError if "params" not in kwargs else ParameterError, match=message) as caught:
        CentralAsiaModel(end_year=kwargs.pop("end_year", 2025), **kwargs)
    assert isinstance(caught.value, InputError)


def test_argument_errors_are_both_value_and_type_errors():
    with pytest.raises(TypeError):
        CentralAsiaModel(n_runs="10")
    with pytest.raises(ValueError):
        CentralAsiaModel(n_runs="10")


def test_an_oversized_ensemble_is_refused_before_seeds_or_arrays_are_made(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("allocated before the memory check")

    monkeypatch.setattr(arguments, "run_seed", forbidden)
    monkeypatch.setattr("model.model.RunStreams", forbidden)
    monkeypatch.setattr("model.model.Params", forbidden)
    started = time.perf_counter()
    with pytest.raises(EnsembleTooLarge, match=r"n_runs=10,000,000 with record='all' over 64 steps needs about "
                                               r"[\d.,]+ TB .*casim batch EXPERIMENT.yaml") as caught:
        CentralAsiaModel(n_runs=10 ** 7, seed=1)
    assert time.perf_counter() - started < 5
    assert isinstance(caught.value, MemoryError) and isinstance(caught.value, InputError)
    with pytest.raises(EnsembleTooLarge):
        CentralAsiaModel(run_seeds=np.arange(10 ** 7), record=False)


def test_the_memory_refusal_hints_at_the_record_mode_that_fits():
    foot = arguments.Footprint(fixed=20_000, per_step=3_000)
    assert foot.total(1000, 65) == 1000 * (20_000 + 65 * 3_000)
    assert arguments.check_memory(1000, 64, 4, "all", foot, available=10 ** 9) == 215_000_000
    with pytest.raises(EnsembleTooLarge, match=r"215.0 MB \(215.0 kB per run\) but this machine has 100.0 MB "
                                               r"available; pass record='final' to keep only the last step \(23.0 MB\)"):
        arguments.check_memory(1000, 64, 4, "all", foot, available=10 ** 8)
    with pytest.raises(EnsembleTooLarge, match="even one step per run does not fit: run it as a batch"):
        arguments.check_memory(1000, 64, 4, "year_end", foot, available=10 ** 7)
    assert [arguments.kept_steps(mode, 64, 4) for mode in ("all", "year_end", "final", None)] == [65, 17, 1, 0]


def test_the_history_keeps_the_steps_the_estimate_counts():
    for mode in ("all", "year_end", "final"):
        model = CentralAsiaModel(seed=1, end_year=2027, record=mode).run()
        assert len(model.history) == arguments.kept_steps(mode, model.n_steps, model.steps_per_year)


# ---- designs and the vectorised path ------------------------------------------------------------------------------
DESIGN = pd.DataFrame({"war_intensity": [0.3, 0.9, 0.6], "powers.RUS.security_capacity": [0.5, 1.4, 1.0],
                       "powers.all.sanctions": [0.2, 0.7, 0.4]})


def _point(row: dict, replicates: int, seed: int) -> pd.DataFrame:
    return CentralAsiaModel(seed=seed, n_runs=replicates, params=row, end_year=2027).run().results()["region"]


@pytest.mark.parametrize("as_given", [lambda d: d, lambda d: {k: d[k].to_numpy() for k in d},
                                      lambda d: {k: d[k] for k in d}])
def test_a_design_is_one_ensemble_equal_to_its_points_run_alone(as_given):
    ensemble = CentralAsiaModel(design=as_given(DESIGN), replicates=2, seed=5, end_year=2027).run()
    region = ensemble.results(include_params=True)["region"]
    assert ensemble.n_runs == 6 and ensemble.samples.tolist() == [0, 0, 1, 1, 2, 2]
    for j, row in DESIGN.iterrows():
        alone = _point(row.to_dict(), 2, 5)
        mine = region[region["sample"] == j]
        assert mine[DESIGN.columns[:2]].drop_duplicates().to_numpy().tolist() == [row.iloc[:2].tolist()]
        pd.testing.assert_frame_equal(mine[alone.columns].drop(columns="run").reset_index(drop=True),
                                      alone.drop(columns="run"), check_exact=True)


def test_a_series_is_one_design_point_or_one_column():
    row = DESIGN.iloc[1]
    one = CentralAsiaModel(design=row, replicates=2, seed=5, end_year=2027).run().results()["region"]
    pd.testing.assert_frame_equal(one, _point(row.to_dict(), 2, 5), check_exact=True)
    column = CentralAsiaModel(design=DESIGN["war_intensity"], seed=5, end_year=2025)
    assert column.params.war_intensity.tolist() == [0.3, 0.9, 0.6]


def test_independent_seeds_follow_the_batch_scheme():
    model = CentralAsiaModel(design=DESIGN, replicates=2, seed=5, common_seeds=False, end_year=2025)
    assert model.seeds == [run_seed(5, j, r) for j in range(3) for r in range(2)]
    common = CentralAsiaModel(design=DESIGN, replicates=2, seed=5, end_year=2025)
    assert common.seeds == [run_seed(5, 0, r) for _ in range(3) for r in range(2)]


def test_the_design_pins_its_parameters_over_params_and_keywords():
    model = CentralAsiaModel(design={"beta_trade": [1.5, 2.5]}, params={"beta_trade": 9.0, "war_intensity": 0.1},
                             ship_time_scale=1.2, seed=1, end_year=2025)
    assert model.params.beta_trade.tolist() == [1.5, 2.5]
    assert model.params.war_intensity.tolist() == [0.1, 0.1] and model.params.ship_time_scale.tolist() == [1.2, 1.2]


def test_results_with_params_and_the_public_runs_table():
    model = CentralAsiaModel(design=DESIGN, replicates=2, seed=5, ship_time_scale=0.9, end_year=2025).run()
    runs = model.runs_table()
    assert list(runs.columns[:5]) == ["run", "scenario", "replicate", "sample", "seed"]
    assert runs["powers.EU.sanctions"].tolist() == [0.2, 0.2, 0.7, 0.7, 0.4, 0.4]
    region = model.results(include_params=True)["region"]
    chosen = ["ship_time_scale", "war_intensity", "powers.RUS.security_capacity",
              *(f"powers.{p}.sanctions" for p in POWERS)]
    assert sorted(region.columns[-len(chosen):]) == sorted(chosen)
    assert region.columns[region.columns.get_loc("replicate") + 1] == "sample"
    states = model.results(include_params=["war_intensity"])["states"]
    assert states.groupby("run")["war_intensity"].first().tolist() == [0.3, 0.3, 0.9, 0.9, 0.6, 0.6]
    plain = model.results()["region"]
    assert "sample" not in plain and "war_intensity" not in plain        # the output contract is unchanged


def test_runs_table_holds_the_values_at_the_start_even_after_an_event_sets_one():
    from model import Event

    event = Event(step=2, apply=lambda m, runs: m.params.set("war_intensity", 0.05, runs=runs))
    model = CentralAsiaModel(seed=1, n_runs=2, params={"war_intensity": 0.8}, events=[event], end_year=2025).run()
    assert model.params.war_intensity.tolist() == [0.05, 0.05]
    assert model.runs_table()["war_intensity"].tolist() == [0.8, 0.8]


def test_evaluate_returns_a_tidy_frame_equal_to_point_by_point_runs():
    out = evaluate(DESIGN, replicates=2, outputs=["influence_RUS@2026", "KAZ.alignment_CHN@2025"], seed=5,
                   end_year=2027)
    assert list(out.columns) == ["run", "sample", "replicate", "seed", *DESIGN.columns, "output", "value"]
    assert list(out["output"].cat.categories) == ["influence_RUS@2026", "KAZ.alignment_CHN@2025"]
    assert len(out) == 12 and out["value"].dtype == float
    for j, row in DESIGN.iterrows():
        tables = CentralAsiaModel(seed=5, n_runs=2, params=row.to_dict(), end_year=2027).run().results()
        for ref in ("influence_RUS@2026", "KAZ.alignment_CHN@2025"):
            expected = OutputRef.parse(ref).values(tables).to_numpy()
            got = out[(out["sample"] == j) & (out["output"] == ref)]["value"].to_numpy()
            np.testing.assert_array_equal(got, expected)


def test_evaluate_runs_a_scenario_file_with_the_design_pinning_its_params(tmp_path):
    scenario = tmp_path / "push.yaml"
    scenario.write_text("name: push\ndescription: a test scenario\nparams: {powers.EU.transport_investment: 3.0, "
                        "war_intensity: 0.2}\nevents:\n  - {at: 2026, set: {beta_trade: 2.5}}\n")
    out = evaluate({"war_intensity": [0.7]}, replicates=2, outputs=["influence_EU@2026"], seed=2, scenario=scenario)
    from model import load_scenario, run_ensemble

    spec = load_scenario(scenario).run_spec(replicates=2, seed=2, end_year=2026, uncertainty="point")
    spec.params["war_intensity"] = 0.7
    _, tables = run_ensemble(spec)
    np.testing.assert_array_equal(out["value"], OutputRef.parse("influence_EU@2026").values(tables).to_numpy())


def test_a_design_under_parameter_uncertainty_draws_per_replicate_and_pins_its_columns():
    """With uncertainty='posterior', replicate r of every design point draws replicate r's vector of a plain
    posterior model (common parameters), the design's columns pinned over it; point j equals its run alone."""
    out = evaluate(DESIGN, replicates=3, outputs=["influence_RUS@2026"], seed=8, uncertainty="posterior",
                   end_year=2026)
    model = CentralAsiaModel(design=DESIGN, replicates=3, seed=8, uncertainty="posterior", end_year=2025)
    plain = CentralAsiaModel(n_runs=3, seed=8, uncertainty="posterior", end_year=2025)
    assert np.unique(plain.params.beta_history).size == 3                    # the replicates' draws differ
    np.testing.assert_array_equal(model.params.beta_history, np.tile(plain.params.beta_history, 3))
    np.testing.assert_array_equal(model.params.war_intensity, np.repeat(DESIGN["war_intensity"], 3))
    for j, row in DESIGN.iterrows():
        alone = CentralAsiaModel(seed=8, n_runs=3, params=row.to_dict(), uncertainty="posterior", end_year=2026)
        expected = OutputRef.parse("influence_RUS@2026").values(alone.run().results()).to_numpy()
        np.testing.assert_array_equal(out[out["sample"] == j]["value"].to_numpy(), expected)
    point = evaluate(DESIGN, replicates=3, outputs=["influence_RUS@2026"], seed=8, end_year=2026)
    assert not np.array_equal(point["value"], out["value"])                   # the draw moves the outputs


@pytest.mark.parametrize("kwargs, message", [
    ({"outputs": []}, "outputs: name at least one"),
    ({"outputs": ["influnce_RUS@2030"]}, r"outputs\[0\]: unknown output column 'influnce_RUS'.*'influence_RUS'"),
    ({"outputs": ["influence_RUS@2030", "leader@2030"]}, r"outputs\[1\] 'leader@2030': leader is a code"),
    ({"outputs": ["influence_RUS@2050"], "end_year": 2040}, r"outputs\[0\] 'influence_RUS@2050': 2050 is outside"),
    ({"outputs": ["influence_RUS"]}, "expected COLUMN@YEAR"),
    ({"replicates": 1.5}, "replicates must be a whole number"),
    ({"record": "all"}, "record: evaluate keeps each year's last step itself"),
])
def test_evaluate_names_the_bad_argument(kwargs, message):
    kwargs = {"outputs": ["influence_RUS@2026"], **kwargs}
    with pytest.raises(InputError, match=message):
        evaluate({"war_intensity": [0.5]}, **kwargs)


# ---- tidy tables -------------------------------------------------------------------------------------------------
def test_tidy_tables_hold_the_wide_values_with_categorical_codes():
    model = CentralAsiaModel(seed=2, n_runs=3, end_year=2026).run()
    wide, long = model.results(), model.results(tidy=True)
    region, states = long["region"], long["states"]
    for frame in (region, states):
        assert {c: str(frame[c].dtype) for c in ("scenario", "variable", "power")} == dict.fromkeys(
            ("scenario", "variable", "power"), "category")
        assert list(frame["power"].cat.categories) == POWERS
    assert list(states["state"].cat.categories) == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    influence = region[region["variable"] == "influence"].pivot_table(index=["run", "step"], columns="power",
                                                                      values="value", observed=True)
    np.testing.assert_array_equal(influence[POWERS].to_numpy(),
                                  wide["region"].set_index(["run", "step"])[[f"influence_{p}" for p in POWERS]])
    hhi = region[region["variable"] == "hhi"]
    assert hhi["power"].isna().all() and np.array_equal(hhi["value"], wide["region"]["hhi"])
    leads = region[region["variable"] == "leads"]
    assert (leads.groupby(["run", "step"])["value"].sum() == 1.0).all()
    leader = leads[leads["value"] == 1.0].sort_values(["run", "step"])["power"].astype(str).tolist()
    assert leader == wide["region"]["leader"].tolist()
    kaz = states[(states["state"] == "KAZ") & (states["variable"] == "alignment") & (states["power"] == "CHN")]
    wide_kaz = wide["states"][wide["states"]["state"] == "KAZ"]
    np.testing.assert_array_equal(kaz["value"], wide_kaz["alignment_CHN"])
    n_region_values = len(wide["region"]) * (len(wide["region"].columns) - 7 - 1 + len(POWERS))   # leader -> 4
    assert len(region) == n_region_values


def test_the_package_exports_the_documented_names():
    for name in ("CentralAsiaModel", "evaluate", "parameter_paths", "parse_path", "parameter_table", "runs_table",
                 "uncertainty_ranges", "ArgumentError", "EnsembleTooLarge", "HorizonReached", "base_years"):
        assert name in casim_model.__all__ and hasattr(casim_model, name)


def test_leader_figure_draws_the_share_of_runs_each_power_leads():
    from casim.plots import leader_figure

    china_strong = {"powers.RUS.security_capacity": [0.1, 0.1, 2.5, 2.5], "powers.CHN.investment_scale": [10, 10, 1, 1],
                    "war_intensity": [1, 1, 0, 0]}          # runs 0 and 1: China leads by 2026; 2 and 3: Russia
    model = CentralAsiaModel(seed=2, n_runs=4, end_year=2026, params=china_strong).run()
    region = model.results()["region"]
    lines = {line.get_label(): line.get_ydata() for line in leader_figure(region).axes[0].lines}
    collected = model.datacollector.get_model_vars_dataframe()
    for power in POWERS:
        np.testing.assert_allclose(lines[model.actors.short_names[power]], collected[f"p_leader_{power}"])
    assert 0 < collected["p_leader_RUS"].iloc[-1] < 1          # the runs disagree, so the lines are not all 0 or 1
