"""`casim sensitivity EXP.yaml --method sobol|morris --output COLUMN@YEAR ...`: SALib indices as tables and charts."""
from __future__ import annotations

from pathlib import Path


def cmd_sensitivity(args) -> int:
    from casim.analysis.report import Section, write_report
    from casim.analysis.sensitivity import index_figure, run_sensitivity
    from casim.analysis.tables import parse_output_ref
    from experiments.evaluator import ModelEvaluator, read_sensitivity_experiment
    from experiments.store import atomic_directory

    for output in args.output:
        parse_output_ref(output)
    exp = read_sensitivity_experiment(args.experiment)
    n = args.n or exp["n"]
    evaluator = ModelEvaluator(args.output, start_year=exp["start_year"], end_year=exp["end_year"],
                               steps_per_year=exp["steps_per_year"], replicates=exp["replicates"], seed=exp["seed"])
    tables = run_sensitivity(exp["factors"], args.output, evaluator, method=args.method, n=n, seed=exp["seed"])
    what = "first-order S1 and total-order ST Sobol' indices with 95% confidence half-widths" \
        if args.method == "sobol" else "Morris mu* (mean absolute elementary effect) and sigma, in the output's unit"
    sections = [Section(output, [f"{what} for {output} ({len(exp['factors'])} parameters, n = {n})."],
                        figures={output.replace("@", "_at_"): index_figure(table, args.method, output)},
                        tables={f"{args.method} {output}": table})
                for output, table in tables.items()]
    out = Path(args.out or Path("out") / f"sensitivity_{Path(args.experiment).stem}")
    with atomic_directory(out) as tmp:
        write_report(tmp, f"casim sensitivity ({args.method})", [f"Experiment: {args.experiment}"], sections)
    for output, table in tables.items():
        print(f"{output}:\n{table.to_string(index=False, float_format=lambda v: f'{v:.3f}')}")
    print(f"wrote {out}/report.html")
    return 0


def add_parser(sub) -> None:
    parser = sub.add_parser("sensitivity", help="global sensitivity analysis (SALib) over an experiment's ranges")
    parser.add_argument("experiment", metavar="EXP.yaml", help="experiment file with sample.params ranges")
    parser.add_argument("--method", choices=("sobol", "morris"), default="sobol", help="default sobol")
    parser.add_argument("--output", action="append", required=True, metavar="COLUMN@YEAR",
                        help="output to analyse, e.g. influence_CHN@2035 (repeatable)")
    parser.add_argument("-n", type=int, help="base sample size (sobol: power of 2; morris: trajectories); "
                                             "default the experiment's sample.n")
    parser.add_argument("--out", help="report directory (default out/sensitivity_<experiment>)")
    parser.set_defaults(func=cmd_sensitivity)
