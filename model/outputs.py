"""The output contract (DESIGN section 6): every output column, its unit, and the one function that computes it.

One table per level: `region` (one row per run x step) and `states` (one row per run x step x state).
Each `Column` computes its values from a *snapshot*, a mapping of `State` field -> array whose
trailing axes are (run, ...): the recorded history (T, R, ...) for the tables, this step's state
(R, ...) for `CentralAsiaModel.output` and the Mesa DataCollector, one recorded step for calibration.
Columns are snake_case; `<P>` columns exist for every power, `<C>` for every corridor, `<K>` for every
commodity. Everything that reports a column (tables, DataCollector, visualiser, calibration measures,
`column@year` references) reads it from here. The influence index's channels (`influence.CHANNELS`) each have
a `channel_<c>_<P>` states column, its part of the power's influence in the state, which the reports'
attribution reads (`INFLUENCE_CHANNELS`).

`OutputRef` is the `column@year` reference of reports and analyses: a column's value in each run at
the last recorded step of a calendar year (`STATE.column@year` for a state's column).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from . import external
from .errors import InputError, did_you_mean
from .influence import CHANNEL_LEVELS, CHANNELS
from .arrays import sum_last_chained

ID_COLUMNS = ("run", "scenario", "replicate", "seed", "step", "year", "period")
# The State fields the columns (and the calibration measures) read: what the history records.
RECORDED_FIELDS = ("gdp", "exports", "imports", "trade", "fdi_flow", "fdi_stock", "lending", "debt", "hidden_debt",
                   "other_debt", "debt_to_gdp", "distress", "alignment", "sentiment", "security", "threat",
                   "local_processing", "influence", "channel_weight", "regional", "protest", "friction", "russia_offer", "ship_time",
                   "market_time", "log_prices", "russia_income", "remittances", "remittances_russia", "reexports",
                   "china_transit", "coverage", "reserves_drawn", "capital", "log_exchange_rate")
REF_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"  # a column, `STATE.column`, or a dotted parameter path
INFLUENCE_CHANNELS = CHANNELS  # channel_<c>_<P> columns exist for each, in this order
_OUTPUT_REF = re.compile(rf"^\s*({REF_NAME})\s*@\s*(\d{{4}})\s*$")


@dataclass(frozen=True)
class Column:
    """One output column: `compute(snapshot, actors)` gives its values, the snapshot's run axes first.

    A per-power column (`influence_CHN`) also names its quantity (`influence`) and power (`CHN`), which
    the long tables (`model.tables.tidy`) split it into.
    """
    name: str
    unit: str
    doc: str
    compute: Callable[[Mapping, "object"], np.ndarray]
    quantity: str | None = None  # default: the name
    power: str | None = None

    @property
    def variable(self) -> str:
        """The quantity this column measures: `influence` for `influence_CHN`, the name for other columns."""
        return self.quantity or self.name


def _per_power(prefix, unit, doc, field, reduce=None):
    def make(j, code):
        def compute(snap, actors):
            x = snap[field][..., j]
            return reduce(x, actors) if reduce else x
        return Column(f"{prefix}_{code}", unit, f"{doc} ({code})", compute, prefix, code)
    return make


def _sum_states(x, actors):
    return x.sum(axis=-1)


@lru_cache(maxsize=8)
def region_columns(actors) -> tuple[Column, ...]:
    """Region-level columns: one row per run x step."""
    cols = []
    makers = [
        _per_power("influence", "share", "GDP-weighted regional influence", "regional"),
        _per_power("trade", "USD bn/yr", "Trade of the five states with the power, national basis", "trade", _sum_states),
        _per_power("fdi", "USD bn/yr", "FDI inflow from the power into the region", "fdi_flow", _sum_states),
        _per_power("fdi_stock", "USD bn", "FDI stock of the power in the region", "fdi_stock", _sum_states),
        _per_power("lending", "USD bn/yr", "New lending by the power to the region", "lending", _sum_states),
        _per_power("debt", "USD bn", "Official debt of the region to the power", "debt", _sum_states),
        _per_power("market_time", "days", "Days to the power's market, mean over the states", "market_time",
                   lambda x, actors: x.mean(axis=-1)),
    ]
    for make in makers:
        cols += [make(j, code) for j, code in enumerate(actors.powers)]
    cols += [
        Column("leader", "code", "Power with the largest regional influence",
               lambda snap, a: Labelled(a.powers, snap["regional"].argmax(axis=-1))),
        Column("hhi", "0..1", "Herfindahl concentration of regional influence",
               lambda snap, a: (snap["regional"] ** 2).sum(axis=-1)),
        Column("entropy", "0..1", "Normalised entropy of regional influence (1 = balanced)",
               lambda snap, a: _entropy(snap["regional"])),
        Column("china_russia_gap", "share", "influence_CHN - influence_RUS",
               lambda snap, a: snap["regional"][..., a.powers.index("CHN")] - snap["regional"][..., a.powers.index("RUS")]),
        Column("china_ca_trade", "USD bn/yr", "China-Central Asia trade on China's customs (GAC) basis",
               lambda snap, a: china_customs_trade(snap, a).sum(axis=-1)),
        Column("russia_income_index", "index 2024=1", "Russia's USD income (oil, sanctions, war, trend)",
               lambda snap, a: snap["russia_income"]),
        Column("gdp_total", "USD bn/yr", "GDP of the five states", lambda snap, a: snap["gdp"].sum(axis=-1)),
        Column("friction", "0..1", "China-Russia friction", lambda snap, a: snap["friction"]),
        Column("russia_offer", "tie", "Russia's reactive security offer", lambda snap, a: snap["russia_offer"]),
    ]
    cols += [Column(f"security_share_{code}", "share",
                    f"{code}'s share of the region's security ties (the proxy of its SIPRI arms-import share)",
                    lambda snap, a, j=j: snap["security"][..., j].sum(axis=-1) / snap["security"].sum(axis=(-1, -2)))
             for j, code in enumerate(actors.powers)]
    for c, code in enumerate(actors.corridors):
        cols.append(Column(f"ship_time_{code}", "days", f"Days on the {actors.names[code]} corridor",
                           lambda snap, a, c=c: snap["ship_time"][..., c]))
    for k, code in enumerate(actors.commodities):
        cols.append(Column(f"price_{code}", "index 2024=1", f"{code} price index",
                           lambda snap, a, k=k: np.exp(snap["log_prices"][..., k])))
    return tuple(cols)


@lru_cache(maxsize=8)
def state_columns(actors) -> tuple[Column, ...]:
    """State-level columns: one row per run x step x state (the state axis last but one for pair fields)."""
    cols = [
        Column("gdp", "USD bn/yr", "GDP", lambda snap, a: snap["gdp"]),
        Column("debt_to_gdp", "ratio", "External debt (official, hidden, other) over GDP", lambda snap, a: snap["debt_to_gdp"]),
        Column("hidden_debt", "USD bn", "Off-the-books debt to China", lambda snap, a: snap["hidden_debt"]),
        Column("distress", "0..1", "Debt distress", lambda snap, a: snap["distress"]),
        Column("threat", "0..1", "Security threat level", lambda snap, a: snap["threat"]),
        Column("local_processing", "share", "Share of extractive output processed at home", lambda snap, a: snap["local_processing"]),
        Column("remittances", "USD bn/yr", "Remittance inflows, all sources", lambda snap, a: snap["remittances"]),
        Column("remittances_russia", "USD bn/yr", "Remittance inflows from Russia", lambda snap, a: snap["remittances_russia"]),
        Column("remittances_to_gdp", "ratio", "Remittance inflows over GDP", lambda snap, a: snap["remittances"] / snap["gdp"]),
        Column("reexports", "USD bn/yr", "Re-exports to Russia (part of exports to Russia)", lambda snap, a: snap["reexports"]),
        Column("exchange_rate", "index 2024=1", "Real exchange rate (below 1: a weaker currency)",
               lambda snap, a: np.exp(snap["log_exchange_rate"])),
        Column("import_coverage", "ratio", "Share of its import demand the state can finance (imports cut below 1)",
               lambda snap, a: snap["coverage"]),
        Column("reserves_drawn", "USD bn", "Reserves spent since the base year on imports beyond what the state earns",
               lambda snap, a: snap["reserves_drawn"]),
        Column("capital", "USD bn", "Capital stock at base-year prices and exchange rate", lambda snap, a: snap["capital"]),
        Column("china_trade_gac", "USD bn/yr", "Trade with China on China's customs (GAC) basis",
               lambda snap, a: china_customs_trade(snap, a)),
        Column("china_debt_share", "share", "China's share of official and other external debt (hidden debt left out, "
               "as in the reported series)", lambda snap, a: snap["debt"][..., a.powers.index("CHN")]
               / (snap["debt"].sum(axis=-1) + snap["other_debt"])),
        Column("trade_balance_CHN", "USD bn/yr", "Exports to minus imports from China",
               lambda snap, a: snap["exports"][..., a.powers.index("CHN")] - snap["imports"][..., a.powers.index("CHN")],
               "trade_balance", "CHN"),
    ]
    per_pair = [
        ("alignment", "share", "Alignment towards the power", "alignment"),
        ("trade", "USD bn/yr", "Exports plus imports with the power", "trade"),
        ("exports", "USD bn/yr", "Exports to the power", "exports"),
        ("imports", "USD bn/yr", "Imports from the power", "imports"),
        ("fdi", "USD bn/yr", "FDI inflow from the power (annual rate)", "fdi_flow"),
        ("fdi_stock", "USD bn", "FDI stock of the power", "fdi_stock"),
        ("lending", "USD bn/yr", "New lending from the power", "lending"),
        ("debt", "USD bn", "Official debt owed to the power", "debt"),
        ("sentiment", "-1..1", "Public sentiment towards the power", "sentiment"),
        ("security", "0..1", "Security ties with the power", "security"),
        ("market_time", "days", "Days to the power's market by the state's fastest route", "market_time"),
        ("influence", "share", "Influence of the power in the state", "influence"),
        ("protest", "0/1", "Protest against the power this step", "protest"),
    ]
    for prefix, unit, doc, field in per_pair:
        cols += [Column(f"{prefix}_{code}", unit, f"{doc} ({code})", lambda snap, a, f=field, j=j: snap[f][..., j],
                        prefix, code)
                 for j, code in enumerate(actors.powers)]
    for k, name in enumerate(CHANNELS):
        cols += [Column(channel_column(name, code), "share",
                        f"Part of the power's influence in the state from its {name} share ({code}): "
                        f"omega_ci s_cij; summed over the channels it is influence_{code}",
                        lambda snap, a, name=name, k=k, j=j: channel_part(snap, a, name, k, j))
                 for j, code in enumerate(actors.powers)]
    return tuple(cols)


def channel_column(channel: str, power: str) -> str:
    """The states table's column for a channel's part of a power's influence: `channel_<channel>_<power>`."""
    return f"channel_{channel}_{power}"


