"""`casim discover` on a batch-shaped output with sampled parameters."""
import numpy as np
import pandas as pd
import pytest

from casim.analysis.discover import discover, sampled_inputs
from casim.cli import main
from model.run import RunSpec, write_outputs


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """48 runs with sampled Russian capacity and war intensity (a stand-in for a `casim batch` output); only the
    sampled parameters vary (`uncertainty="point"`)."""
    rng = np.random.default_rng(11)
    n = 48
    params = {"powers.RUS.security_capacity": rng.uniform(0.3, 1.2, n), "war_intensity": rng.uniform(0.2, 0.9, n),
              "beta_trade": rng.uniform(1.0, 4.0, n)}
    out = tmp_path_factory.mktemp("batch") / "sweep"
    write_outputs(out, RunSpec(scenario="sweep", replicates=n, seed=5, end_year=2030, params=params,
                               uncertainty="point"))
    return out


def test_sampled_inputs_are_the_varying_parameters(batch):
    runs = pd.read_parquet(batch / "runs.parquet")
    assert set(sampled_inputs(runs).columns) == {"powers.RUS.security_capacity", "war_intensity", "beta_trade"}


def median_gap(batch):
    gap = pd.read_parquet(batch / "region.parquet")
    return gap[gap["year"] == 2030].groupby("run")["china_russia_gap"].last().median()


def test_finds_a_box_for_a_real_condition(batch):
    cut = median_gap(batch)
    found = discover(batch, f"china_russia_gap@2030 < {cut}", threshold=0.75, min_coverage=0.3, alpha=0.1)
    limits = found["result"].limits
    assert limits is not None and "powers.RUS.security_capacity" in set(limits["input"])
    assert found["summary"].startswith(f"'china_russia_gap@2030 < {cut}' holds when")


def test_cli_writes_report_and_says_when_no_box(batch, capsys):
    assert main(["discover", str(batch), "--where", f"china_russia_gap@2030 < {median_gap(batch)}", "--threshold", "1.01",
                 "--out", str(batch / "disc")]) == 0
    out = capsys.readouterr().out
    assert "No box of parameters meets the thresholds" in out
    assert (batch / "disc" / "report.html").is_file() and (batch / "disc" / "figures" / "prim_trajectory.png").is_file()


def test_cli_bad_condition(batch, capsys):
    assert main(["discover", str(batch), "--where", "leader@2030 == 'RUS'"]) == 2
    assert "true in every run" in capsys.readouterr().err
    assert main(["discover", str(batch), "--where", "leader@2030 = 'RUS'"]) == 2
    assert "position 12" in capsys.readouterr().err
    assert main(["discover", str(batch), "--where", "leadr@2030 == 'RUS'"]) == 2
    assert "did you mean 'leader'" in capsys.readouterr().err
