"""`casim compare DIR... --out REPORT_DIR`: a saved comparison report of run or batch outputs."""
from __future__ import annotations


def cmd_compare(args) -> int:
    from casim.analysis.compare import compare_report

    report = compare_report(args.dirs, args.out, baseline=args.baseline, year=args.year, interactive=args.interactive)
    print(f"wrote {report} (and report.md, figures/ as PNG and SVG)")
    return 0


def add_parser(sub) -> None:
    parser = sub.add_parser("compare", help="compare scenarios from run or batch outputs in a report")
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="output directories of casim run or casim batch")
    parser.add_argument("--baseline", help="scenario to difference against (default: the first)")
    parser.add_argument("--year", type=int, help="year of the key findings and the attribution "
                        "(default: the last year every scenario reaches)")
    parser.add_argument("--interactive", action="store_true", help="also interactive figures in report.html (the Vega "
                        "scripts inlined from the offline asset cache: the file still works with no network)")
    parser.add_argument("--out", required=True, help="report directory to write")
    parser.set_defaults(func=cmd_compare)