def channel_part(snap, actors, channel: str, k: int, j: int) -> np.ndarray:
    """Channel c's part of power j's influence in each state, omega_ci s_cij (`influence.state_influence`):
    the recorded effective channel weight times the power's share of the channel's levels (0 where the
    channel is absent, as in `politics.shares_and_presence`)."""
    levels = CHANNEL_LEVELS[channel](snap, actors.powers.index("CHN"))
    total = sum_last_chained(levels)  # the bits of the model's sum_last, fast on a recorded history's layout
    share = levels[..., j] / np.where(total > 0, total, np.inf)
    return snap["channel_weight"][..., k] * share


def column(name: str, actors, level: str | None = None) -> Column:
    """The contract's column called `name` (a region column first, then a state column; or only `level`'s).

    Raises:
        InputError: no such column, with the nearest name.
    """
    tables = {"region": region_columns(actors), "states": state_columns(actors)}
    candidates = [c for lvl, cols in tables.items() if level in (None, lvl) for c in cols]
    for col in candidates:
        if col.name == name:
            return col
    raise InputError(f"unknown output column '{name}'{did_you_mean(name, [c.name for c in candidates])}")


def per_power(pattern: str, actors) -> list[str]:
    """Column names from a pattern: `influence_<P>` -> one per power; a plain name -> itself."""
    return [pattern.replace("<P>", code) for code in actors.powers] if "<P>" in pattern else [pattern]


