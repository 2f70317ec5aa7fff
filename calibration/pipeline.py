"""`casim calibrate`: two stages on two kinds of data, then the outputs.

1. The hindcast (calibration/hindcast_stage.py): ABC-SMC on the 2014-2019 patterns only (calibration/patterns.yaml)
   for the parameters the patterns name; 2020-2024 scored out of sample.
2. The target fit (calibration/fit.py) on calibration/targets.yaml (2024-2025 facts and the 2020 survey) for the
   remaining FITTED parameters: the alignment weights, and the powers' import-demand trends at the 2025 start
   (the hindcast fits the 2014 start's own trends, `initial: true` in patterns.yaml, and never writes them), with
   the hindcast's structural parameters held at their posterior medians.

Writes (each file atomically) the model's calibrated defaults (`model/data/calibrated.yaml`: `params`, the
calibrated values, and `intervals`, their uncertainty ranges, read by `model.params.load_defaults` and
`load_ranges`), the posterior draws beside them (`posterior.parquet`, named by the defaults' `posterior:` and drawn
from by `model.uncertainty`), and
into `out_dir` (default: this package's folder) report.md, report.html and figures/*.png. A reduced run given
another `out_dir` writes its calibrated.yaml and posterior there too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from tqdm import tqdm

from model.io import file_hash, write_bytes_atomic, write_parquet_atomic
from model.params import DEFAULTS_FILE, REGISTRY
from model.rng import run_seeds

from .fit import FITTED, Evaluator, FitConfig, FitResult, fit
from .hindcast_stage import SCENARIO_FILE, HindcastConfig, HindcastOutcome, run_hindcast
from .hindcast_report import hindcast_section, write_html
from .measures import run_targets, simulate
from .patterns import PATTERNS_FILE
from .report import write_figures, write_report
from .targets import TARGETS_FILE, load_targets

CALIBRATION_DIR = Path(__file__).resolve().parent
FDI_PATH = "fdi_gain_per_10pct_shiptime_cut"
FDI_ALTERNATIVE = 0.155  # Chen & Lin 2018 (elast_fdi_bri_travel_time_aggregate); eps = ln(1.155)/ln(1/0.9) = 1.37
ROOT = CALIBRATION_DIR.parent


@dataclass
class Check:
    """The calibrated point re-run with fresh seeds: ensemble means and acceptance shares."""
    values: np.ndarray           # (n_targets,)
    acceptance: dict[str, float]  # criterion -> share of replicates meeting it


@dataclass
class Balance:
    """Regional influence at the end of the horizon under one FDI elasticity."""
    influence: pd.DataFrame      # one row per replicate, columns CHN RUS EU USA
    leader_share: dict[str, float]


def overrides_for(result: FitResult, fixed: dict) -> dict[str, float]:
    return {**fixed, **{p.path: float(v) for p, v in zip(result.params, result.best)}}


def check_point(targets, params: dict, config: FitConfig) -> Check:
    """Re-run the calibrated point with `check_runs` seeds independent of the fit's seeds."""
    seeds = run_seeds(config.seed + 1, config.check_runs)
    per_run = run_targets(targets, params, seeds)
    names = [t.name for t in targets]
    col = {name: per_run[:, k] for k, name in enumerate(names)}
    acceptance = {
        "China-Central Asia trade >= USD 100 bn in 2025": float(np.mean(col["china_ca_trade_2025"] >= 100.0)),
        "Turkmenistan the only state with a surplus with China in 2025": float(np.mean(col["tkm_only_china_surplus_2025"])),
        "Russia Kazakhstan's top security partner in 2025": float(np.mean(col["russia_top_security_kaz_2025"])),
    }
    return Check(per_run.mean(axis=0), acceptance)


def balance_at_end(params: dict, config: FitConfig) -> Balance:
    """Baseline ensemble to `balance_end_year`; influence shares and leader at its last step."""
    seeds = run_seeds(config.seed + 2, config.balance_runs)
    model, _ = simulate(params, seeds, end_year=config.balance_end_year)
    influence = pd.DataFrame(model.state.regional, columns=list(model.actors.powers))
    leaders = influence.idxmax(axis=1)
    return Balance(influence, {p: float((leaders == p).mean()) for p in model.actors.powers})


