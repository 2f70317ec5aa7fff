"""Small array helpers for the short power/state axes.

Sums must not depend on how many runs share an array, or a run alone would differ in the last
bits from the same run inside an ensemble. numpy adds an axis shorter than 8 one element after
another, ((x0 + x1) + x2) + ..., in every memory layout; a longer axis it may add pairwise when it
is contiguous. So short axes use numpy's reductions (fast when the run axis is fastest: one pass
per element, the runs in the inner loop) and longer ones a fixed chain of elementwise adds.
"""
from __future__ import annotations

import numpy as np

SEQUENTIAL_BELOW = 8  # numpy sums axes shorter than this strictly left to right


def sum_last(x: np.ndarray) -> np.ndarray:
    """x.sum(axis=-1), added left to right whatever the array's size or layout."""
    return _sum_axis(x, -1)


def sum_axis1(x: np.ndarray) -> np.ndarray:
    """x.sum(axis=1) (the state axis), added left to right."""
    return _sum_axis(x, 1)


def sum_last_chained(x: np.ndarray) -> np.ndarray:
    """x.sum(axis=-1) as a chain of elementwise adds: the same bits as `sum_last`, and several times faster
    when the last axis is the fastest in memory (a recorded history), where numpy's reduction is slow."""
    return _chain(np.moveaxis(x, -1, 0))


def _sum_axis(x: np.ndarray, axis: int) -> np.ndarray:
    if x.shape[axis] < SEQUENTIAL_BELOW:
        return np.add.reduce(x, axis=axis)
    return _chain(np.moveaxis(x, axis, 0))


def _chain(parts: np.ndarray) -> np.ndarray:
    """parts[0] + parts[1] + ..., left to right."""
    total = parts[0].copy(order="K")
    for part in parts[1:]:
        total += part
    return total


def max_last(x: np.ndarray) -> np.ndarray:
    """x.max(axis=-1) (exact, so any order gives the same result)."""
    return np.maximum.reduce(x, axis=-1)


def min_last(x: np.ndarray) -> np.ndarray:
    """x.min(axis=-1)."""
    return np.minimum.reduce(x, axis=-1)


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
