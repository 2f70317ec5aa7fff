"""Model v2 as a whole (issue 16): every parameter is read, the base year is at rest, the baseline stays plausible,
the card holds per state and power, and each mechanism moves what it should by at least a stated size.

Scenario effects are paired against the baseline under common random numbers: the same run seeds, so a
difference is the mechanism's, not noise.
"""
from functools import lru_cache

import numpy as np
import pytest

from model import REGISTRY, CentralAsiaModel
from model.events import make_event, make_set_event
from model.params import PREFIXES, scope_codes
from model.rng import run_seeds

QUIET = {"commodity_volatility": 0.0, "threat_volatility": 0.0, "sentiment_noise": 0.0, "corruption_rate": 0.0,
         "protest_rate": 0.0, "afghan_spillover_rate": 0.0}


def step_of(year: int, steps_per_year: int = 4, start_year: int = 2025) -> int:
    return (year - start_year) * steps_per_year + 1


# ---- every registry parameter is read ---------------------------------------------------------------------
def far_value(param):
    """The end of the parameter's uncertainty range (its valid bounds if the range is a point) farthest from its default."""
    lo, hi = param.range if param.range[0] < param.range[1] else param.bounds
    defaults = np.array([param.default_for(a) for a in scope_codes(param.scope)] or [param.default_for()])
    return np.where(np.abs(hi - defaults) >= np.abs(defaults - lo), hi, lo)


# Channels that only act on an event get one: frequent Afghan spillovers (the rate's far value is then 2.0),
# and the events below switch on sanctions, war, a threat jump, protests, a debt crisis and a mandate.
EXERCISING_VALUES = {"afghan_spillover_rate": (1.0, 2.0)}


def exercising_events():
    """Events that switch on every conditional channel: sanctions, war, spillover, protests, debt, a mandate."""
    return [make_set_event(step_of(2026), {"powers.RUS.sanctions": 0.7, "war_intensity": 0.9}),
            make_event(step_of(2026), "security_threat", {"size": 0.4}),
            make_event(step_of(2026), "protest_wave", {"state": "KGZ", "power": "CHN"}),
            make_event(step_of(2026), "debt_crisis", {"state": "TJK", "debt_jump": 0.3}),
            make_event(step_of(2026), "local_processing_mandate", {"state": "KAZ", "share": 0.8}),
            make_event(step_of(2026), "corridor_disruption", {"corridor": "northern", "factor": 1.5, "duration": 1.0})]


def test_every_registry_parameter_moves_some_output():
    # one ensemble: run block 0 at the defaults, block k with parameter k at the far end of its range,
    # all blocks on the same seeds; a parameter nothing reads leaves its block equal to block 0
    names = sorted(REGISTRY)
    seeds = run_seeds(7, 3)
    n_block, n_runs = len(seeds), (len(names) + 1) * len(seeds)
    overrides = {}
    for k, name in enumerate(names, start=1):
        param, block = REGISTRY[name], slice(k * n_block, (k + 1) * n_block)
        actors = scope_codes(param.scope)
        paths = [name] if param.scope == "global" else [f"{PREFIXES[param.scope]}.{a}.{name}" for a in actors]
        base_value, far = EXERCISING_VALUES.get(name, (None, None))
        for path, value, actor in zip(paths, far_value(param), actors or [None]):
            column = np.full(n_runs, param.default_for(actor) if base_value is None else base_value)
            column[block] = value if far is None else far
            overrides[path] = column
    model = CentralAsiaModel(run_seeds=seeds * (len(names) + 1), params=overrides, end_year=2028,
                             events=exercising_events(), use_calibrated=False).run()
    history = model.history.arrays()
    unread = [name for k, name in enumerate(names, start=1)
              if all(np.array_equal(a[:, :n_block], a[:, k * n_block:(k + 1) * n_block]) for a in history.values())]
    assert not unread, f"parameters no output depends on: {unread}"


