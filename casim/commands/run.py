"""`casim run [SCENARIO.yaml]`: one scenario as an ensemble of replicates, written to an output directory."""
from __future__ import annotations

import signal
from pathlib import Path

from casim.errors import UserError
from model.uncertainty import DEFAULT_MODE, MODES

REPO_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT_SCENARIO = "scenarios/baseline.yaml"


def parse_years(text: str) -> tuple[int, int]:
    try:
        first, _, last = text.partition("-")
        start, end = int(first), int(last or first)
    except ValueError:
        raise UserError(f"--years: expected START-END such as 2025-2040, got '{text}'") from None
    if not 2025 <= start <= end <= 2100:
        raise UserError(f"--years: need 2025 <= START <= END <= 2100, got '{text}'")
    return start, end


def default_scenario() -> Path:
    """scenarios/baseline.yaml in the working directory, else the one shipped with the code."""
    local = Path(DEFAULT_SCENARIO)
    return local if local.is_file() else REPO_SCENARIOS / "baseline.yaml"


def _interrupt(signum, frame):
    # SIGTERM unwinds like Ctrl-C, so the atomic output directory is cleaned up instead of left half-written.
    raise KeyboardInterrupt


def write_summary(tables: dict, directory: Path, mode: str) -> dict:
    """`summary.json` and `summary.md`: the ensemble's answers as probabilities (`casim.analysis.uncertainty`)."""
    from casim.analysis.uncertainty import run_summary, summary_markdown
    from model.io import write_bytes_atomic, write_json_atomic

    summary = run_summary(tables, mode)
    write_json_atomic(directory / "summary.json", json_ready(summary))
    write_bytes_atomic(directory / "summary.md", summary_markdown(summary).encode())
    return summary


def json_ready(value):
    """NaN (an undefined share, e.g. a decomposition of too few runs) as null: JSON has no NaN."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def uncertainty_figures(region) -> dict:
    """The year China overtakes Russia for good, as a figure (when the table has both powers)."""
    from casim.analysis.uncertainty import overtaking_distribution, overtaking_figure, overtaking_years
    from casim.plots import powers_in

    if not {"CHN", "RUS"} <= set(powers_in(region)):
        return {}
    return {"china_overtakes_russia": overtaking_figure(overtaking_distribution(overtaking_years(region)))}


def cmd_run(args) -> int:
    from casim.analysis.uncertainty import summary_line
    from casim.plots import powers_in, standard_figures
    from model.run import write_outputs
    from model.scenario import load_scenario

    if args.replicates is not None and args.replicates < 1:
        raise UserError("--replicates must be at least 1")
    if args.seed is not None and args.seed < 0:
        raise UserError("--seed must be a non-negative integer")
    start, end = parse_years(args.years) if args.years else (None, None)
    path = Path(args.scenario) if args.scenario else default_scenario()
    scenario = load_scenario(path)
    spec = scenario.run_spec(replicates=args.replicates, seed=args.seed, start_year=start, end_year=end,
                             uncertainty=args.uncertainty)
    out = Path(args.out or Path("out") / scenario.name)
    signal.signal(signal.SIGTERM, _interrupt)
    summary = {}

    def extra(tables, directory):
        summary.update(write_summary(tables, directory, spec.uncertainty))
        if not args.no_plots:
            standard_figures(tables, directory / "plots", spec.uncertainty, more=uncertainty_figures(tables["region"]))

    tables = write_outputs(out, spec, csv=args.csv, extra=extra)
    region = tables["region"]
    last = region[region["step"] == region["step"].max()]
    shares = {p: last[f"influence_{p}"].median() for p in powers_in(region)}
    print(f"wrote {out}/ ({scenario.name}: {spec.replicates} runs, {spec.start_year}-{spec.end_year}, "
          f"uncertainty {spec.uncertainty}); median influence at {spec.end_year}: "
          + ", ".join(f"{p} {v:.3f}" for p, v in shares.items()))
    print(summary_line(summary))
    return 0


def add_parser(sub) -> None:
    run = sub.add_parser("run", help="run a scenario as an ensemble and write outputs")
    run.add_argument("scenario", nargs="?", metavar="SCENARIO.yaml",
                     help=f"scenario file (default {DEFAULT_SCENARIO})")
    run.add_argument("--out", help="output directory (default out/<scenario name>)")
    run.add_argument("--years", help="override the simulated years, START-END such as 2025-2026")
    run.add_argument("--replicates", type=int, help="runs in the ensemble (default: the file's replicates)")
    run.add_argument("--seed", type=int, help="master seed (default: the file's seed)")
    run.add_argument("--uncertainty", choices=MODES, default=DEFAULT_MODE,
                     help="what each replicate draws: posterior (default: calibrated posterior, sourced priors for "
                          "the rest), prior (every uncertain parameter from its registry range) or point "
                          "(calibrated point, seeds only)")
    run.add_argument("--csv", action="store_true", help="also write CSV copies of the tables")
    run.add_argument("--no-plots", action="store_true", help="skip the figures")
    run.set_defaults(func=cmd_run)
