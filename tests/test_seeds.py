"""One seed scheme: replicate k of `casim run` is sample 0, replicate k of `casim batch` (same seed, same trajectory)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.batch import read_table
from model import CentralAsiaModel
from model.rng import run_seed, run_seeds

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "middle_corridor_push.yaml"  # it has events
CASIM = [sys.executable, "-m", "casim.cli"]


def casim(*args):
    result = subprocess.run([*CASIM, *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def test_casim_run_replicates_are_batch_sample_zero_replicates(tmp_path):
    casim("run", str(SCENARIO), "--seed", "31", "--replicates", "3", "--years", "2025-2026", "--no-plots",
          "--out", str(tmp_path / "run"))
    experiment = tmp_path / "crn.yaml"
    experiment.write_text(f"name: crn\nscenarios: [{SCENARIO}]\nreplicates: 3\nseed: 31\n"
                          "horizon: {start_year: 2025, end_year: 2026}\nexecutor: {kind: inline}\n")
    casim("batch", str(experiment), "--out", str(tmp_path / "batch"), "--quiet")
    for name in ("region", "states", "runs"):
        alone = pd.read_parquet(tmp_path / "run" / f"{name}.parquet")
        batch = read_table(tmp_path / "batch", name)
        assert (batch["sample"] == 0).all()
        same = batch if name == "runs" else batch.drop(columns="sample")   # a runs table names each run's sample
        pd.testing.assert_frame_equal(alone, same, check_exact=True)
    seeds = pd.read_parquet(tmp_path / "run" / "runs.parquet")["seed"].tolist()
    assert seeds == [run_seed(31, 0, k) for k in range(3)]


def test_the_python_api_uses_the_same_scheme():
    model = CentralAsiaModel(n_runs=3, seed=31, end_year=2025)
    assert model.seeds == run_seeds(31, 3) == [run_seed(31, 0, k) for k in range(3)]
    assert run_seeds(31, 2, first=1) == model.seeds[1:]
    assert run_seeds(31, 1, sample=1) != run_seeds(31, 1)          # another design point, other numbers
    assert all(0 <= s < 2 ** 63 for s in model.seeds) and len(set(model.seeds)) == 3
    assert np.random.SeedSequence(31, spawn_key=(0, 2)).generate_state(1, np.uint64)[0] >> np.uint64(1) == model.seeds[2]
