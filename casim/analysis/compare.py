"""Comparing scenarios from saved outputs: key findings, fan charts, paired differences, why the balance moved
(attribution), who leads, alignment, end-year table, economics.

Everything takes the region/states tables of one or more output directories, stacked with a
`label` column naming the scenario (the directory name breaks ties between equal scenario names), and
what their manifests say (each scenario's description and dated events, the manifest's hash).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from casim.errors import UserError
from casim.plots import add_time, colour, label as actor_label, panel_grid, powers_in, same_limits, states_in
from model.io import file_hash

from . import attribution, findings, uncertainty
from .tables import load_output

PAIR_KEYS = ("replicate", "seed")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
NARROW = 0.02      # a 5-95% band narrower than this share of the axis is said to be narrow
HASH_DIGITS = 12   # digits of a manifest's sha256 that name an input


@lru_cache(maxsize=1)
def column_units() -> dict[str, str]:
    """Unit of every output column (the output contract)."""
    from model.actors import load_actors
    from model.outputs import units
    return units(load_actors())


def axis_label(column: str, text: str) -> str:
    return f"{text} ({column_units()[column]})"


def stack_outputs(dirs: list[str | Path]) -> dict[str, pd.DataFrame]:
    """Read output directories and stack their tables with a `label` column (one label per scenario)."""
    loaded = [load_output(d) for d in dirs]
    pairs = [(out["path"], s) for out in loaded for s in pd.unique(out["region"]["scenario"])]
    names = [s for _, s in pairs]
    labels = {(p, s): (s if names.count(s) == 1 else f"{Path(p).name}/{s}") for p, s in pairs}
    if len(set(labels.values())) != len(labels):
        raise UserError("two inputs have the same directory name and scenario; rename one directory")
    stacked = {}
    for name in ("region", "states", "runs"):
        frames = []
        for out in loaded:
            if out[name] is None:
                if name == "runs":  # optional: without it, no variance decomposition
                    frames = []
                    break
                raise UserError(f"{out['path']}: has no {name} table")
            frame = out[name].copy()
            frame["label"] = [labels[(out["path"], s)] for s in frame["scenario"]]
            frames.append(frame)
        stacked[name] = pd.concat(frames, ignore_index=True) if frames else None
    stacked["labels"] = list(dict.fromkeys(labels.values()))
    stacked["events"], stacked["inputs"] = {}, []
    for out in loaded:
        manifest = out["manifest"] or {}
        digest = file_hash(out["path"] / "manifest.json")[:HASH_DIGITS] if manifest else "no manifest"
        for scenario in pd.unique(out["region"]["scenario"]):
            label = labels[(out["path"], scenario)]
            details = scenario_details(manifest, scenario)
            stacked["events"][label] = details["events"]
            stacked["inputs"].append({
                "scenario": label, "output": manifest.get("kind", "run"), "manifest": digest,
                "runs": int(out["region"].loc[out["region"]["scenario"] == scenario, "run"].nunique()),
                "code_version": manifest.get("code_version", ""), "description": details["description"]})
    stacked["modes"] = {str(out["path"]): uncertainty_mode(out["manifest"]) for out in loaded}
    return stacked


def scenario_details(manifest: dict, scenario: str) -> dict:
    """A scenario's description and dated events from its output directory's manifest (a run's, or a batch's
    `scenario_details`); none for outputs written before manifests listed them."""
    if manifest.get("kind") == "batch":
        details = manifest.get("scenario_details", {}).get(scenario, {})
    else:
        details = manifest
    return {"description": details.get("description", ""), "events": list(details.get("events", []))}


def uncertainty_mode(manifest: dict | None) -> str | None:
    """The uncertainty mode an output's runs were drawn in: a run manifest's `uncertainty.mode`, a batch's
    `uncertainty`; None for outputs written before parameters were drawn."""
    recorded = (manifest or {}).get("uncertainty")
    return recorded.get("mode") if isinstance(recorded, dict) else recorded


def quantile_bands(frame: pd.DataFrame, column: str, by=("label", "step"), scale: float = 1.0) -> pd.DataFrame:
    """5, 25, 50, 75, 95% quantiles of `column` across runs (times `scale`), with the calendar time of each step."""
    grouped = frame.groupby(list(by))
    out = grouped[column].quantile(list(QUANTILES)).unstack() * scale
    out.columns = [f"q{int(q * 100)}" for q in QUANTILES]
    times = grouped[["year", "period", "step"]].first()
    out["time"] = add_time(times).to_numpy()
    return out.reset_index()


def _fan(ax, bands: pd.DataFrame, colour, label, linestyle="-") -> float:
    """Median line with 50% and 90% bands; the 90% band's edges are drawn as thin lines too, so that a band
    too narrow to fill still shows. Returns the band's largest width (for `_say_if_narrow`)."""
    ax.fill_between(bands["time"], bands["q5"], bands["q95"], color=colour, alpha=0.15, linewidth=0)
    ax.fill_between(bands["time"], bands["q25"], bands["q75"], color=colour, alpha=0.35, linewidth=0)
    for edge in ("q5", "q95"):
        ax.plot(bands["time"], bands[edge], color=colour, linewidth=0.6, alpha=0.8, linestyle=linestyle)
    ax.plot(bands["time"], bands["q50"], color=colour, linewidth=2, label=label, linestyle=linestyle)
    return float((bands["q95"] - bands["q5"]).max())


