"""The visualiser's inputs: scenario files, seed, ensemble size and the sliders, read from the parameter registry.

Nothing here repeats a number from `model/params.py`: each slider reads its valid range and
unit from the registry, and the value it shows is the one in effect for the picked scenario,
read from the model's resolved parameters (`Params`): the scenario's value, else the calibrated
default, else the registry default. Whatever position a slider is in is what runs: a position
that differs from the value in effect overrides it.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.params import REGISTRY, Params, parse_path, scope_codes
from model.uncertainty import DEFAULT_MODE, MODES

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULTS_CHOICE = "(model defaults, no scenario file)"
DEFAULT_SEED = 2024
DEFAULT_RUNS = 50
MAX_RUNS = 200
MAX_SEED = 2 ** 63 - 1  # what a scenario file accepts (model/scenario.py), so a downloaded file validates
UNCERTAINTY_ENV = "CASIM_UNCERTAINTY"  # `casim viz --uncertainty MODE` hands its mode to the server this way
UNCERTAINTY_LABELS = {"posterior": "calibrated posterior (default)", "prior": "prior ranges only",
                      "point": "calibrated point, seeds only"}


def default_uncertainty() -> str:
    """The page's starting uncertainty mode: `casim viz --uncertainty` (CASIM_UNCERTAINTY), else the default."""
    mode = os.environ.get(UNCERTAINTY_ENV, DEFAULT_MODE)
    return mode if mode in MODES else DEFAULT_MODE


@dataclass(frozen=True)
class SliderSpec:
    """One slider: the model keyword, the dotted parameter path it sets, a label and its unit in words."""
    keyword: str
    path: str
    label: str
    words: str  # the registry unit, said for a student


SLIDERS = (
    SliderSpec("china_bri_budget", "powers.CHN.investment_scale", "China's BRI budget",
               "times the 2024 budget (1 = unchanged, 2 = doubled)"),
    SliderSpec("russia_security", "powers.RUS.security_capacity", "Russia's security capacity",
               "index (0 = none, 1 = Russia's 2024 capacity)"),
    SliderSpec("russia_sanctions", "powers.RUS.sanctions", "Sanctions on Russia", "0 = none, 1 = full"),
    SliderSpec("eu_middle_corridor", "powers.EU.transport_investment", "EU Middle Corridor investment",
               "billion US dollars per year"),
    SliderSpec("fdi_gain", "fdi_gain_per_10pct_shiptime_cut", "FDI gain per 10% cut in shipping time",
               "share of FDI gained (0.12 = 12% more FDI)"),
    SliderSpec("china_imported_labour", "powers.CHN.imported_labour_share", "Chinese projects' imported labour",
               "share of the workforce (0 = all local, 1 = all brought in)"),
    SliderSpec("local_processing", "states.all.local_processing", "Local processing of raw materials (all five states)",
               "share processed at home (0 = none, 1 = all); shows the five states' mean"),
    SliderSpec("hedging_temperature", "hedging_temperature_scale", "Hedging between powers",
               "times each state's usual hedging (higher = states spread their alignment more evenly)"),
)
SLIDER_BY_KEYWORD = {s.keyword: s for s in SLIDERS}
SLIDER_BY_PATH = {s.path: s for s in SLIDERS}


# ---- scenario files -----------------------------------------------------------------------------------------------
def scenario_dir() -> Path:
    """Where the picker looks for scenario files (CASIM_SCENARIO_DIR, default `scenarios/`)."""
    return Path(os.environ.get("CASIM_SCENARIO_DIR", REPO_ROOT / "scenarios"))


def scenario_choices() -> list[str]:
    """The scenario files (*.yaml, *.yml) in the scenario folder, plus the plain model defaults.

    Only regular files that really live in the folder: a link pointing elsewhere is left out.
    """
    folder = scenario_dir()
    if not folder.is_dir():
        return [DEFAULTS_CHOICE]
    root = folder.resolve()
    files = sorted(p.name for p in folder.iterdir()
                   if p.suffix in (".yaml", ".yml") and p.is_file() and p.resolve().parent == root)
    return files + [DEFAULTS_CHOICE]


def scenario_path(choice: str) -> Path:
    """The file behind a picker choice; refuses anything the picker does not list (e.g. '../x.yaml')."""
    if choice not in scenario_choices() or choice == DEFAULTS_CHOICE:
        raise ValueError(f"scenario: '{choice}' is not a file in {scenario_dir()}")
    return scenario_dir() / choice


def default_scenario() -> str:
    """baseline.yaml if the folder has one, else the plain model defaults."""
    return "baseline.yaml" if "baseline.yaml" in scenario_choices() else DEFAULTS_CHOICE


# ---- seed -----------------------------------------------------------------------------------------------------------
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def parse_seed(text) -> int:
    """The master seed as typed: ASCII digits only (no '３', '1_000', signs or spaces inside), 0 <= seed < 2**63.

    Raises:
        ValueError: with a message for the page.
    """
    text = str(text).strip()
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"seed: '{text}' is not a whole number; type digits 0-9 only")
    seed = int(text)
    if seed > MAX_SEED:
        raise ValueError(f"seed: {text} is too large (at most {MAX_SEED})")
    return seed


# ---- sliders --------------------------------------------------------------------------------------------------------
def slider_step(lo: float, hi: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about 100 positions over [lo, hi]."""
    raw = (hi - lo) / 100
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def slider_range(spec: SliderSpec) -> tuple[float, float, float]:
    """(min, max, step) of a slider: the registry's valid range, on a round grid."""
    param, _ = parse_path(spec.path)
    lo, hi = param.bounds
    step = slider_step(lo, hi)
    return round(math.ceil(lo / step - 1e-9) * step, 10), round(math.floor(hi / step + 1e-9) * step, 10), step


def snap(value: float, lo: float, hi: float, step: float) -> float:
    """`value` on the slider's grid lo, lo + step, ..., within [lo, hi]."""
    return round(min(max(lo + round((value - lo) / step) * step, lo), hi), 10)


def unit_of(spec: SliderSpec) -> str:
    """The registry's unit of the slider's parameter."""
    return REGISTRY[parse_path(spec.path)[0].name].unit


def value_in_effect(params: Params, spec: SliderSpec) -> float:
    """The value a run uses for the slider's parameter (mean over runs; over the actors for an `all` path)."""
    param, actor = parse_path(spec.path)
    values = params.values[param.name]
    if actor is not None:
        values = values[:, scope_codes(param.scope, params.actors).index(actor)]
    first = values.flat[0]
    return float(first) if np.all(values == first) else float(np.mean(values))


def values_in_effect(params: Params) -> dict[str, float]:
    """Every slider's value in effect, by keyword."""
    return {spec.keyword: value_in_effect(params, spec) for spec in SLIDERS}


def slider_overrides(positions: dict[str, float], in_effect: dict[str, float]) -> dict[str, float]:
    """Dotted-path overrides for the sliders whose position differs from the value in effect (by keyword)."""
    out = {}
    for keyword, value in positions.items():
        spec = SLIDER_BY_KEYWORD[keyword]  # KeyError for an unknown slider: a programming error
        if not math.isclose(float(value), in_effect[keyword], rel_tol=0, abs_tol=1e-12):
            out[spec.path] = float(value)
    return out


def format_value(value: float) -> str:
    """A slider value for reading: 4 significant digits, no trailing zeros (2.10266 -> '2.103')."""
    return f"{value:.4g}"
