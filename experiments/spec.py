"""Experiment files (`experiments/*.yaml`, DESIGN section 5): schema, strict validation, loading.

An experiment runs scenarios x samples x replicates. Example::

    name: balance_sweep
    scenarios: all            # the library's projections (start 2025); or names in scenarios/ or paths; [] = defaults
    replicates: 20
    seed: 2024
    sample: {method: lhs, n: 100, params: {beta_trade: uncertainty_range, war_intensity: [0.3, 0.9]}}
    horizon: {start_year: 2025, end_year: 2040, steps_per_year: 4}
    outputs: [region, states]
    record: all               # steps written: all, year_end (step 0 and each year's last step) or final
    uncertainty: posterior    # parameter draws per replicate: posterior (default), prior or point
    executor: {kind: processes, workers: 2, chunk_size: 250}
"""
from __future__ import annotations

from pathlib import Path
from numbers import Real
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.base_year import TABLE_YEAR
from model.errors import InputError, did_you_mean, line_of
from model.history import RECORD_STEPS
from model.params import ParameterError, check_value, expand_path, parse_path, uncertainty_range
from model.safe_yaml import read_yaml
from model.scenario import load_scenario
from model.uncertainty import DEFAULT_MODE, MODES

from .yamlfile import format_errors

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = REPO_ROOT / "scenarios"
TABLES = ("region", "states")
IN_EFFECT = "uncertainty_range"  # sample.params value: the parameter's range in effect (model.params.uncertainty_range)


