"""Key findings in words, written from the report's tables only: no hand-written claim.

Every number in a sentence is a `Claim` (what the number is, for which scenario, power, year, ...) read from one
of the report's tables: the paired differences with the probabilities that they are positive or negative
(`compare.difference_table`), the leader probabilities (`uncertainty.leader_probabilities`), the year China
overtakes Russia for good (`uncertainty.overtaking_years`, summarised by `overtaking_table`) and the attribution
(`attribution.by`); every probability comes with its Monte Carlo standard error sqrt(p(1-p)/n). A test
recomputes each claim from the output tables and checks it against the sentence.

What counts as a finding. The paired change of a power's regional influence (scenario run minus the baseline
run with the same replicate and seed) is summarised by its median and its 5-95% range over pairs. Its *assured
size* is the change at least 95% of pairs show in the direction of the median: max(p5, -p95, 0). Changes are
ranked by it (size against spread: a large median with a range that straddles zero counts for nothing), and one
is *material* when it reaches `MATERIAL`; a power whose whole 5-95% range lies within `MATERIAL` of zero did
not change. A change of leader is stated when the probability that a power leads moves by `LEADER_MOVE` or
more and by more than twice its Monte Carlo standard error.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from casim.plots import label as actor_label

from . import uncertainty
from .attribution import part_name

MATERIAL = 0.005    # half a point of influence share: a smaller change is "no change"
LEADER_MOVE = 0.10  # a 10-point move in the probability that a power leads
INTERVAL = (0.05, 0.95)  # the quantiles of paired runs a range quotes (`compare.difference_table`'s p5 and p95)


# ---- the overtaking year, per scenario --------------------------------------------------------------------------
def overtaking_table(per_run: pd.DataFrame, first: str = "CHN", second: str = "RUS", by: str = "label") -> pd.DataFrame:
    """Per scenario, from the year each run's leader overtakes its rival for good (`uncertainty.overtaking_years`,
    NaN when it does not by the horizon): the median year over the runs in which it does, and the share of runs
    in which it does not (`never`) with its Monte Carlo standard error."""
    rows = []
    for label, frame in per_run.groupby(by, sort=False):
        never = float(frame["year"].isna().mean())
        rows.append({"scenario": label, "first": first, "second": second, "runs": len(frame), "median_year": float(frame["year"].median()),
                     "never": never, "never_se": float(uncertainty.mc_standard_error(never, len(frame))),
                     "horizon": int(frame["horizon"].max())})
    return pd.DataFrame(rows)


# ---- sentences -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One number of a sentence: what it is (`quantity`), where it comes from (`keys`) and its value."""
    quantity: str
    keys: tuple
    value: float

    @property
    def text(self) -> str:
        if self.quantity in ("year", "median_year"):
            return f"{self.value:.0f}"
        if self.quantity in ("share_higher", "share_lower", "p_lead", "never", "coverage", "parameter_share", "top_share"):
            return f"{100 * self.value:.0f}%"
        if self.quantity in ("mc_se", "mc_se_max", "never_se", "se_higher", "se_lower"):
            return f"{100 * self.value:.1f}"
        return points(self.value)

    @property
    def source(self) -> str:
        """What the number is and which table entry it comes from, for a reader (its tooltip in the HTML report)."""
        what, names = QUANTITIES[self.quantity]
        def shown(key) -> str:
            return " and ".join(map(str, key)) if isinstance(key, (tuple, list)) else str(_plain(key))
        return what + "".join(f"; {name} {shown(key)}" for name, key in zip(names, self.keys))