# Mesa's DataCollector reports a summary of the ensemble at every step (a model holds R runs; every run's
# values are in `results()`): `year` and `period`; the mean over runs of these region columns; `leader`,
# the power that leads in the most runs; `leader_share`, the leading power's influence share (the mean
# over runs of each run's largest influence); and `p_leader_<P>`, the share of runs in which each power
# leads. With one run these are that run's values (p_leader is 0 or 1). A short list: it is collected every step.
SUMMARY_COLUMNS = ("influence_<P>", "china_ca_trade")


def summary_reporters(actors) -> dict[str, Callable]:
    """Model reporters for Mesa's DataCollector, in this order: `year`, `period`, the ensemble means of
    `SUMMARY_COLUMNS`, `leader`, `leader_share`, `p_leader_<P>` (see above).

    Each reads the model's `steps`, `step_years(step)`, `snapshot()` and `actors`; the summary is computed
    once per step, from the contract's columns, and shared by the reporters.
    """
    means = [column(name, actors, "region") for pattern in SUMMARY_COLUMNS for name in per_power(pattern, actors)]
    influence = [f"influence_{code}" for code in actors.powers]
    others = [column(name, actors, "region") for name in influence + ["leader"] if name not in [c.name for c in means]]
    last: dict = {}

    def summary(model) -> dict:
        if last.get("step") != model.steps:  # once per step: every reporter reads this step's summary
            snap = model.snapshot()
            per_run = {col.name: col.compute(snap, model.actors) for col in (*means, *others)}
            largest = functools.reduce(np.maximum, [per_run[name] for name in influence])       # (R,)
            n_runs = len(largest)
            leads = np.bincount(np.asarray(per_run["leader"]).ravel(), minlength=len(influence)) / n_runs
            year, period = model.step_years(model.steps)
            values = {"year": int(year), "period": int(period)}
            values |= {col.name: float(per_run[col.name].sum()) / n_runs for col in means}   # means over runs
            values |= {"leader": actors.powers[int(leads.argmax())], "leader_share": float(largest.sum()) / n_runs}
            values |= {f"p_leader_{code}": float(p) for code, p in zip(actors.powers, leads)}
            last.update(step=model.steps, values=values)
        return last["values"]

    names = ["year", "period", *(col.name for col in means), "leader", "leader_share",
             *(f"p_leader_{code}" for code in actors.powers)]
    return {name: (lambda model, name=name: summary(model)[name]) for name in names}


