"""Parameter uncertainty through the real command line: replicate k is the same (parameter vector, seed) in every
scenario, in `casim run` and `casim batch` alike; pins win; the run summary speaks in probabilities."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.batch import read_table
from model.params import REGISTRY

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CASIM = [sys.executable, "-m", "casim.cli"]
SEED, REPLICATES = 17, 5


def casim(*args, code=0):
    result = subprocess.run([*CASIM, *args], capture_output=True, text=True, timeout=900)
    assert result.returncode == code, result.stderr
    return result


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c.split(".")[-1] in REGISTRY]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Two scenarios, each run alone with `casim run`, and both together in one `casim batch` (chunks of 3)."""
    root = tmp_path_factory.mktemp("crn")
    pinned = root / "pinned.yaml"  # the war ends in 2026, and it pins two parameters the baseline draws
    pinned.write_text("name: pinned\ndescription: russia_rebound with pins\n"
                      f"extends: {SCENARIOS / 'russia_rebound.yaml'}\n"
                      "params: {beta_history: 2.0, powers.RUS.security_capacity: 0.9}\n")
    runs = {}
    for name, path in (("baseline", SCENARIOS / "baseline.yaml"), ("pinned", pinned)):
        printed = casim("run", str(path), "--seed", str(SEED), "--replicates", str(REPLICATES), "--years", "2025-2027",
                        "--no-plots", "--out", str(root / name)).stdout
        runs[name] = (pd.read_parquet(root / name / "runs.parquet"), printed)
    experiment = root / "both.yaml"
    experiment.write_text(f"name: both\nscenarios: [baseline, {pinned}]\nreplicates: {REPLICATES}\nseed: {SEED}\n"
                          "horizon: {start_year: 2025, end_year: 2027}\n"
                          "executor: {kind: processes, workers: 2, chunk_size: 3}\n")
    casim("batch", str(experiment), "--out", str(root / "batch"), "--quiet")
    return root, runs, experiment


def test_replicate_k_has_the_same_draw_and_seed_in_two_scenarios_run_separately(outputs):
    _, runs, _ = outputs
    base, pinned = runs["baseline"][0].set_index("replicate"), runs["pinned"][0].set_index("replicate")
    assert list(base.index) == list(pinned.index) == list(range(REPLICATES))
    assert (base["seed"] == pinned["seed"]).all()
    columns = parameter_columns(base)
    varying = [c for c in columns if base[c].nunique() > 1]
    assert len(varying) > 20  # the runs draw their parameters: posterior by default
    for column in varying:
        if column in ("beta_history", "powers.RUS.security_capacity"):
            assert (pinned[column] == {"beta_history": 2.0, "powers.RUS.security_capacity": 0.9}[column]).all()
        else:
            assert np.array_equal(base[column].to_numpy(), pinned[column].to_numpy()), column


def test_casim_batch_draws_the_same_as_casim_run(outputs):
    root, runs, _ = outputs
    batch = read_table(root / "batch", "runs")
    for scenario, (alone, _) in runs.items():
        rows = batch[batch["scenario"] == scenario].sort_values("replicate").reset_index(drop=True)
        assert (rows["sample"] == 0).all() and list(rows["replicate"]) == list(range(REPLICATES))
        for column in ["seed", *parameter_columns(alone)]:
            assert np.array_equal(rows[column].to_numpy(), alone[column].to_numpy()), (scenario, column)
    region = read_table(root / "batch", "region")
    alone = pd.read_parquet(root / "baseline" / "region.parquet")
    mine = region[region["scenario"] == "baseline"].sort_values(["replicate", "step"])
    assert np.array_equal(mine["influence_CHN"].to_numpy(), alone.sort_values(["replicate", "step"])["influence_CHN"])


def test_the_run_summary_reports_leader_probabilities_with_standard_errors(outputs):
    root, runs, _ = outputs
    printed = runs["baseline"][1]
    assert "uncertainty posterior" in printed and "P(leader) over 5 runs" in printed and "2027:" in printed
    assert "±" in printed.splitlines()[-1]
    summary = json.loads((root / "baseline" / "summary.json").read_text())
    assert summary["uncertainty"] == "posterior" and summary["runs"] == REPLICATES
    assert sum(v["p"] for v in summary["leader"]["2027"].values()) == pytest.approx(1.0)
    manifest = json.loads((root / "baseline" / "manifest.json").read_text())
    assert {"summary.json", "summary.md"} <= set(manifest["files"])  # recorded and checked like the tables
    assert casim("verify", str(root / "baseline")).returncode == 0


def test_point_keeps_the_calibrated_point(tmp_path):
    casim("run", "--uncertainty", "point", "--replicates", "3", "--years", "2025-2025", "--no-plots",
          "--out", str(tmp_path / "point"))
    runs = pd.read_parquet(tmp_path / "point" / "runs.parquet")
    assert all(runs[c].nunique() == 1 for c in parameter_columns(runs))
    assert runs["seed"].nunique() == 3
    bad = casim("run", "--uncertainty", "posterier", "--out", str(tmp_path / "x"), code=2)
    assert "invalid choice: 'posterier'" in bad.stderr


def test_resume_refuses_another_uncertainty_mode(outputs):
    root, _, experiment = outputs
    refused = casim("batch", str(experiment), "--out", str(root / "batch"), "--resume", "--uncertainty", "point",
                    "--quiet", code=2)
    assert "drew their parameters with uncertainty='posterior'" in refused.stderr
    assert "Traceback" not in refused.stderr
    again = casim("batch", str(experiment), "--out", str(root / "batch"), "--resume", "--quiet")
    assert f"{2 * REPLICATES}/{2 * REPLICATES} runs done" in again.stdout


def test_the_decomposition_inputs_are_the_drawn_parameters_only(outputs):
    """`parameter_columns` (the variance decomposition's inputs) keeps the parameters that differ between runs:
    never the seed or the replicate, never a pinned or undrawn parameter."""
    from casim.analysis.uncertainty import parameter_columns as varying_parameters

    root, runs, _ = outputs
    table = runs["pinned"][0]
    inputs = varying_parameters(table)
    assert len(inputs) == REPLICATES and inputs.index.name == "run"
    assert not {"seed", "replicate", "beta_history", "powers.RUS.security_capacity"} & set(inputs.columns)
    expected = {c for c in parameter_columns(table) if table[c].nunique() > 1}
    assert set(inputs.columns) == expected and len(expected) > 20
