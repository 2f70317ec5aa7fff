"""Small array helpers for the short power/state axes.

numpy's reductions are slow over a last axis of length 4 and may change
summation order with the array's size. Adding slices one by one is faster
and gives every run bit-identical results whatever the ensemble size.
"""
from __future__ import annotations

import numpy as np


SMALL = 256  # below this many elements one numpy reduction is cheaper than a chain of adds


def sum_last(x: np.ndarray) -> np.ndarray:
    """x.sum(axis=-1), as a fixed left-to-right chain of elementwise adds.

    numpy sums a short contiguous axis sequentially too, so both paths give the same bits
    (checked by the batch-invariance tests).
    """
    if x.size <= SMALL:
        return x.sum(axis=-1)
    total = x[..., 0].copy(order="K")
    for k in range(1, x.shape[-1]):
        total += x[..., k]
    return total


def max_last(x: np.ndarray) -> np.ndarray:
    """x.max(axis=-1), elementwise."""
    best = x[..., 0].copy(order="K")
    for k in range(1, x.shape[-1]):
        np.maximum(best, x[..., k], out=best)
    return best


def min_last(x: np.ndarray) -> np.ndarray:
    """x.min(axis=-1), elementwise."""
    best = x[..., 0].copy(order="K")
    for k in range(1, x.shape[-1]):
        np.minimum(best, x[..., k], out=best)
    return best


def sum_axis1(x: np.ndarray) -> np.ndarray:
    """x.sum(axis=1) (the state axis), as a fixed chain of adds."""
    total = x[:, 0].copy(order="K")
    for k in range(1, x.shape[1]):
        total += x[:, k]
    return total


def clamp(x, low: float, high: float) -> np.ndarray:
    """np.clip without its Python-level dispatch (noticeable at R = 1)."""
    return np.minimum(np.maximum(x, low), high)


def times(a, b) -> np.ndarray:
    """a * b in Fortran order: the run axis fastest, as in the state arrays.

    For a per-run column times a constant row, (R, 1) * (K,), numpy would lay the product out
    row by row, and every later operation mixing it with run-fastest arrays would crawl.
    """
    shape = np.broadcast(a, b).shape
    if len(shape) < 2:
        return np.multiply(a, b)
    return np.multiply(a, b, out=np.empty(shape, order="F"))


def runs_fastest(x) -> np.ndarray:
    """A copy of x (run axis first) laid out with the run axis fastest in memory, then the others in order.

    An agent's slice (all runs of one state's row) is then one contiguous block, and per-run
    parameters broadcast along memory: numpy loops over R elements at a time instead of R loops of 4.
    """
    return np.moveaxis(np.array(np.moveaxis(np.asarray(x), 0, -1), order="C", copy=True), -1, 0)
