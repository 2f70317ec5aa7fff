"""Parameter uncertainty (`model.uncertainty`): which entries are drawn, what each replicate draws, and that the draw
is part of the replicate's identity (the same in every scenario, chunk and ensemble size) while pins win."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.events import make_set_event
from model.model import CentralAsiaModel
from model.params import KINDS, REGISTRY, Param, default_kind, parameter_table, parse_path
from model.run import RunSpec, run_ensemble
from model.uncertainty import (MODES, UncertaintyError, draw_parameters, load_posterior, posterior_file,
                               uncertain_parameters)

NEVER_DRAWN = ("ship_time_scale", "investment_scale", "sanctions", "security_offer", "reactions", "eaeu_member")


def test_every_entry_has_a_kind_and_the_table_shows_it():
    table = parameter_table()
    assert set(table["kind"]) <= set(KINDS)
    assert dict(zip(table["name"], table["kind"])) == {p.name: p.kind for p in REGISTRY.values()}  # a row per path
    for name in NEVER_DRAWN:  # design levers and data switches (the lead's list): one property says so
        assert REGISTRY[name].kind != "uncertain", name
    assert sum(p.drawn for p in REGISTRY.values()) >= 20


def test_the_rule_for_entries_that_do_not_state_a_kind():
    def entry(source, rng, **kw):
        return Param("x", 1.0, "-", (0.0, 2.0), rng, source, "doc", **kw)

    assert default_kind("design lever", (0.0, 1.0)) == entry("design lever", (0.0, 1.0)).kind == "lever"
    assert entry("a fact id", (1.0, 1.0)).kind == "data"
    assert entry("assumption", (0.5, 1.5)).kind == "uncertain" and entry("assumption", (0.5, 1.5)).drawn
    assert entry("design", (0.5, 1.5), kind="uncertain").kind == "uncertain"  # a stated kind wins
    with pytest.raises(ValueError, match="kind must be one of"):
        entry("assumption", (0.5, 1.5), kind="maybe")


def test_prior_around_an_actors_default_by_hand():
    times = Param("t", {"A": 0.2, "B": 1.0, "default": 0.0}, "-", (0.0, 1.2), (0.0, 1.0), "s", "d", "power",
                  prior_around=("times", 0.5, 1.5))
    plus = Param("p", {"A": 0.05, "default": 0.0}, "-", (-0.01, 1.0), (0.0, 1.0), "s", "d", "state",
                 prior_around=("plus", -0.02, 0.02))
    assert times.prior_range("A") == pytest.approx((0.1, 0.3))
    assert times.prior_range("B") == pytest.approx((0.5, 1.2))  # 1.5 is cut at the valid range
    assert times.prior_range("C") == (0.0, 0.0)  # a zero default stays zero
    assert plus.prior_range("A") == pytest.approx((0.03, 0.07))
    assert plus.prior_range("Z") == pytest.approx((-0.01, 0.02))  # default 0 - 0.02, cut at the valid range
    with pytest.raises(ValueError, match="actor-scoped"):
        Param("g", 1.0, "-", (0.0, 2.0), (0.5, 1.5), "s", "d", prior_around=("times", 0.5, 1.5))


def test_each_actor_draws_around_its_own_value():
    """A drawn actor-scoped entry whose actors' defaults differ states `prior_around`: drawing every actor on the
    shared range would erase what the data say about each (the EU's security capacity drawn near Russia's made the
    EU lead 2030 in 44% of runs). And every actor's default lies inside its own prior."""
    from model.actors import load_actors
    from model.params import scope_codes

    actors = load_actors()
    for p in REGISTRY.values():
        if not p.drawn or p.scope == "global":
            continue
        codes = scope_codes(p.scope, actors)
        defaults = {c: p.default.get(c, p.default.get("default")) for c in codes}
        if len(set(defaults.values())) > 1:
            assert p.prior_around is not None, f"{p.name}: actors' defaults differ ({defaults}); state prior_around"
        for code, value in defaults.items():
            lo, hi = p.prior_range(code)
            assert lo <= value <= hi, (p.name, code, value, (lo, hi))


def test_every_prior_lies_in_the_valid_range():
    prior = uncertain_parameters()
    assert len(prior.paths) == len(set(prior.paths)) and np.all(prior.low <= prior.high)
    for path, lo, hi in zip(prior.paths, prior.low, prior.high):
        param, _ = parse_path(path)
        assert param.drawn and param.bounds[0] <= lo <= hi <= param.bounds[1], path


def test_point_draws_nothing_and_prior_draws_within_each_range():
    assert draw_parameters("point", 1, range(5)) == {}
    prior = uncertain_parameters()
    draws = draw_parameters("prior", 1, range(200))
    assert list(draws) == list(prior.paths)
    values = np.column_stack(list(draws.values()))
    assert np.all(values >= prior.low) and np.all(values <= prior.high)
    spread = prior.high > prior.low
    assert np.all(values.std(axis=0)[spread] > 0.2 * (prior.high - prior.low)[spread])  # uniform: sd = width / 3.46


