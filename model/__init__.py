"""casim's model: nine actors on a run axis, Mesa agents, pure-function mechanics, and the Sim layer.

    from model import CentralAsiaModel, evaluate
    model = CentralAsiaModel(n_runs=100, seed=1).run()    # one vectorised ensemble
    tables = model.results()                              # {"region": DataFrame, "states": DataFrame}
    out = evaluate(design, replicates=4, outputs=["influence_RUS@2035"], seed=1)   # a design as one ensemble

The public API is what this package exports (`__all__`); the README's "Python API" section and
`docs/tutorial.ipynb` walk through it.
"""
from .actors import load_actors
from .base_year import base_years
from .api import evaluate, output_refs, uncertainty_ranges
from .arguments import ArgumentError, EnsembleTooLarge
from .errors import InputError
from .events import Event
from .model import CentralAsiaModel, HorizonReached
from .outputs import OutputRef
from .params import REGISTRY, ParameterError, Params, parameter_paths, parameter_table, parse_path, valid_paths
from .rng import run_seed, run_seeds
from .run import RunSpec, run_ensemble, write_outputs
from .scenario import Scenario, ScenarioError, load_scenario
from .tables import runs_table

__all__ = ["ArgumentError", "CentralAsiaModel", "EnsembleTooLarge", "Event", "HorizonReached", "InputError",
           "OutputRef", "REGISTRY", "ParameterError", "Params", "RunSpec", "Scenario", "ScenarioError",
           "base_years", "evaluate", "load_actors", "load_scenario", "output_refs", "parameter_paths",
           "parameter_table", "parse_path", "run_ensemble", "run_seed", "run_seeds", "runs_table",
           "uncertainty_ranges", "valid_paths", "write_outputs"]
