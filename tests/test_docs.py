"""The documentation builds and runs: the API reference (pdoc, no warnings), the tutorial notebook, the lists in the README."""
import importlib.util
import inspect
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("build_api", ROOT / "docs" / "build_api.py")
build_api = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_api)


def test_api_reference_builds_without_warnings(tmp_path):
    assert build_api.build(tmp_path) == []
    api = (tmp_path / "model" / "api.html").read_text(encoding="utf-8")
    assert "def evaluate" in api or "evaluate(" in api
    for page in ("index.html", "model.html", "model/model.html", "model/params.html", "experiments/ema.html",
                 "casim/plots.html"):
        assert (tmp_path / page).is_file(), page


def test_the_reference_check_reports_pdoc_warnings(tmp_path, monkeypatch):
    """The check can fail: a module whose annotation names nothing makes pdoc warn."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "brokendoc.py").write_text('"""A module."""\n\n\ndef f(x: "NoSuchType") -> None:\n'
                                                   '    """Take x."""\n')
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    monkeypatch.setattr(build_api, "modules", lambda: ["brokendoc"])
    problems = build_api.build(tmp_path / "out")
    assert problems and any("NoSuchType" in line for line in problems)


def test_tutorial_notebook_executes(tmp_path):
    pytest.importorskip("ema_workbench")       # its last section uses the EMA extra, which `make test` installs
    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")  # committed clean
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "docs")}}).execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
              if o.output_type == "error"]
    assert errors == []
    text = "\n".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "runs in one ensemble" in text and "box: coverage" in text


def test_plotting_helpers_have_docstrings_and_are_listed_in_the_readme():
    from casim import plots

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    public = [name for name, f in inspect.getmembers(plots, inspect.isfunction)
              if f.__module__ == plots.__name__ and not name.startswith("_")]
    assert len(public) >= 10
    for name in public:
        assert inspect.getdoc(getattr(plots, name)), name
        assert f"`{name}" in (plots.__doc__ or ""), name
    for name in ("influence_figure", "leader_figure", "alignment_figure", "china_trade_figure", "debt_figure",
                 "standard_figures"):
        assert f"`{name}" in readme, name


def test_every_public_name_of_the_model_package_is_in_the_readme():
    import model

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in model.__all__ if f"`{name}" not in readme]
    assert missing == []
