"""casim's model: nine actors on a run axis, Mesa agents, pure-function mechanics."""
from .actors import load_actors
from .model import CentralAsiaModel, Event
from .params import REGISTRY, ParameterError, Params, parameter_table
from .rng import run_seeds

__all__ = ["CentralAsiaModel", "Event", "REGISTRY", "ParameterError", "Params", "load_actors",
           "parameter_table", "run_seeds"]
