"""Build the API reference (HTML) from the docstrings with pdoc; exit 1 on any warning pdoc gives.

    .venv/bin/python docs/build_api.py docs/api      # or: make docs; then open docs/api/index.html

The reference covers the public Python API: the `model` package (the model, `evaluate`, the parameter
registry, the output contract, the seed scheme, scenarios), the EMA Workbench adapter
(`experiments.ema`) and the plotting helpers (`casim.plots`).
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

OTHERS = ("experiments.ema", "casim.plots")


def modules() -> list[str]:
    """The package `model` and every module in it (pdoc follows `model.__all__`, which lists no modules), and OTHERS."""
    import pkgutil

    import model

    return ["model", *(f"model.{m.name}" for m in pkgutil.iter_modules(model.__path__)), *OTHERS]


def build(out_dir: str | Path) -> list[str]:
    """Write the reference into `out_dir`; return pdoc's warnings (one line each), empty when clean."""
    import pdoc
    import pdoc.render

    pdoc_dir = str(Path(pdoc.__file__).parent)
    pdoc.render.configure(docformat="google", footer_text="casim API reference", show_source=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*modules(), output_directory=Path(out_dir))
    return [f"{w.category.__name__}: {w.message}" for w in caught if w.filename.startswith(pdoc_dir)]


if __name__ == "__main__":
    problems = build(sys.argv[1] if len(sys.argv) > 1 else "docs/api")
    for line in problems:
        print(line, file=sys.stderr)
    sys.exit(1 if problems else 0)
