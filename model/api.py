"""The vectorised path for outside tools: a design in, one ensemble, `column@year` outputs out.

    import pandas as pd
    from model import evaluate
    design = pd.DataFrame({"war_intensity": [0.3, 0.6, 0.9], "powers.RUS.security_capacity": [0.5, 1.0, 1.5]})
    out = evaluate(design, replicates=4, outputs=["influence_RUS@2035", "KAZ.alignment_CHN@2030"], seed=1)
    out.groupby(["output", "sample"], observed=True)["value"].mean()   # per design point, over replicates

A design is a DataFrame, one row per design point and one column per dotted parameter path
(`parameter_paths()`, or `powers.all.x` / `states.all.x` for every actor); each row runs `replicates`
times, all rows x replicates as one `CentralAsiaModel`. Replicate r of every row shares its seed with
replicate r of `CentralAsiaModel(seed=seed)` (common random numbers; `common_seeds=False` gives row j
the seeds of sample j of `casim batch`), so row j's values equal those of
`CentralAsiaModel(seed=seed, n_runs=replicates, params=design.iloc[j].to_dict())`, number for number.

The design's columns pin those parameters: they are applied after everything else (the registry, the
calibrated defaults, a posterior draw, a scenario's `params:`); the parameters it does not name keep
the values a plain model would give them. A scenario's events still apply at their dates, and an event
that sets a parameter a design pins overrides it from that step on.

Recipes that a test runs: `examples/salib_sobol.py` (Saltelli design -> one ensemble -> Sobol' indices)
and `examples/ema_prim.py` (EMA Workbench with `experiments.ema`, PRIM).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .actors import Actors, load_actors
from .arguments import ArgumentError, whole_number
from .errors import InputError
from .model import CentralAsiaModel
from .outputs import OutputRef
from .params import expand_path, parameter_paths, uncertainty_range

DEFAULT_OUTPUTS = ("influence_CHN@2040", "influence_RUS@2040", "influence_EU@2040", "influence_USA@2040")


def evaluate(design=None, replicates: int = 1, outputs: Sequence[str] | str = DEFAULT_OUTPUTS, seed: int = 0, *,
             common_seeds: bool = True, scenario=None, uncertainty: str = "point", **model_kwargs) -> pd.DataFrame:
    """Run a design as one vectorised ensemble; return the outputs as a long (tidy) frame.

    Args:
        design: a DataFrame of parameter values (rows: design points; columns: dotted paths), a mapping of
            path -> values, a Series (one design point), or None for one point at the defaults.
        replicates: runs per design point.
        outputs: `column@year` references (`model.outputs.OutputRef`): a region column such as
            `influence_RUS@2035`, or a state's column such as `KAZ.alignment_CHN@2030`; numbers only.
        seed: the master seed (`model.rng`); default 0, so the same call gives the same numbers.
        common_seeds: replicate r of every point shares its random numbers (default), else point j
            uses sample j's seeds.
        scenario: a scenario file (path) or `model.scenario.Scenario`: its params, events and horizon
            (the design's columns override its params).
        uncertainty: the parameters the design does not name: "point" (default: the calibrated point), or
            drawn per replicate as `casim run` does ("posterior", "prior"; `model.uncertainty`). Replicate r
            of every design point draws the same vector, so points differ only in the design's columns.
        **model_kwargs: more `CentralAsiaModel` keywords (`params`, `end_year`, `use_calibrated`, ...).
            `end_year` defaults to the latest output year; steps are recorded at year ends.
    Returns:
        One row per run x output: `run`, `sample` (design row), `replicate`, `seed`, the design's columns,
        `output` (categorical, in the order given) and `value` (float).
    Raises:
        ArgumentError: a bad argument, named; `InputError` for a bad output reference (with the nearest name).
    """
    if "record" in model_kwargs:
        raise ArgumentError("record: evaluate keeps each year's last step itself; leave record out")
    refs = output_refs(outputs, model_kwargs.get("actors"))
    kwargs = scenario_kwargs(scenario, seed) if scenario is not None else {}
    kwargs["params"] = {**kwargs.get("params", {}), **dict(model_kwargs.pop("params", None) or {})}
    kwargs |= model_kwargs
    kwargs["end_year"] = model_kwargs.get("end_year", max(ref.year for ref in refs))  # later years cost time only
    model = CentralAsiaModel(design=design, replicates=whole_number("replicates", replicates), seed=seed,
                             common_seeds=common_seeds, record="year_end", uncertainty=uncertainty, **kwargs)
    for k, ref in enumerate(refs):
        if not model.start_year - 1 <= ref.year <= model.end_year:
            raise ArgumentError(f"outputs[{k}] '{ref}': {ref.year} is outside the run "
                                f"({model.start_year - 1} base year to end_year {model.end_year})")
    model.run()
    return output_frame(model, refs)


def output_refs(outputs, actors: Actors | str | None = None) -> list[OutputRef]:
    """`column@year` texts as checked `OutputRef`s; an error names the output and its position."""
    if isinstance(outputs, str):
        outputs = [outputs]
    outputs = list(outputs)
    if not outputs:
        raise ArgumentError("outputs: name at least one, such as 'influence_RUS@2035'")
    table = actors if isinstance(actors, Actors) else load_actors(actors)
    refs = []
    for k, text in enumerate(outputs):
        try:
            ref = OutputRef.parse(str(text), table)
        except InputError as exc:
            raise ArgumentError(f"outputs[{k}]: {exc}") from None
        if ref.column == "leader":
            raise ArgumentError(f"outputs[{k}] '{text}': leader is a code, not a number; compare the "
                                "influence_<P> outputs, or read leader from CentralAsiaModel.results()")
        refs.append(ref)
    return refs


def output_frame(model: CentralAsiaModel, refs: Sequence[OutputRef]) -> pd.DataFrame:
    """The long frame of `evaluate` from a model that has run and recorded the references' steps."""
    runs = {"run": np.arange(model.n_runs), "sample": np.asarray(model.samples),
            "replicate": np.asarray(model.replicates), "seed": np.asarray(model.seeds, dtype=np.int64)}
    if model.design is not None:
        runs |= {path: model.design[path].to_numpy()[model.samples] for path in model.design.columns}
    values = [ref.compute(model.history.at(ref.last_step(model.start_year, model.steps_per_year)), model.actors)
              for ref in refs]
    names = list(dict.fromkeys(str(ref) for ref in refs))
    frame = {name: np.tile(column, len(refs)) for name, column in runs.items()}
    frame["output"] = pd.Categorical.from_codes(np.repeat([names.index(str(r)) for r in refs], model.n_runs),
                                                categories=names)
    frame["value"] = np.concatenate(values)
    return pd.DataFrame(frame)


def uncertainty_ranges(paths: Sequence[str] | None = None, actors: Actors | None = None) -> dict[str, tuple[float, float]]:
    """Dotted path -> its uncertainty range in effect (lower, upper): what samplers and EMA draw from.

    For a parameter `casim calibrate` fitted, the range is its posterior's central 90% interval (`intervals:` in
    `model/data/calibrated.yaml`); otherwise the registry entry's prior for that actor (`Param.prior_range`):
    the entry's uncertainty range, or an interval around the actor's own default where the entry says so
    (`prior_around`: Russia's security capacity 0.5-1.5, not the 0.1-1.5 that spans every power), which is
    also what a replicate draws under `uncertainty="prior"` (`model.uncertainty`). One function,
    `model.params.uncertainty_range`, decides.

    Args:
        paths: the parameters (`powers.all.x` gives one entry per power); default every parameter value
            whose range is not a single point (`parameter_paths`).
    Raises:
        ParameterError: an unknown path, with the nearest valid one.
    """
    ranges = {}
    for path in parameter_paths(actors) if paths is None else paths:
        for one in expand_path(path, actors):
            ranges[one] = uncertainty_range(one, actors=actors)
    return ranges if paths is not None else {path: r for path, r in ranges.items() if r[0] < r[1]}


def scenario_kwargs(scenario, seed: int) -> dict:
    """`CentralAsiaModel` keywords from a scenario (a `Scenario` or the path of its file): its name as the label,
    its params, its events (placed on steps for its horizon) and its horizon.

    Raises:
        ScenarioError: the file is not a valid scenario (every problem, with file and line).
    """
    from .scenario import Scenario, load_scenario

    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(Path(scenario))
    spec = loaded.run_spec(replicates=1, seed=seed)
    return {"scenario": spec.scenario, "params": dict(spec.params), "events": list(spec.events),
            "start_year": spec.start_year, "end_year": spec.end_year, "steps_per_year": spec.steps_per_year}


__all__ = ["DEFAULT_OUTPUTS", "evaluate", "output_frame", "output_refs", "scenario_kwargs", "uncertainty_ranges"]
