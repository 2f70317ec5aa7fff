"""This tree's engine against a base commit's, side by side in one session (issue 16). Last line is JSON.

- us_per_run_step: microseconds per run-step at R = 1,000 (64 quarterly steps of a fresh model, stepping only,
  record=False, as `benchmarks/ensemble.py`), for this tree ("head") and the base tree ("base"). Each side runs
  in its own Python process (so each imports its own `model`), the two alternating round by round so that the
  VM's drift falls on both alike; best of the rounds per side. `slowdown` = head / base, best against best
  (and median against median); target <= 1.5.
- speedup_vs_mesa_batch_run: `benchmarks/ensemble.py`'s measure (mesa.batch_run of 200 single-run models x 64
  steps against one ensemble of 200 runs with the same final-step output), for both trees, also alternating
  (target >= 100 for head).

A base tree is a git worktree of the commit before the change, e.g.
    git worktree add /tmp/h-base cf48b97
It needs no environment of its own: this tree's interpreter runs it with PYTHONPATH set to it.

Usage: python benchmarks/versus_base.py --base /tmp/h-base [--runs 1000] [--rounds 5] [--peer-rounds 2]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HEAD = Path(__file__).resolve().parent.parent

# run in the side's own process; prints one JSON line. {tree} is checked so a stale install cannot stand in.
PER_RUN_STEP = """
import json, time, model
assert model.__file__.startswith({tree!r}), model.__file__
from model import CentralAsiaModel
def steps(n):
    m = CentralAsiaModel(n_runs=n, seed=1, record=False)
    start = time.perf_counter()
    for _ in range(64):
        m.step()
    return time.perf_counter() - start
steps(100)  # warm-up: first-use costs, the CPU's clock
print(json.dumps({{"us": min(steps({runs}) for _ in range(2)) / (64 * {runs}) * 1e6}}))
"""

PEER = """
import json, sys, model
assert model.__file__.startswith({tree!r}), model.__file__
sys.path.insert(0, {bench!r})
from ensemble import speedup_vs_batch_run  # the head's measure, applied to this side's model
print(json.dumps(speedup_vs_batch_run(200, 1)))
"""


def in_tree(tree: Path, code: str) -> dict:
    """Run `code` in a fresh interpreter that imports `model` from `tree`; its last output line as JSON."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="a worktree of the base commit")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peer-rounds", type=int, default=2)
    args = parser.parse_args()
    trees = {"head": HEAD, "base": args.base.resolve()}
    step_us = {side: [] for side in trees}
    for _ in range(args.rounds):
        for side, tree in trees.items():
            step_us[side].append(in_tree(tree, PER_RUN_STEP.format(tree=str(tree), runs=args.runs))["us"])
    peer = {side: [] for side in trees}
    for _ in range(args.peer_rounds):
        for side, tree in trees.items():
            peer[side].append(in_tree(tree, PEER.format(tree=str(tree), bench=str(HEAD / "benchmarks")))["speedup"])
    best = {side: min(values) for side, values in step_us.items()}
    speedup = {side: max(values) for side, values in peer.items()}
    median = {side: statistics.median(values) for side, values in step_us.items()}
    slowdown = best["head"] / best["base"]
    for side in trees:
        print(f"{side}: {best[side]:.2f} us/run-step at R={args.runs} (rounds {', '.join(f'{v:.2f}' for v in step_us[side])}); "
              f"{speedup[side]:.0f}x mesa.batch_run")
    print(f"slowdown head/base {slowdown:.2f}x best, {median['head'] / median['base']:.2f}x median (target <= 1.5); "
          f"head speedup over mesa.batch_run "
          f"{speedup['head']:.0f}x (target >= 100)")
    print(json.dumps({"runs": args.runs, "us_per_run_step": {side: round(v, 3) for side, v in best.items()},
                      "us_per_run_step_rounds": {side: [round(v, 3) for v in vs] for side, vs in step_us.items()},
                      "slowdown": round(slowdown, 3), "slowdown_median": round(median["head"] / median["base"], 3),
                      "speedup_vs_mesa_batch_run": {side: round(v, 1) for side, v in speedup.items()},
                      "base": str(trees["base"]), "cpu_count": os.cpu_count()}))


if __name__ == "__main__":
    main()
