"""Running a sensitivity design through the ensemble engine: design points in, `column@year` values out.

Each design point runs `replicates` times; replicate k of every point uses the same seed (common
random numbers), so differences between points are differences of parameters, not noise. Points
are packed into one vectorised model per chunk, with per-run parameter arrays.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.rng import run_seeds

from .runner import RunSpec, run_ensemble


@dataclass
class ModelEvaluator:
    """Evaluator for `casim.analysis.sensitivity.run_sensitivity`.

    Args:
        outputs: names like "influence_CHN@2035" (region columns, value at the last step of the year).
        replicates: runs per design point; the output is their mean.
        seed: master seed; replicate k's seed is the k-th child seed.
        params: fixed overrides (the scenario's), under the sampled factors.
        chunk_runs: runs per vectorised model (bounds memory).
    """
    outputs: list[str]
    start_year: int = 2025
    end_year: int = 2040
    steps_per_year: int = 4
    replicates: int = 1
    seed: int = 0
    scenario: str = "baseline"
    params: dict | None = None
    chunk_runs: int = 256

    def __call__(self, design: pd.DataFrame) -> pd.DataFrame:
        from casim.analysis.tables import parse_output_ref, value_at

        refs = [parse_output_ref(o) for o in self.outputs]
        seeds = run_seeds(self.seed, self.replicates)
        # run r is design point r // replicates, replicate r % replicates
        point = np.repeat(np.arange(len(design)), self.replicates)
        replicate = np.tile(np.arange(self.replicates), len(design))
        values = {o: np.empty(len(point)) for o in self.outputs}
        for first in range(0, len(point), self.chunk_runs):
            rows = slice(first, first + self.chunk_runs)
            params = dict(self.params or {})
            params.update({path: design[path].to_numpy()[point[rows]] for path in design.columns})
            spec = RunSpec(scenario=self.scenario, replicates=len(point[rows]), seed=self.seed,
                           start_year=self.start_year, end_year=self.end_year, steps_per_year=self.steps_per_year,
                           params=params, run_seeds=[seeds[k] for k in replicate[rows]],
                           replicate_ids=list(replicate[rows]))
            _, tables = run_ensemble(spec)
            for name, (column, year) in zip(self.outputs, refs):
                series = value_at(tables["region"], column, year)
                if not pd.api.types.is_numeric_dtype(series):
                    from casim.errors import UserError
                    raise UserError(f"output '{name}' is not numeric; sensitivity needs a number per run")
                values[name][rows] = series.to_numpy()
        per_run = pd.DataFrame(values)
        return per_run.groupby(point).mean().reset_index(drop=True)


def read_sensitivity_experiment(path: str | Path) -> dict:
    """The parts of an experiment file that sensitivity needs: factors, horizon, replicates, seed.

    Reads `sample.params` ({dotted path: [lower, upper]} or null for the registry's uncertainty range),
    `sample.n`, `replicates`, `seed` and `horizon: {start_year, end_year, steps_per_year}` (also accepted
    at the top level), as in the batch experiment format. Keys it does not
    use are left to the batch loader. YAML is read with safe_load only.

    Raises:
        UserError: naming the file and field path.
    """
    import yaml

    from casim.analysis.sensitivity import Factor
    from casim.errors import UserError
    from model.params import ParameterError, check_value, parse_path

    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: {exc}") from None
    sample = spec.get("sample")
    if not isinstance(spec, dict) or not isinstance(sample, dict) or not isinstance(sample.get("params"), dict):
        raise UserError(f"{path}: sample.params: expected a mapping of parameter path -> [lower, upper]")
    factors = []
    for name, bounds in sample["params"].items():
        where = f"{path}: sample.params.{name}"
        try:
            param, _ = parse_path(str(name))
            lower, upper = param.range if bounds is None else bounds
            check_value(name, lower), check_value(name, upper)
        except ParameterError as exc:
            raise UserError(f"{where}: {exc}") from None
        except (TypeError, ValueError):
            raise UserError(f"{where}: expected [lower, upper] or null, got {bounds!r}") from None
        if not float(lower) < float(upper):
            raise UserError(f"{where}: lower bound {lower} must be below upper bound {upper}")
        factors.append(Factor(str(name), float(lower), float(upper)))
    fields = {"replicates": 1, "seed": 0, "start_year": 2025, "end_year": 2040, "steps_per_year": 4}
    out = {}
    # the horizon may sit in a `horizon:` block (the batch experiment format) or at the top level
    horizon = spec.get("horizon") if isinstance(spec.get("horizon"), dict) else {}
    for key, default in {**fields, "n": 64}.items():
        block, prefix = (sample, "sample.") if key == "n" else (horizon, "horizon.") if key in horizon else (spec, "")
        value = block.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise UserError(f"{path}: {prefix}{key}: expected an integer, got {value!r}")
        out[key] = value
    scenarios = spec.get("scenarios", ["baseline"])
    if scenarios not in (["baseline"], "baseline"):
        raise UserError(f"{path}: scenarios: sensitivity runs the baseline only for now, got {scenarios!r}")
    out["factors"] = factors
    return out
