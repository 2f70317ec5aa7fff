"""A model's tables beyond the wide output contract: the runs table, parameter columns and long (tidy) tables.

- `runs_table(model)`: one row per run, its identity, design row, seed and every parameter value at the
  start of the run (the run's inputs; an event that sets a parameter later does not show here).
- `with_params(frames, model, include)`: the region and states tables with `sample` and parameter columns.
- `tidy(frames, actors)`: the tables in long form, one row per value, for pandas' groupby, seaborn or
  `DataFrame.to_xarray()`. Every code (`scenario`, `state`, `power`, `variable`) is a categorical.

Why long pandas frames rather than an xarray Dataset: the tables are pandas already (the Parquet files,
the analysis commands, the visualiser's exports), a long frame goes straight into groupby and plotting
libraries, and no second data model or dependency is needed; `frame.set_index([...]).to_xarray()` gives
a Dataset for whoever wants one.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .outputs import region_columns, state_columns
from .params import expand_path


def runs_table(model) -> pd.DataFrame:
    """One row per run: `run`, `scenario`, `replicate`, `sample` (its design row, 0 without a design), `seed`,
    then every parameter's value at the start of the run, one column per dotted path (`parameter_paths`)."""
    frame = {"run": np.arange(model.n_runs), "scenario": model.scenario,
             "replicate": np.asarray(model.replicates), "sample": np.asarray(model.samples),
             "seed": np.asarray(model.seeds, dtype=np.int64)}
    for path, values in model.params.columns(model.params.initial):
        frame[path] = values.copy()
    return pd.DataFrame(frame)


def chosen_params(model, include) -> list[str]:
    """The parameter paths `include_params` names: True for the caller's (design, `params`, keywords) and every
    parameter that differs between runs; else a list of dotted paths (`powers.all.x` gives one per power)."""
    if include is True:
        varying = [path for path, v in model.params.columns(model.params.initial) if np.any(v != v[0])]
        return list(dict.fromkeys([*model.set_paths, *varying]))
    if isinstance(include, str):
        include = [include]
    return list(dict.fromkeys(p for path in include for p in expand_path(path, model.actors)))


def with_params(frames: dict[str, pd.DataFrame], model, include) -> dict[str, pd.DataFrame]:
    """The tables with each row's `sample` (after `replicate`) and the chosen parameters' values (at the end)."""
    runs = runs_table(model)
    paths = chosen_params(model, include)
    out = {}
    for name, frame in frames.items():
        row_run = frame["run"].to_numpy()
        frame = frame.copy(deep=False)
        frame.insert(frame.columns.get_loc("replicate") + 1, "sample", runs["sample"].to_numpy()[row_run])
        values = pd.DataFrame({path: runs[path].to_numpy()[row_run] for path in paths}, index=frame.index)
        out[name] = pd.concat([frame, values], axis=1)
    return out


def tidy(frames: dict[str, pd.DataFrame], actors) -> dict[str, pd.DataFrame]:
    """The region and states tables in long form: one row per value.

    Columns: the wide table's identity columns (`run`, `scenario`, `replicate`, `seed`, `step`, `year`,
    `period`, any parameter columns, and `state` in the states table), then `variable` (the quantity:
    `influence`, `gdp`, ...), `power` (for a per-power quantity, else missing) and `value` (float). The
    region table's `leader` becomes the quantity `leads`: 1.0 for the power that leads the run at that
    step, 0.0 for the others, so `groupby(["year", "power"])["value"].mean()` is each power's
    probability of leading. Codes are categoricals in the actor table's order.
    """
    contract = {"region": region_columns(actors), "states": state_columns(actors)}
    return {name: _long(frame, contract[name], actors) for name, frame in frames.items()}


def _long(frame: pd.DataFrame, columns, actors) -> pd.DataFrame:
    blocks = []  # (variable, power, values)
    for col in columns:
        if col.name not in frame:
            continue
        if col.name == "leader":
            codes = frame[col.name].to_numpy(dtype=object)
            blocks += [("leads", code, (codes == code).astype(float)) for code in actors.powers]
        else:
            blocks.append((col.variable, col.power, frame[col.name].to_numpy(dtype=float)))
    ids = [c for c in frame.columns if c not in {col.name for col in columns}]
    n, k = len(frame), len(blocks)
    out = {}
    for c in ids:
        values = frame[c]
        if c in ("scenario", "state"):
            order = list(actors.states) if c == "state" else list(pd.unique(values))
            values = pd.Categorical(values, categories=order)
            out[c] = pd.Categorical.from_codes(np.tile(values.codes, k), categories=values.categories)
        else:
            out[c] = np.tile(values.to_numpy(), k)
    variables = list(dict.fromkeys(v for v, _, _ in blocks))
    out["variable"] = pd.Categorical.from_codes(
        np.repeat([variables.index(v) for v, _, _ in blocks], n), categories=variables)
    out["power"] = pd.Categorical.from_codes(
        np.repeat([actors.powers.index(p) if p is not None else -1 for _, p, _ in blocks], n),
        categories=list(actors.powers))
    out["value"] = np.concatenate([v for _, _, v in blocks]) if blocks else np.empty(0)
    return pd.DataFrame(out, copy=False)
