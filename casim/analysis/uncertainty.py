"""Answers as probabilities: leader probabilities, overtaking years, signs of paired differences, and where the
spread comes from. Everything takes output tables (region, states, runs), never models.

Each run of an ensemble is one (parameter draw, seed) pair (`model.uncertainty`), so a share of runs is a
Monte Carlo estimate of a probability over both parameter and stochastic uncertainty; its standard error is
sqrt(p (1 - p) / n) (`mc_standard_error`). Tables carry a grouping column (`scenario` in a run's tables,
`label` in `casim.analysis.compare`'s stacked tables), chosen with `by`.

Public functions (used by `casim run`'s summary, `casim compare` and the reports):
`mc_standard_error`, `year_ends`, `leader_probabilities`, `top_alignment_probabilities`, `overtaking_years`,
`overtaking_distribution`, `overtaking_summary`, `probability_positive`, `paired_difference_probabilities`,
`parameter_columns`, `variance_decomposition`, `overtaking_figure`, `run_summary`, `summary_line`,
`summary_markdown`, `zero_bound`, `format_share`, `headline_years`.
"""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from casim.plots import colour, label, powers_in

HEADLINE_YEARS = (2030, 2040)
NEVER = "never"  # the overtaking year of a run in which the leader is not ahead for good by the horizon


def mc_standard_error(p, n):
    """Monte Carlo standard error of a share `p` of `n` independent runs: sqrt(p (1 - p) / n)."""
    p = np.asarray(p, dtype=float)
    return np.sqrt(p * (1.0 - p) / np.maximum(n, 1))


def zero_bound(n: int, level: float = 0.95) -> float:
    """The one-sided `level` upper bound on a probability seen in none of `n` independent runs:
    1 - (1 - level)^(1/n) (about 3/n at 95%, the 'rule of three'). Where the share is 0 (or 1) its standard
    error sqrt(p(1-p)/n) is 0, which would claim a certainty that n runs cannot show."""
    return 1.0 - (1.0 - level) ** (1.0 / max(int(n), 1))


def format_share(p: float, n: int, se: float | None = None, percent: bool = True) -> str:
    """A share of `n` runs with its Monte Carlo error, for tables and the printed summary.

    `71% ± 2.3` (the error in percentage points; one decimal below 1% and above 99%, where a whole percent would
    round a few runs away: `0.3% ± 0.2`); for a share of exactly 0 or 1, the 95% bound `zero_bound(n)` instead of
    a standard error of 0: `0% (< 0.7%)`, `100% (> 99.3%)`. `percent=False` gives fractions (`0.710 ± 0.023`,
    `0.000 (< 0.007)`). NaN (too few runs to say): `n/a`. `se` defaults to sqrt(p(1-p)/n).
    """
    if p != p:
        return "n/a"
    se = float(mc_standard_error(p, n)) if se is None else se
    if percent:
        def number(v):
            return f"{100 * v:.1f}%" if 0.0 < v < 0.01 or 0.99 < v < 1.0 else f"{100 * v:.0f}%"
        error = f"{100 * se:.1f}"
    else:
        def number(v):
            return f"{v:.3f}"
        error = f"{se:.3f}"
    if p <= 0.0:
        return f"{number(0.0)} (< {number(zero_bound(n))})"
    if p >= 1.0:
        return f"{number(1.0)} (> {number(1.0 - zero_bound(n))})"
    return f"{number(p)} ± {error}"


def year_ends(table: pd.DataFrame, years=None) -> pd.DataFrame:
    """The rows at the last recorded step of each calendar year (of `years`, default every year), as `column@year`
    reads them (`model.outputs.value_at`)."""
    rows = table if years is None else table[table["year"].isin(list(years))]
    last = rows.groupby("year")["step"].transform("max")
    return rows[rows["step"] == last]


def _years(table: pd.DataFrame, years) -> list[int]:
    recorded = sorted(int(y) for y in pd.unique(table["year"]))
    return recorded if years is None else [int(y) for y in years if int(y) in recorded]


def leader_probabilities(region: pd.DataFrame, years=None, by: str = "scenario") -> pd.DataFrame:
    """P(each power leads the region) at the end of each year, with its Monte Carlo standard error.

    Args:
        region: region table(s) with `leader`, `year`, `step`, `run` and the grouping column `by`.
        years: the years to report (default every recorded year; years not recorded are left out).
        by: the grouping column (`scenario`, or `label` for stacked tables).
    Returns:
        One row per (by, year, power): `p` (share of runs it leads), `se`, `runs`.
    """
    powers = powers_in(region)
    ends = year_ends(region, _years(region, years))
    rows = []
    for (group, year), frame in ends.groupby([by, "year"], sort=False):
        n = len(frame)
        counts = frame["leader"].value_counts()
        for power in powers:
            p = counts.get(power, 0) / n
            rows.append({by: group, "year": int(year), "power": power, "p": p, "se": float(mc_standard_error(p, n)),
                         "runs": n})
    return pd.DataFrame(rows, columns=[by, "year", "power", "p", "se", "runs"])


