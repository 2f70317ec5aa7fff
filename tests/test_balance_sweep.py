"""The shipped experiment files validate, and the reduced balance_sweep runs end to end."""
from pathlib import Path

import pytest

from casim.cli import main as casim
from experiments.batch import read_table
from experiments.spec import validate_experiment_file

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"


@pytest.mark.parametrize("name", ["balance_sweep.yaml", "balance_sweep_ci.yaml"])
def test_shipped_experiments_are_valid(name):
    assert validate_experiment_file(EXPERIMENTS / name) == []


def test_reduced_balance_sweep_runs_with_common_random_numbers(tmp_path):
    out = tmp_path / "sweep"
    assert casim(["batch", str(EXPERIMENTS / "balance_sweep_ci.yaml"), "--out", str(out), "--quiet"]) == 0
    runs = read_table(out, "runs")
    assert len(runs) == 36 and runs["run"].tolist() == list(range(36))
    assert runs.groupby("scenario").size().to_dict() == {"baseline": 12, "china_slowdown": 12, "russia_war_prolonged": 12}
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
