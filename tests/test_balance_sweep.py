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


def test_casim_validate_covers_experiment_files(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nscenarios: []\nreplicats: 2\n")
    assert casim(["validate", str(EXPERIMENTS / "balance_sweep_ci.yaml")]) == 0
    assert casim(["validate", str(bad)]) == 2
    assert f"{bad}:3: replicats: unknown field 'replicats' (did you mean 'replicates'?)" in capsys.readouterr().err


def test_posterior_draws_as_samples(tmp_path):
    posterior = Path(__file__).resolve().parent.parent / "model" / "data" / "posterior.parquet"
    if not posterior.exists():
        pytest.skip("no calibration posterior")
    exp = tmp_path / "post.yaml"
    exp.write_text(f"name: post\nscenarios: []\nreplicates: 1\nseed: 3\nfrom_posterior: {{file: {posterior}, n: 3}}\n"
                   "horizon: {start_year: 2025, end_year: 2025}\nexecutor: {kind: inline}\n")
    assert casim(["batch", str(exp), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    runs = read_table(tmp_path / "o", "runs")
    assert len(runs) == 3 and runs["sample"].tolist() == [0, 1, 2]
