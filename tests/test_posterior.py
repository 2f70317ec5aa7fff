"""The calibration posterior's values reach the runs that sample it, through the public batch path.

A real `casim batch` draws parameter vectors from the committed posterior (`model/data/posterior.parquet`,
one accepted vector per row); its runs table must hold, for every run, one accepted vector whole (not
values mixed across rows or columns, nor the calibrated defaults), and each run's trajectory must be the
model's for that vector and seed.
"""
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

from cli_batches import CASIM
from experiments.batch import read_table
from model import CentralAsiaModel
from model.params import load_defaults
from model.uncertainty import posterior_file

POSTERIOR = posterior_file()
IDS = ["run", "scenario", "replicate", "sample", "seed"]


def test_the_posteriors_values_reach_the_runs_that_sample_it(tmp_path):
    posterior = pd.read_parquet(POSTERIOR)
    names = [c for c in posterior.columns if c not in ("objective", "weight")]
    experiment = tmp_path / "posterior.yaml"
    experiment.write_text(f"name: posterior\nscenarios: []\nreplicates: 2\nseed: 3\n"
                          f"from_posterior: {{file: {POSTERIOR}, n: 6}}\n"
                          "horizon: {start_year: 2025, end_year: 2025}\nexecutor: {workers: 2, chunk_size: 5}\n"
                          "uncertainty: point\n")  # only the sampled vector varies (no per-replicate prior draws)
    out = tmp_path / "out"
    result = subprocess.run([CASIM, "batch", str(experiment), "--out", str(out), "--quiet"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    runs = read_table(out, "runs")
    assert len(runs) == 12 and runs["sample"].tolist() == [s for s in range(6) for _ in range(2)]

    accepted = {tuple(row) for row in posterior[names].to_numpy()}
    drawn = [tuple(row) for row in runs[names].to_numpy()]
    assert all(vector in accepted for vector in drawn)              # each run: one accepted vector, whole
    assert runs.groupby("sample")[names].nunique().eq(1).all().all()  # replicates of a sample share it
    assert len(set(drawn)) >= 3                                       # different samples, different vectors
    defaults = tuple(load_defaults()[n] for n in names)
    not_defaults = [run for run, vector in enumerate(drawn) if vector != defaults]
    assert len(not_defaults) >= 6

    # the dynamics used them: a run's trajectory is the model's with that vector and seed, not the defaults'
    region = read_table(out, "region")
    for run in not_defaults[::3]:
        row = runs.iloc[run]
        model = CentralAsiaModel(run_seeds=[int(row["seed"])], params={n: float(row[n]) for n in names},
                                 start_year=2025, end_year=2025, scenario="defaults").run()
        expected = model.results()["region"].drop(columns=["run", "replicate", "seed", "scenario"])
        got = region[region["run"] == run].drop(columns=IDS).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected[got.columns], check_exact=True)
        other = CentralAsiaModel(run_seeds=[int(row["seed"])], start_year=2025, end_year=2025).run()
        assert not np.allclose(other.results()["region"]["influence_RUS"], got["influence_RUS"])  # defaults differ