def top_alignment_probabilities(states: pd.DataFrame, years=None, by: str = "scenario") -> pd.DataFrame:
    """P(each power is a state's top alignment) at the end of each year, with its standard error.

    A run's top alignment is the power with the largest `alignment_<P>` share (the first in column order on a tie).

    Returns:
        One row per (by, year, state, power): `p`, `se`, `runs`.
    """
    powers = powers_in(states, "alignment_")
    ends = year_ends(states, _years(states, years))
    top = np.asarray(powers)[np.argmax(ends[[f"alignment_{p}" for p in powers]].to_numpy(), axis=1)]
    ends = ends.assign(top=top)
    rows = []
    for (group, year, state), frame in ends.groupby([by, "year", "state"], sort=False):
        n = len(frame)
        counts = frame["top"].value_counts()
        for power in powers:
            p = counts.get(power, 0) / n
            rows.append({by: group, "year": int(year), "state": state, "power": power, "p": p,
                         "se": float(mc_standard_error(p, n)), "runs": n})
    return pd.DataFrame(rows, columns=[by, "year", "state", "power", "p", "se", "runs"])


def overtaking_years(region: pd.DataFrame, leader: str = "CHN", rival: str = "RUS",
                     by: str = "scenario") -> pd.DataFrame:
    """The year `leader`'s influence overtakes `rival`'s for good, in each run.

    The overtaking year is the first year at whose end the leader's influence is above the rival's and stays
    above it at every later year end to the horizon; the base year if it is ahead throughout, NaN if it is
    not ahead at the horizon's last year end (it never overtakes for good by the horizon).

    Returns:
        One row per run: `by`, `run`, `year` (float, NaN for never), `horizon` (the last year end).
    """
    ends = year_ends(region).sort_values([by, "run", "year"])
    ahead = (ends[f"influence_{leader}"] > ends[f"influence_{rival}"]).to_numpy()
    out = []
    for (group, run), index in ends.groupby([by, "run"], sort=False).indices.items():
        years = ends["year"].to_numpy()[index]
        behind = np.flatnonzero(~ahead[index])
        if behind.size == 0:
            year = float(years[0])
        elif behind[-1] == len(index) - 1:
            year = np.nan
        else:
            year = float(years[behind[-1] + 1])
        out.append({by: group, "run": run, "year": year, "horizon": int(years[-1])})
    return pd.DataFrame(out, columns=[by, "run", "year", "horizon"])


def overtaking_distribution(overtaking: pd.DataFrame, by: str = "scenario") -> pd.DataFrame:
    """Share of runs by overtaking year (from `overtaking_years`), with `never` for the runs that do not
    overtake for good by the horizon, and each share's standard error.

    Returns:
        One row per (by, year): `year` (an int as text, or `never`), `share`, `se`, `runs`; years in order, never last.
    """
    rows = []
    for group, frame in overtaking.groupby(by, sort=False):
        n = len(frame)
        counts = frame["year"].value_counts(dropna=False)
        years = sorted(y for y in counts.index if not pd.isna(y))
        for year in [*years, np.nan]:
            share = float(counts.get(year, 0) if not pd.isna(year) else frame["year"].isna().sum()) / n
            rows.append({by: group, "year": NEVER if pd.isna(year) else str(int(year)), "share": share,
                         "se": float(mc_standard_error(share, n)), "runs": n})
    return pd.DataFrame(rows, columns=[by, "year", "share", "se", "runs"])


