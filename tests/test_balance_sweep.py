"""The shipped experiment files validate, and the reduced balance_sweep runs end to end (needs scenarios/)."""
import importlib.util
from pathlib import Path

import pytest

from casim.cli import main as casim
from experiments.batch import read_table
from experiments.spec import SCENARIO_DIR, validate_experiment_file

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
HAVE_SCENARIOS = importlib.util.find_spec("model.scenario") is not None and any(SCENARIO_DIR.glob("*.yaml"))
needs_scenarios = pytest.mark.skipif(not HAVE_SCENARIOS, reason="scenario library (issue B) not merged yet")


@needs_scenarios
@pytest.mark.parametrize("name", ["balance_sweep.yaml", "balance_sweep_ci.yaml"])
def test_shipped_experiments_are_valid(name):
    assert validate_experiment_file(EXPERIMENTS / name) == []


@needs_scenarios
def test_reduced_balance_sweep_runs_with_common_random_numbers(tmp_path):
    out = tmp_path / "sweep"
    assert casim(["batch", str(EXPERIMENTS / "balance_sweep_ci.yaml"), "--out", str(out), "--quiet"]) == 0
    runs = read_table(out, "runs")
    assert len(runs) == 36 and runs["run"].tolist() == list(range(36))
    seeds = runs.pivot(index=["sample", "replicate"], columns="scenario", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()
    region = read_table(out, "region")
    assert region.groupby("run").size().eq(13).all()