def china_customs_trade(snap: Mapping, actors) -> np.ndarray:
    """Each state's trade with China on China's customs basis (..., S): the mirror ratio before re-exports
    times national-basis trade, plus the transit China books for re-exports (`external.china_customs_trade`)."""
    return external.china_customs_trade(snap["trade"][..., actors.powers.index("CHN")],
                                         actors.state["china_mirror_base"], snap["china_transit"])


class Labelled(np.ndarray):
    """Integer codes into `labels`; `build_frames` turns them into a string column (without a string per row)."""

    def __new__(cls, labels, codes):
        obj = np.asarray(codes).view(cls)
        obj.labels = list(labels)
        return obj

    def __array_finalize__(self, obj):
        self.labels = getattr(obj, "labels", None)


def _strings(labels, codes) -> pd.api.extensions.ExtensionArray:
    """labels[codes] as pandas' default string column, built in Arrow (fast for many rows, few labels)."""
    return pd.array(pa.array(list(labels)).take(pa.array(np.asarray(codes).ravel())), dtype=pd.StringDtype(na_value=np.nan))


def _entropy(shares):
    logs = np.log(np.where(shares > 0, shares, 1.0))
    return -(shares * logs).sum(axis=-1) / np.log(shares.shape[-1])


def units(actors) -> dict[str, str]:
    """Column name -> unit, for both tables (used by plots and reports)."""
    return {c.name: c.unit for c in (*region_columns(actors), *state_columns(actors))}


def build_frames(snap: dict, actors, ids: dict) -> dict[str, pd.DataFrame]:
    """Turn stacked snapshots (T, R, ...) into the `region` and `states` tables.

    `ids` holds per-run arrays `run`, `scenario`, `replicate`, `seed` (R,) and per-step arrays
    `step`, `year`, `period` (T,). Rows are ordered by run, then step (then state).
    """
    n_steps, n_runs = snap["gdp"].shape[:2]
    n_states = actors.n_states

    def per_run(name, reps):
        if name == "scenario":  # one label per run
            labels, codes = np.unique(np.asarray(ids[name], dtype=str), return_inverse=True)
            return _strings(labels, np.repeat(codes, reps))
        return np.repeat(np.asarray(ids[name]), reps)

    def per_step(values, tile, inner):
        return np.tile(np.repeat(np.asarray(values), inner), tile)

    def rows(values):  # (T, R, ...) -> one value per row, rows ordered by run, then step (then state)
        flat = np.swapaxes(values, 0, 1).reshape(-1)
        return _strings(values.labels, flat) if isinstance(values, Labelled) else flat

    region = {k: per_run(k, n_steps) for k in ("run", "scenario", "replicate", "seed")}
    region |= {k: per_step(ids[k], n_runs, 1) for k in ("step", "year", "period")}
    for col in region_columns(actors):
        region[col.name] = rows(col.compute(snap, actors))
    states = {k: per_run(k, n_steps * n_states) for k in ("run", "scenario", "replicate", "seed")}
    states |= {k: per_step(ids[k], n_runs, n_states) for k in ("step", "year", "period")}
    states["state"] = _strings(actors.states, np.tile(np.arange(n_states), n_runs * n_steps))
    for col in state_columns(actors):
        states[col.name] = rows(col.compute(snap, actors))
    # the columns are fresh arrays, so pandas may keep them instead of copying them into blocks
    return {"region": pd.DataFrame(region, copy=False), "states": pd.DataFrame(states, copy=False)}