def overtaking_summary(overtaking: pd.DataFrame, years, by: str = "scenario") -> pd.DataFrame:
    """From `overtaking_years`: per group, the share of runs in which the leader is ahead for good by the end of
    each of `years` (overtaking year <= year), the share in which it never is by the horizon, each with its
    standard error, and the median overtaking year over all runs (NaN when more than half never overtake).

    Returns:
        One row per group: `runs`, `horizon`, `p_by_<year>` and `se_by_<year>` per year, `p_never`, `se_never`,
        `median_year`.
    """
    rows = []
    for group, frame in overtaking.groupby(by, sort=False):
        n, year = len(frame), frame["year"].to_numpy(dtype=float)
        row = {by: group, "runs": n, "horizon": int(frame["horizon"].max())}
        for y in years:
            p = float(np.mean(year <= y))  # NaN (never) compares False
            row[f"p_by_{y}"], row[f"se_by_{y}"] = p, float(mc_standard_error(p, n))
        never = float(np.mean(np.isnan(year)))
        row["p_never"], row["se_never"] = never, float(mc_standard_error(never, n))
        ordered = np.sort(np.where(np.isnan(year), np.inf, year))  # never: after the horizon
        median = ordered[(n - 1) // 2] if n else np.nan
        row["median_year"] = float(median) if np.isfinite(median) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def probability_positive(values) -> tuple[float, float, int]:
    """(P(value > 0), its standard error, n) over runs; NaN values are left out."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = values.size
    p = float(np.mean(values > 0)) if n else float("nan")
    return p, float(mc_standard_error(p, n)) if n else float("nan"), n


def paired_difference_probabilities(diffs: pd.DataFrame, columns: list[str], years=None,
                                    by: str = "label") -> pd.DataFrame:
    """For paired differences (scenario minus baseline, run by run; `compare.paired_differences`): P(difference > 0)
    with its standard error, and the median and 90% interval, per scenario, output and year end.

    Returns:
        One row per (by, output, year): `p_positive`, `se`, `median`, `p5`, `p95`, `pairs`.
    """
    ends = year_ends(diffs, _years(diffs, years))
    rows = []
    for (group, year), frame in ends.groupby([by, "year"], sort=False):
        for column in columns:
            p, se, n = probability_positive(frame[column])
            q = frame[column].quantile([0.05, 0.5, 0.95])
            rows.append({by: group, "output": column, "year": int(year), "p_positive": p, "se": se,
                         "median": q.iloc[1], "p5": q.iloc[0], "p95": q.iloc[2], "pairs": n})
    return pd.DataFrame(rows, columns=[by, "output", "year", "p_positive", "se", "median", "p5", "p95", "pairs"])


# ---- where the spread comes from --------------------------------------------------------------------------------
def parameter_columns(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs table's parameters that differ between runs (drawn or sampled), indexed by run."""
    from model.params import ParameterError, parse_path

    def is_parameter(name: str) -> bool:
        try:
            parse_path(name)
            return True
        except ParameterError:
            return False

    frame = runs.set_index("run")
    names = [c for c in frame.columns if is_parameter(str(c)) and pd.api.types.is_numeric_dtype(frame[c])]
    frame = frame[names]
    return frame.loc[:, frame.nunique() > 1]


@dataclass
class VarianceSplit:
    """An output's variance across runs, split into a parameter part and a stochastic part."""
    output: str
    runs: int
    variance: float
    parameter_share: float     # cross-validated R^2 of the output on the run's parameters (0 when none vary)
    stochastic_share: float    # the rest: seeds, and whatever a linear fit of the parameters misses
    top: pd.DataFrame          # parameter, share (beta_j^2 var(x_j) / var(y)), direction (+1/-1)


def variance_decomposition(values: pd.Series, inputs: pd.DataFrame, output: str = "output", folds: int = 5,
                           top: int = 5) -> VarianceSplit:
    """Split the variance of an output across runs into the part the runs' parameters explain and the rest.

    From the runs themselves, no extra design: with each run a (parameter vector, seed) pair,
    Var(Y) = Var(E[Y | theta]) + E[Var(Y | theta)]. The parameter part is estimated by the out-of-sample R^2 of
    a ridge regression of Y on the standardised parameters (`folds`-fold cross-validation, so parameters
    that only fit noise do not count), the stochastic part is the rest. A linear fit misses non-linear and
    interaction effects, so the parameter share is a lower bound and the stochastic share an upper bound.
    Each parameter's share is beta_j^2 Var(x_j) / Var(Y) from the ridge fit on all runs (its first-order
    share when inputs are independent and effects linear).

    Args:
        values: one value per run (indexed by run).
        inputs: parameters per run (indexed by run; `parameter_columns`); columns that do not vary are dropped.
    """
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    y = values.astype(float)
    x = inputs.reindex(y.index)
    keep = ~(y.isna().to_numpy() | x.isna().any(axis=1).to_numpy())
    y, x = y[keep].to_numpy(), x[keep]
    x = x.loc[:, x.nunique() > 1]
    n, variance = len(y), float(np.var(y))
    empty = pd.DataFrame(columns=["parameter", "share", "direction"])
    if variance == 0.0 or x.shape[1] == 0:
        return VarianceSplit(output, n, variance, 0.0, 1.0 if variance > 0 else 0.0, empty)
    if n < 2 * folds:
        return VarianceSplit(output, n, variance, float("nan"), float("nan"), empty)
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 4, 15)))
    # one BLAS thread: these fits are small, and threads only contend (50x slower on a busy 2-core machine)
    with threadpool_limits(limits=1, user_api="blas"):
        predicted = cross_val_predict(model, x.to_numpy(), y, cv=KFold(folds, shuffle=True, random_state=0))
        coefficients = model.fit(x.to_numpy(), y)[-1].coef_  # per standard deviation of each parameter
    r2 = 1.0 - float(np.mean((y - predicted) ** 2)) / variance
    share = min(max(r2, 0.0), 1.0)
    shares = coefficients ** 2 / variance
    order = np.argsort(shares)[::-1][:top]
    table = pd.DataFrame({"parameter": x.columns[order], "share": shares[order],
                          "direction": np.sign(coefficients[order]).astype(int)})
    return VarianceSplit(output, n, variance, share, 1.0 - share, table)