def source_hash() -> str:
    """sha256 over the code and data that determine a fit (model/, calibration/*.py, actors, facts).

    The calibrated defaults are an output of the fit, not an input (it runs without them), so they are left out.
    """
    digest = hashlib.sha256()
    files = sorted([*ROOT.glob("model/*.py"), *ROOT.glob("model/data/*.yaml"), *CALIBRATION_DIR.glob("*.py")])
    for path in (p for p in files if p.resolve() != DEFAULTS_FILE.resolve()):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def source_version() -> str:
    """Package version plus `source_hash()`: what produced a calibration.

    Unlike `model.io.code_version()` (git describe, for run and batch manifests), it does not change when
    the calibration's own outputs are committed, so re-running `casim calibrate` reproduces its files.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("casim")
    except PackageNotFoundError:
        pkg = "unknown"
    return f"casim-{pkg}+src.{source_hash()[:12]}"


def calibrated_intervals(result: FitResult, hindcast: HindcastOutcome) -> dict[str, tuple[float, float]]:
    """Each calibrated parameter's uncertainty range: the hindcast posterior's central 90% interval, and for the
    alignment weights the 5%-95% range of the target fit's accepted vectors (widened to hold the optimum)."""
    intervals = {path: hindcast.intervals[path] for path in hindcast.structural}
    for k, p in enumerate(result.params):
        low, high = np.quantile(result.posterior[:, k], [0.05, 0.95])
        intervals[p.path] = (min(low, result.best[k]), max(high, result.best[k]))
    return intervals


def calibrated_yaml(result: FitResult, config: FitConfig, targets_path: Path, today: dt.date, version: str,
                    posterior: str, hindcast: HindcastOutcome) -> str:
    values = {**{path: hindcast.point[path] for path in hindcast.structural},
              **{p.path: float(v) for p, v in zip(result.params, result.best)}}
    params = {path: float(f"{v:.6g}") for path, v in values.items()}
    # six significant digits, widened where needed so the rounded value stays inside its rounded interval
    intervals = {path: [float(np.format_float_positional(lo, 6, fractional=False, trim="-")),
                        float(np.format_float_positional(hi, 6, fractional=False, trim="-"))]
                 for path, (lo, hi) in calibrated_intervals(result, hindcast).items()}
    for path, (lo, hi) in intervals.items():
        intervals[path] = [min(lo, params[path]), max(hi, params[path])]
    doc = {
        "params": params,
        "intervals": intervals,
        "hindcast": {"fit_years": list(hindcast.patterns.fit_years), "held_out_years": list(hindcast.patterns.held_out_years),
                     "eps": float(f"{hindcast.fit.result.eps:.6g}"), "particles": hindcast.config.n_particles,
                     "generations": len(hindcast.fit.result.generations),
                     # fitted, but the data left the posterior about as wide as the prior: it is mostly the prior
                     "not_identified": [p for p in hindcast.structural if p not in hindcast.identified]},
        "objective": float(f"{result.objective:.6g}"),
        "date": today.isoformat(),
        "source_version": version,
        "targets_sha256": file_hash(targets_path),
        "seed": config.seed,
        "fdi_gain_per_10pct_shiptime_cut": REGISTRY[FDI_PATH].default_for(),
        "posterior": posterior,
    }
    header = ("# Written by `casim calibrate`; do not edit by hand. The model layers `params` over the registry\n"
              "# defaults (model/params.py, load_defaults); `intervals` are the calibrated parameters' uncertainty\n"
              "# ranges (load_ranges). See calibration/report.md for the fit and its sources.\n")
    return header + yaml.safe_dump(doc, sort_keys=False)


def posterior_frame(result: FitResult) -> pd.DataFrame:
    """The alignment fit's accepted vectors and their objective."""
    frame = pd.DataFrame(result.posterior, columns=[p.path for p in result.params])
    frame["objective"] = result.posterior_objective
    return frame


