"""EMA Workbench adapter: the parameter registry as EMA uncertainties, and a whole EMA design as one ensemble.

Needs the optional extra: `pip install 'casim[ema]'` (EMA Workbench 2.5).

    from ema_workbench import perform_experiments
    from experiments.ema import EnsembleEvaluator, ema_model

    model = ema_model(["influence_RUS@2035"], ["war_intensity", "powers.RUS.security_capacity"], replicates=2, seed=1)
    with EnsembleEvaluator(model) as evaluator:            # every experiment in one vectorised ensemble
        experiments, outcomes = evaluator.perform_experiments(scenarios=200)

`ema_model` is an ordinary EMA `Model`: with EMA's own evaluators (`SequentialEvaluator`,
`MultiprocessingEvaluator`) it runs one `CentralAsiaModel` per experiment. `EnsembleEvaluator` builds
the design from all experiments and runs it at once through `model.evaluate`, with the same numbers:
experiment j's outcome is the mean over its replicates, whose seeds are replicate r's of
`CentralAsiaModel(seed=seed)` (common random numbers) in both paths. `examples/ema_prim.py` adds PRIM.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Real

import numpy as np

with warnings.catch_warnings():  # EMA warns at import that its optional ipyparallel evaluator is unavailable
    warnings.simplefilter("ignore", UserWarning)
    try:
        from ema_workbench import Model, RealParameter, ScalarOutcome
        from ema_workbench.em_framework.evaluators import BaseEvaluator
        from ema_workbench.em_framework.points import experiment_generator
    except ImportError as exc:  # pragma: no cover - the extra is installed by `make test`
        raise ImportError("experiments.ema needs EMA Workbench: pip install 'casim[ema]'") from exc

from model import CentralAsiaModel
from model.api import evaluate, output_refs, scenario_kwargs, uncertainty_ranges
from model.arguments import ArgumentError


def ema_uncertainties(paths: Sequence[str] | None = None, actors=None) -> list[RealParameter]:
    """One EMA `RealParameter` per dotted path over the registry's uncertainty range (`model.api.uncertainty_ranges`).

    Args:
        paths: the parameters (`powers.all.x` gives one per power); default every parameter value whose
            uncertainty range is not a point.
    """
    return [RealParameter(path, lo, hi) for path, (lo, hi) in uncertainty_ranges(paths, actors).items()]


class CasimModel(Model):
    """An EMA model of casim: uncertainties and levers are dotted parameter paths, outcomes `column@year` references.

    Args:
        name: the model's EMA name.
        outputs: `column@year` references; each becomes a `ScalarOutcome` of that name.
        uncertainties: dotted paths or EMA parameters (default: `ema_uncertainties()`, every uncertain parameter).
        replicates: runs per experiment; an outcome is their mean.
        seed: master seed; replicate r has the seed of replicate r of `CentralAsiaModel(seed=seed)`.
        scenario: a scenario file or `model.scenario.Scenario` whose params, events and horizon every experiment
            runs with (the experiment's parameter values override its params).
        **model_kwargs: more `CentralAsiaModel` keywords (params, use_calibrated, end_year, ...).
    """

    def __init__(self, name: str, outputs: Sequence[str], uncertainties=None, replicates: int = 1, seed: int = 0,
                 scenario=None, **model_kwargs):
        super().__init__(name, function=self.run_point)
        self.refs = output_refs(outputs, model_kwargs.get("actors"))
        self.replicates, self.seed, self.scenario, self.model_kwargs = replicates, seed, scenario, model_kwargs
        if uncertainties is None or all(isinstance(u, str) for u in uncertainties):
            uncertainties = ema_uncertainties(uncertainties)
        self.uncertainties = list(uncertainties)
        self.outcomes = [ScalarOutcome(str(ref)) for ref in self.refs]

    def run_point(self, **values) -> dict[str, float]:
        """One experiment, point by point: `CentralAsiaModel(n_runs=replicates, seed=seed, params=values)`, read
        through its tables (`OutputRef.values`), averaged over the replicates."""
        kwargs = scenario_kwargs(self.scenario, self.seed) if self.scenario is not None else {}
        params = {**kwargs.pop("params", {}), **dict(self.model_kwargs.get("params") or {}), **values}
        kwargs |= {k: v for k, v in self.model_kwargs.items() if k != "params"}
        kwargs["end_year"] = self.model_kwargs.get("end_year", max(ref.year for ref in self.refs))
        model = CentralAsiaModel(n_runs=self.replicates, seed=self.seed, params=params, record="year_end",
                                 **kwargs).run()
        tables = model.results()
        return {str(ref): float(ref.values(tables).mean()) for ref in self.refs}

    def design_row(self, experiment) -> dict[str, float]:
        """An EMA experiment's parameter values by variable name (its scenario's uncertainties, its policy's
        levers, the model's constants), as EMA would hand them to `run_point`."""
        row = {}
        for point, parameters in ((experiment.scenario, self.uncertainties), (experiment.policy, self.levers)):
            for par in parameters:
                value = point[par.name] if par.name in point else par.default
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, Real):
                    raise ArgumentError(f"{par.name}: the ensemble takes numbers, got {value!r}")
                row |= dict.fromkeys(par.variable_name, float(value))
        row |= {c.name: float(c.value) for c in self.constants}
        return row


