"""Time one visualiser Step at 50 runs, with the paired (unmodified) run and every view redrawn.

It does what a Step click does on the server: `Session.step()` steps the student's ensemble
and the unmodified scenario's, then the page (`App`, all of it) re-renders inside a Solara render
context (plots redrawn to PNG, tables rebuilt). A slider is moved first, so the paired run
is stepped and drawn too. The browser adds the websocket round trip and the image decode:
tests/test_viz_browser.py measures click to redrawn plot in Chromium.
Target: <= 0.25 s per step. Prints figures; the last line is JSON.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import replace

import numpy as np

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import solara  # noqa: E402

from casim.viz.components import App  # noqa: E402
from casim.viz.session import Session  # noqa: E402

N_RUNS, STEPS, TARGET_S = 50, 16, 0.25


def main() -> None:
    session = Session()
    session.inputs.value = replace(session.inputs.value, n_runs=N_RUNS,
                                   positions={**session.inputs.value.positions, "eu_middle_corridor": 5.0})
    session.reset()
    assert session.model.reference is not None, "the paired run must be part of the timing"
    box, rc = solara.render(App(session), handle_error=False)
    draws = []
    draw = session.draw
    session.draw = lambda: draws.append(1) or draw()  # to check each step really redraws
    model_times, total_times = [], []
    for _ in range(STEPS):
        start = time.perf_counter()
        session.model.step()
        stepped = time.perf_counter()
        session.tick.value += 1  # what Session.step() does after stepping: the views re-render now
        total_times.append(time.perf_counter() - start)
        model_times.append(stepped - start)
    rc.close()
    assert len(draws) == STEPS, f"expected a redraw per step, got {len(draws)}"
    result = {"n_runs": N_RUNS, "steps_timed": STEPS, "paired_run": True,
              "model_step_s_median": round(float(np.median(model_times)), 4),
              "step_with_views_s_median": round(float(np.median(total_times)), 4),
              "step_with_views_s_max": round(float(np.max(total_times)), 4), "target_s": TARGET_S}
    print(f"one step, {N_RUNS} runs + the paired unmodified run: models {result['model_step_s_median'] * 1000:.1f} ms, "
          f"with all views {result['step_with_views_s_median'] * 1000:.0f} ms median "
          f"(max {result['step_with_views_s_max'] * 1000:.0f} ms; target <= {TARGET_S * 1000:.0f} ms)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
