"""The visualiser's inputs: which parameters get a slider, with bounds, defaults and units from the registry.

Nothing here repeats a number from `model/params.py`: each slider reads its default
(calibrated if `calibration/calibrated.yaml` sets it), valid range and unit from
the registry. A slider only overrides the scenario when it was moved off its default.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from mesa.visualization import Slider

from model.params import REGISTRY, SCOPES, default_overrides, parse_path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULTS_CHOICE = "(model defaults, no scenario file)"
DEFAULT_SEED = 2024
DEFAULT_RUNS = 50
MAX_RUNS = 200


@dataclass(frozen=True)
class SliderSpec:
    """One slider: the model keyword, the dotted parameter path it sets, and a student-facing label."""
    keyword: str
    path: str
    label: str


SLIDERS = (
    SliderSpec("fdi_gain", "fdi_gain_per_10pct_shiptime_cut", "FDI gain per 10% ship-time cut"),
    SliderSpec("china_bri_budget", "powers.CHN.investment_scale", "China's BRI budget"),
    SliderSpec("russia_security", "powers.RUS.security_capacity", "Russia's security capacity"),
    SliderSpec("russia_sanctions", "powers.RUS.sanctions", "Sanctions on Russia"),
    SliderSpec("eu_middle_corridor", "powers.EU.transport_investment", "EU Middle Corridor investment"),
    SliderSpec("china_imported_labour", "powers.CHN.imported_labour_share", "Chinese imported-labour share"),
    SliderSpec("local_processing", "local_processing", "Local-processing share (all states)"),
    SliderSpec("hedging_temperature", "hedging_temperature_scale", "Hedging temperature"),
)
SLIDER_BY_KEYWORD = {s.keyword: s for s in SLIDERS}


def scenario_dir() -> Path:
    """Where the picker looks for scenario files (CASIM_SCENARIO_DIR, default `scenarios/`)."""
    return Path(os.environ.get("CASIM_SCENARIO_DIR", REPO_ROOT / "scenarios"))


def scenario_choices() -> list[str]:
    """Every scenario file (*.yaml, *.yml) in the scenario folder, plus the plain model defaults."""
    folder = scenario_dir()
    files = sorted(p.name for p in folder.iterdir()
                   if p.is_file() and p.suffix in (".yaml", ".yml")) if folder.is_dir() else []
    return files + [DEFAULTS_CHOICE]


def default_scenario() -> str:
    """baseline.yaml if the folder has one, else the plain model defaults."""
    return "baseline.yaml" if "baseline.yaml" in scenario_choices() else DEFAULTS_CHOICE


def registry_default(path: str) -> float:
    """The model's default for a dotted path; a bare actor-scoped name gives the mean over actors."""
    param, actor = parse_path(path)
    calibrated = default_overrides()
    for key in (path, param.name):
        if key in calibrated:
            return float(calibrated[key])
    actors = (actor,) if actor else SCOPES[param.scope] or (None,)
    return sum(param.default_for(a) for a in actors) / len(actors)


def slider_step(lo: float, hi: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about 100 positions over [lo, hi]."""
    raw = (hi - lo) / 100
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def slider_for(spec: SliderSpec) -> Slider:
    """A Mesa Slider for `spec`: valid range, unit and default all from the registry."""
    param, _ = parse_path(spec.path)
    lo, hi = param.bounds
    step = slider_step(lo, hi)
    low, high = math.ceil(lo / step - 1e-9) * step, math.floor(hi / step + 1e-9) * step
    default = registry_default(spec.path)
    return Slider(f"{spec.label} [{param.unit}]", value=round(default, 6), min=round(low, 10), max=round(high, 10),
                  step=step, dtype=float)


def moved_overrides(values: dict[str, float]) -> dict[str, float]:
    """Dotted-path overrides for the sliders moved off their registry default (keyed by keyword)."""
    out = {}
    for keyword, value in values.items():
        spec = SLIDER_BY_KEYWORD[keyword]
        param, _ = parse_path(spec.path)
        tolerance = slider_step(*param.bounds) / 2
        if abs(float(value) - registry_default(spec.path)) > tolerance:
            out[spec.path] = float(value)
    return out


def model_params() -> dict:
    """The `model_params` for Mesa's SolaraViz: scenario picker, seed, ensemble size and the sliders."""
    return {
        "scenario": {"type": "Select", "value": default_scenario(), "values": scenario_choices(),
                     "label": "Scenario file (scenarios/)"},
        "seed": {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Master seed (integer)"},
        "n_runs": Slider("Ensemble size [runs]", value=DEFAULT_RUNS, min=1, max=MAX_RUNS, step=1, dtype=int),
        **{spec.keyword: slider_for(spec) for spec in SLIDERS},
    }


def unit_of(path: str) -> str:
    return REGISTRY[parse_path(path)[0].name].unit