def _say_if_narrow(ax, widest: float, unit: str = "points") -> bool:
    """Write on the panel when every 90% band is narrower than `NARROW` of the axis (the runs agree closely,
    so the bands hide behind the lines). Returns whether it did."""
    low, high = ax.get_ylim()
    if widest >= NARROW * (high - low):
        return False
    size = f"at most {widest:.2g}" if widest >= 0.01 else "under 0.01"
    ax.text(0.01, 0.01, f"90% bands narrow: {size} {unit} wide", transform=ax.transAxes, fontsize=7, color="0.25",
            va="bottom")
    return True


def mark_events(ax, events: list[dict]) -> None:
    """A dotted vertical line at each event's time, tagged E1, E2, ... as in the report's events table (events
    at the same time share a line and a tag). Each line is an artist with gid `event-<k>` (k of its first
    event), so it is an element of an inline SVG."""
    times: dict[float, list[int]] = {}
    for k, event in enumerate(events, start=1):
        times.setdefault(float(event["time"]), []).append(k)
    for time, numbers in times.items():
        line = ax.axvline(time, color="0.2", linestyle=":", linewidth=1.2)
        tag = ax.annotate(", ".join(f"E{k}" for k in numbers), xy=(time, 1.0), xycoords=("data", "axes fraction"),
                          xytext=(2, -2), textcoords="offset points", fontsize=7, va="top", color="0.2")
        line.set_gid(f"event-{numbers[0]}")
        tag.set_gid(f"event-{numbers[0]}-tag")


def _finish(fig, title: str, axes) -> plt.Figure:
    for ax in np.ravel(axes):
        ax.grid(alpha=0.3)
    handles, labels = np.ravel(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1 - 1.3 / fig.get_figwidth(), 1 - 0.35 / fig.get_figheight()))  # room for the title
    return fig


def fan_charts(region: pd.DataFrame, labels: list[str], events: dict | None = None) -> plt.Figure:
    """Influence share of each power per scenario: median, 50% and 90% bands, one panel per scenario, with the
    scenario's events marked."""
    fig, axes = panel_grid(len(labels))
    widest = {}
    for ax, label in zip(axes.ravel(), labels):
        rows = region[region["label"] == label]
        widest[label] = max(_fan(ax, quantile_bands(rows, f"influence_{p}", scale=100), colour(p), actor_label(p))
                            for p in powers_in(region))
        mark_events(ax, (events or {}).get(label, []))
        ax.set(title=f"{label} ({rows['run'].nunique()} runs)", xlabel="year")
    same_limits(axes)
    for ax, label in zip(axes.ravel(), labels):
        _say_if_narrow(ax, widest[label])
    for row in axes:
        row[0].set_ylabel("regional influence (points of 100)")
    return _finish(fig, "Regional influence of each power (median, 50% and 90% bands; E1, E2: events)", axes)