# ---- the base year is a rest point ----------------------------------------------------------------------
def test_stocks_stay_on_their_trend_paths_without_noise_or_events():
    # drivers at rest: no noise, no corridor spending, budgets growing at a constant rate
    at_rest = {**QUIET, "powers.all.transport_investment": 0.0}
    for power, growth in zip(("CHN", "RUS", "EU", "USA"), REGISTRY["budget_growth"].default.values()):
        at_rest[f"powers.{power}.longrun_growth"] = growth
    model = CentralAsiaModel(seed=1, end_year=2026, params=at_rest, use_calibrated=False)
    s0 = {name: getattr(model.state, name).copy() for name in ("fdi_stock", "gdp", "capital", "remittances")}
    s0_ratio = {name: getattr(model.state, name).copy() for name in ("debt_to_gdp", "distress", "security")}
    for _ in range(8):
        model.step()
    p, years = model.params, 2.0
    fdi_trend = s0["fdi_stock"] * np.exp(p.budget_growth[:, None, :] * years)
    np.testing.assert_allclose(model.state.fdi_stock, fdi_trend, rtol=1.2e-3)
    np.testing.assert_allclose(model.state.gdp, s0["gdp"] * np.exp(p.base_growth * years), rtol=1e-3)
    # foreign investment follows the powers' budgets, not each state's growth: capital drifts by a little
    np.testing.assert_allclose(model.state.capital, s0["capital"] * np.exp(p.base_growth * years), rtol=3e-3)
    np.testing.assert_allclose(model.state.remittances, s0["remittances"] * np.exp(p.remittance_growth[:, None] * years),
                               rtol=1e-12)
    assert np.abs(model.state.log_exchange_rate).max() < 1e-12
    # ratios at rest: debt over GDP (lending keeps it steady), distress; security ties move only with the
    # slow rise of China's role and Russia's answer to it (< 0.001 in two years)
    np.testing.assert_allclose(model.state.debt_to_gdp, s0_ratio["debt_to_gdp"], rtol=5e-3)
    np.testing.assert_allclose(model.state.distress, s0_ratio["distress"], atol=2e-3)
    np.testing.assert_allclose(model.state.security, s0_ratio["security"], atol=1e-3)


def test_with_noise_the_ensemble_does_not_jump_in_the_first_year():
    # noise and random events around the rest point: after one year the ensemble's mean stays within 3% of the
    # noise-free path (what remains is the events' own effect, protests and scandals cutting some FDI, and the
    # convexity of trade in log-normal prices); before mechanism 8, China's FDI stocks headed for
    # six times their 2024 level (issue 16)
    quiet = CentralAsiaModel(seed=2, end_year=2025, params=QUIET).run().state
    noisy = CentralAsiaModel(n_runs=300, seed=2, end_year=2025).run().state
    for name in ("gdp", "fdi_stock", "capital", "remittances", "trade"):
        mean, path = getattr(noisy, name).mean(axis=0), getattr(quiet, name)[0]
        np.testing.assert_allclose(mean, path, rtol=0.03, err_msg=name)
    assert np.abs(noisy.debt_to_gdp.mean(axis=0) - quiet.debt_to_gdp[0]).max() < 0.005
    assert np.abs(noisy.log_exchange_rate.mean(axis=0) - quiet.log_exchange_rate[0]).max() < 0.01


# ---- the baseline stays plausible to 2040 ----------------------------------------------------------------
# Under the calibrated point (`uncertainty="point"`) every run must keep inside each bound; under parameter draws
# (`"posterior"`, what `casim run`, batch and the visualiser run) at least 90% of runs must, and the median run
# must keep a margin below it.
POSTERIOR_SHARE = 0.9


@lru_cache(maxsize=None)
def baseline_2040(uncertainty: str = "point"):
    model = CentralAsiaModel(n_runs=24 if uncertainty == "point" else 200, seed=3, end_year=2040, record="year_end",
                             uncertainty=uncertainty).run()
    return model.results()


def year_end(frame):
    return frame[frame["period"] == frame["period"].max()]


def largest_trade_to_gdp(states):
    """Each run's largest ratio of trade with one power to the state's GDP, over states, powers and years."""
    ratios = [(states[f"trade_{p}"] / states["gdp"]).groupby(states["run"]).max() for p in ("CHN", "RUS", "EU", "USA")]
    return np.max(ratios, axis=0)