PAIRED = ("scenario", "baseline", "power", "year")
# what each claim's number is, and what its keys are, said to a reader
QUANTITIES = {
    "year": ("the year of the findings", ()),
    "coverage": ("the share of paired runs a quoted range holds (its 5% to 95% quantiles)", ()),
    "material": ("the change below which a change counts as none, points", ()),
    "abs_median": ("size of the median paired difference in influence, points", PAIRED),
    "p5": ("5% quantile of the paired differences in influence, points", PAIRED),
    "p95": ("95% quantile of the paired differences in influence, points", PAIRED),
    "share_higher": ("share of pairs in which the scenario's influence is higher", PAIRED),
    "share_lower": ("share of pairs in which the scenario's influence is lower", PAIRED),
    "bound": ("largest size of the 5% and 95% quantiles of the paired differences, rounded up, points",
              ("scenario", "baseline", "powers", "year")),
    "p_lead": ("share of runs in which the power leads the region", ("scenario", "power", "year")),
    "mc_se": ("Monte Carlo standard error of that share, points", ("scenario", "power", "year")),
    "mc_se_max": ("largest Monte Carlo standard error of the leader shares quoted, points",
                  ("scenario", "baseline", "powers", "year")),
    "median_year": ("median year the first power's influence overtakes the second's for good, over the runs in "
                    "which it does", ("scenario", "first", "second")),
    "never": ("share of runs in which it is not ahead at the horizon", ("scenario", "first", "second")),
    "never_se": ("Monte Carlo standard error of that share, points", ("scenario", "first", "second")),
    "se_higher": ("Monte Carlo standard error of that share, points", PAIRED),
    "se_lower": ("Monte Carlo standard error of that share, points", PAIRED),
    "mean_change": ("mean paired change in influence, points", ("scenario", "power", "year")),
    "parameter_share": ("share of the variance across runs explained by the drawn parameters (cross-validated)",
                        ("scenario", "output", "year")),
    "top_share": ("share of the variance from one parameter's linear effect", ("scenario", "output", "year", "parameter")),
    "part": ("a part of the mean paired change (attribution by channel), points", ("scenario", "power", "year", "part")),
    "state_part": ("a state's part of the mean paired change (attribution by state), points",
                   ("scenario", "power", "year", "state")),
}


COVERAGE = Claim("coverage", (), INTERVAL[1] - INTERVAL[0])  # "90%" of paired runs lie in a quoted range


def points(share: float) -> str:
    """A share as points (x 100): one decimal from 1 point, two below; a true minus sign; no '-0.0'."""
    x = 100 * share
    text = f"{x:.1f}" if abs(x) >= 0.995 else f"{x:.2f}"
    return text.lstrip("-") if float(text) == 0 else text.replace("-", "\u2212")


@dataclass
class Finding:
    """A bullet of the key findings: its sentences and the claims behind their numbers, in order."""
    scenario: str
    score: tuple  # (assured size of the largest change, widest 90% range): the ranking key, largest first
    parts: list = field(default_factory=list)

    def add(self, *items) -> None:
        self.parts += items

    @property
    def claims(self) -> list[Claim]:
        return [p for p in self.parts if isinstance(p, Claim)]

    @property
    def text(self) -> str:
        return "".join(p.text if isinstance(p, Claim) else p for p in self.parts).strip()

    @property
    def html(self) -> str:
        """The sentences as HTML: words escaped, each number a `<span class="claim">` whose title says what it is
        (the report sanitises the fragment again with nh3 before it goes into the page)."""
        def part(p) -> str:
            if isinstance(p, Claim):
                return f'<span class="claim" title="{html.escape(p.source)}">{html.escape(p.text)}</span>'
            return html.escape(p, quote=False)
        return "".join(part(p) for p in self.parts).strip()

    def record(self) -> dict:
        """For key_findings.json: the scenario, the text and each number's claim, in order."""
        return {"scenario": self.scenario, "text": self.text,
                "claims": [{"quantity": c.quantity, "keys": _plain(c.keys), "value": float(c.value), "shown": c.text}
                           for c in self.claims]}


def _plain(keys):
    """Keys as JSON values (numpy scalars to Python ones, tuples to lists)."""
    if isinstance(keys, (tuple, list)):
        return [_plain(k) for k in keys]
    return keys.item() if hasattr(keys, "item") else keys


def _assured(row) -> float:
    return max(row["p5"], -row["p95"], 0.0)


