"""The documented recipes for outside tools (examples/), run as a reader would, checked against point-by-point runs."""
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import CentralAsiaModel, OutputRef

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def point_values(row: dict, ref: str, replicates: int, seed: int, **kwargs) -> np.ndarray:
    """One design point on its own: a plain model, read through its tables."""
    model = CentralAsiaModel(seed=seed, n_runs=replicates, params=row, **kwargs).run()
    return OutputRef.parse(ref).values(model.results()).to_numpy()


def test_salib_sobol_recipe_runs_one_ensemble_equal_to_point_by_point_runs():
    recipe = runpy.run_path(str(EXAMPLES / "salib_sobol.py"))
    design, out, indices = recipe["main"](n=8, replicates=2, seed=3)
    paths, output = recipe["PATHS"], recipe["OUTPUT"]
    assert len(design) == 8 * (len(paths) + 2) and list(design.columns) == paths
    assert out["run"].nunique() == 2 * len(design)                  # every point and replicate in one ensemble
    for j, row in design.iterrows():
        got = out[out["sample"] == j]["value"].to_numpy()
        np.testing.assert_array_equal(got, point_values(row.to_dict(), output, 2, 3, end_year=2035))
    assert list(indices.index) == paths and list(indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert np.isfinite(indices.to_numpy()).all()


def test_ema_ensemble_evaluator_gives_emas_own_point_by_point_outcomes():
    pytest.importorskip("ema_workbench")
    from ema_workbench import SequentialEvaluator
    from ema_workbench.em_framework.samplers import sample_uncertainties

    from experiments.ema import EnsembleEvaluator, ema_model

    model = ema_model(["influence_RUS@2027", "KAZ.alignment_CHN@2026"],
                      ["war_intensity", "powers.RUS.security_capacity", "powers.all.sanctions"], replicates=2, seed=4)
    assert [u.name for u in model.uncertainties] == ["war_intensity", "powers.RUS.security_capacity",
                                                     *(f"powers.{p}.sanctions" for p in ("CHN", "RUS", "EU", "USA"))]
    np.random.seed(0)
    scenarios = sample_uncertainties(model, 10)
    with SequentialEvaluator(model) as evaluator:          # EMA's own: one CentralAsiaModel per experiment
        experiments, point_by_point = evaluator.perform_experiments(scenarios)
    with EnsembleEvaluator(model) as evaluator:            # one ensemble for the whole design
        same_experiments, ensemble = evaluator.perform_experiments(scenarios)
    names = [u.name for u in model.uncertainties]
    pd.testing.assert_frame_equal(experiments[names], same_experiments[names])
    for name, values in point_by_point.items():
        np.testing.assert_array_equal(ensemble[name], values)
    # and the point-by-point path is the plain model, averaged over its replicates
    row = experiments.iloc[3][names].to_dict()
    assert point_by_point["influence_RUS@2027"][3] == point_values(row, "influence_RUS@2027", 2, 4,
                                                                    end_year=2027, record="year_end").mean()


def test_ema_prim_recipe_finds_a_box():
    pytest.importorskip("ema_workbench")
    recipe = runpy.run_path(str(EXAMPLES / "ema_prim.py"))
    experiments, outcomes, closest, box = recipe["main"](n=200, seed=2, threshold=0.5)
    assert len(experiments) == 200 and closest.sum() == 50               # the quarter with the highest gap
    assert set(box.box_lims[-1].columns) == set(recipe["PATHS"])
    # a box that meets the threshold (twice the cases' share), not EMA's fallback (the whole space, density
    # 0.25), and holds a fair part of the cases
    assert box.mean >= 0.5 > closest.mean() and box.coverage > 0.2


def test_ema_with_a_scenario_file_matches_point_by_point_too():
    """Events and scenario params reach both paths: the scenario's war ends in 2026, within the horizon."""
    pytest.importorskip("ema_workbench")
    from ema_workbench import SequentialEvaluator
    from ema_workbench.em_framework.samplers import sample_uncertainties

    from experiments.ema import EnsembleEvaluator, ema_model

    scenario = EXAMPLES.parent / "scenarios" / "russia_rebound.yaml"
    model = ema_model(["influence_RUS@2027"], ["powers.RUS.security_capacity"], seed=6, scenario=scenario)
    np.random.seed(1)
    scenarios = sample_uncertainties(model, 5)
    with SequentialEvaluator(model) as evaluator:
        _, point_by_point = evaluator.perform_experiments(scenarios)
    with EnsembleEvaluator(model) as evaluator:
        _, ensemble = evaluator.perform_experiments(scenarios)
    np.testing.assert_array_equal(ensemble["influence_RUS@2027"], point_by_point["influence_RUS@2027"])
    plain = ema_model(["influence_RUS@2027"], ["powers.RUS.security_capacity"], seed=6)
    with EnsembleEvaluator(plain) as evaluator:
        _, without = evaluator.perform_experiments(scenarios)
    assert np.all(ensemble["influence_RUS@2027"] - without["influence_RUS@2027"] > 0.001)   # the war's end helps Russia
