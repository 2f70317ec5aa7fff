"""Runs from any start year 2014-2025: the base-year table and world, the observed commodity path, the
hindcast outputs, and the history scenario through the real CLI with its observed-against-simulated figures."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from model.actors import load_actors
from model.base_year import actors_for_year, base_params
from model.events import SHOCKS
from model.model import CentralAsiaModel
from model.observed import load_history
from model.scenario import ScenarioError, load_scenario

REPO = Path(__file__).resolve().parent.parent
HISTORY_SCENARIO = REPO / "scenarios" / "history_2014_2024.yaml"
CASIM = Path(sys.executable).parent / "casim"


def test_a_2014_start_takes_the_2013_table_and_world():
    m = CentralAsiaModel(n_runs=2, seed=1, start_year=2014, end_year=2014, use_calibrated=False)
    assert m.actors.base_year == 2013
    kaz = m.actors.state_index("KAZ")
    assert m.state.gdp[0, kaz] == pytest.approx(actors_for_year(2013).state["gdp"][kaz])
    world = base_params(2013)
    assert m.params.sanctions[0, m.actors.power_index("RUS")] == world["powers.RUS.sanctions"] == 0.0
    assert m.params.war_intensity[0] == 0.0
    assert m.params.eaeu_member[0, m.actors.state_index("KGZ")] == 0.0
    # reserves over GDP are 2013's (Tajikistan 0.078, not 2024's 0.252), and a drawn run keeps them: they are data
    tjk = m.actors.state_index("TJK")
    assert m.params.reserves_to_gdp[0, tjk] == world["states.TJK.reserves_to_gdp"] == 0.078
    drawn = CentralAsiaModel(n_runs=3, seed=1, start_year=2014, end_year=2014, uncertainty="prior")
    assert (drawn.params.reserves_to_gdp[:, tjk] == 0.078).all()
    assert int(m.step_years(0)[0]) == 2013 and int(m.step_years(1)[0]) == 2014


def test_a_2025_start_keeps_todays_table():
    m = CentralAsiaModel(n_runs=1, seed=1, start_year=2025, end_year=2025)
    assert m.actors is load_actors()


def test_start_years_before_the_data_name_the_years_available(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: t\ndescription: d\nstart_year: 2013\nend_year: 2016\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.messages == [f"{path}:3: start_year: base year 2012 is outside the data: base years 2013-2024 "
                                   "(start years 2014-2025)"]
    ok = tmp_path / "ok.yaml"
    ok.write_text("name: t\ndescription: d\nstart_year: 2014\nend_year: 2016\n", encoding="utf-8")
    assert load_scenario(ok).run_spec().start_year == 2014
    with pytest.raises(ScenarioError, match="start_year: base year 2011"):
        load_scenario(ok).run_spec(start_year=2012)


def test_commodity_path_pins_oil_to_the_observed_annual_means():
    brent = load_history().get("wld_brent_usd_eia").values
    scenario = load_scenario(HISTORY_SCENARIO)
    spec = scenario.run_spec(replicates=3, end_year=2017)
    m = CentralAsiaModel(run_seeds=[1, 2, 3], start_year=spec.start_year, end_year=2017, events=list(spec.events),
                         params=spec.params, use_calibrated=False, record=False)
    oil = m.actors.commodities.index("oil")
    seen = {}
    while m.steps < m.n_steps:
        m.step()
        year = int(m.step_years(m.steps)[0])
        seen.setdefault(year, []).append(m.state.log_prices[:, oil].copy())
    for year, steps in seen.items():
        # every step of the year, every run: ln(P_year / P_2013), e.g. 2016: ln(43.6 / 108.6) = -0.91
        np.testing.assert_allclose(np.array(steps), np.log(brent[year] / brent[2013]), atol=1e-12)
    assert np.log(brent[2016] / brent[2013]) < -0.9


def test_commodity_path_names_the_nearest_series():
    with pytest.raises(ValueError, match="did you mean 'wld_brent_usd_eia'"):
        SHOCKS["commodity_path"].args(commodity="oil", series="wld_brent_usd")


def test_hindcast_outputs_by_hand():
    m = CentralAsiaModel(n_runs=1, seed=1, start_year=2014, end_year=2014, use_calibrated=False, record=False)
    s, a = m.state, m.actors
    kgz, chn = a.state_index("KGZ"), a.power_index("CHN")
    s.security[0] = 0.0
    s.security[0, 0, chn], s.security[0, 1, chn], s.security[0, 1, a.power_index("RUS")] = 0.2, 0.1, 0.7
    assert m.output("security_share_CHN")[0] == pytest.approx(0.3 / 1.0)
    s.debt[0, kgz] = [1.0, 0.5, 0.25, 0.25]
    s.other_debt[0, kgz] = 2.0
    assert m.output("china_debt_share", "states")[0, kgz] == pytest.approx(s.debt[0, kgz, chn] / 4.0)


def test_history_scenario_runs_from_2014_with_observed_figures(tmp_path):
    out = tmp_path / "history"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([str(CASIM), "run", str(HISTORY_SCENARIO), "--out", str(out), "--replicates", "6"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "2014-2024" in done.stdout
    manifest = yaml.safe_load((out / "manifest.json").read_text())
    assert manifest["horizon"]["start_year"] == 2014
    plots = {p.name for p in (out / "plots").glob("observed_*.png")}
    assert {"observed_trade_china.png", "observed_trade_russia.png", "observed_gdp_usd.png"} <= plots
