"""Per-run random streams, and the one seed scheme of every entry point.

Run (sample, replicate) under master seed M has the seed `SeedSequence(M, spawn_key=(sample,
replicate))`, as a 63-bit int (`run_seed`). A single scenario's ensemble is sample 0: replicate k of
`casim run SCENARIO --seed M`, of `CentralAsiaModel(seed=M, n_runs=n)` and of a `casim batch` with
master seed M and no design all have the same seed, so the same random numbers. A batch's design
point j uses sample j (or sample 0 for every point, for common random numbers in a sensitivity design).

Replicate k's parameter draw (`model.uncertainty`) comes from its own stream, `SeedSequence(M,
spawn_key=(k,))` (`parameter_generator`): keyed by the master seed and the replicate only, never by the
sample or scenario, so replicate k draws the same parameter vector in every scenario and design point
(common parameters as well as common random numbers). Its one-word spawn key keeps it apart from every
run's shock stream (two words).

A run's integer seed is recorded, and a run given that seed alone reproduces its stream. Draws come in
fixed blocks of `BLOCK` steps with a fixed layout, so a run's numbers never depend on which other runs
share its ensemble, the chunk size, or where a batch resumed.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BLOCK = 16  # steps drawn at once per run; fixed, so draws do not depend on R


def run_seed(master_seed: int | None, sample: int, replicate: int) -> int:
    """Seed of run (sample, replicate): `SeedSequence(master, spawn_key=(sample, replicate))` as a 63-bit int."""
    sequence = np.random.SeedSequence(master_seed, spawn_key=(int(sample), int(replicate)))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


def run_seeds(master_seed: int | None, n_runs: int, first: int = 0, sample: int = 0) -> list[int]:
    """Seeds of replicates first..first+n-1 of `sample` (default 0, a scenario without a design)."""
    return [run_seed(master_seed, sample, k) for k in range(first, first + n_runs)]


def parameter_generator(master_seed: int, replicate: int) -> np.random.Generator:
    """The stream replicate k draws its parameter vector from: `SeedSequence(master, spawn_key=(k,))`."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(master_seed, spawn_key=(int(replicate),))))


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
