"""Why the balance moved: a change in a power's regional influence, split exactly by channel and by state.

The regional influence of power j is R_j = sum_i g_i I_ij with GDP weights g_i = Y_i / sum_k Y_k, and a
state's influence is the sum of its channels' parts, I_ij = sum_c u_cij, u_cij = omega_ci s_cij (the states
table's `channel_<c>_<P>` columns, `model.outputs`). Between two situations a and b of the same run (a
scenario's run against the baseline run with the same replicate and seed, or the base year against a later
year) each product g_i u_cij changes by the exact two-factor split (the average of the two orderings, i.e.
the Shapley value of the two factors):

    delta(g u) = mean(g) delta(u)  +  mean(u) delta(g),    mean(x) = (x_a + x_b) / 2,

so  delta R_j = sum_i sum_c mean(g_i) delta(u_cij)   [channel c in state i]
              + sum_i mean(I_ij) delta(g_i)          [state i's GDP weight]

with no remainder. The GDP-weight part of a state is what its larger or smaller share of the region's GDP
does to the power's regional influence at the state's average influence; a channel's part in a state is the
change of the power's share of that channel (and of the channel's weight, when a channel appears or
vanishes), counted at the state's average GDP weight. Summaries over runs are means, which keep the sum.

The channels are the output contract's (`model.outputs.INFLUENCE_CHANNELS`): a channel added to the
influence index needs no change here.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from casim.errors import UserError
from casim.plots import colour, label as actor_label, panel_grid, powers_in, same_limits
from model import outputs

GDP_PART = "gdp_weight"  # the part name of a change in the states' GDP weights
PAIR_KEYS = ("replicate", "seed")
NAMES = {"fdi": "FDI", "security": "security ties", GDP_PART: "GDP weights"}  # else the channel's own name


def part_name(part: str) -> str:
    """How figures and sentences name an attribution part (a channel of the contract, or the GDP weights)."""
    return NAMES.get(part, part.replace("_", " "))


def channels_in(states: pd.DataFrame, powers: list[str]) -> list[str]:
    """The influence channels (in the contract's order) whose `channel_<c>_<P>` columns the table has.

    Raises:
        UserError: the table has none (outputs written before the channels were recorded).
    """
    found = [c for c in outputs.INFLUENCE_CHANNELS if all(outputs.channel_column(c, p) in states.columns for p in powers)]
    if not found:
        raise UserError("these outputs have no channel_<c>_<P> columns (written by an older casim?): "
                        "run the scenarios again to attribute their changes")
    return found


def parts(a: pd.DataFrame, b: pd.DataFrame, powers: list[str] | None = None) -> pd.DataFrame:
    """The exact split of each run's change in regional influence from situation `a` to situation `b`.

    Args:
        a, b: states-table rows of one step each, aligned row by row (the same runs, or paired runs, in the
            same order, each run's states together), with `gdp` and the `channel_<c>_<P>` columns; a `pair`
            column in `a` names each row's run or pair.
        powers: the powers to split (default: every power of the table).
    Returns:
        One row per (pair, power, state) with one column per channel and `gdp_weight`, whose sum over the
        parts and states is the pair's change in `influence_<P>`.
    """
    powers = powers or powers_in(a)
    channels = channels_in(a, powers)
    pair = a["pair"].to_numpy()
    weight_a, weight_b = (_gdp_weights(frame["gdp"].to_numpy(), pair) for frame in (a, b))
    mean_weight, weight_change = (weight_a + weight_b) / 2, weight_b - weight_a
    rows = []
    for p in powers:
        u_a = np.column_stack([a[outputs.channel_column(c, p)].to_numpy() for c in channels])
        u_b = np.column_stack([b[outputs.channel_column(c, p)].to_numpy() for c in channels])
        out = pd.DataFrame(mean_weight[:, None] * (u_b - u_a), columns=channels)
        out[GDP_PART] = weight_change * (u_a.sum(axis=1) + u_b.sum(axis=1)) / 2
        out.insert(0, "state", a["state"].to_numpy())
        out.insert(0, "power", p)
        out.insert(0, "pair", pair)
        rows.append(out)
    return pd.concat(rows, ignore_index=True)


def _gdp_weights(gdp: np.ndarray, pair: np.ndarray) -> np.ndarray:
    """g_i = Y_i / sum of Y over the pair's states, per row."""
    totals = pd.Series(gdp).groupby(pair).transform("sum").to_numpy()
    return gdp / totals


def _at_year(states: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = states[states["year"] == year]
    if rows.empty:
        years = sorted(states["year"].unique())
        raise UserError(f"year {year} is not in the outputs (years {years[0]}-{years[-1]})")
    return rows[rows["step"] == rows["step"].max()]


def paired_parts(states: pd.DataFrame, baseline: str, year: int, label: str) -> pd.DataFrame:
    """Per paired run: scenario `label` minus `baseline` at the last step of `year`, split by channel and state.

    Runs are paired by replicate and seed (common random numbers), as in `compare.paired_differences`.
    """
    keys = [*PAIR_KEYS, "state"]
    scen = _at_year(states[states["label"] == label], year).set_index(keys)
    base = _at_year(states[states["label"] == baseline], year).set_index(keys)
    common = scen.index.intersection(base.index)
    if common.empty:
        raise UserError(f"scenario '{label}' has no runs with the same replicate and seed as the baseline "
                        f"'{baseline}'; paired differences need common random numbers (same master seed)")
    if scen.index.has_duplicates or base.index.has_duplicates:
        raise UserError(f"'{label}' or '{baseline}' has several runs with the same replicate and seed (a design "
                        "with common seeds?): runs cannot be paired one to one")
    common = common.sort_values()
    a, b = base.loc[common].reset_index(), scen.loc[common].reset_index()
    a["pair"] = a.groupby(list(PAIR_KEYS), sort=False).ngroup()
    return parts(a, b)


def path_parts(states: pd.DataFrame, label: str, year: int) -> pd.DataFrame:
    """Per run of scenario `label`: the change from the first recorded step (the base year) to the last step of
    `year`, split by channel and state."""
    rows = states[states["label"] == label] if "label" in states.columns else states
    first = rows[rows["step"] == rows["step"].min()].sort_values(["run", "state"]).reset_index(drop=True)
    last = _at_year(rows, year).sort_values(["run", "state"]).reset_index(drop=True)
    first["pair"] = first["run"]
    return parts(first, last)


def summarise(per_pair: pd.DataFrame) -> pd.DataFrame:
    """Mean over pairs of each part, one row per (power, state, part): means keep the exact sum."""
    part_names = [c for c in per_pair.columns if c not in ("pair", "power", "state")]
    long = per_pair.melt(id_vars=["pair", "power", "state"], value_vars=part_names, var_name="part",
                         value_name="change")
    out = long.groupby(["power", "state", "part"], sort=False)["change"].mean().reset_index()
    out["pairs"] = per_pair["pair"].nunique()
    return out


def scenario_attribution(states: pd.DataFrame, baseline: str, year: int, labels: list[str] | None = None) -> pd.DataFrame:
    """Mean paired change in each power's regional influence at `year`, split by channel and state, per scenario.

    Args:
        states: stacked states tables with a `label` column (`compare.stack_outputs`).
        baseline: the label to difference against.
        year: calendar year (its last recorded step).
        labels: the scenarios (default: every label but the baseline).
    Returns:
        Rows (scenario, year, power, state, part, change, pairs); for each scenario and power the changes add
        up to the mean paired change of `influence_<P>`.
    """
    labels = labels or [l for l in pd.unique(states["label"]) if l != baseline]
    frames = []
    for label in labels:
        out = summarise(paired_parts(states, baseline, year, label))
        out.insert(0, "year", year)
        out.insert(0, "scenario", label)
        frames.append(out)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def path_attribution(states: pd.DataFrame, label: str, years: list[int]) -> pd.DataFrame:
    """Mean change in each power's regional influence from the base year to each of `years` in scenario
    `label`, split by channel and state (rows as in `scenario_attribution`)."""
    frames = []
    for year in years:
        out = summarise(path_parts(states, label, year))
        out.insert(0, "year", year)
        out.insert(0, "scenario", label)
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def by(attribution: pd.DataFrame, what: str) -> pd.DataFrame:
    """Totals by channel (`what="part"`) or by state (`what="state"`): one row per (scenario, year, power),
    one column per part or state, and `total`."""
    keys = ["scenario", "year", "power"]
    wide = attribution.pivot_table(index=keys, columns=what, values="change", aggfunc="sum", sort=False)
    wide = wide[list(pd.unique(attribution[what]))]
    wide["total"] = wide.sum(axis=1)
    return wide.reset_index()


# ---- figures -------------------------------------------------------------------------------------------------
def part_colours(names: list[str]) -> dict:
    """The parts' colours in every figure: channels in tab10 order, the GDP weights grey."""
    palette = plt.get_cmap("tab10")
    return {name: ("0.55" if name == GDP_PART else palette(k % 10)) for k, name in enumerate(names)}


def _colours(names: list[str], what: str) -> dict:
    """Parts as `part_colours`; states in their actor colours."""
    return {name: colour(name) for name in names} if what == "state" else part_colours(names)


def _stacked(ax, x, values: pd.DataFrame, colours: dict, width: float = 0.7) -> None:
    """Stacked bars, positive parts upwards and negative ones downwards from zero, one column per part."""
    up, down = np.zeros(len(values)), np.zeros(len(values))
    for name in values.columns:
        v = values[name].to_numpy()
        bottom = np.where(v >= 0, up, down)
        ax.bar(x, v, width, bottom=bottom, color=colours[name], label=name, linewidth=0)
        up, down = up + np.maximum(v, 0), down + np.minimum(v, 0)


def bar_chart(table: pd.DataFrame, what: str = "part", scale: float = 100.0) -> plt.Figure:
    """One panel per scenario: each power's change split into stacked parts by channel (`what="part"`) or by
    state (`what="state"`), in points (x 100), with a black diamond at the total."""
    labels = list(pd.unique(table["scenario"]))
    names = list(pd.unique(table[what]))
    colours = _colours(names, what)
    fig, axes = panel_grid(len(labels), width=3.6, height=3.4)
    for ax, label in zip(axes.ravel(), labels):
        rows_l = table[table["scenario"] == label]
        wide = rows_l.pivot_table(index="power", columns=what, values="change", aggfunc="sum", sort=False)[names] * scale
        x = np.arange(len(wide))
        _stacked(ax, x, wide, {n: colours[n] for n in names})
        ax.scatter(x, wide.sum(axis=1), marker="D", color="black", zorder=5, s=18, label="total")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xticks(x, [actor_label(p) for p in wide.index], fontsize=8)
        ax.set_title(f"{label} ({int(rows_l['year'].iloc[0])})", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    same_limits(axes)
    for row in axes:
        row[0].set_ylabel("change in influence (points)")
    handles, names_shown = axes[0][0].get_legend_handles_labels()
    pretty = [_pretty(n, what) for n in names_shown]
    fig.legend(handles, pretty, loc="center right", frameon=False, fontsize=8)
    by_what = "channel" if what == "part" else "state"
    fig.suptitle(f"Why the balance moved: mean paired change against the baseline, by {by_what}")
    fig.tight_layout(rect=(0, 0, 1 - 1.6 / fig.get_figwidth(), 1 - 0.35 / fig.get_figheight()))
    return fig


def path_chart(table: pd.DataFrame, scale: float = 100.0) -> plt.Figure:
    """One panel per power: the mean change since the base year at each year of one scenario, split by channel
    (stacked bars), with the total as a line."""
    names = list(pd.unique(table["part"]))
    colours = _colours(names, "part")
    powers = list(pd.unique(table["power"]))
    fig, axes = plt.subplots(1, len(powers), figsize=(max(3.6 * len(powers) + 2.0, 9.0), 3.6), sharey=True,
                             squeeze=False)
    for ax, power in zip(axes[0], powers):
        wide = table[table["power"] == power].pivot_table(index="year", columns="part", values="change",
                                                          aggfunc="sum")[names] * scale
        _stacked(ax, wide.index.to_numpy(), wide, colours, width=0.8)
        ax.plot(wide.index, wide.sum(axis=1), color="black", linewidth=1.5, marker="o", markersize=3, label="total")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set(title=actor_label(power), xlabel="year")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("change since the base year (points)")
    handles, names_shown = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, [_pretty(n, "part") for n in names_shown], loc="center right", frameon=False, fontsize=8)
    fig.suptitle(f"{table['scenario'].iloc[0]}: change in regional influence since the base year, by channel (mean over runs)")
    fig.tight_layout(rect=(0, 0, 1 - 1.6 / fig.get_figwidth(), 1 - 0.35 / fig.get_figheight()))
    return fig


def _pretty(name: str, what: str) -> str:
    return name if name == "total" else (actor_label(name) if what == "state" else part_name(name))
