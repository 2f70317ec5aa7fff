"""Where the per-run-step time at R = 1,000 goes: the engine as it is, against the same engine with its
random numbers drawn in advance (no generation cost), and with exp and log also replaced by a trivial
elementwise operation (np.minimum, same shapes). Results of the stubbed runs are meaningless; only their
time is of interest. Interleaved in one process; prints best and median of N rounds, then one JSON line.

Usage: python benchmarks/ensemble_floor.py [--runs R] [--rounds N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import types
import warnings

import numpy as np

import model.agents
import model.corridors
import model.economy
import model.influence
import model.model
import model.politics
from ensemble import STEPS, time_steps  # benchmarks/ensemble.py, beside this script
from model import CentralAsiaModel

MODULES = (model.agents, model.corridors, model.economy, model.influence, model.model, model.politics)


def trivial(x, out=None):
    return np.minimum(x, 1.0, out=out)


NUMPY_WITHOUT_EXP_LOG = types.ModuleType("numpy_without_exp_log")
NUMPY_WITHOUT_EXP_LOG.__dict__.update(np.__dict__, exp=trivial, log=trivial)


def us_per_run_step(n_runs: int, free_draws: bool, free_exp_log: bool) -> float:
    for module in MODULES:
        module.np = NUMPY_WITHOUT_EXP_LOG if free_exp_log else np
    try:
        ensemble = CentralAsiaModel(n_runs=n_runs, seed=1, record=False)
        if free_draws:
            normals, uniforms = (a.copy(order="F") for a in ensemble.streams.draw(1))
            ensemble.streams.draw = lambda step: (normals, uniforms)
        return time_steps(ensemble) / (STEPS * n_runs) * 1e6
    finally:
        for module in MODULES:
            module.np = np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the stubbed runs produce inf and nan
    variants = {"engine": (False, False), "draws_free": (True, False), "draws_and_exp_log_free": (True, True)}
    us_per_run_step(100, False, False)  # warm-up
    times = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, flags in variants.items():
            times[name].append(us_per_run_step(args.runs, *flags))
    for name, values in times.items():
        print(f"{name:24s} best {min(values):.2f}  median {statistics.median(values):.2f} us per run-step")
    print(json.dumps({"n_runs": args.runs, **{name: {"best": round(min(v), 3), "median": round(statistics.median(v), 3)}
                                              for name, v in times.items()}}))


if __name__ == "__main__":
    main()
