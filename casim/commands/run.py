"""`casim run`: one ensemble of the baseline, written to an output directory."""
from __future__ import annotations

from pathlib import Path

from casim.errors import UserError


def parse_years(text: str) -> tuple[int, int]:
    try:
        first, _, last = text.partition("-")
        start, end = int(first), int(last or first)
    except ValueError:
        raise UserError(f"--years: expected START-END such as 2025-2040, got '{text}'") from None
    if not 2025 <= start <= end <= 2100:
        raise UserError(f"--years: need 2025 <= START <= END <= 2100, got '{text}'")
    return start, end


def cmd_run(args) -> int:
    from experiments.runner import RunSpec, write_outputs

    start, end = parse_years(args.years)
    if args.replicates < 1:
        raise UserError("--replicates must be at least 1")
    spec = RunSpec(scenario="baseline", replicates=args.replicates, seed=args.seed, start_year=start, end_year=end)
    out = Path(args.out or "out/baseline")
    tables = write_outputs(out, spec, csv=args.csv, plots=not args.no_plots)
    last = tables["region"][tables["region"]["step"] == tables["region"]["step"].max()]
    shares = {p: last[f"influence_{p}"].median() for p in ("CHN", "RUS", "EU", "USA")}
    print(f"wrote {out}/ ({spec.replicates} runs, {start}-{end}); median influence at {end}: "
          + ", ".join(f"{p} {v:.3f}" for p, v in shares.items()))
    return 0


def add_parser(sub) -> None:
    run = sub.add_parser("run", help="run the baseline as an ensemble and write outputs")
    run.add_argument("--out", help="output directory (default out/baseline)")
    run.add_argument("--years", default="2025-2040", help="simulated years, START-END (default 2025-2040)")
    run.add_argument("--replicates", type=int, default=50, help="runs in the ensemble (default 50)")
    run.add_argument("--seed", type=int, default=2024, help="master seed (default 2024)")
    run.add_argument("--csv", action="store_true", help="also write CSV copies of the tables")
    run.add_argument("--no-plots", action="store_true", help="skip the figures")
    run.set_defaults(func=cmd_run)
