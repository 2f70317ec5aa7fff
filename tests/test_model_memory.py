import gc
import weakref

from model import CentralAsiaModel


def test_models_are_freed_when_unused():
    model = CentralAsiaModel(n_runs=2, seed=1, end_year=2025)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