class ExperimentError(InputError):
    """An invalid experiment file; `.messages` has one `file:line: field.path: problem` per problem."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SampleSpec(Strict):
    """A design over named parameter ranges (scipy.stats.qmc; `saltelli` is SALib's Sobol-index design)."""
    method: Literal["grid", "lhs", "sobol", "saltelli"]
    n: int = Field(ge=1, description="samples (grid: levels per parameter; saltelli: base samples N)")
    params: dict[str, Any] = Field(  # each value checked by `sample_range`
        min_length=1, description=f"dotted path -> [low, high], or '{IN_EFFECT}': the range samplers share "
        "(the calibrated 90% interval where `casim calibrate` wrote one, else the sourced range)")
    seed: int | None = Field(default=None, ge=0, description="design seed; default the experiment seed")

    @model_validator(mode="after")
    def _sobol_power_of_two(self):
        if self.method in ("sobol", "saltelli") and self.n & (self.n - 1):
            raise ValueError(f"{self.method}: n must be a power of 2 to keep the design balanced, got {self.n}")
        return self


class PosteriorSpec(Strict):
    """Draw parameter sets from a calibration posterior (issue C's parquet)."""
    file: str
    n: int = Field(ge=1)


class HorizonSpec(Strict):
    start_year: int = Field(ge=2025, le=2100)
    end_year: int = Field(ge=2025, le=2100)
    steps_per_year: int = Field(default=4, ge=1, le=52)

    @model_validator(mode="after")
    def _ordered(self):
        if self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self


class ExecutorSpec(Strict):
    kind: Literal["processes", "dask", "inline"] = "processes"
    workers: int | None = Field(default=None, ge=1, description="worker processes; default all cores")
    scheduler: str | None = Field(default=None, description="dask scheduler address, e.g. tcp://host:8786")
    chunk_size: int = Field(default=250, ge=1, description="runs per vectorised ensemble")

    @model_validator(mode="after")
    def _scheduler_for_dask(self):
        if self.scheduler and self.kind != "dask":
            raise ValueError("scheduler is only used with kind: dask")
        return self


class Experiment(Strict):
    """A validated experiment file."""
    name: str
    description: str = ""
    scenarios: list[str] | Literal["all"] = Field(description="names in scenarios/, paths, or 'all' (every projection "
                                                       "in scenarios/: hindcasts, which start before 2025, are "
                                                       "named explicitly); [] = model defaults")
    replicates: int = Field(default=1, ge=1)
    seed: int = Field(default=0, ge=0)
    sample: SampleSpec | None = None
    from_posterior: PosteriorSpec | None = None
    horizon: HorizonSpec | None = None
    outputs: list[Literal["region", "states"]] = Field(default_factory=lambda: list(TABLES))
    record: Literal[RECORD_STEPS] = Field(default="all", description="steps written to region/states: "
                                          "all, year_end (step 0 and each year's last step) or final")
    uncertainty: Literal[MODES] = Field(default=DEFAULT_MODE, description="what each replicate draws "
                                        "(model.uncertainty): posterior, prior or point; sampled parameters win")
    executor: ExecutorSpec = ExecutorSpec()

    @model_validator(mode="after")
    def _one_design(self):
        if self.sample is not None and self.from_posterior is not None:
            raise ValueError("give either sample or from_posterior, not both")
        return self


def load_experiment(path: str | Path) -> tuple[Experiment, list[Path]]:
    """Read and validate an experiment file; returns it and its resolved scenario files.

    Raises:
        ExperimentError: with one `file:line: field: message` line per problem.
    """
    errors, experiment, scenario_files = _check(path)
    if errors:
        raise ExperimentError(errors)
    return experiment, scenario_files


def validate_experiment_file(path: str | Path) -> list[str]:
    """Every problem in an experiment file (empty if valid), for `casim validate`."""
    return _check(path)[0]


def _check(path) -> tuple[list[str], Experiment | None, list[Path]]:
    path = Path(path)
    try:
        document = read_yaml(path)
    except InputError as exc:
        return exc.messages, None, []
    data, lines = document.data, document.lines
    if not isinstance(data, dict):
        return [f"{path}:1: (top level): expected a mapping of experiment fields"], None, []
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        return format_errors(path, exc, lines, Experiment), None, []
    errors, files = [], []
    if experiment.sample:
        ranges = {}
        for name, bounds in experiment.sample.params.items():
            bounds, problem = sample_range(name, bounds)
            if problem:
                errors.append(f"{path}:{line_of(lines, ('sample', 'params', name))}: sample.params.{name}: {problem}")
            ranges[name] = bounds
        experiment = experiment.model_copy(update={"sample": experiment.sample.model_copy(update={"params": ranges})})
    names = experiment.scenarios
    if names == "all":
        files = projections(sorted(SCENARIO_DIR.glob("*.yaml")))
        if not files:
            errors.append(f"{path}:{line_of(lines, ('scenarios',))}: scenarios: 'all' but {SCENARIO_DIR} has no *.yaml")
    for i, entry in enumerate([] if names == "all" else names):
        found = resolve_scenario(entry, path.parent)
        if found is None:
            known = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
            hint = did_you_mean(entry, known)
            errors.append(f"{path}:{line_of(lines, ('scenarios', i))}: scenarios.{i}: no scenario '{entry}' "
                          f"(not a file, nor in {SCENARIO_DIR}){hint}")
        else:
            files.append(found)
    if experiment.from_posterior and resolve_file(experiment.from_posterior.file, path.parent) is None:
        errors.append(f"{path}:{line_of(lines, ('from_posterior', 'file'))}: from_posterior.file: "
                      f"no such file '{experiment.from_posterior.file}'")
    return errors, experiment, files


def projections(files: list[Path]) -> list[Path]:
    """The scenario files that project from the actor table's year (start 2025): what `scenarios: all` runs. A
    hindcast (a start before 2025, e.g. history_2014_2024.yaml) replays dated history and is named explicitly.
    A file that does not load stays in, so its errors are reported where it runs."""
    kept = []
    for file in files:
        try:
            start = load_scenario(file).start_year
        except InputError:
            start = None
        if start is None or start - 1 >= TABLE_YEAR:
            kept.append(file)
    return kept


def sample_range(path: str, value) -> tuple[list[float], str | None]:
    """([low, high], problem) of a `sample.params` entry: its [low, high], or with `uncertainty_range` the
    range in effect, the one every sampler draws from (`model.params.uncertainty_range`: the calibrated 90%
    interval where there is one, else the sourced range); for an `all` path, the range its actors share."""
    if isinstance(value, list) and all(isinstance(v, Real) and not isinstance(v, bool) for v in value):
        return [float(v) for v in value], range_problem(path, value)
    if value != IN_EFFECT:
        hint = did_you_mean(value, [IN_EFFECT]) if isinstance(value, str) else ""
        return [], f"expected [low, high] or '{IN_EFFECT}', got {type(value).__name__} {value!r}{hint}"
    try:
        ranges = {uncertainty_range(one) for one in expand_path(path)}
    except ParameterError as exc:
        return [], str(exc).removeprefix(f"{path}: ")
    if len(ranges) > 1:
        return [], f"its actors' ranges in effect differ ({', '.join(f'[{a:g}, {b:g}]' for a, b in sorted(ranges))}); name each actor"
    bounds = list(ranges.pop())
    return bounds, range_problem(path, bounds)


def range_problem(path: str, bounds: list[float]) -> str | None:
    """Why [low, high] is not a valid range for parameter `path`, or None."""
    if len(bounds) != 2:
        return f"expected [low, high], got {bounds}"
    try:
        parse_path(path)
        check_value(path, bounds)
    except ParameterError as exc:
        return str(exc).removeprefix(f"{path}: ")
    if not bounds[0] < bounds[1]:
        return f"need low < high, got [{bounds[0]:g}, {bounds[1]:g}]"
    return None


def resolve_file(entry: str, base: Path) -> Path | None:
    """`entry` relative to the experiment file's folder, else to the working directory."""
    for candidate in (base / entry, Path(entry)):
        if candidate.is_file():
            return candidate.resolve()
    return None


def resolve_scenario(entry: str, base: Path) -> Path | None:
    """A scenario by path, or by name in scenarios/ (`baseline` -> scenarios/baseline.yaml)."""
    found = resolve_file(entry, base)
    if found is None and "/" not in entry:
        candidate = SCENARIO_DIR / f"{entry.removesuffix('.yaml')}.yaml"
        found = candidate.resolve() if candidate.is_file() else None
    return found

