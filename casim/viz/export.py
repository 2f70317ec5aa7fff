"""Take it home: the page's scenario (with the student's slider settings) as a scenario file, and its results as CSV.

The scenario file is self-contained (the `extends` chain is merged in), carries the page's
seed and ensemble size, and is checked with the scenario loader before it is offered, so
`casim validate` accepts it and `casim run` reproduces the page's runs.
"""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import yaml

from model.uncertainty import DEFAULT_MODE

from .controls import SLIDER_BY_PATH, format_value
from .model import VizModel

MAX_NAME = 80  # model/scenario.py: Scenario.name


def scenario_name(model: VizModel) -> str:
    """The file's scenario name: the scenario's own, with '_custom' when a slider was moved."""
    name = model.setup.name
    return (name[:MAX_NAME - 7] + "_custom") if model.setup.overrides else name


def _event(ev) -> dict:
    """One `EventSpec` back in the file's form: `at`, `label`, then `set:` or the shock and its arguments."""
    out = {"at": ev.at}
    if ev.label:
        out["label"] = ev.label
    if ev.shock is not None:
        out["shock"] = ev.shock
        out.update(ev.args)
    else:
        out["set"] = {path: float(v) for path, v in (ev.set or {}).items()}
    return out


def scenario_document(model: VizModel) -> dict:
    """The scenario file's fields: the picked scenario, merged, with the moved sliders as parameters."""
    setup = model.setup
    changes = [f"{SLIDER_BY_PATH[path].label} = {format_value(value)} (scenario: "
               f"{format_value(setup.in_effect[SLIDER_BY_PATH[path].keyword])})"
               for path, value in setup.overrides.items()]
    base = setup.description.strip() if setup.description else "The model's calibrated defaults, no scenario file."
    description = base + (("\nChanged in the visualiser: " + "; ".join(changes) + ".") if changes else "")
    doc = {"name": scenario_name(model), "description": description,
           "start_year": model.start_year, "end_year": model.end_year, "steps_per_year": model.steps_per_year,
           "seed": model.master_seed, "replicates": model.n_runs,
           "params": {path: float(v) for path, v in {**setup.params, **setup.overrides}.items()}}
    events = [_event(ev) for ev in setup.scenario.events] if setup.scenario is not None else []
    if events:
        doc["events"] = events
    return doc


def scenario_yaml(model: VizModel) -> str:
    """The scenario file's text, checked with the scenario loader (raises ScenarioError if it would not load)."""
    from model.scenario import load_scenario

    mode = model.setup.uncertainty
    option = f" --uncertainty {mode}" if mode != DEFAULT_MODE else ""
    header = (f"# Saved from the casim visualiser on {date.today().isoformat()} (picked: {model.setup.choice}).\n"
              f"# Rerun it: casim run {scenario_name(model)}.yaml{option}  (same seed, replicates and parameter "
              "draws: same numbers)\n")
    with model.lock:
        document = scenario_document(model)
    text = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    with tempfile.TemporaryDirectory() as tmp:  # the loader reads files: check the text as a file
        path = Path(tmp) / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        load_scenario(path)
    return text


def results_csv(model: VizModel) -> str:
    """The region table (model/outputs.py columns) of the student's run, steps 0 to now, as CSV."""
    with model.lock:  # not while the play loop is writing a step
        region = model.results()["region"]
    return region.to_csv(index=False)
