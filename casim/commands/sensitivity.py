"""`casim sensitivity EXP.yaml --method sobol|morris --output COLUMN@YEAR ...`: SALib indices as tables and charts.

The experiment file is read by the batch loader; the SALib design over its `sample.params` ranges runs as a
batch in `<out>/batch/` (resumable like any batch); the indices, computed from that batch's region table,
go to `<out>/report/`.
"""
from __future__ import annotations

from pathlib import Path

from casim.errors import EXIT_RUNS_FAILED, UserError
from model.errors import line_of
from model.safe_yaml import read_yaml

from .batch import add_run_options, load_plan, report_failures, run_plan


def sensitivity_inputs(path: str, plan, experiment):
    """The factors and design seed of an experiment; it must have one scenario and `sample.params`."""
    from casim.analysis.sensitivity import Factor

    lines = read_yaml(path).lines
    if experiment.sample is None:
        raise UserError(f"{path}:{line_of(lines, ('from_posterior',), 1)}: sample: sensitivity needs "
                        "sample.params ranges (dotted path -> [low, high] or uncertainty_range)")
    if len(plan.scenarios) != 1:
        raise UserError(f"{path}:{line_of(lines, ('scenarios',), 1)}: scenarios: sensitivity analyses one "
                        f"scenario at a time, got {[s.name for s in plan.scenarios]}")
    factors = [Factor(name, *bounds) for name, bounds in experiment.sample.params.items()]
    seed = experiment.sample.seed if experiment.sample.seed is not None else experiment.seed
    return factors, seed


def cmd_sensitivity(args) -> int:
    from casim.analysis.sensitivity import run_sensitivity
    from model.actors import load_actors
    from model.dirlock import batch_lock_file, hold_directory
    from model.outputs import OutputRef
    from experiments.evaluator import BatchEvaluator, RunsFailed

    for output in args.output:
        OutputRef.parse(output, load_actors())  # a typo fails now, not after the batch
    plan, experiment = load_plan(args.experiment, args.uncertainty)
    factors, seed = sensitivity_inputs(args.experiment, plan, experiment)
    n = args.n or experiment.sample.n
    out = Path(args.out or Path("out") / f"sensitivity_{Path(args.experiment).stem}")
    evaluator = BatchEvaluator(plan, args.output, out / "batch", lambda p, d: run_plan(p, experiment, d, args),
                               method=f"sensitivity-{args.method}")
    with hold_directory(batch_lock_file(out)):  # the report as well as the runs in batch/ (which has its own)
        try:
            tables = run_sensitivity(factors, args.output, evaluator, method=args.method, n=n, seed=seed)
        except RunsFailed as exc:
            print(f"{out}/batch/: {exc}; no indices computed")
            report_failures(exc.summary, f"casim sensitivity {args.experiment} --method {args.method} --out {out}")
            return EXIT_RUNS_FAILED
        write_sensitivity_report(out, args, plan, factors, n, tables)
    for output, table in tables.items():
        print(f"{output}:\n{table.to_string(index=False, float_format=lambda v: f'{v:.3f}')}")
    print(f"wrote {out}/report/report.html (runs in {out}/batch/)")
    return 0


def write_sensitivity_report(out: Path, args, plan, factors, n: int, tables: dict) -> None:
    from casim.analysis.report import Section, write_report
    from casim.analysis.sensitivity import index_figure
    from model.io import atomic_directory

    what = "first-order S1 and total-order ST Sobol' indices with 95% confidence half-widths" \
        if args.method == "sobol" else "Morris mu* (mean absolute elementary effect) and sigma, in the output's unit"
    scenario = plan.scenarios[0].name
    sections = [Section(output, [f"{what} for {output} in scenario {scenario} "
                                 f"({len(factors)} parameters, n = {n}, {plan.replicates} replicates per point)."],
                        figures={output.replace("@", "_at_"): index_figure(table, args.method, output)},
                        tables={f"{args.method} {output}": table})
                for output, table in tables.items()]
    with atomic_directory(out / "report") as tmp:  # report/ is replaced whole; batch/ beside it keeps the runs
        write_report(tmp, f"casim sensitivity ({args.method})",
                     [f"Experiment: {args.experiment}", f"Runs: {out / 'batch'}"], sections)


def add_parser(sub) -> None:
    parser = sub.add_parser("sensitivity", help="global sensitivity analysis (SALib) over an experiment's ranges")
    parser.add_argument("experiment", metavar="EXP.yaml", help="experiment file with sample.params ranges "
                                                               "and one scenario")
    parser.add_argument("--method", choices=("sobol", "morris"), default="sobol",
                        help="sobol (Saltelli design) or morris (trajectories); default sobol. The file's "
                             "sample.method is not used: the method decides the design")
    parser.add_argument("--output", action="append", required=True, metavar="COLUMN@YEAR",
                        help="output to analyse, e.g. influence_CHN@2035 (repeatable)")
    parser.add_argument("-n", type=int, help="base sample size (sobol: power of 2; morris: trajectories); "
                                             "default the experiment's sample.n")
    parser.add_argument("--out", help="output directory: <out>/report/ and the runs in <out>/batch/ (default out/sensitivity_<experiment>)")
    add_run_options(parser)
    parser.set_defaults(func=cmd_sensitivity)
