"""casim's model: nine actors on a run axis, Mesa agents, pure-function mechanics, and the Sim layer.

    from model import CentralAsiaModel, RunSpec, run_ensemble
    model = CentralAsiaModel(n_runs=100, seed=1).run()    # one vectorised ensemble
    tables = model.results()                              # {"region": DataFrame, "states": DataFrame}
"""
from .actors import load_actors
from .errors import InputError
from .events import Event
from .model import CentralAsiaModel
from .params import REGISTRY, ParameterError, Params, parameter_table
from .rng import run_seeds
from .run import RunSpec, run_ensemble, runs_table, write_outputs

__all__ = ["CentralAsiaModel", "Event", "InputError", "REGISTRY", "ParameterError", "Params", "RunSpec",
           "load_actors", "parameter_table", "run_ensemble", "run_seeds", "runs_table", "write_outputs"]