def paired_differences(region: pd.DataFrame, baseline: str, columns: list[str]) -> pd.DataFrame:
    """Scenario minus baseline, run by run, pairing runs with the same replicate and seed (common random numbers).

    Returns:
        One row per (label, replicate, step) with `<column>` holding the difference.

    Raises:
        UserError: a scenario shares no (replicate, seed) pair with the baseline.
    """
    keys = [*PAIR_KEYS, "step"]
    base = region[region["label"] == baseline].set_index(keys)[columns]
    out = []
    for label in pd.unique(region["label"]):
        if label == baseline:
            continue
        rows = region[region["label"] == label].set_index(keys)
        joined = rows[columns + ["year", "period"]].join(base.add_suffix("_base"), how="inner")
        if joined.empty:
            raise UserError(f"scenario '{label}' has no runs with the same replicate and seed as the baseline "
                            f"'{baseline}'; paired differences need common random numbers (same master seed)")
        diff = pd.DataFrame({c: joined[c] - joined[f"{c}_base"] for c in columns})
        diff[["year", "period"]] = joined[["year", "period"]]
        diff["label"] = label
        out.append(diff.reset_index())
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def difference_charts(diffs: pd.DataFrame, baseline: str, events: dict | None = None) -> plt.Figure:
    """Paired difference of each power's influence against the baseline, one panel per scenario, with the
    scenario's events marked."""
    labels = list(pd.unique(diffs["label"]))
    fig, axes = panel_grid(len(labels))
    widest = {}
    for ax, label in zip(axes.ravel(), labels):
        rows = diffs[diffs["label"] == label]
        widest[label] = max(_fan(ax, quantile_bands(rows, f"influence_{p}", scale=100), colour(p), actor_label(p))
                            for p in powers_in(diffs))
        ax.axhline(0, color="black", linewidth=0.8)
        mark_events(ax, (events or {}).get(label, []))
        ax.set(title=f"{label} minus {baseline}\n({rows['replicate'].nunique()} paired runs)", xlabel="year")
    same_limits(axes)
    for ax, label in zip(axes.ravel(), labels):
        _say_if_narrow(ax, widest[label])
    for row in axes:
        row[0].set_ylabel("difference in influence (points)")
    return _finish(fig, "Paired differences against the baseline (same seeds; median, 50% and 90% bands; "
                        "E1, E2: events)", axes)


def alignment_panels(states: pd.DataFrame, labels: list[str], events: dict | None = None) -> plt.Figure:
    """Small multiples: alignment of each state (columns) with each power, per scenario (rows), with the
    scenario's events marked."""
    codes, powers = states_in(states), powers_in(states, "alignment_")
    fig, axes = plt.subplots(len(labels), len(codes), figsize=(3.2 * len(codes) + 1.5, 2.8 * len(labels)),
                             squeeze=False)
    for row, label in enumerate(labels):
        for col, state in enumerate(codes):
            ax = axes[row][col]
            rows = states[(states["label"] == label) & (states["state"] == state)]
            for p in powers:
                _fan(ax, quantile_bands(rows, f"alignment_{p}"), colour(p), actor_label(p))
            mark_events(ax, (events or {}).get(label, []))
            ax.set_title(f"{actor_label(state)}\n{label}", fontsize=9)
            if row == len(labels) - 1:
                ax.set_xlabel("year")
        axes[row][0].set_ylabel(axis_label("alignment_CHN", "alignment"))
    same_limits(axes)
    return _finish(fig, "Alignment of each state with each power (median, 50% and 90% bands)", axes)


def regional_debt_to_gdp(states: pd.DataFrame) -> pd.DataFrame:
    """GDP-weighted debt-to-GDP of the five states per run and step (ratio)."""
    frame = states.assign(debt=states["debt_to_gdp"] * states["gdp"])
    keys = ["label", "run", "replicate", "step"]
    out = frame.groupby(keys).agg(debt=("debt", "sum"), gdp=("gdp", "sum"), year=("year", "first"),
                                  period=("period", "first")).reset_index()
    out["debt_to_gdp"] = out["debt"] / out["gdp"]
    return out


