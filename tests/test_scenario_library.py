"""The scenario library: every file validates and runs; each moves the outputs the way its description says.

Directional tests compare each scenario with the baseline under common random numbers (same master seed, so
replicate k of both uses the same run seed) and test the paired differences of the replicates, at the calibrated
point (`uncertainty="point"`): the description's direction. Under parameter draws an effect may change sign in
some draws, which `casim compare` reports as P(difference > 0).
"""
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from model.run import run_ensemble
from model.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
LIBRARY = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
REPLICATES, SEED, END = 4, 11, 2030


def test_library_has_the_issue_scenarios():
    required = {"baseline", "russia_war_prolonged", "russia_rebound", "middle_corridor_push", "us_critical_minerals",
                "china_slowdown", "sco_development_bank", "kyrgyz_debt_crisis", "local_processing_mandate",
                "afghan_spillover", "anti_china_protests"}
    assert required <= set(LIBRARY)


@pytest.mark.parametrize("name", LIBRARY)
def test_scenario_runs_two_years_without_nan(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    assert sc.name == name and len(sc.description) > 80
    _, tables = run_ensemble(sc.run_spec(replicates=2, seed=1, end_year=2026))
    for table in ("region", "states"):
        numbers = tables[table].select_dtypes("number")
        assert np.isfinite(numbers.to_numpy()).all(), name
    assert set(tables["region"]["year"]) == {2024, 2025, 2026}


@lru_cache(maxsize=None)
def final(name: str):
    """Last-step region and states tables, indexed by replicate (and state)."""
    spec = load_scenario(SCENARIOS / f"{name}.yaml").run_spec(replicates=REPLICATES, seed=SEED, end_year=END,
                                                              uncertainty="point")
    _, tables = run_ensemble(spec)
    region, states = tables["region"], tables["states"]
    last = region["step"].max()
    return (region[region["step"] == last].set_index("replicate"),
            states[states["step"] == last].set_index(["replicate", "state"]))


def paired(name: str, column: str, state: str | None = None) -> np.ndarray:
    """Scenario minus baseline, per replicate (common random numbers)."""
    which = 0 if state is None else 1
    diff = final(name)[which][column] - final("baseline")[which][column]
    return (diff if state is None else diff.xs(state, level="state")).to_numpy()


# (scenario, column, state or None, expected sign of the paired difference)
DIRECTIONS = [
    ("russia_war_prolonged", "influence_RUS", None, -1),
    ("russia_war_prolonged", "trade_RUS", None, -1),
    ("russia_rebound", "influence_RUS", None, +1),
    ("middle_corridor_push", "influence_EU", None, +1),
    ("middle_corridor_push", "trade_EU", None, +1),
    ("us_critical_minerals", "influence_USA", None, +1),
    ("us_critical_minerals", "fdi_USA", None, +1),
    ("china_slowdown", "influence_CHN", None, -1),
    ("sco_development_bank", "influence_CHN", None, +1),
    ("kyrgyz_debt_crisis", "debt_to_gdp", "KGZ", +1),
    ("kyrgyz_debt_crisis", "gdp", "KGZ", -1),
    ("local_processing_mandate", "gdp", "KAZ", +1),
    ("afghan_spillover", "alignment_RUS", "TJK", +1),
    ("anti_china_protests", "sentiment_CHN", "KAZ", -1),
    ("anti_china_protests", "fdi_stock_CHN", None, -1),
    ("northern_corridor_disruption", "trade_RUS", None, -1),
    ("commodity_bust", "gdp", "KAZ", -1),
    ("china_security_role", "security_CHN", "TJK", +1),
    ("uzbekistan_joins_eaeu", "trade_RUS", "UZB", +1),
]


@pytest.mark.parametrize("name, column, state, sign", DIRECTIONS,
                         ids=[f"{n}-{c}-{s or 'region'}" for n, c, s, _ in DIRECTIONS])
def test_scenario_moves_outputs_as_described(name, column, state, sign):
    diff = paired(name, column, state)
    assert len(diff) == REPLICATES
    assert (sign * diff > 0).all(), f"{name}: {column} {state or ''} paired differences {diff}"


def test_baseline_against_itself_is_identical():
    # common random numbers: the same scenario and seed give zero paired differences
    spec = load_scenario(SCENARIOS / "baseline.yaml").run_spec(replicates=REPLICATES, seed=SEED, end_year=END,
                                                               uncertainty="point")
    _, again = run_ensemble(spec)
    region = again["region"]
    assert np.array_equal(region[region["step"] == region["step"].max()]["influence_CHN"].to_numpy(),
                          final("baseline")[0]["influence_CHN"].to_numpy())
