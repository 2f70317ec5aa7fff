"""The scenario library: every file validates and runs; each moves the outputs its description promises, by at
least the size it states.

Each scenario is compared with the baseline under common random numbers (same master seed, so replicate k of
both uses the same run seed), at the calibrated point (`uncertainty="point"`): the description's direction and
size. A promised effect passes when the mean of the paired differences over the replicates is at least the
stated size in the stated direction and most replicates agree on the sign; the minimum sizes are about two
thirds of the model's effect at the calibrated defaults, well above the paired noise (checked by the
baseline-against-itself test). Under parameter draws an effect may change sign in some draws, which
`casim compare` reports as P(difference > 0).
"""
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from model.actors import load_actors
from model.run import run_ensemble
from model.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
LIBRARY = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
REPLICATES, SEED, END = 8, 11, 2030


def test_library_has_the_issue_scenarios():
    required = {"baseline", "russia_war_prolonged", "russia_rebound", "middle_corridor_push", "us_critical_minerals",
                "china_slowdown", "sco_development_bank", "kyrgyz_debt_crisis", "local_processing_mandate",
                "afghan_spillover", "anti_china_protests", "remittance_shock", "reexport_boom", "ccawa_railway",
                "uzbekistan_joins_eaeu"}
    assert required <= set(LIBRARY)