def economics_charts(region: pd.DataFrame, states: pd.DataFrame, labels: list[str]) -> plt.Figure:
    """China-Central Asia trade, China's FDI inflow and regional debt-to-GDP per scenario."""
    debt = regional_debt_to_gdp(states)
    panels = [(region, "china_ca_trade", "China-Central Asia trade (GAC basis)", "trade"),
              (region, "fdi_CHN", "FDI inflow from China", "FDI inflow"),
              (debt, "debt_to_gdp", "External debt / GDP, five states (GDP-weighted)", "debt / GDP")]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), squeeze=False)
    palette = plt.get_cmap("tab10")
    for ax, (frame, column, title, quantity) in zip(axes[0], panels):
        for k, label in enumerate(labels):
            # dashes keep a scenario visible where it overlaps another
            _fan(ax, quantile_bands(frame[frame["label"] == label], column), palette(k % 10), label,
                 ("-", "--", ":", "-.")[k % 4])
        ax.set(title=title, xlabel="year", ylabel=axis_label(column, quantity))
    return _finish(fig, "Economics by scenario (median, 50% and 90% bands)", axes)


def end_year_table(region: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Per scenario at the last recorded step: P(each power leads) with its Monte Carlo standard error, China-Russia
    gap, HHI, entropy."""
    rows = []
    for label in labels:
        frame = region[region["label"] == label]
        last = frame[frame["step"] == frame["step"].max()]
        row = {"scenario": label, "year": int(last["year"].iloc[0]), "runs": len(last)}
        for p in powers_in(region):
            row[f"p_lead_{p}"] = share = float((last["leader"] == p).mean())
            row[f"se_lead_{p}"] = float(uncertainty.mc_standard_error(share, len(last)))
        for column in ("china_russia_gap", "hhi", "entropy"):
            q = last[column].quantile([0.05, 0.5, 0.95])
            row[f"{column}_median"], row[f"{column}_p5"], row[f"{column}_p95"] = q.iloc[1], q.iloc[0], q.iloc[2]
        rows.append(row)
    return pd.DataFrame(rows)


def difference_table(diffs: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The paired differences of each output at the end of `year` (default: the last year), per scenario: median and
    90% interval, and P(difference > 0) and P(difference < 0) with their Monte Carlo standard errors
    (`uncertainty.paired_difference_probabilities`, `uncertainty.probability_positive`)."""
    year = int(diffs["year"].max()) if year is None else year
    columns = [c for c in diffs.columns if c.startswith("influence_") or c == "china_russia_gap"]
    table = uncertainty.paired_difference_probabilities(diffs, columns, [year]).rename(
        columns={"label": "scenario", "p_positive": "p_higher", "se": "se_higher"})
    ends = uncertainty.year_ends(diffs, [year])
    lower = [uncertainty.probability_positive(-ends.loc[ends["label"] == row.scenario, row.output])
             for row in table.itertuples()]
    table["p_lower"], table["se_lower"] = [p for p, _, _ in lower], [se for _, se, _ in lower]
    return table[["scenario", "year", "output", "median", "p5", "p95", "p_higher", "se_higher", "p_lower", "se_lower",
                  "pairs"]]


def table_years(region: pd.DataFrame) -> list[int]:
    """The years of the by-year probability tables: every recorded year after the base year, or every fifth year
    from the first and the last one when there are more than eight."""
    years = sorted(int(y) for y in pd.unique(region["year"]))[1:] or sorted(int(y) for y in pd.unique(region["year"]))
    if len(years) > 8:
        years = sorted({*years[::5], years[-1]})
    return years


def leader_table(region: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """P(each power leads) per scenario and year end, as `p ± se` columns (one row per scenario and year)."""
    long = uncertainty.leader_probabilities(region, table_years(region), by="label")
    wide = long.assign(value=[uncertainty.format_share(r.p, r.runs, r.se, percent=False)
                              for r in long.itertuples()]).pivot(
        index=["label", "year"], columns="power", values="value")
    wide = wide.reindex(columns=powers_in(region)).add_prefix("P(lead) ").reset_index()
    wide["label"] = pd.Categorical(wide["label"], labels, ordered=True)
    runs = long.groupby(["label", "year"])["runs"].first().reset_index()
    return wide.merge(runs, on=["label", "year"]).sort_values(["label", "year"]).rename(columns={"label": "scenario"})


def overtaking_table(region: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Per scenario: P(China is ahead of Russia for good) by 2030 and 2040 (those in the horizon, else its last
    year), P(never by the horizon), each `p ± se`, and the median overtaking year (`uncertainty.overtaking_summary`;
    'after <horizon>' when most runs never overtake)."""
    years = uncertainty.headline_years(region)
    table = uncertainty.overtaking_summary(uncertainty.overtaking_years(region, by="label"), years, by="label")
    out = pd.DataFrame({"scenario": table["label"], "runs": table["runs"]})
    for y in years:
        out[f"P(ahead for good by {y})"] = [uncertainty.format_share(p, n, se, percent=False)
                                            for p, se, n in zip(table[f"p_by_{y}"], table[f"se_by_{y}"], table["runs"])]
    out["P(never by the horizon)"] = [uncertainty.format_share(p, n, se, percent=False)
                                      for p, se, n in zip(table["p_never"], table["se_never"], table["runs"])]
    out["median year"] = [str(int(m)) if m == m else f"after {h}"
                          for m, h in zip(table["median_year"], table["horizon"])]
    return out.set_index("scenario").reindex(labels).reset_index()


def alignment_table(states: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """P(each power is a state's top alignment) per scenario, year (2030 and 2040 in the horizon, else the last)
    and state, as `p ± se` columns (`uncertainty.top_alignment_probabilities`)."""
    long = uncertainty.top_alignment_probabilities(states, uncertainty.headline_years(states), by="label")
    long["value"] = [uncertainty.format_share(r.p, r.runs, r.se, percent=False) for r in long.itertuples()]
    wide = long.pivot(index=["label", "year", "state", "runs"], columns="power", values="value")
    wide = wide.reindex(columns=powers_in(states, "alignment_")).add_prefix("P(top) ").reset_index()
    order = {name: k for k, name in enumerate([*labels, *states_in(states)])}
    wide = wide.sort_values(["label", "year", "state"], key=lambda c: c.map(order) if c.name != "year" else c)
    wide = wide.rename_axis(columns=None).rename(columns={"label": "scenario"}).reset_index(drop=True)
    return wide[["scenario", "year", "state", *wide.columns[4:], "runs"]]


def sign_table(diffs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """P(paired difference > 0) with its standard error, median and 90% interval, per scenario, output and year."""
    table = uncertainty.paired_difference_probabilities(diffs, columns, table_years(diffs))
    return table.rename(columns={"label": "scenario"})


def variance_table(region: pd.DataFrame, runs: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Per scenario, the variance of each headline output at the last year split into a parameter and a stochastic
    part, with the three parameters behind most of it (`uncertainty.variance_decomposition`)."""
    last = int(region["year"].max())
    rows = []
    for label in labels:
        inputs = uncertainty.parameter_columns(runs[runs["label"] == label])
        ends = uncertainty.year_ends(region[region["label"] == label], [last]).set_index("run")
        for column in ["china_russia_gap", *(f"influence_{p}" for p in powers_in(region))]:
            split = uncertainty.variance_decomposition(ends[column], inputs, f"{column}@{last}")
            top = "; ".join(f"{r.parameter} ({'+' if r.direction > 0 else '-'}{r.share:.2f})"
                            for r in split.top.head(3).itertuples())
            rows.append({"scenario": label, "output": split.output, "runs": split.runs, "sd": split.variance ** 0.5,
                         "parameter_share": split.parameter_share, "stochastic_share": split.stochastic_share,
                         "top_parameters": top or "none vary"})
    return pd.DataFrame(rows)


def last_common_year(region: pd.DataFrame, labels: list[str]) -> int:
    """The last year every scenario reaches (the default year of the findings)."""
    return min(int(region.loc[region["label"] == label, "year"].max()) for label in labels)


def event_table(events: dict[str, list[dict]]) -> pd.DataFrame:
    """Each scenario's events with their markers (E1, E2, ... as on the figures), dates, labels and arguments."""
    rows = []
    for label, items in events.items():
        for k, event in enumerate(items, start=1):
            what = {key: value for key, value in event.items()
                    if key not in ("step", "year", "period", "time", "date", "label")}
            rows.append({"scenario": label, "marker": f"E{k}", "date": event["date"], "event": event["label"],
                         "what": ", ".join(f"{key}={value}" for key, value in what.items())})
    return pd.DataFrame(rows, columns=["scenario", "marker", "date", "event", "what"])


@dataclass
class Explained:
    """The tables behind a report's key findings and attribution, and the findings written from them."""
    baseline: str
    year: int
    others: list[str]               # the scenarios compared with the baseline
    leaders: pd.DataFrame           # P(each power leads) at `year` per scenario (`uncertainty.leader_probabilities`)
    overtaking: pd.DataFrame        # when China overtakes Russia for good, per scenario (`findings.overtaking_table`)
    path: pd.DataFrame              # the baseline's change since the base year, by channel and state
    diffs: pd.DataFrame | None      # paired differences, run by run (None for the baseline alone)
    differences: pd.DataFrame | None  # their summary at `year` (`difference_table`)
    paired: pd.DataFrame | None     # the paired changes at `year` by channel and state (`attribution`)
    by_part: pd.DataFrame | None
    by_state: pd.DataFrame | None
    findings: list                  # `findings.Finding`s, the baseline's first
    spread: object = None           # the baseline's variance split of the China-Russia gap at `year` (`uncertainty`)


def explain(data: dict, baseline: str, year: int) -> Explained:
    """The key findings at `year` and the tables they are written from, for stacked outputs (`stack_outputs`).

    Args:
        data: `stack_outputs(...)`.
        baseline: the label to difference against.
        year: the year of the findings and the attribution.
    """
    region, states, labels = data["region"], data["states"], data["labels"]
    others = [label for label in labels if label != baseline]
    leaders = uncertainty.leader_probabilities(region, [year], by="label").rename(columns={"label": "scenario"})
    overtaking = findings.overtaking_table(uncertainty.overtaking_years(region, "CHN", "RUS", by="label"), "CHN", "RUS")
    simulated = sorted(int(y) for y in region.loc[region["label"] == baseline, "year"].unique())[1:]
    path = attribution.path_attribution(states, baseline, simulated)
    diffs = differences = paired = by_part = by_state = None
    if others:
        diffs = paired_differences(region, baseline, [f"influence_{p}" for p in powers_in(region)] + ["china_russia_gap"])
        differences = difference_table(diffs, year)
        paired = attribution.scenario_attribution(states, baseline, year, others)
        by_part, by_state = attribution.by(paired, "part"), attribution.by(paired, "state")
    spread = None
    if data.get("runs") is not None and "china_russia_gap" in region.columns:  # where the baseline's spread comes from
        inputs = uncertainty.parameter_columns(data["runs"][data["runs"]["label"] == baseline])
        ends = uncertainty.year_ends(region[region["label"] == baseline], [year]).set_index("run")
        spread = uncertainty.variance_decomposition(ends["china_russia_gap"], inputs, f"china_russia_gap@{year}")
    key = findings.key_findings(differences, leaders, overtaking, by_part, by_state, baseline, year, spread)
    return Explained(baseline, year, others, leaders, overtaking, path, diffs, differences, paired, by_part, by_state,
                     key, spread)


def compare_report(dirs: list[str | Path], out_dir: str | Path, baseline: str | None = None,
                   year: int | None = None, interactive: bool = False) -> Path:
    """Write the comparison report of output directories `dirs` into `out_dir` (atomically).

    Args:
        dirs: outputs of `casim run` or `casim batch`.
        out_dir: report directory: report.html, report.md, figures/*.png|svg, tables as CSV, the attribution
            (attribution.csv, baseline_path_attribution.csv) and key_findings.json (each sentence with the
            claims behind its numbers: what each number is and where it comes from).
        baseline: scenario label to difference against (default: the first scenario).
        year: the year of the key findings and the attribution (default: the last year every scenario reaches).
        interactive: also interactive figures in report.html (Vega, inlined from the offline asset cache).

    Returns:
        Path of report.html.
    """
    from model.io import atomic_directory, write_json_atomic

    from .report import Section, write_report

    if interactive:  # Altair is imported only for this; a missing script cache fails before any work
        from . import interactive as charts
        scripts = charts.scripts()
    else:
        charts, scripts = None, []
    data = stack_outputs(dirs)
    labels = data["labels"]
    baseline = baseline or labels[0]
    if baseline not in labels:
        raise UserError(f"--baseline: no scenario '{baseline}'; scenarios are {', '.join(labels)}")
    region, states, events = data["region"], data["states"], data["events"]
    last_year = last_common_year(region, labels)
    year = last_year if year is None else year
    if not int(region["year"].min()) < year <= last_year:
        raise UserError(f"--year: {year} is not a simulated year of every scenario "
                        f"({int(region['year'].min()) + 1}-{last_year})")
    years = table_years(region)
    explained = explain(data, baseline, year)
    others, key, diffs, paired, path = (explained.others, explained.findings, explained.diffs, explained.paired,
                                        explained.path)
    modes = set(data["modes"].values())
    spread = ("Each run draws its parameters (" + ", ".join(sorted(m for m in modes if m)) + ") and its random "
              "shocks, so the bands and shares hold parameter and stochastic uncertainty." if modes - {None, "point"}
              else "The runs share their parameters and differ in their random shocks.")
    difference_columns = [f"influence_{p}" for p in powers_in(region)] + ["china_russia_gap"]
    sections = [Section(
        "Key findings",
        [f"Generated from the tables below, ranked by the change that 95% of paired runs show at least. Influence "
         f"is each power's share of 100 points; 'points' are points of that share, ranges the 5-95% of paired "
         f"runs (scenario run minus the {baseline} run with the same replicate and seed), probabilities shares "
         f"of runs with their Monte Carlo standard errors. Changes under {100 * findings.MATERIAL:.1f} points in "
         f"90% of pairs count as no change. {spread}"],
        bullets=[f.text for f in key], bullets_html=[f.html for f in key])]
    sections.append(Section(
        "Influence", ["Each power's GDP-weighted influence share in the region, per scenario; E1, E2, ... mark the "
                      "scenario's events (listed under 'Inputs and events'). " + spread],
        figures={"influence_fan": fan_charts(region, labels, events)}, vector=("influence_fan",),
        charts={"influence": charts.chart_html("influence", charts.fan_chart(_influence_bands(region), events, labels))}
        if interactive else {}))
    if others:
        sections.append(Section(
            "Differences against the baseline",
            [f"Each run minus the baseline run with the same replicate and seed ('{baseline}'), so the spread "
             "shows the effect of the scenario, not the noise between runs (replicate k has the same parameter "
             "draw in every scenario, unless a scenario pins a parameter). P(difference > 0) is the share of "
             "pairs in which the output rose, ± its Monte Carlo standard error."],
            figures={"influence_differences": difference_charts(diffs, baseline, events)},
            tables={f"Paired differences in {year}": explained.differences,
                    "Probability that each paired difference is positive": sign_table(diffs, difference_columns)},
            vector=("influence_differences",)))
        sections.append(Section(
            "Why the balance moved",
            [f"The mean paired change of each power's regional influence in {year}, split exactly into the parts "
             "of the influence index: each channel's part in each state (the change of the power's share of the "
             "channel, at the state's average GDP weight) and each state's change of GDP weight (at the power's "
             "average influence there). The parts add up to the total for every pair of runs (docs/ODD.md, "
             "Observation). The CSV file attribution.csv has every scenario x power x state x channel part."],
            figures={"attribution_by_channel": attribution.bar_chart(paired, "part"),
                     "attribution_by_state": attribution.bar_chart(paired, "state")},
            tables={f"Attribution by channel, {year} (points)": _points(explained.by_part),
                    f"Attribution by state, {year} (points)": _points(explained.by_state)},
            charts={"attribution": charts.chart_html("attribution", charts.attribution_chart(paired, others))}
            if interactive else {}))
    sections.append(Section(
        f"The {baseline} path",
        [f"How each power's influence in {baseline} moves from the base year, split the same way (mean over runs)."],
        figures={"baseline_path_attribution": attribution.path_chart(path)},
        tables={f"{baseline}: change since the base year by channel (points)":
                _points(attribution.by(path[path["year"].isin(years)], "part"))}))
    sections.append(Section(
        "Who leads, as probabilities",
        ["P(lead): the share of runs in which each power has the largest regional influence at the end of "
         "the year, ± its Monte Carlo standard error sqrt(p(1-p)/n). The overtaking year is the first year "
         "from which China stays ahead of Russia to the horizon (never: not ahead for good by then)."],
        figures={"china_overtakes_russia": uncertainty.overtaking_figure(
            uncertainty.overtaking_distribution(uncertainty.overtaking_years(region, by="label"), by="label"),
            by="label")} if {"CHN", "RUS"} <= set(powers_in(region)) else {},
        tables={"Leader probabilities by year": leader_table(region, labels),
                **({"When China overtakes Russia": overtaking_table(region, labels)}
                   if {"CHN", "RUS"} <= set(powers_in(region)) else {})}))
    if data["runs"] is not None:
        sections.append(Section(
            "Where the uncertainty comes from",
            ["The variance of each headline output across runs at the last year, split into the part the runs' "
             "parameters explain (cross-validated ridge regression on the parameters that differ between runs: a "
             "lower bound, since non-linear effects count as stochastic) and the rest (random shocks). Top "
             "parameters: share of the variance from each parameter's linear effect, with its direction."],
            tables={"Variance decomposition": variance_table(region, data["runs"], labels)}))
    sections += [
        Section("Alignment", ["Alignment of each state with each power (shares of its orientation). P(top): the "
                              "share of runs in which the power has the state's largest alignment share at the end "
                              "of the year, ± its Monte Carlo standard error."],
                figures={"alignment_by_state": alignment_panels(states, labels, events)},
                tables={"Top alignment probabilities": alignment_table(states, labels)}),
        Section("End-year balance", ["Probability that each power leads (share of runs), and the median with "
                                     "5-95% range of the China-Russia gap, HHI (0-1) and normalised entropy (0-1)."],
                tables={"End-year table": end_year_table(region, labels)}),
        Section("Economics", ["China-Central Asia trade on China's customs basis, China's FDI inflow, and the "
                              "GDP-weighted external debt-to-GDP ratio of the five states."],
                figures={"economics": economics_charts(region, states, labels)}),
        Section("Inputs and events",
                ["Each input is named by its scenario and the first digits of its manifest's sha256 (the manifest "
                 "records the code version, input files' hashes, parameters and seeds)."],
                tables={"Inputs": pd.DataFrame(data["inputs"]), "Events": event_table(events)}),
    ]
    intro = [f"Scenarios: {', '.join(labels)}; baseline: {baseline}; findings and attribution for {year}.",
             "Inputs: " + ", ".join(f"{i['scenario']} ({i['output']} manifest {i['manifest']}, {i['runs']} runs)"
                                    for i in data["inputs"]) + "."]
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        write_report(tmp, "casim scenario comparison", intro, sections, scripts)
        write_json_atomic(tmp / "key_findings.json", [finding.record() for finding in key])
        if others:
            paired.to_csv(tmp / "attribution.csv", index=False)
        path.to_csv(tmp / "baseline_path_attribution.csv", index=False)
    return out_dir / "report.html"


def _influence_bands(region: pd.DataFrame) -> pd.DataFrame:
    """Median and 90% band of each power's influence (points) per scenario and step, for the interactive chart."""
    frames = [quantile_bands(region, f"influence_{p}", scale=100).assign(power=p) for p in powers_in(region)]
    return pd.concat(frames, ignore_index=True)[["label", "power", "time", "q5", "q50", "q95"]]


def _points(wide: pd.DataFrame) -> pd.DataFrame:
    """An attribution table (`attribution.by`) in points (x 100) with readable column names."""
    from .attribution import part_name

    numbers = [c for c in wide.columns if c not in ("scenario", "year", "power")]
    out = wide.copy()
    out[numbers] = out[numbers] * 100
    return out.rename(columns={c: part_name(c) for c in numbers})
