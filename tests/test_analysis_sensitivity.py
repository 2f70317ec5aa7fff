"""Sensitivity analysis: Ishigami through the same code path as the model, and a small model design."""
import numpy as np
import pandas as pd
import pytest

from casim.analysis.sensitivity import Factor, run_sensitivity, sample_design
from casim.errors import UserError

# Published values for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2010)
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def ishigami(design: pd.DataFrame) -> pd.DataFrame:
    x1, x2, x3 = (design[c].to_numpy() for c in ("x1", "x2", "x3"))
    return pd.DataFrame({"y": np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3 ** 4 * np.sin(x1)})


FACTORS = [Factor(name, -np.pi, np.pi) for name in ("x1", "x2", "x3")]


def test_ishigami_sobol_indices():
    table = run_sensitivity(FACTORS, ["y"], ishigami, method="sobol", n=2048, seed=7)["y"]
    assert np.allclose(table["S1"], ISHIGAMI_S1, atol=0.04)
    assert np.allclose(table["ST"], ISHIGAMI_ST, atol=0.04)
    assert (table["S1_conf"] > 0).all() and (table["ST_conf"] < 0.1).all()


def test_ishigami_morris_ranks_x3_lowest_on_its_own():
    table = run_sensitivity(FACTORS, ["y"], ishigami, method="morris", n=100, seed=3)["y"].set_index("factor")
    # x2 acts additively (mu* large, sigma moderate); x3 only through its interaction with x1
    assert table.loc["x3", "mu"] == pytest.approx(0, abs=2.0)
    assert table.loc["x1", "mu_star"] > table.loc["x3", "mu_star"]
    assert table.loc["x3", "sigma"] > table.loc["x3", "mu_star"] * 0.9


def test_sobol_needs_power_of_two():
    with pytest.raises(UserError, match="power of 2"):
        sample_design(FACTORS, "sobol", 100)


def test_model_design_runs_through_the_engine():
    from experiments.evaluator import ModelEvaluator
    factors = [Factor("war_intensity", 0.3, 0.9), Factor("local_multiplier", 0.4, 1.2)]
    outputs = ["china_russia_gap@2027"]
    evaluator = ModelEvaluator(outputs, end_year=2027, replicates=2, seed=5, chunk_runs=10)
    design = sample_design(factors, "sobol", 4, seed=0)
    first = evaluator(design)
    assert len(first) == len(design) and np.isfinite(first.to_numpy()).all()
    # chunking and the order of points do not change a point's value (per-run seeds)
    again = ModelEvaluator(outputs, end_year=2027, replicates=2, seed=5, chunk_runs=7)(design.iloc[::-1])
    assert np.allclose(again.to_numpy()[::-1], first.to_numpy())
    table = run_sensitivity(factors, outputs, evaluator, method="sobol", n=4)["china_russia_gap@2027"]
    assert list(table["factor"]) == ["war_intensity", "local_multiplier"]


def test_cli_sensitivity_on_a_reduced_sobol_design(tmp_path, capsys):
    from casim.cli import main
    experiment = tmp_path / "tiny.yaml"
    experiment.write_text("replicates: 1\nseed: 4\nhorizon: {start_year: 2025, end_year: 2026}\nsample:\n  method: sobol\n  n: 4\n  params:\n"
                          "    war_intensity: [0.3, 0.9]\n    powers.RUS.security_capacity: ~\n")
    out = tmp_path / "sens"
    assert main(["sensitivity", str(experiment), "--output", "influence_RUS@2026", "--out", str(out)]) == 0
    assert (out / "report.html").is_file() and (out / "figures" / "influence_RUS_at_2026.png").is_file()
    table = pd.read_csv(out / "sobol_influence_rus_2026.csv")
    assert list(table.columns) == ["factor", "S1", "S1_conf", "ST", "ST_conf"] and len(table) == 2
    capsys.readouterr()
    experiment.write_text("sample:\n  params:\n    war_intensty: [0.3, 0.9]\n")
    assert main(["sensitivity", str(experiment), "--output", "influence_RUS@2026"]) == 2
    assert "sample.params.war_intensty" in capsys.readouterr().err
