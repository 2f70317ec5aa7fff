"""Per-run random streams.

Run k of an ensemble with master seed M gets its own stream from
`SeedSequence(M).spawn(n)[k]`. Its integer seed is recorded, and a run given
that seed alone reproduces the same stream. Draws come in fixed blocks of
`BLOCK` steps with a fixed layout, so a run's numbers never depend on which
other runs share its ensemble, the chunk size, or where a batch resumed.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BLOCK = 16  # steps drawn at once per run; fixed, so draws do not depend on R


def run_seeds(master_seed: int | None, n_runs: int, first: int = 0) -> list[int]:
    """Seeds of runs first..first+n-1 under `master_seed` (63-bit ints, stable in n)."""
    children = np.random.SeedSequence(master_seed).spawn(first + n_runs)[first:]
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


class RunStreams:
    """One numpy Generator per run; hands out this step's standard normals and uniforms.

    Args:
        seeds: one int per run.
        n_normal, n_uniform: numbers each run needs per step.
    """

    def __init__(self, seeds: Sequence[int], n_normal: int, n_uniform: int):
        self.generators = [np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(s)))) for s in seeds]
        self.normals = np.empty((len(seeds), BLOCK, n_normal))
        self.uniforms = np.empty((len(seeds), BLOCK, n_uniform))
        self.block = -1

    def draw(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Normals (R, n_normal) and uniforms (R, n_uniform) for step >= 1; steps must not go back."""
        block, offset = divmod(step - 1, BLOCK)
        while self.block < block:
            for gen, normals, uniforms in zip(self.generators, self.normals, self.uniforms):
                gen.standard_normal(out=normals)
                gen.random(out=uniforms)
            self.block += 1
        # run axis fastest, like the state arrays
        return np.asfortranarray(self.normals[:, offset]), np.asfortranarray(self.uniforms[:, offset])
