"""The actor table for other base years (model/base_year.py): 2024 is today's table, 2013 takes the data."""
import numpy as np
import pytest

from model.actors import load_actors
from model.base_year import (BASE_YEARS, RULES, BaseYearError, actors_for_year, base_params, check_base_year,
                             trade_series)
from model.observed import load_history


def test_base_year_2024_is_todays_table():
    today, built = load_actors(), actors_for_year(2024)
    assert built.base_year == today.base_year == 2024
    for name in today.pair:
        np.testing.assert_array_equal(built.pair[name], today.pair[name])
    for name in today.state:
        np.testing.assert_array_equal(built.state[name], today.state[name])
    assert built.sources == today.sources


def test_base_year_2013_takes_the_data_values():
    a, h = actors_for_year(2013), load_history()
    kaz, kgz, tjk, uzb = (a.state_index(s) for s in ("KAZ", "KGZ", "TJK", "UZB"))
    chn, rus, eu = (a.power_index(p) for p in ("CHN", "RUS", "EU"))
    assert a.base_year == 2013
    assert a.state["gdp"][kaz] == pytest.approx(236.63, abs=0.01)                 # kaz_gdp_usd_wdi2026 2013
    assert a.pair["trade"][kaz, chn] == pytest.approx(22.361, abs=1e-3)           # DOTS, Kazakhstan reporting
    assert a.pair["trade"][kaz, rus] == pytest.approx(23.847, abs=1e-3)
    assert a.pair["trade"][uzb, chn] == pytest.approx(h.value("uzb_chn_trade_nso", 2013))   # national table
    assert a.pair["trade"][kgz, eu] == pytest.approx(h.value("kgz_eu_trade_dots", 2013))   # not the UK-inclusive table
    assert a.pair["export_share"][kaz, chn] == pytest.approx(14.17 / 22.361, abs=1e-3)
    # China's customs basis: GAC 28.6 over Kazakhstan's own 22.361
    assert a.state["china_mirror_ratio"][kaz] == pytest.approx(28.6 / 22.361, rel=1e-6)
    # China's Kyrgyz debt: the 2016 share (1.394 / 3.607 of PPG debt) held back to 2013, times 2013 PPG debt 2.956
    assert a.pair["debt"][kgz, chn] == pytest.approx(1.394 / 3.607 * 2.956, rel=1e-3)
    # Tajik debt to China interpolates nothing before 2017 either: 1.2 / 2.82 of 2013's 2.01
    assert a.pair["debt"][tjk, chn] == pytest.approx(1.2 / 2.817 * 2.01, rel=5e-3)
    assert a.sources["states.KAZ.gdp"] == "base year: kaz_gdp_usd_wdi2026 2013"
    assert a.sources["pairs.KAZ.CHN.security"].startswith("base year: 2024 value kept (")


def test_every_base_year_builds_a_finite_positive_table():
    for year in BASE_YEARS:
        a = actors_for_year(year)
        assert a.base_year == year
        assert np.all(np.isfinite(a.pair["trade"])) and np.all(a.pair["trade"] > 0)
        assert np.all((a.pair["export_share"] > 0) & (a.pair["export_share"] < 1))
        assert np.all(a.state["gdp"] > 0) and np.all(a.state["china_mirror_ratio"] > 0)


def test_years_outside_the_data_name_the_range():
    with pytest.raises(BaseYearError, match=r"base year 2012 is outside the data: base years 2013-2024 \(start years 2014-2025\)"):
        check_base_year(2012)
    with pytest.raises(BaseYearError):
        actors_for_year(2025)


def test_trade_basis_joins_dots_and_national_tables():
    h = load_history()
    assert trade_series(h, "KAZ", "CHN", 2020) == "kaz_chn_trade_dots"
    assert trade_series(h, "KAZ", "CHN", 2021) == "kaz_chn_trade_nso"
    assert trade_series(h, "UZB", "RUS", 2014) == "uzb_rus_trade_nso"
    assert trade_series(h, "TJK", "CHN", 2022) is None                 # no table: the goods-trade rule
    assert trade_series(h, "KAZ", "CHN", 2014, "exports") == "kaz_chn_exports_dots"


def test_base_params_describe_the_world_at_the_end_of_the_year():
    world = base_params(2013)
    assert {k: world[k] for k in ("powers.RUS.sanctions", "war_intensity", "states.KGZ.eaeu_member")} == \
        {"powers.RUS.sanctions": 0.0, "war_intensity": 0.0, "states.KGZ.eaeu_member": 0.0}
    # reserves over GDP in 2013 (tjk_reserves_usd_wdi / tjk_gdp_usd_wdi2026): Tajikistan 0.66 / 8.45 = 0.078, a third
    # of its 2024 ratio; Turkmenistan publishes no reserves and keeps the registry's assumption
    h = load_history()
    assert world["states.TJK.reserves_to_gdp"] == pytest.approx(h.value("tjk_reserves_usd_wdi", 2013)
                                                                  / h.value("tjk_gdp_usd_wdi2026", 2013), abs=5e-4)
    assert world["states.TJK.reserves_to_gdp"] == pytest.approx(0.078) and world["states.KAZ.reserves_to_gdp"] == 0.104
    assert "states.TKM.reserves_to_gdp" not in world
    assert base_params(2015)["states.KGZ.eaeu_member"] == 1.0 and base_params(2015)["powers.RUS.sanctions"] == 0.2
    assert base_params(2022)["war_intensity"] > 0 and base_params(2022)["powers.RUS.sanctions"] == 0.5


def test_every_rule_is_stated():
    assert all(rule.field and rule.source and rule.assumption for rule in RULES)


def test_base_params_of_2024_are_the_registry_defaults():
    from model.params import parse_path

    for path, value in base_params(2024).items():
        param, actor = parse_path(path)
        assert param.default_for(actor) == pytest.approx(value), path


def test_the_odd_table_is_the_rules():
    """docs/ODD.md, "Initialisation for other base years": one row per rule, field, source and assumption verbatim."""
    from pathlib import Path

    odd = (Path(__file__).resolve().parent.parent / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = odd.split("### Initialisation for other base years", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows == [f"| `{r.field}` | {r.source} | {r.assumption} |" for r in RULES]
