"""`casim calibrate`: the hindcast (2014-2019 fit, 2020-2024 scored) and the alignment fit; write the outputs."""
from __future__ import annotations

import time
from pathlib import Path

from casim.errors import UserError

QUICK = dict(n_seeds=4, popsize=3, maxiter=3, abc_log2=5, check_runs=20, balance_runs=10, balance_end_year=2027)


def cmd_calibrate(args) -> int:
    from calibration.fit import FitConfig
    from calibration.hindcast_stage import QUICK as QUICK_HINDCAST, SCENARIO_FILE, HindcastConfig
    from calibration.patterns import PATTERNS_FILE
    from calibration.pipeline import CALIBRATION_DIR, calibrate
    from calibration.targets import TARGETS_FILE
    from model.params import DEFAULTS_FILE

    if args.quick and args.out is None:
        raise UserError("--quick writes a reduced fit: give --out DIR so the committed calibration stays intact")
    paths = {"--targets": Path(args.targets or TARGETS_FILE), "--patterns": Path(args.patterns or PATTERNS_FILE),
             "--scenario": Path(args.scenario or SCENARIO_FILE)}
    for flag, path in paths.items():
        if not path.is_file():
            raise UserError(f"{flag}: no such file '{path}'")
    config = FitConfig(seed=args.seed, **(QUICK if args.quick else {}))
    hindcast = HindcastConfig(seed=args.seed, **(QUICK_HINDCAST if args.quick else {}))
    out = Path(args.out) if args.out else CALIBRATION_DIR
    defaults = out / "calibrated.yaml" if args.out else DEFAULTS_FILE   # a full calibration sets the model's defaults
    started = time.perf_counter()
    result = calibrate(config, out_dir=out, targets_path=paths["--targets"], progress=not args.no_progress,
                       defaults_path=defaults, hindcast=hindcast, patterns_path=paths["--patterns"],
                       scenario_path=paths["--scenario"])
    check, past = result["check"], result["hindcast"]
    passes = [(t.fit, t.passes(v)) for t, v in zip(result["targets"], check.values)]
    passed, fitted = sum(p for _, p in passes), sum(f for f, _ in passes)
    scores = past.scores.patterns
    held = scores[scores["window"] == "out_of_sample"]
    print(f"wrote {defaults}, {defaults.with_name('posterior.parquet')}, {out}/report.md, report.html, figures/ "
          f"in {time.perf_counter() - started:.0f} s; hindcast eps {past.fit.result.eps:.3g}, held-out coverage "
          f"{(held['coverage'] * held['n']).sum() / max(held['n'].sum(), 1):.2f} over {int(held['n'].sum())} "
          f"observations; {passed}/{len(result['targets'])} targets pass "
          f"({sum(p for f, p in passes if f)}/{fitted} fitted)")
    return 0


def add_parser(sub) -> None:
    cal = sub.add_parser("calibrate", help="fit on 2014-2019 (hindcast) and the alignment targets; write the "
                                          "model's calibrated defaults, their ranges and the posterior")
    cal.add_argument("--seed", type=int, default=2024, help="seed of the fit (default 2024)")
    cal.add_argument("--out", help="output directory (default: the calibration/ package folder)")
    cal.add_argument("--targets", help="targets file (default calibration/targets.yaml)")
    cal.add_argument("--patterns", help="hindcast patterns file (default calibration/patterns.yaml)")
    cal.add_argument("--scenario", help="history scenario (default scenarios/history_2014_2024.yaml)")
    cal.add_argument("--quick", action="store_true", help="reduced fit for smoke tests (needs --out)")
    cal.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    cal.set_defaults(func=cmd_calibrate)