def posterior_draws(hindcast: HindcastOutcome, result: FitResult, seed: int) -> pd.DataFrame:
    """The model's posterior: the hindcast's final SMC population with its `weight`, each particle paired with one
    accepted vector of the alignment fit drawn at random (the two stages fit different data, so their
    posteriors are taken as independent)."""
    frame = hindcast.posterior_frame()
    rows = np.random.default_rng(seed).integers(0, len(result.posterior), size=len(frame))
    for k, p in enumerate(result.params):
        frame.insert(len(frame.columns) - 1, p.path, result.posterior[rows, k])
    return frame


def calibrate(config: FitConfig | None = None, out_dir: str | Path = CALIBRATION_DIR,
              targets_path: str | Path = TARGETS_FILE, progress: bool = True, today: dt.date | None = None,
              defaults_path: str | Path | None = None, hindcast: HindcastConfig | None = None,
              patterns_path: str | Path = PATTERNS_FILE, scenario_path: str | Path = SCENARIO_FILE) -> dict:
    """Run the whole calibration and write its outputs. Returns the pieces for callers and tests.

    Args:
        out_dir: where report.md, report.html and figures/ go.
        defaults_path: where the calibrated defaults go (default `out_dir`/calibrated.yaml; the command line
            passes `model.params.DEFAULTS_FILE` for a full calibration, which the model then loads); the
            posterior draws go beside it.
        hindcast, patterns_path, scenario_path: the hindcast stage's sizes, patterns and history scenario.
    """
    config = config or FitConfig()
    targets_path, out_dir = Path(targets_path), Path(out_dir)
    defaults_path = Path(defaults_path) if defaults_path is not None else out_dir / "calibrated.yaml"
    bar = tqdm(desc="calibrate (hindcast ABC-SMC)", unit="gen", disable=not progress)
    past = run_hindcast(hindcast or HindcastConfig(seed=config.seed), patterns_path, scenario_path,
                        lambda g: (bar.update(1), bar.set_postfix(eps=f"{g.eps:.3g}")))
    bar.close()
    # the hindcast's structural parameters at their posterior medians; the 2014 start's initial trends (demand
    # growths) are fitted again for the 2025 start by the target fit
    config = replace(config, fixed={**config.fixed, **{path: past.point[path] for path in past.structural}})
    alignment = tuple(p for p in FITTED if p.path not in past.structural)
    targets = load_targets(targets_path)
    main = fit(Evaluator(targets, alignment, config), progress)
    alt_config = replace(config, fixed={**config.fixed, FDI_PATH: FDI_ALTERNATIVE})
    alt = fit(Evaluator(targets, alignment, alt_config), progress)
    params, alt_params = overrides_for(main, config.fixed), overrides_for(alt, alt_config.fixed)
    check = check_point(targets, params, config)
    default_gain = REGISTRY[FDI_PATH].default_for()
    balances = {f"{default_gain:g} (fit)": balance_at_end(params, config),
                f"{FDI_ALTERNATIVE:g} (refit)": balance_at_end(alt_params, config),
                f"{FDI_ALTERNATIVE:g} (elasticity only)": balance_at_end({**params, FDI_PATH: FDI_ALTERNATIVE}, config)}
    posterior = posterior_frame(main)
    draws = posterior_draws(past, main, config.seed)
    version = source_version()
    out_dir.mkdir(parents=True, exist_ok=True)
    posterior_path = defaults_path.with_name("posterior.parquet")  # model data, beside the defaults that name it
    write_parquet_atomic(posterior_path, draws)
    relative = Path(os.path.relpath(posterior_path.resolve(), defaults_path.resolve().parent)).as_posix()
    write_bytes_atomic(defaults_path, calibrated_yaml(main, config, targets_path, today or dt.date.today(), version,
                                                      relative, past).encode())
    figures = write_figures(out_dir / "figures", targets, check, posterior, balances)
    report = write_report(out_dir / "report.md", targets, config, main, alt, check, posterior, balances,
                          figures, targets_path, version, hindcast_section(past, out_dir / "figures"))
    write_html(out_dir / "report.html", report, out_dir)
    return {"targets": targets, "main": main, "alt": alt, "check": check, "balances": balances,
            "posterior": posterior, "draws": draws, "hindcast": past, "report": report}