def ema_model(outputs: Sequence[str], uncertainties=None, replicates: int = 1, seed: int = 0, name: str = "casim",
              scenario=None, **model_kwargs) -> CasimModel:
    """The EMA model of casim (`CasimModel`): registry uncertainties, `column@year` outcomes."""
    return CasimModel(name, outputs, uncertainties, replicates, seed, scenario, **model_kwargs)


class EnsembleEvaluator(BaseEvaluator):
    """An EMA evaluator that runs every experiment of a call as one vectorised ensemble (`model.evaluate`).

    Use it like EMA's `SequentialEvaluator`: `with EnsembleEvaluator(model) as e: e.perform_experiments(...)`,
    or `perform_experiments(model, scenarios, evaluator=EnsembleEvaluator(model))`. Models must be
    `CasimModel`s; the outcomes equal those of EMA's point-by-point evaluators.
    """

    def initialize(self):
        pass

    def finalize(self):
        pass

    def evaluate_experiments(self, scenarios, policies, callback, combine="factorial", **kwargs):
        """Group the experiments by model, run each group's design as one ensemble, report each experiment."""
        experiments = list(experiment_generator(scenarios, self._msis, policies, combine=combine))
        models = {m.name: m for m in self._msis}
        for name, model in models.items():
            if not isinstance(model, CasimModel):
                raise TypeError(f"EnsembleEvaluator runs casim models (experiments.ema.ema_model), not {model!r}")
            mine = [e for e in experiments if e.model_name == name]
            if not mine:
                continue
            design = [model.design_row(e) for e in mine]
            out = evaluate(design_table(design), replicates=model.replicates, seed=model.seed,
                           outputs=[str(ref) for ref in model.refs], scenario=model.scenario, **model.model_kwargs)
            means = out.groupby(["output", "sample"], observed=True)["value"].mean()
            for j, experiment in enumerate(mine):
                model.outcomes_output = {str(ref): float(means[str(ref), j]) for ref in model.refs}
                callback(experiment, dict(model.outcomes_output))
                model.reset_model()


def design_table(rows: list[dict[str, float]]):
    """The design of a list of experiments' parameter values (one row each; every row names the same paths)."""
    import pandas as pd

    names = list(rows[0]) if rows else []
    if any(list(row) != names for row in rows):
        raise ArgumentError("the experiments set different parameters; run them as separate designs")
    return pd.DataFrame({name: np.array([row[name] for row in rows]) for name in names}, index=range(len(rows)))


__all__ = ["CasimModel", "EnsembleEvaluator", "design_table", "ema_model", "ema_uncertainties"]