def test_no_state_trades_more_with_one_power_than_half_its_gdp():
    # the highest bilateral trade-to-GDP ratio on state-reported data is 0.31 (Turkmenistan-China 2018,
    # tkm_chn_trade_dots; Kyrgyzstan-China 2024 on the national basis); the bound leaves a 60% margin
    point = largest_trade_to_gdp(baseline_2040("point")["states"])
    assert point.max() < 0.5, point.max()
    drawn = largest_trade_to_gdp(baseline_2040("posterior")["states"])
    assert np.mean(drawn < 0.5) >= POSTERIOR_SHARE, np.quantile(drawn, [0.5, 0.9, 1.0])
    assert np.median(drawn) < 0.45, np.median(drawn)


def china_trade_growth(region):
    """Per run: the CAGR 2024-2040 of China-Central Asia trade and of its ratio to the region's USD GDP."""
    wide = year_end(region).pivot(index="run", columns="year", values=["china_ca_trade", "gdp_total"])
    trade, gdp = wide["china_ca_trade"], wide["gdp_total"]
    years = 2040 - 2024
    cagr = (trade[2040] / trade[2024]) ** (1 / years) - 1
    share_cagr = (trade[2040] / gdp[2040] / (trade[2024] / gdp[2024])) ** (1 / years) - 1
    return cagr, share_cagr


def test_china_central_asia_trade_grows_no_faster_than_its_history():
    # 2013-2024: trade 49.7 -> 94.8 bn (6.0% a year) while its ratio to the region's USD GDP rose 4.2% a year
    # (ca5_chn_trade_gac, *_gdp_usd_wdi2026); the model's USD GDP grows faster (base_growth), so the bound
    # on trade itself is looser than the history's 6%, and its ratio to GDP must not outgrow the history
    cagr, share_cagr = china_trade_growth(baseline_2040("point")["region"])
    assert share_cagr.max() < 0.042 and cagr.max() < 0.09, (share_cagr.max(), cagr.max())
    # Under draws each run's USD GDP grows at its own drawn rate (base growth, exchange rates, world growth): a
    # run's trade CAGR follows it (correlation ~0.7), so the ratio to GDP is the per-run bound, and the level's
    # cap holds for the median run, with a margin
    cagr, share_cagr = china_trade_growth(baseline_2040("posterior")["region"])
    assert np.mean(share_cagr < 0.042) >= POSTERIOR_SHARE, share_cagr.quantile([0.5, 0.9])
    assert share_cagr.median() < 0.03, share_cagr.median()
    assert cagr.median() < 0.085, cagr.median()


def test_no_trade_series_grows_faster_than_any_did_in_2013_2024():
    # the fastest bilateral trade growth of 2013-2024 in history.yaml: Kyrgyzstan-China on China's customs 14.5% a
    # year (re-exports), Uzbekistan-China 11.9% (uzb_chn_trade_gac; kgz_chn_trade_gac); over sixteen years no
    # state's GDP, trade, exports or imports with a power (from a base of at least 0.5 bn) may grow faster than
    # 12% a year: in every run at the point, in at least 90% of the runs under draws (each series on its own), and
    # the median run below 10%; the ensemble mean's too. Model v1's
    # China-Central Asia trade grew 12.1% a year (94.8 -> 594 bn).
    for uncertainty, share in (("point", 1.0), ("posterior", POSTERIOR_SHARE)):
        states = year_end(baseline_2040(uncertainty)["states"])
        columns = [c for c in states.columns if c == "gdp" or c == "china_trade_gac"
                   or c.split("_")[0] in ("trade", "exports", "imports") and c.count("_") == 1]
        by_run = states.set_index(["run", "year", "state"])[columns]
        start, end = by_run.xs(2024, level="year"), by_run.xs(2040, level="year")
        cagr = ((end / start) ** (1 / 16) - 1).where(start >= 0.5)
        assert len(columns) >= 14 and cagr.notna().sum().sum() >= 50 * states["run"].nunique()
        # per series: the share of runs under the cap, and the median run's growth
        under = (cagr < 0.12).astype(float).where(cagr.notna()).groupby(level="state").mean()
        assert under.min().min() >= share, (uncertainty, under.stack().nsmallest(3))
        assert cagr.groupby(level="state").median().max().max() < 0.10, uncertainty
        mean_cagr = ((end.groupby(level="state").mean() / start.groupby(level="state").mean()) ** (1 / 16) - 1)
        assert mean_cagr.where(start.groupby(level="state").mean() >= 0.5).max().max() < 0.12