def overtaking_figure(distribution: pd.DataFrame, by: str = "scenario", leader: str = "CHN", rival: str = "RUS"):
    """Bars: the share of runs in which `leader` overtakes `rival` for good in each year, and `never` by the
    horizon (from `casim.analysis.uncertainty.overtaking_distribution`), one bar group per scenario."""
    groups = list(pd.unique(distribution[by]))
    found = [int(y) for y in distribution["year"] if y != "never"]
    years = [str(y) for y in range(min(found), max(found) + 1)] + ["never"] if found else ["never"]
    fig, ax = plt.subplots(figsize=(max(7.0, 0.45 * len(years) * max(len(groups), 1) + 2), 4.2))
    width = 0.8 / max(len(groups), 1)
    palette = plt.get_cmap("tab10")
    for k, group in enumerate(groups):
        rows = distribution[distribution[by] == group].set_index("year").reindex(years)
        x = [i + (k - (len(groups) - 1) / 2) * width for i in range(len(years))]
        ax.bar(x, rows["share"].fillna(0.0), width, yerr=rows["se"].fillna(0.0), capsize=2,
               color=colour(leader) if len(groups) == 1 else palette(k % 10), label=group)
    ax.set_xticks(range(len(years)), years, rotation=45 if len(years) > 10 else 0)
    ax.set(title=f"Year {label(leader)} overtakes {label(rival)} for good (share of runs, ± MC standard error)",
           xlabel="overtaking year (never: not ahead for good by the horizon)", ylabel="share of runs (0-1)")
    if len(groups) > 1:
        ax.legend()
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


# ---- the run summary ----------------------------------------------------------------------------------------------
def headline_years(region: pd.DataFrame) -> list[int]:
    """The summary's years: 2030 and 2040 where the table records them, else its last year."""
    recorded = sorted(int(y) for y in pd.unique(region["year"]))
    years = [y for y in HEADLINE_YEARS if y in recorded]
    return years or recorded[-1:]


def run_summary(tables: dict, mode: str | None = None, years=None) -> dict:
    """The answers of one scenario's ensemble as probabilities (the `summary.json` of `casim run`).

    Args:
        tables: {"region", "states", "runs"} of one scenario.
        mode: the uncertainty mode the runs were drawn in (said in the summary).
        years: the years of the leader probabilities (default 2030 and 2040, those in the horizon, else the last).
    Returns:
        A JSON-ready dict: leader probabilities with standard errors, each state's top alignment, the
        distribution of the year China overtakes Russia, and the variance decomposition of the headline outputs.
    """
    region, states, runs = tables["region"], tables.get("states"), tables.get("runs")
    years = headline_years(region) if years is None else list(years)
    scenario = str(region["scenario"].iloc[0])
    n = int(region["run"].nunique())
    leaders = leader_probabilities(region, years)
    summary = {"scenario": scenario, "runs": n, "uncertainty": mode, "years": years,
               "leader": {str(y): {r.power: {"p": r.p, "se": r.se} for r in leaders[leaders["year"] == y].itertuples()}
                          for y in years}}
    if states is not None:
        tops = top_alignment_probabilities(states, years)
        summary["top_alignment"] = {str(y): {s: {r.power: {"p": r.p, "se": r.se} for r in frame.itertuples()}
                                            for s, frame in tops[tops["year"] == y].groupby("state", sort=False)}
                                    for y in years}
    powers = powers_in(region)
    if {"CHN", "RUS"} <= set(powers):
        dist = overtaking_distribution(overtaking_years(region))
        summary["china_overtakes_russia"] = {r.year: {"share": r.share, "se": r.se} for r in dist.itertuples()}
    last = int(max(pd.unique(region["year"])))
    if runs is not None:
        inputs = parameter_columns(runs)
        splits = {}
        for column in ["china_russia_gap", *(f"influence_{p}" for p in powers)]:
            if column not in region.columns:
                continue
            ref = f"{column}@{last}"
            split = variance_decomposition(year_ends(region, [last]).set_index("run")[column], inputs, ref)
            splits[ref] = {"variance": split.variance, "parameter_share": split.parameter_share,
                           "stochastic_share": split.stochastic_share,
                           "top": [{"parameter": r.parameter, "share": float(r.share), "direction": int(r.direction)}
                                   for r in split.top.itertuples()]}
        summary["variance"] = splits
        summary["parameters_drawn"] = int(inputs.shape[1])
    return summary


