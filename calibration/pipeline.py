"""`casim calibrate`: fit, check, compare the FDI elasticities, and write the calibration outputs.

Writes (each file atomically) the model's calibrated defaults (`model/data/calibrated.yaml`, read by
`model.params.load_defaults`) with the posterior draws beside them (`posterior.parquet`, named in the defaults
file and drawn from by `model.uncertainty`), and into `out_dir` (default: this package's folder) report.md and
figures/*.png. A reduced run given another `out_dir` writes its calibrated.yaml and posterior there too.
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

from model.io import file_hash, write_bytes_atomic, write_parquet_atomic
from model.params import DEFAULTS_FILE, REGISTRY
from model.rng import run_seeds

from .fit import FITTED, Evaluator, FitConfig, FitResult, fit
from .measures import run_targets, simulate
from .report import write_figures, write_report
from .targets import TARGETS_FILE, load_targets

CALIBRATION_DIR = Path(__file__).resolve().parent
FDI_PATH = "fdi_gain_per_10pct_shiptime_cut"
FDI_ALTERNATIVE = 0.155  # Chen & Lin 2018 (elast_fdi_bri_travel_time_aggregate): ~1.55 elasticity
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
    return {**fixed, **{p.path: float(v) for p, v in zip(FITTED, result.best)}}


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


def calibrated_yaml(result: FitResult, config: FitConfig, targets_path: Path, today: dt.date, version: str,
                    posterior: str) -> str:
    params = {p.path: float(f"{v:.6g}") for p, v in zip(FITTED, result.best)}
    doc = {
        "params": params,
        "objective": float(f"{result.objective:.6g}"),
        "date": today.isoformat(),
        "source_version": version,
        "targets_sha256": file_hash(targets_path),
        "seed": config.seed,
        "fdi_gain_per_10pct_shiptime_cut": REGISTRY[FDI_PATH].default_for(),
        "posterior": posterior,
    }
    header = ("# Written by `casim calibrate`; do not edit by hand. The model layers `params` over the registry\n"
              "# defaults (model/params.py, load_defaults). See calibration/report.md for the fit and its sources.\n")
    return header + yaml.safe_dump(doc, sort_keys=False)


def posterior_frame(result: FitResult) -> pd.DataFrame:
    frame = pd.DataFrame(result.posterior, columns=[p.path for p in FITTED])
    frame["objective"] = result.posterior_objective
    return frame


def calibrate(config: FitConfig | None = None, out_dir: str | Path = CALIBRATION_DIR,
              targets_path: str | Path = TARGETS_FILE, progress: bool = True, today: dt.date | None = None,
              defaults_path: str | Path | None = None) -> dict:
    """Run the whole calibration and write its outputs. Returns the pieces for callers and tests.

    Args:
        out_dir: where report.md and figures/ go.
        defaults_path: where the calibrated defaults go, with posterior.parquet beside them (default
            `out_dir`/calibrated.yaml; the command line passes `model.params.DEFAULTS_FILE` for a full
            calibration, which the model then loads and draws from).
    """
    config = config or FitConfig()
    targets_path, out_dir = Path(targets_path), Path(out_dir)
    defaults_path = Path(defaults_path) if defaults_path is not None else out_dir / "calibrated.yaml"
    targets = load_targets(targets_path)
    main = fit(Evaluator(targets, FITTED, config), progress)
    alt_config = replace(config, fixed={**config.fixed, FDI_PATH: FDI_ALTERNATIVE})
    alt = fit(Evaluator(targets, FITTED, alt_config), progress)
    params, alt_params = overrides_for(main, config.fixed), overrides_for(alt, alt_config.fixed)
    check = check_point(targets, params, config)
    default_gain = REGISTRY[FDI_PATH].default_for()
    balances = {f"{default_gain:g} (fit)": balance_at_end(params, config),
                f"{FDI_ALTERNATIVE:g} (refit)": balance_at_end(alt_params, config),
                f"{FDI_ALTERNATIVE:g} (elasticity only)": balance_at_end({**params, FDI_PATH: FDI_ALTERNATIVE}, config)}
    posterior = posterior_frame(main)
    version = source_version()
    out_dir.mkdir(parents=True, exist_ok=True)
    posterior_path = defaults_path.with_name("posterior.parquet")  # model data, beside the defaults that name it
    write_parquet_atomic(posterior_path, posterior)
    relative = Path(os.path.relpath(posterior_path.resolve(), defaults_path.resolve().parent)).as_posix()
    write_bytes_atomic(defaults_path, calibrated_yaml(main, config, targets_path, today or dt.date.today(), version,
                                                      relative).encode())
    figures = write_figures(out_dir / "figures", targets, check, posterior, balances)
    report = write_report(out_dir / "report.md", targets, config, main, alt, check, posterior, balances,
                          figures, targets_path, version)
    return {"targets": targets, "main": main, "alt": alt, "check": check, "balances": balances,
            "posterior": posterior, "report": report}