def test_uzbek_exports_to_china_stay_under_the_growth_cap_in_90pct_of_posterior_runs():
    # Uzbek exports to China hold no gold (uz_export_partners; uzb_chn_gas_exports_usd_gac, uzb_chn_exports_nso): priced
    # by their own gas and copper shares (actors.yaml `export_commodities`), 0.917 and 0.911 of 1,000 posterior runs
    # (seeds 3 and 5) stay under the cap, median 9.3% a year; priced like the state's gold-heavy basket they were
    # 0.890 and 0.886; stop 29's calibration (trade-income elasticity a ~ 0.47) gives 0.981 and 0.980, median 7.1%.
    # The rest of the tail is Uzbekistan's drawn USD growth (base_growth 0.05-0.09)
    states = year_end(baseline_2040("posterior")["states"])
    series = states[states["state"] == "UZB"].set_index(["run", "year"])["exports_CHN"]
    cagr = (series.xs(2040, level="year") / series.xs(2024, level="year")) ** (1 / 16) - 1
    assert (cagr < 0.12).mean() >= POSTERIOR_SHARE, (cagr < 0.12).mean()


def uzbek_exports(events):
    """Uzbekistan's exports to each power at the end of 2026's first quarter, on a quiet path."""
    model = CentralAsiaModel(seed=5, end_year=2026, params=QUIET, events=events, record=False)
    while model.steps < step_of(2026):
        model.step()
    return dict(zip(model.actors.powers, model.state.exports[0, model.actors.states.index("UZB")]))


def test_a_gold_boom_lifts_uzbek_exports_to_the_eu_but_not_to_china():
    # gold prices doubled in 2026: exports to the EU are priced like Uzbekistan's basket (gold 0.5 x 0.67 = 0.335 of
    # their value: x1.335), exports to China by their own shares, which hold no gold (x1.0); income, demand and
    # times move both alike, so their lifts differ by exactly 1.335
    shock = [make_event(step_of(2026), "commodity_price_shock", {"commodity": "gold", "factor": 2.0})]
    boom, quiet = uzbek_exports(shock), uzbek_exports([])
    china, eu = boom["CHN"] / quiet["CHN"], boom["EU"] / quiet["EU"]
    assert eu / china == pytest.approx(1.335, rel=1e-9)


def test_a_base_metal_boom_lifts_uzbek_exports_to_china_by_their_copper():
    # base-metal prices doubled: exports to the EU x(1 + 0.5 x 0.23) = x1.115, to China by their copper share
    # (0.12): x1.12; the two lifts differ by exactly 1.115 / 1.12
    shock = [make_event(step_of(2026), "commodity_price_shock", {"commodity": "metals", "factor": 2.0})]
    boom, quiet = uzbek_exports(shock), uzbek_exports([])
    china, eu = boom["CHN"] / quiet["CHN"], boom["EU"] / quiet["EU"]
    assert eu / china == pytest.approx(1.115 / 1.12, rel=1e-9)


GOLD_TEST_PARAMS = {**QUIET, "commodity_gdp_elasticity": 0.25, "exchange_rate_adjustment": 1.0,
                    "states.KGZ.exchange_rate_elasticity": 1.2}


def kyrgyz_usd_gdp(commodity):
    """Kyrgyzstan's USD GDP at the end of 2026's first quarter, its `commodity` price x1.5 from that quarter."""
    shock = [make_event(step_of(2026), "commodity_price_shock", {"commodity": commodity, "factor": 1.5})]
    model = CentralAsiaModel(seed=5, end_year=2026, params=GOLD_TEST_PARAMS, events=shock, record=False)
    while model.steps < step_of(2026):
        model.step()
    return model.state.gdp[0, model.actors.states.index("KGZ")]


