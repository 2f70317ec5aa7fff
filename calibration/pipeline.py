"""`casim calibrate`: fit, check, compare the FDI elasticities, and write the calibration outputs.

Writes (each file atomically) into `out_dir` (default: this package's folder):
calibrated.yaml, posterior.parquet, report.md and figures/*.png.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from model.io import file_hash, write_bytes_atomic, write_parquet_atomic
from model.params import REGISTRY, parse_path
from model.rng import run_seeds

from .fit import FITTED, Evaluator, FitConfig, FitResult, fit
from .measures import run_targets, simulate
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


def default_value(path: str) -> float:
    param, actor = parse_path(path)
    return param.default_for(actor)


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
    """sha256 over the code and data that determine a fit (model/, calibration/*.py, actors, facts)."""
    digest = hashlib.sha256()
    files = sorted([*ROOT.glob("model/*.py"), *ROOT.glob("model/data/*.yaml"), *CALIBRATION_DIR.glob("*.py")])
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def code_version() -> str:
    """Package version plus a hash of the fitting code: stable across commits of the outputs themselves."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("casim")
    except PackageNotFoundError:
        pkg = "unknown"
    return f"casim-{pkg}+src.{source_hash()[:12]}"


def calibrated_yaml(result: FitResult, config: FitConfig, targets_path: Path, today: dt.date) -> str:
    params = {p.path: float(f"{v:.6g}") for p, v in zip(FITTED, result.best)}
    doc = {
        "params": params,
        "objective": float(f"{result.objective:.6g}"),
        "date": today.isoformat(),
        "code_version": code_version(),
        "targets_sha256": file_hash(targets_path),
        "seed": config.seed,
        "fdi_gain_per_10pct_shiptime_cut": REGISTRY[FDI_PATH].default_for(),
        "posterior": "posterior.parquet",
    }
    header = ("# Written by `casim calibrate`; do not edit by hand. The model layers `params` over the\n"
              "# registry defaults (model/params.py). See report.md for the fit and its sources.\n")
    return header + yaml.safe_dump(doc, sort_keys=False)


def posterior_frame(result: FitResult) -> pd.DataFrame:
    frame = pd.DataFrame(result.posterior, columns=[p.path for p in FITTED])
    frame["objective"] = result.posterior_objective
    return frame


def calibrate(config: FitConfig | None = None, out_dir: str | Path = CALIBRATION_DIR,
              targets_path: str | Path = TARGETS_FILE, progress: bool = True, today: dt.date | None = None) -> dict:
    """Run the whole calibration and write its outputs. Returns the pieces for callers and tests."""
    from .report import write_figures, write_report

    config = config or FitConfig()
    targets_path, out_dir = Path(targets_path), Path(out_dir)
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
    out_dir.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out_dir / "calibrated.yaml",
                       calibrated_yaml(main, config, targets_path, today or dt.date.today()).encode())
    write_parquet_atomic(out_dir / "posterior.parquet", posterior)
    figures = write_figures(out_dir / "figures", targets, check, posterior, balances)
    report = write_report(out_dir / "report.md", targets, config, main, alt, check, posterior, balances,
                          figures, targets_path)
    return {"targets": targets, "main": main, "alt": alt, "check": check, "balances": balances,
            "posterior": posterior, "report": report}
