"""The one recorder: copies of the state fields the output contract reads, at the steps a model records.

`CentralAsiaModel` owns one `History`; its tables (`results()`), the visualiser's time series and the
calibration's year-end measures all read it.
"""
from __future__ import annotations

import numpy as np

from .outputs import RECORDED_FIELDS

RECORD_STEPS = ("all", "year_end", "final")  # which steps a history keeps


class History:
    """Recorded steps of a model: one (T, R, ...) array per field of `RECORDED_FIELDS`.

    Args:
        record: "all" (every step), "year_end" (step 0 and the last period of each year) or "final"
            (the last step only).
        n_steps, steps_per_year: the model's horizon.
    """

    def __init__(self, record: str, n_steps: int, steps_per_year: int):
        self.record, self.n_steps, self.steps_per_year = record, n_steps, steps_per_year
        self._steps: list[int] = []
        self._arrays: dict[str, np.ndarray] = {}  # field -> (capacity, R, ...), filled row by row

    def keeps(self, step: int) -> bool:
        """Whether this history records `step`."""
        if self.record == "all":
            return True
        if self.record == "year_end":
            return step % self.steps_per_year == 0
        return step == self.n_steps

    def add(self, step: int, state) -> None:
        """Copy the recorded fields of `state` as step `step`, if this history keeps that step."""
        if not self.keeps(step):
            return
        row = len(self._steps)
        if not self._arrays or row == len(self._arrays[RECORDED_FIELDS[0]]):
            planned = sum(self.keeps(k) for k in range(self.n_steps + 1))
            self._grow(state, max(planned, 2 * row))
        for name in RECORDED_FIELDS:
            self._arrays[name][row] = getattr(state, name)
        self._steps.append(step)

    def _grow(self, state, capacity: int) -> None:
        """(capacity, R, ...) arrays laid out run by run: the tables are built from them fast.

        (Laid out step by step instead, recording a step is a block copy, but results() takes 2-3 times longer.)
        """
        for name in RECORDED_FIELDS:
            value = getattr(state, name)
            array = np.empty((value.shape[0], capacity) + value.shape[1:], value.dtype).swapaxes(0, 1)
            if name in self._arrays:
                old = self._arrays[name]
                array[:len(old)] = old
            self._arrays[name] = array

    def __len__(self) -> int:
        return len(self._steps)

    @property
    def steps(self) -> np.ndarray:
        """The recorded step numbers, in order (step 0 is the base year)."""
        return np.asarray(self._steps, dtype=np.int64)

    def arrays(self) -> dict[str, np.ndarray]:
        """Field -> (T, R, ...) values at the recorded steps (views, not copies)."""
        return {name: array[:len(self._steps)] for name, array in self._arrays.items()}

    def at(self, step: int) -> dict[str, np.ndarray]:
        """Field -> (R, ...) values at one recorded step (a snapshot for `outputs.Column.compute`)."""
        row = self._steps.index(step)
        return {name: array[row] for name, array in self._arrays.items()}
