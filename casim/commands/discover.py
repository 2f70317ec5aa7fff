"""`casim discover DIR --where CONDITION`: PRIM scenario discovery over a batch's sampled parameters."""
from __future__ import annotations

from pathlib import Path


def cmd_discover(args) -> int:
    import pandas as pd

    from casim.analysis.discover import discover, trajectory_figure
    from casim.analysis.report import Section, write_report
    from model.io import atomic_directory

    found = discover(args.dir, args.where, alpha=args.alpha, threshold=args.threshold,
                     min_coverage=args.min_coverage, pasting=args.pasting)
    result = found["result"]
    tables = {"Peeling trajectory": result.trajectory}
    if result.limits is not None:
        tables = {"Chosen box": result.limits, **tables}
    section = Section("Scenario discovery (PRIM)", [found["summary"]],
                      figures={"prim_trajectory": trajectory_figure(result)}, tables=tables)
    intro = [f"Condition: {args.where}", f"Batch: {args.dir} ({found['n_runs']} runs, "
             f"{len(found['inputs'])} varying parameters); alpha {args.alpha}, density threshold {args.threshold}, "
             f"minimum coverage {args.min_coverage}, pasting {'on' if args.pasting else 'off'}."]
    out = Path(args.out or Path(args.dir) / "discovery")
    with atomic_directory(out) as tmp:
        write_report(tmp, "casim scenario discovery", intro, [section])
    print(found["summary"])
    if result.limits is not None:
        print(pd.DataFrame(result.limits).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"wrote {out}/report.html")
    return 0


def add_parser(sub) -> None:
    parser = sub.add_parser("discover", help="scenario discovery (PRIM) over a batch's sampled parameters")
    parser.add_argument("dir", metavar="DIR", help="batch output directory")
    parser.add_argument("--where", required=True,
                        help="condition defining the cases of interest, e.g. \"leader@2035 == 'RUS'\"")
    parser.add_argument("--alpha", type=float, default=0.05, help="peeling share per step (default 0.05)")
    parser.add_argument("--threshold", type=float, default=0.8, help="minimum box density (default 0.8)")
    parser.add_argument("--min-coverage", type=float, default=0.2, help="minimum box coverage (default 0.2)")
    parser.add_argument("--pasting", action="store_true", help="widen the chosen box again while density rises")
    parser.add_argument("--out", help="report directory (default DIR/discovery)")
    parser.set_defaults(func=cmd_discover)