@pytest.mark.parametrize("name", LIBRARY)
def test_scenario_runs_two_years_without_nan(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    assert sc.name == name and len(sc.description) > 80
    _, tables = run_ensemble(sc.run_spec(replicates=2, seed=1, end_year=2026))
    for table in ("region", "states"):
        numbers = tables[table].select_dtypes("number")
        assert np.isfinite(numbers.to_numpy()).all(), name
    assert set(tables["region"]["year"]) == set(range(sc.start_year - 1, 2027))   # from the base year


@lru_cache(maxsize=None)
def year_ends(name: str):
    """Each year's last-quarter region and states tables, indexed by replicate and year (and state)."""
    spec = load_scenario(SCENARIOS / f"{name}.yaml").run_spec(replicates=REPLICATES, seed=SEED, end_year=END,
                                                              uncertainty="point")
    _, tables = run_ensemble(spec)
    region, states = tables["region"], tables["states"]
    last = region["period"] == region["period"].max()
    return (region[last].set_index(["replicate", "year"]),
            states[states["period"] == states["period"].max()].set_index(["replicate", "year", "state"]))


def paired(name: str, column: str, state: str | None, year: int, relative: bool) -> np.ndarray:
    """Scenario minus baseline (or scenario / baseline - 1), per replicate, at the end of `year`."""
    level = 0 if state is None else 1
    scenario, baseline = year_ends(name)[level][column], year_ends("baseline")[level][column]
    diff = scenario / baseline - 1.0 if relative else scenario - baseline
    diff = diff.xs(year, level="year")
    return (diff if state is None else diff.xs(state, level="state")).to_numpy()


# (scenario, column, state or None, year, relative?, minimum signed effect: negative = a fall of at least that much)
EFFECTS = [
    # remittances and Russia's economy (mechanism 1)
    ("remittance_shock", "russia_income_index", None, 2026, True, -0.07),
    ("remittance_shock", "remittances", "TJK", 2026, True, -0.17),
    ("remittance_shock", "gdp", "TJK", 2027, True, -0.08),
    ("remittance_shock", "exchange_rate", "TJK", 2027, True, -0.07),
    ("remittance_shock", "sentiment_RUS", "TJK", 2027, False, -0.012),
    ("russia_rebound", "remittances", "TJK", 2027, True, 0.07),
    ("russia_rebound", "russia_income_index", None, 2027, True, 0.08),
    # sanctions and re-exports (mechanism 2)
    ("reexport_boom", "reexports", "KGZ", 2026, True, 0.6),
    ("reexport_boom", "reexports", "KAZ", 2026, True, 0.7),
    ("reexport_boom", "exports_RUS", "KGZ", 2026, True, 0.3),
    ("reexport_boom", "remittances", "TJK", 2026, True, -0.18),
    # customs union and trade diversion (mechanism 3)
    ("uzbekistan_joins_eaeu", "trade_RUS", "UZB", 2028, True, 0.25),
    ("uzbekistan_joins_eaeu", "alignment_RUS", "UZB", 2028, False, 0.006),
    # state-specific routes and pipelines (mechanism 4)
    ("ccawa_railway", "market_time_CHN", "KGZ", 2027, True, -0.16),
    ("ccawa_railway", "market_time_CHN", "UZB", 2027, True, -0.12),
    # Kyrgyzstan pays for the extra imports from reserves only until they run out (mechanism 5): +10%, the
    # description's size, where unlimited financing gave +12%
    ("ccawa_railway", "trade_CHN", "KGZ", 2027, True, 0.10),
    ("ccawa_railway", "trade_CHN", "UZB", 2027, True, 0.12),
    ("ccawa_railway", "fdi_CHN", "UZB", 2027, True, 0.17),
    ("northern_corridor_disruption", "trade_RUS", None, 2027, True, -0.15),
    ("northern_corridor_disruption", "exports_EU", "KAZ", 2027, True, -0.05),
    # exchange rates and commodity shocks (mechanism 7)
    ("commodity_bust", "gdp", "KAZ", 2027, True, -0.12),
    ("commodity_bust", "exchange_rate", "KAZ", 2027, True, -0.10),
    ("commodity_bust", "debt_to_gdp", "KAZ", 2027, False, 0.07),
    ("commodity_bust", "gdp", "TKM", 2027, True, -0.08),
    # great powers allocate (mechanism 10) and lend with caution (mechanism 9)
    ("kyrgyz_debt_crisis", "fdi_CHN", "KGZ", 2028, True, -0.25),
    ("kyrgyz_debt_crisis", "fdi_CHN", "UZB", 2028, True, 0.018),
    ("kyrgyz_debt_crisis", "lending_CHN", "KGZ", 2028, True, -0.35),
    ("kyrgyz_debt_crisis", "debt_to_gdp", "KGZ", 2027, False, 0.1),
    ("kyrgyz_debt_crisis", "gdp", "KGZ", 2030, True, -0.04),
    ("anti_china_protests", "fdi_CHN", "UZB", 2026, True, 0.15),
    ("anti_china_protests", "sentiment_CHN", "KAZ", 2026, False, -0.15),
    ("anti_china_protests", "fdi_stock_CHN", None, 2027, True, -0.03),
    # security that matters (mechanism 11)
    ("afghan_spillover", "alignment_RUS", "TJK", 2027, False, 0.011),
    ("afghan_spillover", "threat", "TJK", 2026, False, 0.2),
    ("china_security_role", "security_CHN", "TJK", 2028, False, 0.12),
    ("china_security_role", "friction", None, 2028, False, 0.25),
    ("china_security_role", "alignment_CHN", "TJK", 2028, False, 0.007),
    ("china_security_role", "influence_CHN", None, 2028, False, 0.0012),
    # the rest of the library
    ("russia_war_prolonged", "trade_RUS", None, 2028, True, -0.05),
    ("russia_war_prolonged", "influence_RUS", None, 2030, False, -0.004),
    ("russia_war_prolonged", "security_RUS", "KAZ", 2030, False, -0.04),
    ("russia_rebound", "influence_RUS", None, 2030, False, 0.004),
    ("middle_corridor_push", "ship_time_middle", None, 2027, True, -0.2),
    ("middle_corridor_push", "trade_EU", None, 2030, True, 0.1),
    ("middle_corridor_push", "influence_EU", None, 2030, False, 0.004),
    ("us_critical_minerals", "fdi_USA", None, 2027, True, 1.0),
    ("us_critical_minerals", "influence_USA", None, 2030, False, 0.025),
    ("china_slowdown", "fdi_CHN", None, 2027, True, -0.3),
    ("china_slowdown", "trade_CHN", None, 2030, True, -0.1),
    ("china_slowdown", "influence_CHN", None, 2030, False, -0.018),
    ("sco_development_bank", "lending_CHN", None, 2028, True, 0.3),
    ("sco_development_bank", "debt_CHN", None, 2030, True, 0.2),
    ("sco_development_bank", "influence_CHN", None, 2030, False, 0.009),
    ("local_processing_mandate", "local_processing", "KAZ", 2028, False, 0.15),
    ("local_processing_mandate", "gdp", "KAZ", 2030, True, 0.002),
]


@pytest.mark.parametrize("name, column, state, year, relative, minimum", EFFECTS,
                         ids=[f"{n}-{c}-{s or 'region'}-{y}" for n, c, s, y, _, _ in EFFECTS])
def test_scenario_moves_outputs_as_described(name, column, state, year, relative, minimum):
    diff = paired(name, column, state, year, relative)
    assert len(diff) == REPLICATES
    sign = np.sign(minimum)
    assert (sign * diff > 0).mean() >= 0.75, f"{name}: {column} {state or ''} {year}: paired differences {diff}"
    assert sign * diff.mean() >= abs(minimum), f"{name}: {column} {state or ''} {year}: mean {diff.mean():.4g}, promised {minimum}"


def test_eaeu_accession_shifts_uzbek_trade_towards_russia():
    # the CET (6.4%) is below Uzbekistan's own MFN rate (7.5%), so trade with China does not fall in levels: the
    # shift is relative, Russia's part of the rise at least 20 points above China's, China's within a few percent
    to_russia = paired("uzbekistan_joins_eaeu", "trade_RUS", "UZB", 2028, True)
    to_china = paired("uzbekistan_joins_eaeu", "trade_CHN", "UZB", 2028, True)
    assert (to_russia - to_china).mean() >= 0.2
    assert abs(to_china.mean()) <= 0.05
    # the diversion in shares: Russia's share of Uzbek trade with the powers, 0.31 in the baseline's 2028 and
    # 0.37 after accession; the minimum is two thirds of that rise, far above the paired noise (zero at 2026,
    # before accession, checked as a control)
    def russia_share(name, year):
        states = year_ends(name)[1].xs(year, level="year").xs("UZB", level="state")
        trade = states[[f"trade_{power}" for power in load_actors().powers]]
        return (states["trade_RUS"] / trade.sum(axis=1)).to_numpy()
    rise = russia_share("uzbekistan_joins_eaeu", 2028) - russia_share("baseline", 2028)
    assert (rise > 0).all() and rise.mean() >= 0.04, rise
    np.testing.assert_array_equal(russia_share("uzbekistan_joins_eaeu", 2026), russia_share("baseline", 2026))


def test_the_security_channel_carries_the_afghan_effect():
    # issue 16: v1's fit drove beta_security to 2e-5, and the spillover then moved Tajik alignment with Russia by
    # 2e-7. At the prior (3.0) the effect is ~0.017 by 2027; at the old value it must vanish again, so the
    # library's minimum is carried by security ties times threat, not by another channel
    def effect(beta):
        def tjk(name):
            spec = load_scenario(SCENARIOS / f"{name}.yaml").run_spec(replicates=REPLICATES, seed=SEED, end_year=2027,
                                                                      uncertainty="point")
            _, tables = run_ensemble(replace(spec, params={**spec.params, "beta_security": beta}, record="final"))
            return tables["states"].query("state == 'TJK'")["alignment_RUS"].to_numpy()
        return tjk("afghan_spillover") - tjk("baseline")
    assert effect(3.0).mean() >= 0.011
    assert np.abs(effect(2e-5)).max() < 1e-4


def test_every_scenario_states_its_promised_effects():
    # each library scenario but the baseline has at least two sized effects here
    tested = {name for name, *_ in EFFECTS}
    # history_2014_2024 replays observed shocks from 2014; the hindcast scores it against the data instead
    assert tested == set(LIBRARY) - {"baseline", "history_2014_2024"}
    assert all(sum(n == name for n, *_ in EFFECTS) >= 2 for name in tested)


def test_baseline_against_itself_is_identical():
    # common random numbers: the same scenario and seed give zero paired differences
    spec = load_scenario(SCENARIOS / "baseline.yaml").run_spec(replicates=REPLICATES, seed=SEED, end_year=END,
                                                               uncertainty="point")
    _, again = run_ensemble(spec)
    region = again["region"]
    last = region[(region["year"] == END) & (region["period"] == region["period"].max())]
    assert np.array_equal(last["influence_CHN"].to_numpy(), year_ends("baseline")[0]["influence_CHN"].xs(END, level="year").to_numpy())