def test_gold_moves_kyrgyz_usd_gdp_about_twice_as_much_as_base_metals():
    # Kyrgyz commodities are 0.60 of exports, 0.65 gold and 0.35 base metals (kgz_gold_export_share). x1.5 on gold:
    # P = 0.35 + 0.65 x 1.5 = 1.325; on base metals: P = 0.65 + 0.35 x 1.5 = 1.175. By hand, in the shock's quarter:
    # - output's USD value, e c ln P (e = 0.25, c = 0.60): 0.15 x (ln 1.325 - ln 1.175) = 0.15 x 0.1201 = 0.0180;
    # - the real exchange rate: income Q = (1 - w)(1 + c (P - 1)) + w, w = 3.197 / (3.628 + 3.197) = 0.468
    #   (remittances' weight), Q = 1.1037 against 1.0558, ln ratio 0.0443; the rate moves a quarter of the way
    #   (r dt = 1.0 x 0.25) to phi ln Q (phi = 1.2): 0.25 x 1.2 x 0.0443 = 0.0133.
    # Together 0.031: Kyrgyz USD GDP is ~3.2% higher after the gold jump than after the same base-metal jump (with one
    # "metals" price both were 1.5x and equal). Other channels (trade, spending) are second order within the quarter.
    gold, metals = kyrgyz_usd_gdp("gold"), kyrgyz_usd_gdp("metals")
    assert np.log(gold / metals) == pytest.approx(0.0313, abs=0.002), np.log(gold / metals)


def exports_to_china(end_year, **params):
    """Each state's exports to China at the end of `end_year`, on a quiet path."""
    model = CentralAsiaModel(seed=5, end_year=end_year, params={**QUIET, **params}, record=False).run()
    return dict(zip(model.actors.states, model.state.exports[0, :, model.china]))


def test_chinas_demand_lifts_rail_exports_but_not_pipeline_gas():
    # China's import demand growing 20% instead of 3% in its first year: with a = 0.8, Kyrgyz exports to China (no
    # pipe) rise by at least 7% by the end of 2025 (e^{0.8 x 0.17 x (1 - e^-1)} - 1 = 9.0% before import financing); Turkmen exports to China, 95% pipeline gas whose volume follows the pipes
    # (tkm_chn_gas_exports_bcm: 29-34 bcm a year in 2016-2023), by less than a tenth of that
    pulse = exports_to_china(2025, **{"powers.CHN.demand_growth": 0.20, "trade_gdp_elasticity": 0.8})
    calm = exports_to_china(2025, **{"powers.CHN.demand_growth": 0.03, "trade_gdp_elasticity": 0.8})
    kyrgyz, turkmen = pulse["KGZ"] / calm["KGZ"] - 1, pulse["TKM"] / calm["TKM"] - 1
    assert kyrgyz >= 0.07, kyrgyz
    assert 0 < turkmen < kyrgyz / 10, (turkmen, kyrgyz)


def test_pipeline_throughput_growth_carries_turkmen_gas_exports():
    # throughput growing 3% a year instead of 0 lifts Turkmen exports to China by at least 0.95 (e^0.18 - 1) = 18.7%
    # less the 5% by rail, i.e. >= 17%, by 2030 (six years); Kyrgyz exports (no pipe) stay within 0.1%
    fast = exports_to_china(2030, pipeline_volume_growth=0.03)
    flat = exports_to_china(2030, pipeline_volume_growth=0.0)
    assert fast["TKM"] / flat["TKM"] - 1 >= 0.17, fast["TKM"] / flat["TKM"]
    assert fast["KGZ"] / flat["KGZ"] == pytest.approx(1.0, abs=1e-3)


def test_ten_percent_faster_shipping_raises_regional_income_by_the_bri_range_and_levels_off():
    # World Bank: BRI transport corridors raise real incomes by 0.7-2.9% (bre_trade_income_fdi_headline), a
    # one-off level effect (bri_global_income_2030); the model's regional GDP gain by 2040 must be in that
    # range and its last five years add less than a quarter of it
    def gdp(scale):
        model = CentralAsiaModel(n_runs=8, seed=4, end_year=2040, record="year_end", ship_time_scale=scale).run()
        region = model.results()["region"]
        return region[region["period"] == region["period"].max()].groupby("year")["gdp_total"].mean()
    gain = gdp(0.9) / gdp(1.0) - 1.0
    assert 0.007 <= gain[2040] <= 0.029, gain[2040]
    assert gain[2040] - gain[2035] < 0.25 * gain[2040], gain.loc[[2035, 2040]]


