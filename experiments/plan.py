"""From an experiment file to a `BatchPlan`: load its scenarios, draw its design, fix its identity."""
from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from model.actors import load_actors
from model.io import code_version, file_hash
from model.run import RunSpec
from model.scenario import load_scenario
from model.uncertainty import check_mode, load_posterior, posterior_file

from .batch import BatchPlan, ScenarioEntry
from .sampling import experiment_design
from .spec import Experiment, ExperimentError, load_experiment, resolve_file

DEFAULTS_NAME = "defaults"  # label of the model defaults when an experiment lists no scenario


def load_scenarios(files: list[Path], horizon: dict | None = None) -> list[ScenarioEntry]:
    """Each scenario file through the scenario loader of `model.scenario`, checked on the experiment's horizon."""
    entries = []
    for file in files:
        scenario = load_scenario(file)
        years = {k: v for k, v in (horizon or {}).items() if k != "steps_per_year"}
        scenario.run_spec(replicates=1, seed=0, **years)  # events outside the horizon fail here, not in workers
        entries.append(ScenarioEntry(scenario.name, scenario))
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise ExperimentError(f"two scenarios share a name: {names}")
    return entries


def build_plan(path: str | Path, uncertainty: str | None = None) -> tuple[BatchPlan, Experiment]:
    """Validate an experiment file and turn it into a plan.

    Args:
        uncertainty: the parameter draws of each replicate (`model.uncertainty`), overriding the file's `uncertainty:`.
    Raises:
        ExperimentError, ScenarioError: a bad experiment or scenario file (both `model.errors.InputError`s).
    """
    path = Path(path)
    experiment, files = load_experiment(path)
    horizon = experiment.horizon.model_dump() if experiment.horizon else None
    scenarios = load_scenarios(files, horizon) if files else [ScenarioEntry(DEFAULTS_NAME, RunSpec(scenario=DEFAULTS_NAME))]
    try:
        samples = experiment_design(experiment, path.parent)
    except ValueError as exc:
        raise ExperimentError(f"{path}: {exc}") from None
    inputs = {str(f): file_hash(f) for f in [*files, load_actors().path]}  # the actor table the workers load
    if experiment.from_posterior:
        posterior = resolve_file(experiment.from_posterior.file, path.parent)
        inputs[str(posterior)] = file_hash(posterior)
    mode = check_mode(uncertainty or experiment.uncertainty)
    draws = posterior_file() if mode == "posterior" else None
    if draws is not None:  # the posterior the workers draw from: a new calibration is a new batch
        inputs[str(draws)] = file_hash(load_posterior(draws).file)
    identity = {"code_version": code_version(), "experiment": str(path.resolve()), "name": experiment.name,
                "experiment_sha256": file_hash(path), "input_files": inputs, "master_seed": experiment.seed,
                "scenarios": [s.name for s in scenarios], "replicates": experiment.replicates, "uncertainty": mode}
    plan = BatchPlan(scenarios=scenarios, samples=samples, replicates=experiment.replicates,
                     master_seed=experiment.seed, horizon=horizon, outputs=tuple(experiment.outputs),
                     record=experiment.record, identity=identity, uncertainty=mode)
    return with_samples(plan, samples, experiment.sample.method if experiment.sample else None), experiment


def with_samples(plan: BatchPlan, samples: pd.DataFrame, method: str | None, common_seeds: bool = False) -> BatchPlan:
    """The plan with another design (e.g. `casim sensitivity`'s); its hash joins the identity resume checks.

    With `common_seeds`, replicate k of every sample has the same seed, so the mean over replicates is
    a deterministic function of the parameters (what Sobol' and Morris analyses assume).
    """
    digest = hashlib.sha256(f"{common_seeds},{','.join(map(str, samples.columns))}".encode())
    digest.update(np.ascontiguousarray(samples.to_numpy(dtype=float)).tobytes())
    identity = {**plan.identity, "n_samples": len(samples), "sample_method": method,
                "samples_sha256": digest.hexdigest()}
    return dataclasses.replace(plan, samples=samples.reset_index(drop=True), identity=identity,
                               common_seeds=common_seeds)