# ---- column@year --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutputRef:
    """`column@year`: an output column's value in each run at the last recorded step of `year`.

    `KAZ.alignment_CHN@2035` is a state's column (from the states table), `influence_CHN@2035` a
    region column. Parsed, never evaluated as Python.
    """
    column: str
    year: int
    state: str | None = None

    @classmethod
    def of(cls, name: str, year: int) -> "OutputRef":
        """The reference `name@year`; a dotted name is `STATE.column`."""
        state, _, column = name.rpartition(".")
        return cls(column, int(year), state or None)

    @classmethod
    def parse(cls, text: str, actors=None) -> "OutputRef":
        """Read `column@year` (or `STATE.column@year`); with `actors`, also check that the column exists.

        Raises:
            InputError: not of that form, or (with `actors`) an unknown column or state.
        """
        match = _OUTPUT_REF.match(text)
        if not match:
            raise InputError(f"output '{text}': expected COLUMN@YEAR such as influence_CHN@2035")
        ref = cls.of(match.group(1), int(match.group(2)))
        if actors is not None:
            if ref.state is not None and ref.state not in actors.states:
                raise InputError(f"output '{text}': unknown state '{ref.state}'{did_you_mean(ref.state, actors.states)}")
            column(ref.column, actors, "states" if ref.state else "region")
        return ref

    def __str__(self) -> str:
        return f"{self.state + '.' if self.state else ''}{self.column}@{self.year}"

    def last_step(self, start_year: int, steps_per_year: int) -> int:
        """The step whose value this reference reads: the last step of `year` (step 0 for the base year)."""
        return max((self.year - start_year + 1) * steps_per_year, 0)

    def compute(self, snapshot: Mapping, actors) -> np.ndarray:
        """Per-run values (R,) from a snapshot of that step (`History.at(ref.last_step(...))`).

        Raises:
            InputError: an unknown column or state, or a column that is not a number (`leader`).
        """
        col = column(self.column, actors, "states" if self.state else "region")
        values = col.compute(snapshot, actors)
        if isinstance(values, Labelled):
            raise InputError(f"output '{self}': {self.column} is a code, not a number; read it from results()")
        if self.state is not None:
            if self.state not in actors.states:
                raise InputError(f"output '{self}': unknown state '{self.state}'{did_you_mean(self.state, actors.states)}")
            values = values[:, actors.states.index(self.state)]
        return np.asarray(values, dtype=float)

    def values(self, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
        """Per-run values from output tables {"region": ..., "states": ...}, indexed by run."""
        table = tables.get("states" if self.state else "region")
        if table is None:
            raise InputError(f"{self}: the outputs have no {'states' if self.state else 'region'} table")
        return value_at(table, self.column, self.year, self.state)


def value_at(frame: pd.DataFrame, column: str, year: int, state: str | None = None) -> pd.Series:
    """Per-run value of `column` at the last recorded step of `year` (indexed by run).

    Args:
        frame: a region or states table (one row per run x step [x state]).
        column: the column name; `state` selects the state's rows of a states table.
        year: calendar year; the value is taken at that year's last recorded step.
    Raises:
        InputError: the table has no such column, state or year.
    """
    if column not in frame.columns:
        raise InputError(f"unknown column '{column}'{did_you_mean(column, frame.columns)}")
    rows = frame if state is None else frame[frame["state"] == state]
    if state is not None and rows.empty:
        raise InputError(f"unknown state '{state}'{did_you_mean(state, pd.unique(frame['state']))}")
    rows = rows[rows["year"] == year]
    if rows.empty:
        years = sorted(frame["year"].unique())
        raise InputError(f"year {year} is not in the outputs (years {years[0]}-{years[-1]})")
    last = rows["step"].max()
    return rows[rows["step"] == last].set_index("run")[column].sort_index()
