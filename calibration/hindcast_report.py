"""The hindcast section of the calibration report, and the report's HTML version. Deterministic: fixed formats.

Every number comes from the `HindcastOutcome` (calibration/hindcast_stage.py); figures are the observed points
against the posterior predictive bands (`predictive_figures`, the figure function `casim run` uses too).
"""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import markdown
import numpy as np
import pandas as pd

from model.io import write_bytes_atomic

from .hindcast_stage import HindcastOutcome, predictive_figures

LEADERS_BELOW = 2 / 3   # a leader pattern agreeing in fewer pairs than this is listed as a failure
MISSES = 10             # the held-out observations furthest outside their band, listed by name


def _f(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "n/a"
    return f"{x:.{digits}g}" if isinstance(x, float) else str(x)


def _table(frame: pd.DataFrame) -> list[str]:
    cols = list(frame.columns)
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        rows.append("| " + " | ".join(_f(row[c]) if isinstance(row[c], float) else str(row[c]) for c in cols) + " |")
    return rows


def _save_png(fig, path: Path) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    write_bytes_atomic(path, buf.getvalue())
    return f"{path.parent.name}/{path.name}"


def failures(outcome: HindcastOutcome, level: float = 0.9) -> list[str]:
    """Held-out patterns that fail, as sentences: coverage below what a calibrated 90% band gives n observations
    in 95% of cases (the binomial 5% quantile), a skill below 0 (worse than persistence), or a leader pattern
    agreeing with the data in fewer than `LEADERS_BELOW` of its state-years."""
    from scipy.stats import binom

    out = []
    scores = outcome.scores.patterns
    for _, row in scores[scores["window"] == "out_of_sample"].iterrows():
        bad, n = [], int(row["n"])
        floor = binom.ppf(0.05, n, level) / n
        if row["coverage"] < floor:
            bad.append(f"{row['coverage']:.0%} of {n} held-out observations inside the 90% band "
                       f"(a calibrated band gives at least {floor:.0%} in 95% of cases)")
        if np.isfinite(row["skill"]) and row["skill"] < 0:
            bad.append(f"worse than persistence (skill {row['skill']:.2f})")
        if bad:
            out.append(f"`{row['pattern']}`: " + "; ".join(bad))
    leaders = outcome.scores.leaders
    for _, row in leaders[leaders["window"] == "out_of_sample"].iterrows():
        if np.isfinite(row["agreement"]) and row["agreement"] < LEADERS_BELOW:
            out.append(f"`{row['pattern']}`: the model's leader agrees with the data in {row['agreement']:.0%} of "
                       f"{int(row['n'])} held-out state-years")
    return out


def largest_misses(outcome: HindcastOutcome, n: int = MISSES) -> pd.DataFrame:
    """The held-out observations furthest outside their 90% band, in natural units (USD bn or share)."""
    table = outcome.scores.table
    held = table[(table["window"] == "out_of_sample") & ~table["inside"]].copy()
    if held.empty:
        return pd.DataFrame(columns=["pattern", "output", "year", "observed", "model median", "band", "ratio"])
    spec = {s.name: s for s in outcome.patterns.specs}
    natural = lambda row, v: (np.exp(v) if spec[row["pattern"]].transform == "log" else v) / spec[row["pattern"]].factor
    held["gap"] = (held["y"] - held["median"]).abs() / held["sigma"]
    rows = []
    for _, row in held.sort_values("gap", ascending=False).head(n).iterrows():
        observed, median = natural(row, row["y"]), natural(row, row["median"])
        rows.append({"pattern": row["pattern"], "output": row["output"], "year": int(row["year"]),
                     "observed": f"{observed:.3g}", "model median": f"{median:.3g}",
                     "band": f"[{natural(row, row['lo']):.3g}, {natural(row, row['hi']):.3g}]",
                     "ratio": f"{observed / median:.2f}" if median else "n/a"})
    return pd.DataFrame(rows)


def identifiability(outcome: HindcastOutcome) -> pd.DataFrame:
    """One row per fitted parameter: prior and posterior 90% intervals, width ratio, calibrated point and the
    patterns that carry most of its information."""
    info, widths = outcome.information, outcome.widths
    shares = [c for c in info.columns if c.startswith("share_")]
    rows = []
    for k, row in widths.iterrows():
        ranked = sorted(((info.loc[k, c], c.removeprefix("share_")) for c in shares if np.isfinite(info.loc[k, c])),
                        reverse=True)
        top = ", ".join(f"{name} {share:.0%}" for share, name in ranked[:3] if share >= 0.05) or "none"
        rows.append({"parameter": f"`{row['parameter']}`", "prior 90%": f"[{row['prior_lo']:.4g}, {row['prior_hi']:.4g}]",
                     "posterior 90%": f"[{row['post_lo']:.4g}, {row['post_hi']:.4g}]", "width ratio": f"{row['ratio']:.2f}",
                     "identified": ("yes (2014 start only)" if row["identified"] else "no") + ": an initial trend, fitted "
                                   "for 2025 by the target fit" if row["parameter"] not in outcome.structural
                                   else "yes" if row["identified"] else "no: its posterior is mostly its prior",
                     "calibrated (median)": f"{outcome.point[row['parameter']]:.4g}", "informed by": top})
    return pd.DataFrame(rows)


def hindcast_section(outcome: HindcastOutcome, figure_dir: Path) -> list[str]:
    """The report's hindcast section as Markdown lines; writes its figures into `figure_dir`."""
    figure_dir.mkdir(parents=True, exist_ok=True)
    p, result, cfg = outcome.patterns, outcome.fit.result, outcome.config
    figures = {name: _save_png(fig, figure_dir / f"hindcast_{name}.png")
               for name, fig in predictive_figures(outcome).items()}
    scores = outcome.scores.patterns.copy()
    scores["coverage"] = scores["coverage"].map(lambda v: f"{v:.2f}")
    scores["skill"] = scores["skill"].map(lambda v: "n/a" if not np.isfinite(v) else f"{v:.2f}")
    scores = scores[["window", "pattern", "n", "coverage", "skill", "mse_model", "mse_persistence"]]
    fitted = {o.pattern for o in p.fitted()}
    held = outcome.scores.table
    held = held[held["window"] == "out_of_sample"]
    failed = failures(outcome)
    lines = [
        "## Hindcast: fit on 2014-2019, predict 2020-2024",
        "",
        f"The model starts in {p.base_year + 1} from the {p.base_year} actor table (`model/base_year.py`) and replays "
        "`scenarios/history_2014_2024.yaml`. ABC-SMC (`calibration/smc.py`) fits "
        f"{len(p.fitted())} observations from {p.fit_years[0]}-{p.fit_years[1]} (patterns: {', '.join(sorted(fitted))}); "
        f"no datum after {p.fit_years[1]} and no simulated year after it enter the fit. The posterior draws then run "
        f"to {p.held_out_years[1]} with seeds the fit never used and are scored against every observation.",
        "",
        f"- prior: uniform on each parameter's registry uncertainty range; {cfg.n_particles} particles x "
        f"{cfg.n_seeds} common seeds per generation, {len(result.generations)} generations "
        f"({result.stopped}), {result.n_simulations} parameter vectors simulated",
        f"- final tolerance eps = {result.eps:.3g}: the observation errors are inflated by this factor so that the "
        "best fit is consistent with them (Birge ratio; eps > 1 means the model misses the data by more than the "
        "stated errors and the posterior is tempered accordingly)",
        f"- predictive: {cfg.predict_draws} posterior draws x {cfg.predict_seeds} fresh seeds, plus observation error "
        f"at the fit's error model (the stated scale x eps = {max(result.eps, 1.0):.3g}) for coverage; skill = 1 - MSE_model / MSE_persistence on the fitted (log or share) scale, persistence "
        f"carrying forward the last observation at or before {p.base_year} (in sample) or {p.fit_years[1]} (out of sample)",
        f"- hindcast stage time: {outcome.seconds:.0f} s",
        "",
        "### Scores per pattern (90% band coverage, skill against persistence)",
        "",
        *_table(scores),
        "",
        "Derived pattern (scored, never fitted): whether the model puts China ahead of Russia in the same state and "
        "year as the data (share of pairs where the posterior median agrees):",
        "",
        *_table(outcome.scores.leaders),
        "",
        "### What fails out of sample",
        "",
        *([f"- {line}" for line in failed] or ["- no pattern by these criteria"]),
        "",
        f"The {MISSES} held-out observations furthest outside their 90% band (observed and model in the series' "
        "units; ratio = observed / model median):",
        "",
        *_table(largest_misses(outcome)),
        "",
        "### Checks (hold by construction; not counted as fit)",
        "",
        *[f"- {c.what}: {c.why}" for c in p.checks],
        "",
        "### Where held-out information reached the model anyway",
        "",
        *([f"- {c.what}: {c.why}" for c in p.caveats] or ["- none recorded"]),
        "",
        "### Identifiability",
        "",
        "Width ratio = posterior / prior 90% width; identified when the data remove at least a third of the prior "
        "width. `informed by`: each pattern's share of the Fisher information about the parameter (a linear fit of "
        "the simulated summaries over the posterior particles). Every fitted parameter's calibrated value is its "
        "weighted posterior median, its 90% interval the uncertainty range in effect and its particles the runs' "
        "draws (`model/data/calibrated.yaml`, `params` and `intervals`; `posterior.parquet`); a parameter the data "
        "leave about as wide as its prior (listed under `hindcast: not_identified`, marked so by "
        "`model.params.parameter_table()`) has a posterior that is mostly its prior. Keeping such a parameter's "
        "registry default and range instead, as until stop 29, threw away what the data did say and made the "
        "projections turn on which side of the one-third line a parameter fell.",
        "",
        *_table(identifiability(outcome)),
        "",
        "Posterior correlations:",
        "",
        *_table(outcome.correlations.round(2).reset_index().rename(columns={"index": "parameter"})),
        "",
        "### Observed against simulated",
        "",
        "Points: observed (grey squares the base year, filled the fitted years, open red the held-out years); "
        "line and band: posterior predictive median and 90% band of the model values.",
        "",
        *[f"![{name}]({path})" for name, path in figures.items()],
        "",
        "### Held-out observations",
        "",
        "On the fitted scale (natural log of USD bn for flows, the share itself for shares): observed `y`, the "
        "posterior predictive median and 90% band, and the persistence forecast.",
        "",
        *_table(held[["pattern", "output", "year", "y", "median", "lo", "hi", "inside", "reference"]]),
        "",
    ]
    return lines


def write_html(path: Path, text: str, base: Path) -> None:
    """The report as standalone HTML: Markdown rendered, images embedded as data URIs (nothing fetched)."""
    html = markdown.markdown(text, extensions=["tables"])

    def embed(match: re.Match) -> str:
        image = base / match.group(1)
        if not image.is_file():
            return match.group(0)
        return f'src="data:image/png;base64,{base64.b64encode(image.read_bytes()).decode()}"'

    html = re.sub(r'src="([^"]+\.png)"', embed, html)
    page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Calibration report</title>"
            "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}img{max-width:100%}</style></head><body>\n"
            f"{html}\n</body></html>\n")
    write_bytes_atomic(path, page.encode())