def _names(powers: list[str]) -> str:
    names = [actor_label(p) for p in powers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def key_findings(differences: pd.DataFrame | None, leaders: pd.DataFrame, overtaking: pd.DataFrame,
                 by_part: pd.DataFrame | None, by_state: pd.DataFrame | None, baseline: str, year: int,
                 spread=None) -> list[Finding]:
    """The key findings at `year`: the baseline's balance first, then one bullet per scenario, ranked by the
    assured size of its largest change.

    Args:
        differences: `compare.difference_table` rows for `year` (output `influence_<P>`); None for the
            baseline alone.
        leaders: `uncertainty.leader_probabilities` rows (any years; `year`'s are used), grouped by `scenario`.
        overtaking: `overtaking_table` rows.
        by_part, by_state: `attribution.by(scenario_attribution(...), "part" / "state")` for `year`.
        baseline: the baseline's label.
        spread: the baseline's `uncertainty.VarianceSplit` of a headline output at `year` (None: not said).
    """
    findings = [_baseline_finding(leaders, overtaking, baseline, year)]
    if spread is not None:
        _where_the_spread_comes_from(findings[0], spread, baseline, year)
    if differences is None or differences.empty:  # the baseline alone
        return findings
    diffs = differences[(differences["year"] == year) & differences["output"].str.startswith("influence_")]
    scenario_findings, quiet = [], []
    for label, rows in diffs.groupby("scenario", sort=False):
        rows = rows.assign(power=rows["output"].str.removeprefix("influence_"),
                           assured=rows.apply(_assured, axis=1)).sort_values("assured", ascending=False)
        unchanged = (rows["p5"] > -MATERIAL) & (rows["p95"] < MATERIAL)
        changed = ~unchanged & ((rows["p5"] > 0) | (rows["p95"] < 0))  # the 90% range excludes zero
        spread = float(rows[["p5", "p95"]].abs().to_numpy().max())
        finding = Finding(label, (float(rows["assured"].iloc[0]), spread))
        _changes(finding, rows[changed], baseline, year)
        _leader_change(finding, leaders, label, baseline, year)
        if changed.any():
            _why(finding, by_part, by_state, label, rows.loc[changed, "power"].iloc[0], year)
        if unchanged.all() and not finding.parts:  # nothing moved: said once for all such scenarios, last
            quiet.append((label, rows))
            continue
        _unclear(finding, rows[~changed & ~unchanged], baseline, year)
        _unchanged(finding, rows[unchanged], baseline, year)
        scenario_findings.append(finding)
    findings += sorted(scenario_findings, key=lambda f: f.score, reverse=True)
    if quiet:
        findings.append(_nothing_moved(quiet, baseline, year))
    return findings


def _baseline_finding(leaders, overtaking, baseline, year) -> Finding:
    finding = Finding(baseline, (math.inf, math.inf))
    rows = leaders[(leaders["scenario"] == baseline) & (leaders["year"] == year)].sort_values("p", ascending=False)
    top = rows.iloc[0]
    keys = (baseline, top["power"], year)
    finding.add(f"In {baseline}, {actor_label(top['power'])} leads the region in ", Claim("year", (), year), " in ",
                Claim("p_lead", keys, top["p"]), " of runs (Monte Carlo standard error ",
                Claim("mc_se", keys, top["se"]), " points)")
    for _, row in rows.iloc[1:][rows["p"].iloc[1:] > 0].iterrows():
        finding.add(f", {actor_label(row['power'])} in ", Claim("p_lead", (baseline, row["power"], year), row["p"]))
    finding.add(". ")
    over = overtaking[overtaking["scenario"] == baseline].iloc[0]
    first, second, keys = actor_label(over["first"]), actor_label(over["second"]), (baseline, over["first"], over["second"])
    horizon = Claim("year", (), over["horizon"])
    if over["never"] < 1:
        finding.add(f"{first}'s influence overtakes {second}'s for good (ahead at every later year end) in ",
                    Claim("median_year", keys, over["median_year"]), " (median over the runs in which it does)")
        if over["never"] > 0:
            finding.add("; in ", Claim("never", keys, over["never"]), " of runs (Monte Carlo standard error ",
                        Claim("never_se", keys, over["never_se"]), " points) it is not ahead in ", horizon)
        finding.add(".")
    else:
        finding.add(f"{first}'s influence is not ahead of {second}'s in ", horizon, " in any run.")
    return finding


def _where_the_spread_comes_from(finding: Finding, split, baseline: str, year: int) -> None:
    """How much of the baseline's spread in a headline output comes from the drawn parameters, and from which
    (`uncertainty.variance_decomposition`); nothing when there are too few runs to say."""
    output = split.output.partition("@")[0]
    keys = (baseline, output, year)
    name = OUTPUT_NAMES.get(output, output)
    if split.variance > 0 and split.top.empty and split.parameter_share == 0:
        finding.add(f" The runs share their parameters: the spread of {name} in ", Claim("year", (), year),
                    " across runs comes from random shocks alone.")
        return
    if not split.parameter_share == split.parameter_share:  # NaN: too few runs for a cross-validated fit
        return
    finding.add(" Of the variance of ", name, " in ", Claim("year", (), year), f" across {baseline} runs, ",
                Claim("parameter_share", keys, split.parameter_share), " comes from the drawn parameters "
                "(cross-validated ridge fit: a lower bound) and the rest from random shocks")
    if not split.top.empty:
        top = split.top.iloc[0]
        finding.add("; the parameter behind most of it is ", str(top["parameter"]), " (",
                    Claim("top_share", (*keys, top["parameter"]), top["share"]), " of the variance)")
    finding.add(".")


OUTPUT_NAMES = {"china_russia_gap": "China's lead over Russia in regional influence"}


def _changes(finding: Finding, rows: pd.DataFrame, baseline: str, year: int) -> None:
    """The changes whose 90% range excludes zero, by assured size."""
    label = finding.scenario
    for k, (_, row) in enumerate(rows.iterrows()):
        keys = (label, baseline, row["power"], year)
        lower = row["median"] < 0
        direction = "lower" if lower else "higher"
        if k == 0:
            finding.add(f"Under {label}, {actor_label(row['power'])}'s regional influence in ", Claim("year", (), year),
                        " is ", Claim("abs_median", keys, abs(row["median"])), f" points {direction} than in {baseline}")
        else:
            finding.add(f"{actor_label(row['power'])}'s is ", Claim("abs_median", keys, abs(row["median"])),
                        f" points {direction}")
        finding.add(" (", COVERAGE, " of paired runs between ", Claim("p5", keys, row["p5"]), " and ", Claim("p95", keys, row["p95"]),
                    f"; {direction} in ")
        side = "lower" if lower else "higher"
        finding.add(Claim(f"share_{side}", keys, row[f"p_{side}"]), *_error(f"se_{side}", keys, row[f"se_{side}"]),
                    " of pairs). ")


def _error(quantity: str, keys: tuple, se: float) -> tuple:
    """' (± se)' after a share of pairs, in points; nothing when the share is 0 or 1 (its error is then 0)."""
    return (" (\u00b1 ", Claim(quantity, keys, se), ")") if se > 0 else ()


def _opening(finding: Finding) -> str:
    return "" if finding.parts else f"Under {finding.scenario}, "


def _unclear(finding: Finding, rows: pd.DataFrame, baseline: str, year: int) -> None:
    """Changes whose 90% range straddles zero and reaches past the materiality threshold."""
    for _, row in rows.iterrows():
        keys = (finding.scenario, baseline, row["power"], year)
        finding.add(_opening(finding), f"{actor_label(row['power'])}'s change in ", Claim("year", (), year),
                    " is unclear: ", COVERAGE, " of paired runs between ", Claim("p5", keys, row["p5"]), " and ",
                    Claim("p95", keys, row["p95"]), " points (higher in ", Claim("share_higher", keys, row["p_higher"]),
                    *_error("se_higher", keys, row["se_higher"]), " of pairs). ")


def _bound(rows: pd.DataFrame, label: str, baseline: str, year: int) -> Claim:
    """The widest 5-95% paired range of `rows`' powers, rounded up to 0.01 points (so 'within' stays true)."""
    bound = math.ceil(1e4 * rows[["p5", "p95"]].abs().to_numpy().max()) / 1e4
    return Claim("bound", (label, baseline, tuple(rows["power"]), year), bound)


def _unchanged(finding: Finding, rows: pd.DataFrame, baseline: str, year: int) -> None:
    """The powers whose whole 90% range lies within the materiality threshold: what did not change."""
    if rows.empty:
        return
    powers = list(rows["power"])
    finding.add(_opening(finding), f"{_names(powers)} {'stays' if len(powers) == 1 else 'stay'} within ",
                _bound(rows, finding.scenario, baseline, year), f" points of {baseline} in ", COVERAGE,
                " of paired runs.")


def _nothing_moved(quiet: list, baseline: str, year: int) -> Finding:
    """One bullet for the scenarios under which no power's influence moved: each with its widest 90% range."""
    finding = Finding(", ".join(label for label, _ in quiet), (0.0, 0.0))
    finding.add("Under ", "these scenarios" if len(quiet) > 1 else quiet[0][0], " no power's regional influence in ",
                Claim("year", (), year), " moves by ", Claim("material", (), MATERIAL), " points or more; in ",
                COVERAGE, f" of paired runs every power stays within the points given of {baseline}: ")
    for k, (label, rows) in enumerate(quiet):
        finding.add(", " if k else "", f"{label} (", _bound(rows, label, baseline, year), ")")
    finding.add(".")
    return finding


def _leader_change(finding: Finding, leaders: pd.DataFrame, label: str, baseline: str, year: int) -> None:
    """Powers whose probability of leading moves by LEADER_MOVE or more, and by more than twice its MC error."""
    rows = leaders[leaders["year"] == year]
    scen = rows[rows["scenario"] == label].set_index("power")
    base = rows[rows["scenario"] == baseline].set_index("power")
    moves = []
    for power in scen.index:
        delta = scen.at[power, "p"] - base.at[power, "p"]
        noise = np.hypot(scen.at[power, "se"], base.at[power, "se"])
        if abs(delta) >= LEADER_MOVE and abs(delta) > 2 * noise:
            moves.append((-delta, power))
    if not moves:
        return
    moves.sort()  # gains first
    finding.add(_opening(finding), "Leading the region in ", Claim("year", (), year), ": ")
    for k, (_, power) in enumerate(moves):
        finding.add(", " if k else "", f"{actor_label(power)} in ",
                    Claim("p_lead", (label, power, year), scen.at[power, "p"]), " of runs (",
                    Claim("p_lead", (baseline, power, year), base.at[power, "p"]), f" in {baseline})")
    powers = [power for _, power in moves]
    finding.add("; Monte Carlo standard errors at most ",
                Claim("mc_se_max", (label, baseline, tuple(powers), year),
                      max(max(scen.at[p, "se"], base.at[p, "se"]) for p in powers)), " points. ")


def _why(finding: Finding, by_part: pd.DataFrame, by_state: pd.DataFrame, label: str, power: str, year: int) -> None:
    """Which channels and states carry the largest change: the fewest parts that make up 80% of the absolute parts."""
    def pick(table, what):
        row = table[(table["scenario"] == label) & (table["power"] == power) & (table["year"] == year)].iloc[0]
        values = row.drop(["scenario", "year", "power", "total"]).astype(float)
        order = values.abs().sort_values(ascending=False)
        chosen, running = [], 0.0
        for name in order.index:
            chosen.append(name)
            running += order[name]
            if running >= 0.8 * order.sum() or len(chosen) == 3:
                break
        return row["total"], [(name, values[name]) for name in chosen]

    total, channels = pick(by_part, "part")
    _, states = pick(by_state, "state")
    keys = (label, power, year)
    finding.add(f"Why: {actor_label(power)}'s mean paired change of ", Claim("mean_change", keys, total),
                " points comes mostly from ")
    _list(finding, [(part_name(name), Claim("part", (*keys, name), value)) for name, value in channels])
    finding.add(", and by state from ")
    _list(finding, [(actor_label(name), Claim("state_part", (*keys, name), value)) for name, value in states])
    finding.add(". ")


def _list(finding: Finding, items: list) -> None:
    for k, (name, claim) in enumerate(items):
        if k:
            finding.add(" and " if k == len(items) - 1 else ", ")
        finding.add(f"{name} (", claim, ")")