def _percent(share: float) -> str:
    """A share of variance (no Monte Carlo error): `42%`; NaN (too few runs to say) `n/a`."""
    return "n/a" if share != share else f"{100 * share:.0f}%"


def summary_line(summary: dict) -> str:
    """P(leader) by year with standard errors in one line: `... 2030: China 71% ± 2.3, Russia 29% ± 2.3; ...`."""
    parts = []
    for year, by_power in summary["leader"].items():
        ranked = sorted(by_power.items(), key=lambda kv: -kv[1]["p"])
        shown = [f"{label(p)} {format_share(v['p'], summary['runs'], v['se'])}" for p, v in ranked if v["p"] > 0]
        parts.append(f"{year}: " + ", ".join(shown or ["none"]))
    return f"P(leader) over {summary['runs']} runs (± MC standard error, points) " + "; ".join(parts)


def summary_markdown(summary: dict) -> str:
    """The summary as a short Markdown report (`summary.md` beside the tables)."""
    from model.uncertainty import describe

    lines = [f"# {summary['scenario']}: the answers as probabilities", ""]
    mode = summary.get("uncertainty")
    n = summary["runs"]
    lines += [f"{n} runs; {describe(mode) if mode else 'runs as recorded'}. A probability is the share "
              "of runs, ± its Monte Carlo standard error sqrt(p(1-p)/n) in percentage points; a share of 0 or 1 "
              "gives instead the 95% bound a share seen in none (or all) of the runs may still reach, "
              "1 - 0.05^(1/n).", ""]
    lines += ["## Which power leads the region", "", "| year | " + " | ".join(label(p) for p in next(iter(
        summary["leader"].values()))) + " |", "|---|" + "---|" * len(next(iter(summary["leader"].values())))]
    for year, by_power in summary["leader"].items():
        lines.append(f"| {year} | " + " | ".join(format_share(v["p"], n, v["se"]) for v in by_power.values()) + " |")
    if "top_alignment" in summary:
        lines += ["", "## Each state's top alignment (most likely power)", "", "| year | state | power | probability |",
                  "|---|---|---|---|"]
        for year, by_state in summary["top_alignment"].items():
            for state, by_power in by_state.items():
                power, v = max(by_power.items(), key=lambda kv: kv[1]["p"])
                lines.append(f"| {year} | {label(state)} | {label(power)} | {format_share(v['p'], n, v['se'])} |")
    if "china_overtakes_russia" in summary:
        lines += ["", "## When China overtakes Russia for good", "", "| year | share of runs |", "|---|---|"]
        lines += [f"| {year} | {format_share(v['share'], n, v['se'])} |"
                  for year, v in summary["china_overtakes_russia"].items()]
    if summary.get("variance"):
        lines += ["", "## Where the spread comes from", "",
                  f"Share of each output's variance across runs explained by the {summary.get('parameters_drawn', 0)} "
                  "parameters that differ between runs (cross-validated ridge fit: a lower bound), the rest "
                  "stochastic; and the parameters behind it (share of the variance).", "",
                  "| output | variance | parameters | stochastic | top parameters |", "|---|---|---|---|---|"]
        for ref, v in summary["variance"].items():
            top = ", ".join(f"{t['parameter']} ({'+' if t['direction'] > 0 else '-'}, {_percent(t['share'])})"
                            for t in v["top"][:3]) or "none"
            lines.append(f"| {ref} | {v['variance']:.3g} | {_percent(v['parameter_share'])} | "
                         f"{_percent(v['stochastic_share'])} | {top} |")
    return "\n".join(lines) + "\n"