# ---- mechanism 5: imports within what a state can finance, trends that fade ------------------------------
def tajik_imports(events, **params):
    """Tajikistan's imports from the powers, every quarter 2025-2032, on a quiet path."""
    model = CentralAsiaModel(seed=5, end_year=2032, params={**QUIET, **params}, events=events)
    path = []
    while model.running and model.steps < model.n_steps:
        model.step()
        path.append(model.state.imports[0, model.actors.states.index("TJK")].sum())
    return np.array(path)


def test_a_lasting_remittance_loss_cuts_imports_further_once_the_reserves_are_spent():
    # Russia halves Tajik migrants' transfers in 2026: Tajikistan's financing falls by a third. Compared with a
    # state whose reserves never run out (usable reserves of twice its GDP), imports are cut alike at first (the
    # short-run compression; reserves pay the rest), and by at least 10% more once its usable reserves (0.3 x 0.25
    # of GDP, *_reserves_usd_wdi) are spent: two years on and to 2032
    shock = [make_event(step_of(2026), "migration_rules", {"states": ["TJK"], "factor": 0.5})]
    limited = tajik_imports(shock)
    unlimited = tajik_imports(shock, **{"reserve_usable_share": 1.0, "states.TJK.reserves_to_gdp": 2.0})
    ratio = limited / unlimited
    first, later = step_of(2026) - 1, np.arange(step_of(2028) - 1, len(ratio))
    assert ratio[first] > 0.95, ratio[first]
    assert ratio[later].max() < 0.9, ratio[later].max()


def test_the_reserves_drawn_column_fills_up_to_the_usable_buffer_and_stops():
    # the same shock: the column reserves_drawn starts at 0 and by 2032 holds 85-101% of the usable buffer
    # u r Y = 0.3 x 0.252 x GDP (it cannot pass it: at the buffer imports equal what the state earns)
    shock = [make_event(step_of(2026), "migration_rules", {"states": ["TJK"], "factor": 0.5})]
    model = CentralAsiaModel(seed=5, end_year=2032, params=QUIET, events=shock).run()
    tajik = model.results()["states"].query("state == 'TJK'").set_index("step")
    assert tajik.loc[0, "reserves_drawn"] == 0.0
    last = tajik.iloc[-1]
    limit = 0.3 * 0.252 * last["gdp"]
    assert 0.85 * limit <= last["reserves_drawn"] <= 1.01 * limit, (last["reserves_drawn"], limit)


def test_a_fitted_first_year_jump_is_carried_as_a_level_not_a_trend():
    # China's import demand growing 20% in the first year (about the fitted 2025 rate) against 0.5% long-run
    # (4.5% less the world's 4%): with the fade the data give (tau = 1 year, the persistence of growth in
    # ca5_chn_trade_gac) what the jump adds to demand by 2040 is at most 1.7 times what it adds in 2025; with the
    # previous tau = 3 it was 3.5 times (docs/ODD.md section 8)
    def lift(tau):
        """China's log demand above its long-run path at the end of 2025 and of 2040."""
        model = CentralAsiaModel(seed=6, end_year=2040, record=False, uncertainty="point",
                                 params={**QUIET, "powers.CHN.demand_growth": 0.2, "powers.CHN.longrun_growth": 0.045,
                                         "world_growth": 0.04, "trend_fade_years": tau})
        out = []
        while model.running and model.steps < model.n_steps:
            model.step()
            if model.steps in (4, model.n_steps):
                out.append(model.log_supply[0, model.china] - 0.005 * model.steps / 4)
        return out
    first, total = lift(1.0)
    assert first == pytest.approx(0.195 * (1 - np.exp(-1.0)), rel=1e-9)   # (g0 - g_inf) tau (1 - e^{-1/tau})
    assert total / first < 1.7, total / first
    first3, total3 = lift(3.0)
    assert total3 / first3 > 3.0, total3 / first3
