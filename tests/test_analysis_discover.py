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


WAR, CAPACITY = "war_intensity", "powers.RUS.security_capacity"


def planted_batch(root, inside) -> str:
    """A batch-shaped output (runs and region tables, as copied without a manifest) of 400 runs whose
    condition `china_russia_gap@2030 < 0` holds exactly inside a planted box `inside(runs)`."""
    rng = np.random.default_rng(4)
    n = 400
    runs = pd.DataFrame({"run": range(n), "replicate": 0, "seed": rng.integers(0, 2 ** 31, n),
                         WAR: rng.uniform(0.0, 1.0, n), CAPACITY: rng.uniform(0.0, 1.5, n),
                         "beta_trade": rng.uniform(1.0, 4.0, n)})
    gap = np.where(inside(runs), -0.1, 0.1)
    region = pd.DataFrame({"run": np.repeat(runs["run"], 2), "step": np.tile([4, 24], n),
                           "year": np.tile([2025, 2030], n), "china_russia_gap": np.repeat(gap, 2)})
    root.mkdir()
    runs.to_parquet(root / "runs.parquet", index=False)
    region.to_parquet(root / "region.parquet", index=False)
    return str(root)


@pytest.mark.parametrize("box", [
    {WAR: (None, 0.4), CAPACITY: (0.8, None)},  # Russia ahead where the war is mild and its capacity high
    {WAR: (0.6, None), CAPACITY: (None, 0.5)},  # the mirror image: the same inputs, limited the other way
], ids=["war_at_most_capacity_at_least", "war_at_least_capacity_at_most"])
def test_the_box_has_the_planted_limits_in_their_direction(tmp_path, capsys, box):
    def inside(runs):
        keep = np.ones(len(runs), bool)
        for name, (lower, upper) in box.items():
            keep &= (runs[name] >= (lower if lower is not None else -np.inf)) & \
                    (runs[name] <= (upper if upper is not None else np.inf))
        return keep

    batch = planted_batch(tmp_path / "planted", inside)
    assert main(["discover", batch, "--where", "china_russia_gap@2030 < 0", "--threshold", "0.95",
                 "--min-coverage", "0.8", "--out", str(tmp_path / "report")]) == 0
    printed = capsys.readouterr().out
    limits = discover(batch, "china_russia_gap@2030 < 0", threshold=0.95, min_coverage=0.8)["result"].limits
    limits = limits.set_index("input")
    assert set(limits.index) == set(box)               # beta_trade plays no part
    for name, (lower, upper) in box.items():
        row = limits.loc[name]
        if lower is None:
            assert row["lower"] == row["data_min"] and row["upper"] == pytest.approx(upper, abs=0.03), name
        else:
            assert row["upper"] == row["data_max"] and row["lower"] == pytest.approx(lower, abs=0.03), name
    # and the sentence says which way each limit goes, with its value and unit
    assert "'china_russia_gap@2030 < 0' holds when" in printed
    for name, (lower, upper) in box.items():
        side, value = ("at most", limits.loc[name, "upper"]) if lower is None else ("at least", limits.loc[name, "lower"])
        unit = "(0..1)" if name == WAR else "(index)"
        assert f"{name} is {side} {value:.3g} {unit}" in printed, printed