def test_posterior_draws_are_rows_of_the_calibrated_posterior():
    posterior = load_posterior(posterior_file())
    draws = draw_parameters("posterior", 7, range(50))
    drawn = np.column_stack([draws[path] for path in posterior.paths])
    rows = {tuple(row) for row in posterior.values}
    assert all(tuple(row) in rows for row in drawn)  # whole vectors: correlations between fitted parameters kept
    assert len({tuple(row) for row in drawn}) > 30
    prior = draw_parameters("prior", 7, range(50))  # the other parameters: the same uniforms in both modes
    for path in set(prior) - set(posterior.paths):
        assert np.array_equal(prior[path], draws[path]), path


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 63 - 1), replicates=st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
       mode=st.sampled_from(["prior", "posterior"]))
def test_a_replicates_draw_depends_on_the_seed_and_its_index_only(seed, replicates, mode):
    together = draw_parameters(mode, seed, replicates)
    for i, k in enumerate(replicates):
        alone = draw_parameters(mode, seed, [k])
        assert all(alone[path][0] == values[i] for path, values in together.items())


def test_weights_and_bad_posterior_files(tmp_path):
    path = tmp_path / "post.parquet"
    pd.DataFrame({"beta_trade": [1.0, 2.0, 3.0], "weight": [0.0, 1.0, 0.0], "objective": [9, 9, 9]}).to_parquet(path)
    posterior = load_posterior(path)
    draws = draw_parameters("posterior", 3, range(20), posterior=posterior)
    assert np.all(draws["beta_trade"] == 2.0)  # the only row with weight
    bad = {"beta_trad": [1.0], "ship_time_scale": [1.0], "beta_fdi": [99.0]}
    pd.DataFrame(bad).to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(UncertaintyError) as err:
        load_posterior(tmp_path / "bad.parquet")
    text = "\n".join(err.value.messages)
    assert "column 'beta_trad'" in text and "did you mean 'beta_trade'" in text
    assert "ship_time_scale is a lever, which the model never draws" in text
    assert "column 'beta_fdi': 99 is outside the valid range" in text and str(tmp_path / "bad.parquet") in text
    with pytest.raises(UncertaintyError, match="cannot read the posterior draws.*--uncertainty prior or point"):
        load_posterior(tmp_path / "missing.parquet")
    with pytest.raises(UncertaintyError, match="choose one of posterior, prior, point"):
        draw_parameters("posterier", 1, [0])
    assert MODES == ("posterior", "prior", "point")


def test_pins_win_over_the_draw_and_an_event_wins_from_its_date():
    model = CentralAsiaModel(n_runs=6, seed=4, params={"beta_trade": 2.5, "states.all.hedging_temperature": 1.0},
                             uncertainty="posterior", end_year=2025,
                             events=[make_set_event(3, {"war_intensity": 0.05})])
    assert np.all(model.params.beta_trade == 2.5) and np.all(model.params.hedging_temperature == 1.0)
    assert np.unique(model.params.beta_history).size == 6 and np.unique(model.params.war_intensity).size == 6
    plain = CentralAsiaModel(n_runs=6, seed=4, uncertainty="posterior", end_year=2025)
    assert np.array_equal(plain.params.beta_history, model.params.beta_history)  # the rest of the draw is shared
    model.run()
    assert np.all(model.params.war_intensity == 0.05)
    assert model.seeds == plain.seeds == CentralAsiaModel(n_runs=6, seed=4, end_year=2025).seeds  # seeds unchanged


def test_a_run_alone_reproduces_its_run_in_the_ensemble():
    spec = RunSpec(replicates=5, seed=21, end_year=2026)
    _, together = run_ensemble(spec)
    _, alone = run_ensemble(RunSpec(replicates=1, seed=21, end_year=2026, run_seeds=[int(together["runs"]["seed"][3])],
                                    replicate_ids=[3]))
    columns = [c for c in together["region"].columns if c.startswith("influence_")]
    mine = together["region"][together["region"]["run"] == 3][columns].to_numpy()
    assert np.array_equal(mine, alone["region"][columns].to_numpy())
    row = together["runs"].iloc[3]
    assert all(row[c] == alone["runs"].iloc[0][c] for c in together["runs"].columns if c not in ("run",))


def test_runs_table_and_manifest_record_the_draw(tmp_path):
    from model.run import write_outputs
    import json

    tables = write_outputs(tmp_path / "out", RunSpec(replicates=4, seed=2, end_year=2025, params={"beta_trade": 3.0}))
    runs = tables["runs"]
    assert runs["beta_history"].nunique() == 4 and runs["beta_trade"].nunique() == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["uncertainty"]["mode"] == "posterior"
    assert Path(manifest["uncertainty"]["posterior"]) == posterior_file()
    assert "beta_history" in manifest["uncertainty"]["drawn"] and "beta_trade" not in manifest["uncertainty"]["drawn"]
    assert manifest["params"]["beta_history"] == "per run (runs.parquet)" and manifest["params"]["beta_trade"] == 3.0
    assert str(posterior_file()) in manifest["input_files"]


def test_run_seeds_without_the_master_seed_cannot_draw():
    with pytest.raises(Exception, match="keyed by the master seed"):
        CentralAsiaModel(run_seeds=[1, 2], uncertainty="prior")
