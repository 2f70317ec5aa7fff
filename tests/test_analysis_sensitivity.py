"""Sensitivity analysis: Ishigami through the same code path as the model, and a small model design."""
import numpy as np
import pandas as pd
import pytest

from casim.analysis.sensitivity import run_sensitivity
from experiments.sampling import Factor, sample_design
from model.errors import InputError

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
    with pytest.raises(InputError, match="power of 2"):
        sample_design(FACTORS, "sobol", 100)


TINY = """name: tiny
scenarios: [{scenario}]
replicates: 2
seed: 4
horizon: {{start_year: 2025, end_year: 2026}}
executor: {{kind: inline, chunk_size: 5}}
sample:
  method: saltelli
  n: 2
  params:
    war_intensity: [0.3, 0.9]
    powers.RUS.security_capacity: [0.1, 1.5]
"""


def tiny_experiment(tmp_path, scenario="baseline"):
    path = tmp_path / f"tiny_{scenario}.yaml"
    path.write_text(TINY.format(scenario=scenario))
    return path


def test_design_runs_as_a_batch_with_common_seeds(tmp_path):
    from experiments.batch import read_table, run_batch
    from experiments.evaluator import BatchEvaluator
    from experiments.executors import InlineExecutor
    from experiments.plan import build_plan
    plan, _ = build_plan(tiny_experiment(tmp_path))
    factors = [Factor("war_intensity", 0.3, 0.9), Factor("powers.RUS.security_capacity", 0.1, 1.5)]
    design = sample_design(factors, "sobol", 2, seed=0)
    outputs = ["china_russia_gap@2026"]

    def evaluator(chunk_size, out):
        return BatchEvaluator(plan, outputs, tmp_path / out,
                              lambda p, d: run_batch(p, d, InlineExecutor(), chunk_size, quiet=True))
    first = evaluator(3, "a")(design)
    assert len(first) == len(design) and np.isfinite(first.to_numpy()).all()
    assert first[outputs[0]].nunique() > 1  # the factors move the output
    # chunking and the order of points do not change a point's value: replicate k has one seed for every point
    again = evaluator(5, "b")(design.iloc[::-1])
    assert np.allclose(again.to_numpy()[::-1], first.to_numpy())
    runs = read_table(tmp_path / "a", "runs")
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all() and runs["seed"].nunique() == 2


def test_cli_sensitivity_runs_its_design_through_the_batch_engine(tmp_path, capsys):
    import json

    from casim.cli import main
    experiment = tiny_experiment(tmp_path)
    out = tmp_path / "sens"
    assert main(["sensitivity", str(experiment), "--output", "influence_RUS@2026", "--out", str(out), "--quiet"]) == 0
    report = out / "report"
    assert (report / "report.html").is_file() and (report / "figures" / "influence_RUS_at_2026.png").is_file()
    table = pd.read_csv(report / "sobol_influence_rus_2026.csv")
    assert list(table.columns) == ["factor", "S1", "S1_conf", "ST", "ST_conf"] and len(table) == 2
    manifest = json.loads((out / "batch" / "manifest.json").read_text())
    assert manifest["status"] == "done" and manifest["n_runs"] == 2 * (2 + 2) * 2  # N (k + 2) points x replicates
    assert len(list((out / "batch" / "region").glob("part-*.parquet"))) == 4  # 16 runs in chunks of 5
    # the same command again resumes: nothing left to run, same indices
    assert main(["sensitivity", str(experiment), "--output", "influence_RUS@2026", "--out", str(out), "--quiet",
                 "--resume"]) == 0
    assert pd.read_csv(report / "sobol_influence_rus_2026.csv").equals(table)
    # morris: another design, so resuming the sobol batch is refused
    capsys.readouterr()
    args = ["sensitivity", str(experiment), "--method", "morris", "-n", "3", "--output", "influence_RUS@2026",
            "--out", str(out), "--quiet"]
    assert main([*args, "--resume"]) == 2 and "samples_sha256" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert list(pd.read_csv(report / "morris_influence_rus_2026.csv").columns)[:3] == ["factor", "mu", "mu_star"]


def test_cli_sensitivity_of_a_scenario_other_than_baseline(tmp_path):
    """`casim sensitivity` of a scenario file runs the scenario's parameters from the start and its event
    from its date: against the same scenario without the event, the runs agree in 2025 and differ in 2026;
    against it without the parameters, they differ from the first step."""
    from casim.cli import main
    from experiments.batch import read_table
    head = "description: test scenario\nstart_year: 2025\nend_year: 2026\n"
    params = "params: {beta_trade: 3.0}\n"
    event = "events:\n  - at: 2026\n    set: {local_multiplier: 1.1}\n"
    variants = {"calm": params + event, "calm_params": params, "calm_event": event}
    tables = {}
    for name, body in variants.items():
        (tmp_path / f"{name}.yaml").write_text(f"name: {name}\n{head}{body}")
        out = tmp_path / f"out_{name}"
        assert main(["sensitivity", str(tiny_experiment(tmp_path, f"{name}.yaml")), "--output",
                     "china_russia_gap@2026", "--out", str(out), "--quiet"]) == 0
        assert (out / "report" / "sobol_china_russia_gap_2026.csv").is_file()
        region = read_table(out / "batch", "region")
        assert set(region["scenario"]) == {name}
        tables[name] = region.drop(columns=["scenario"])
        runs = read_table(out / "batch", "runs")
        pinned = runs["beta_trade"] == 3.0  # the scenario's value pins it; else each replicate's draw
        assert pinned.all() if "beta_trade" in body else not pinned.any()

    def differ(a, b, year):
        rows = [t[t["year"] == year].select_dtypes("number").to_numpy() for t in (tables[a], tables[b])]
        return not np.array_equal(*rows)

    assert not differ("calm", "calm_params", 2025) and differ("calm", "calm_params", 2026)  # the event, from 2026
    assert differ("calm", "calm_event", 2025)                                               # the parameters, at once


def test_cli_sensitivity_bad_files_exit_2_with_file_and_line(tmp_path, capsys):
    from casim.cli import main
    experiment = tmp_path / "bad.yaml"
    experiment.write_text("name: bad\nscenarios: [baseline]\nsample:\n  method: saltelli\n  n: 4\n  params:\n"
                          "    war_intensty: [0.3, 0.9]\n")
    assert main(["sensitivity", str(experiment), "--output", "influence_RUS@2026"]) == 2
    assert f"{experiment}:7: sample.params.war_intensty" in capsys.readouterr().err
    experiment.write_text("name: two\nscenarios: [baseline, russia_rebound]\n"
                          "sample: {method: saltelli, n: 4, params: {war_intensity: [0.3, 0.9]}}\n")
    assert main(["sensitivity", str(experiment), "--output", "influence_RUS@2026"]) == 2
    assert f"{experiment}:2: scenarios: sensitivity analyses one scenario" in capsys.readouterr().err
