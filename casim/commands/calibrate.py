"""`casim calibrate`: fit behavioural parameters to calibration/targets.yaml and write the outputs."""
from __future__ import annotations

from pathlib import Path

from casim.errors import UserError

QUICK = dict(n_seeds=4, popsize=3, maxiter=3, abc_log2=5, check_runs=20, balance_runs=10, balance_end_year=2027)


def cmd_calibrate(args) -> int:
    from calibration.fit import FitConfig
    from calibration.pipeline import CALIBRATION_DIR, calibrate
    from calibration.targets import TARGETS_FILE
    from model.params import DEFAULTS_FILE

    if args.quick and args.out is None:
        raise UserError("--quick writes a reduced fit: give --out DIR so the committed calibration stays intact")
    targets = Path(args.targets or TARGETS_FILE)
    if not targets.is_file():
        raise UserError(f"--targets: no such file '{targets}'")
    config = FitConfig(seed=args.seed, **(QUICK if args.quick else {}))
    out = Path(args.out) if args.out else CALIBRATION_DIR
    defaults = out / "calibrated.yaml" if args.out else DEFAULTS_FILE   # a full calibration sets the model's defaults
    result = calibrate(config, out_dir=out, targets_path=targets, progress=not args.no_progress,
                       defaults_path=defaults)
    check = result["check"]
    passed = sum(t.passes(v) for t, v in zip(result["targets"], check.values))
    print(f"wrote {defaults}, {defaults.with_name('posterior.parquet')}, {out}/report.md, figures/; objective "
          f"{result['main'].objective:.4g}; {passed}/{len(result['targets'])} targets pass; "
          f"{len(result['posterior'])} accepted vectors")
    return 0


def add_parser(sub) -> None:
    cal = sub.add_parser("calibrate", help="fit behavioural parameters to sourced targets; write the model's calibrated defaults")
    cal.add_argument("--seed", type=int, default=2024, help="seed of the fit (default 2024)")
    cal.add_argument("--out", help="output directory (default: the calibration/ package folder)")
    cal.add_argument("--targets", help="targets file (default calibration/targets.yaml)")
    cal.add_argument("--quick", action="store_true", help="reduced fit for smoke tests (needs --out)")
    cal.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    cal.set_defaults(func=cmd_calibrate)
