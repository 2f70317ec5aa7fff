"""Time one visualiser step with a 50-run ensemble, including redrawing every view.

It runs what the page does on Step: `VizModel.step()`, then each view function of
`casim.viz.components` (figures rendered to PNG), inside a Solara render context.
Target: <= 1 s per step. Prints figures; the last line is JSON.
"""
from __future__ import annotations

import json
import time

import numpy as np
import solara

from casim.viz.components import VIEWS
from casim.viz.model import VizModel

N_RUNS, STEPS = 50, 12


@solara.component
def Page(model, tick):
    with solara.Column() as main:
        for view in VIEWS:
            view(model)
    return main


def main() -> None:
    model = VizModel(n_runs=N_RUNS, seed=2024)
    tick = solara.reactive(0)
    box, rc = solara.render(Page(model, tick.value), handle_error=False)
    model_times, total_times = [], []
    for _ in range(STEPS):
        start = time.perf_counter()
        model.step()
        stepped = time.perf_counter()
        rc.render(Page(model, model.steps))  # the views redraw exactly as after a Step click
        total_times.append(time.perf_counter() - start)
        model_times.append(stepped - start)
    rc.close()
    result = {"n_runs": N_RUNS, "steps_timed": STEPS,
              "model_step_s_median": round(float(np.median(model_times)), 4),
              "step_with_views_s_median": round(float(np.median(total_times)), 4),
              "step_with_views_s_max": round(float(np.max(total_times)), 4), "target_s": 1.0}
    print(f"one step, {N_RUNS} runs: model {result['model_step_s_median'] * 1000:.0f} ms, "
          f"with all views {result['step_with_views_s_median'] * 1000:.0f} ms median "
          f"(max {result['step_with_views_s_max'] * 1000:.0f} ms; target <= 1000 ms)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
