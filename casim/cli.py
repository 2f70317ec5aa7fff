"""The `casim` command line: argument parsing only; the work lives in the layers below."""
from __future__ import annotations

import argparse
import sys

from casim.errors import EXIT_BAD_INPUT, UserError  # noqa: F401  (UserError re-exported for commands)


def build_parser() -> argparse.ArgumentParser:
    from casim.commands import batch, calibrate, compare, discover, run, sensitivity, validate, viz

    parser = argparse.ArgumentParser(prog="casim", description="Central Asia balance-of-power simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    # One module per command, each with add_parser(subparsers) setting `func`.
    for command in (run, batch, validate, compare, sensitivity, discover, calibrate, viz):
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"casim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("casim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
