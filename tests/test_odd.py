"""docs/ODD.md against the code: the submodel table (section 7) names only functions that exist, and every pure
function of the mechanism modules is named in some row of it, so a mechanism cannot be added, renamed or
removed without its row following."""
import importlib
import inspect
import re
from pathlib import Path

import pytest

import model.agents

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
MECHANISM_MODULES = ("economy", "external", "corridors", "politics", "influence")


def submodel_rows() -> list[tuple[str, str]]:
    """(submodel, code cell) for each row of the table in section 7."""
    text = ODD.read_text(encoding="utf-8")
    section = text.split("## 7. Submodels", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| submodel")]
    return [(cells[1].strip(), cells[-2]) for cells in (row.split("|") for row in rows)]


def code_names(cell: str) -> list[tuple[str, str]]:
    """(owner, attribute) for each `owner.attribute` or bare `attribute` (owner as the previous name) in a cell."""
    names, owner = [], None
    for token in re.findall(r"`([A-Za-z_][\w.]*)`", cell):
        if "." in token:
            owner, token = token.split(".", 1)
        if owner is None:
            raise AssertionError(f"{token!r} has no module in {cell!r}")
        names.append((owner, token))
    return names


def resolve(owner: str, attribute: str):
    holder = getattr(model.agents, owner, None) or importlib.import_module(f"model.{owner}")
    return getattr(holder, attribute)


def test_the_table_has_a_row_per_submodel():
    rows = submodel_rows()
    assert len(rows) >= 30
    assert all(code_names(cell) for _, cell in rows), [name for name, cell in rows if not code_names(cell)]


@pytest.mark.parametrize("submodel, cell", submodel_rows(), ids=[name for name, _ in submodel_rows()])
def test_every_named_function_exists(submodel, cell):
    for owner, attribute in code_names(cell):
        try:
            resolve(owner, attribute)
        except (AttributeError, ModuleNotFoundError):
            pytest.fail(f"ODD row {submodel!r} names {owner}.{attribute}, which the code does not have")


@pytest.mark.parametrize("module", MECHANISM_MODULES)
def test_every_mechanism_function_has_a_row(module):
    named = {(owner, attribute) for _, cell in submodel_rows() for owner, attribute in code_names(cell)}
    mod = importlib.import_module(f"model.{module}")
    functions = [name for name, fn in inspect.getmembers(mod, inspect.isfunction)
                 if fn.__module__ == mod.__name__ and not name.startswith("_")]
    assert functions
    missing = [name for name in functions if (module, name) not in named]
    assert not missing, f"model.{module} functions no ODD row names: {missing}"
