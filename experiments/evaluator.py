"""Running a sensitivity design as a batch: design points in, `column@year` values out.

The design becomes the samples of the experiment's `BatchPlan`, so it runs through the batch engine
(chunks, executor, Parquet parts, manifest, resume). Replicate k of every point has the same seed
(common random numbers, `BatchPlan.common_seeds`), so differences between points are differences of
parameters, not noise.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from model.errors import InputError
from model.outputs import OutputRef

from .batch import BatchPlan, BatchSummary, read_table
from .plan import with_samples


class RunsFailed(RuntimeError):
    """Some runs of the design failed; the batch directory records which (rerun with --retry-failed)."""

    def __init__(self, summary: BatchSummary):
        super().__init__(f"{summary.runs_failed} of {summary.runs_total} runs failed")
        self.summary = summary


@dataclass
class BatchEvaluator:
    """Evaluator for `casim.analysis.sensitivity.run_sensitivity`.

    Args:
        plan: the experiment's plan (one scenario, replicates, seed, horizon); its samples become the design.
        outputs: names like "influence_CHN@2035" (region columns, value at the last step of the year).
        out_dir: batch directory the design runs into.
        run: `run(plan, out_dir) -> BatchSummary`, e.g. `run_batch` with an executor and resume options.
        method: design name recorded in the batch manifest.
    """
    plan: BatchPlan
    outputs: list[str]
    out_dir: Path
    run: Callable[[BatchPlan, Path], BatchSummary]
    method: str = "design"

    def __call__(self, design: pd.DataFrame) -> pd.DataFrame:
        """Mean over replicates of each output per design point, rows in design order."""
        if len(self.plan.scenarios) != 1:
            raise ValueError(f"sensitivity runs one scenario, the plan has {len(self.plan.scenarios)}")
        plan = with_samples(self.plan, design, self.method, common_seeds=True)
        if "region" not in plan.outputs:
            plan.outputs = ("region", *plan.outputs)
        summary = self.run(plan, self.out_dir)
        if not summary.ok:
            raise RunsFailed(summary)
        return design_means(read_table(self.out_dir, "region"), self.outputs, plan)


def design_means(region: pd.DataFrame, outputs: list[str], plan: BatchPlan) -> pd.DataFrame:
    """Per design point (sample index order), the mean over replicates of each `column@year`."""
    means = {}
    for name in outputs:
        per_run = OutputRef.parse(name).values({"region": region})
        if not pd.api.types.is_numeric_dtype(per_run):
            raise InputError(f"output '{name}' is not numeric; sensitivity needs a number per run")
        sample = plan.identify(per_run.index.to_numpy())[1]
        means[name] = per_run.groupby(sample).mean().reindex(np.arange(plan.n_samples)).to_numpy()
    return pd.DataFrame(means)
