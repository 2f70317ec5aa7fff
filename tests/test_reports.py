"""Reports that explain (issue 22): key findings checked number by number against the output tables, the
channel x state attribution summing exactly for every power and scenario of the library, events from the
manifests, and the report in headless Chromium (offline, no console errors, event markers shown)."""
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from casim.analysis import attribution, findings, uncertainty
from casim.analysis.compare import difference_charts, explain, paired_differences, stack_outputs
from casim.analysis.report import safe_html
from casim.analysis.tables import load_output
from casim.cli import main
from model import outputs

ROOT = Path(__file__).resolve().parent.parent
# what `scenarios: all` runs: the library's projections (a hindcast, which starts before 2025, is named explicitly)
LIBRARY = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml")
                 if (yaml.safe_load(p.read_text()) or {}).get("start_year", 2025) >= 2025)
CHROMIUM = "/usr/bin/chromium"
YEAR = 2029
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """Every scenario of the library as one batch (4 paired replicates, 2025-2029) and its compare report
    (with the interactive figures)."""
    root = tmp_path_factory.mktemp("library")
    experiment = root / "library.yaml"
    experiment.write_text("name: library\ndescription: every scenario of the library\nscenarios: all\n"
                          "replicates: 4\nseed: 7\nhorizon: {start_year: 2025, end_year: 2029, steps_per_year: 4}\n"
                          "outputs: [region, states]\nexecutor: {kind: processes, workers: 2, chunk_size: 8}\n")
    assert main(["batch", str(experiment), "--out", str(root / "batch"), "--quiet"]) == 0
    assert main(["compare", str(root / "batch"), "--baseline", "baseline", "--out", str(root / "report"),
                 "--interactive"]) == 0
    return root


@pytest.fixture(scope="module")
def tables(library):
    out = load_output(library / "batch")
    return out["region"], out["states"], out["manifest"]


# ---- attribution ---------------------------------------------------------------------------------------------
def test_the_library_runs_every_scenario(tables):
    assert sorted(tables[0]["scenario"].unique()) == LIBRARY


def test_attribution_sums_to_the_paired_change_for_every_power_and_scenario(library, tables):
    """Per pair of runs, the channel x state parts (and the GDP-weight parts) add up to the change of the
    region table's influence_<P>, for every power and every scenario of the library; so do the report's means."""
    region, states, _ = tables
    data = stack_outputs([library / "batch"])
    reported = pd.read_csv(library / "report" / "attribution.csv")
    channels = list(outputs.INFLUENCE_CHANNELS)
    assert set(reported["part"]) == {*channels, attribution.GDP_PART}
    at_year = region[region["year"] == YEAR]
    last = at_year[at_year["step"] == at_year["step"].max()]
    base = last[last["scenario"] == "baseline"].set_index("replicate")
    checked = 0
    for label in LIBRARY:
        if label == "baseline":
            continue
        per_pair = attribution.paired_parts(data["states"], "baseline", YEAR, label)
        sums = per_pair.drop(columns="state").groupby(["pair", "power"]).sum().sum(axis=1).unstack()
        scenario = last[last["scenario"] == label].set_index("replicate")
        for power in scenario.filter(like="influence_").columns.str.removeprefix("influence_"):
            change = (scenario[f"influence_{power}"] - base[f"influence_{power}"]).sort_index().to_numpy()
            np.testing.assert_allclose(sums[power].to_numpy(), change, rtol=0, atol=TOLERANCE)
            mean = reported[(reported["scenario"] == label) & (reported["power"] == power)]["change"].sum()
            assert abs(mean - change.mean()) < TOLERANCE
            checked += 1
    assert checked == (len(LIBRARY) - 1) * 4


def test_the_baseline_path_split_sums_to_the_change_since_the_base_year(library, tables):
    region = tables[0]
    base = region[region["scenario"] == "baseline"]
    path = pd.read_csv(library / "report" / "baseline_path_attribution.csv")
    assert sorted(path["year"].unique()) == list(range(2025, YEAR + 1))
    start = base[base["step"] == 0]
    for year, rows in path.groupby("year"):
        in_year = base[base["year"] == year]
        end = in_year[in_year["step"] == in_year["step"].max()]
        for power, parts in rows.groupby("power"):
            change = end[f"influence_{power}"].mean() - start[f"influence_{power}"].mean()
            assert abs(parts["change"].sum() - change) < TOLERANCE


def test_attribution_by_hand():
    """Two states, one power, two channels. GDP 3:1 -> 1:1, so the weights go from (3/4, 1/4) to (1/2, 1/2);
    the power's channel parts u go from (0.4, 0.2 | 0.1, 0.1) to (0.5, 0.1 | 0.3, 0.3), its influence from
    3/4 * 0.6 + 1/4 * 0.2 = 0.5 to 1/2 * 0.6 + 1/2 * 0.6 = 0.6."""
    def situation(gdp, parts):
        rows = pd.DataFrame({"state": ["A", "B"], "gdp": gdp, "pair": 0, "influence_X": [sum(p) for p in parts]})
        for k, channel in enumerate(outputs.INFLUENCE_CHANNELS[:2]):
            rows[outputs.channel_column(channel, "X")] = [p[k] for p in parts]
        return rows

    trade, fdi = outputs.INFLUENCE_CHANNELS[:2]
    a = situation([3.0, 1.0], [(0.4, 0.2), (0.1, 0.1)])
    b = situation([1.0, 1.0], [(0.5, 0.1), (0.3, 0.3)])
    got = attribution.parts(a, b, ["X"]).set_index("state")
    # channel c in state i: mean weight x change of part; GDP weight: change of weight x mean influence
    assert got.loc["A", trade] == pytest.approx(0.625 * 0.1) and got.loc["A", fdi] == pytest.approx(0.625 * -0.1)
    assert got.loc["B", trade] == pytest.approx(0.375 * 0.2) and got.loc["B", fdi] == pytest.approx(0.375 * 0.2)
    assert got.loc["A", attribution.GDP_PART] == pytest.approx(-0.25 * 0.6)
    assert got.loc["B", attribution.GDP_PART] == pytest.approx(0.25 * 0.4)
    assert got.drop(columns=["pair", "power"]).to_numpy().sum() == pytest.approx(0.6 - 0.5)


def test_a_new_channel_needs_no_change_in_the_report_code(tables, monkeypatch):
    """Split the trade channel's columns into two channels of the contract: the attribution follows the
    contract's channel list and still sums (no channel name is written into the report code)."""
    states = tables[1].assign(label=tables[1]["scenario"])
    channels = list(outputs.INFLUENCE_CHANNELS)
    for power in ("CHN", "RUS", "EU", "USA"):
        trade = states[outputs.channel_column("trade", power)]
        states[outputs.channel_column("transit", power)] = 0.3 * trade
        states[outputs.channel_column("trade", power)] = 0.7 * trade
    monkeypatch.setattr(outputs, "INFLUENCE_CHANNELS", (*channels, "transit"))
    table = attribution.scenario_attribution(states, "baseline", YEAR, ["china_slowdown"])
    assert "transit" in set(table["part"])
    wide = attribution.by(table, "part")
    assert np.allclose(wide["transit"], 0.3 / 0.7 * wide["trade"])
    assert attribution.bar_chart(table, "part") is not None


# ---- key findings --------------------------------------------------------------------------------------------
NUMBER = re.compile(r"[\u2212-]?\d+(?:\.\d+)?")


def _at(region, label, year):
    rows = region[(region["scenario"] == label) & (region["year"] == year)]
    return rows[rows["step"] == rows["step"].max()].set_index("replicate").sort_index()


def _paired(region, label, baseline, power, year):
    return (_at(region, label, year)[f"influence_{power}"] - _at(region, baseline, year)[f"influence_{power}"]).to_numpy()


def _overtaking(region, label, first, second):
    """Per run, the year `first` gets ahead of `second` for good (ahead at that and every later year end), NaN if
    it is not ahead at the last year end; written out longhand."""
    rows = region[region["scenario"] == label]
    ends = rows[rows["step"] == rows.groupby(["run", "year"])["step"].transform("max")]
    years = {}
    for run, frame in ends.sort_values("year").groupby("run"):
        ahead = list(frame[f"influence_{first}"] > frame[f"influence_{second}"])
        year = np.nan
        for k in range(len(ahead)):
            if all(ahead[k:]):
                year = float(frame["year"].iloc[k])
                break
        years[run] = year
    return pd.Series(years)


def _attribution_parts(states, label, baseline, power, year):
    """Channel and state parts recomputed pair by pair and state by state, written out longhand."""
    def situation(name):
        rows = states[(states["scenario"] == name) & (states["year"] == year)]
        return rows[rows["step"] == rows["step"].max()].set_index(["replicate", "state"]).sort_index()

    a, b = situation(baseline), situation(label)
    share_a = a["gdp"] / a.groupby(level="replicate")["gdp"].transform("sum")
    share_b = b["gdp"] / b.groupby(level="replicate")["gdp"].transform("sum")
    influence_a, influence_b = a[f"influence_{power}"], b[f"influence_{power}"]
    pairs = a.index.get_level_values("replicate").nunique()
    parts = {}
    for channel in outputs.INFLUENCE_CHANNELS:
        column = outputs.channel_column(channel, power)
        parts[channel] = ((share_a + share_b) / 2 * (b[column] - a[column])).sum() / pairs
    parts[attribution.GDP_PART] = ((share_b - share_a) * (influence_a + influence_b) / 2).sum() / pairs
    by_state = (share_b * influence_b - share_a * influence_a).groupby(level="state").sum() / pairs
    return parts, by_state.to_dict()


def expected(claim, region, states, baseline, runs=None):
    """A claim's value recomputed from the output tables alone; returns (value, displayed unit)."""
    q, keys = claim["quantity"], claim["keys"]
    if q in ("parameter_share", "top_share"):            # the variance decomposition of issue 18, on these tables
        label, output, year = keys[:3]
        rows = region[(region["scenario"] == label) & (region["year"] == year)]
        values = rows[rows["step"] == rows["step"].max()].set_index("run")[output]
        split = uncertainty.variance_decomposition(values, uncertainty.parameter_columns(runs[runs["scenario"] == label]))
        value = split.parameter_share if q == "parameter_share" else split.top.set_index("parameter").at[keys[3], "share"]
        return 100 * value, "percent"
    if q == "year":
        return claim["value"], "year"
    if q == "material":
        return findings.MATERIAL * 100, "points"
    if q == "coverage":                                   # the share of pairs between the quoted p5 and p95
        return 100 * (0.95 - 0.05), "percent"
    if q in ("abs_median", "p5", "p95", "share_higher", "share_lower", "se_higher", "se_lower"):
        label, base, power, year = keys
        d = _paired(region, label, base, power, year)
        higher, lower = (d > 0).mean(), (d < 0).mean()
        value = {"abs_median": abs(np.median(d)), "p5": np.quantile(d, 0.05), "p95": np.quantile(d, 0.95),
                 "share_higher": higher, "share_lower": lower, "se_higher": math.sqrt(higher * (1 - higher) / len(d)),
                 "se_lower": math.sqrt(lower * (1 - lower) / len(d))}[q]
        return 100 * value, "percent" if q.startswith(("share", "se")) else "points"
    if q == "bound":
        label, base, powers, year = keys
        widest = max(max(abs(np.quantile(d, 0.05)), abs(np.quantile(d, 0.95)))
                     for d in (_paired(region, label, base, p, year) for p in powers))
        assert claim["value"] >= widest                      # rounded up, so "within" stays true
        return 100 * math.ceil(1e4 * widest) / 1e4, "points"
    if q in ("p_lead", "mc_se"):
        label, power, year = keys
        leads = (_at(region, label, year)["leader"] == power).to_numpy()
        p = leads.mean()
        return (100 * p, "percent") if q == "p_lead" else (100 * math.sqrt(p * (1 - p) / len(leads)), "percent")
    if q == "mc_se_max":
        label, base, powers, year = keys
        errors = [math.sqrt(p * (1 - p) / len(leads)) for name in (label, base) for power in powers
                  for leads in [(_at(region, name, year)["leader"] == power).to_numpy()] for p in [leads.mean()]]
        return 100 * max(errors), "percent"
    if q in ("median_year", "never", "never_se"):
        label, first, second = keys
        years = _overtaking(region, label, first, second)
        never = years.isna().mean()
        return {"median_year": (years.median(), "year"), "never": (100 * never, "percent"),
                "never_se": (100 * math.sqrt(never * (1 - never) / len(years)), "percent")}[q]
    if q == "mean_change":
        label, power, year = keys
        return 100 * _paired(region, label, baseline, power, year).mean(), "points"
    if q in ("part", "state_part"):
        label, power, year, name = keys
        parts, by_state = _attribution_parts(states, label, baseline, power, year)
        return 100 * (parts if q == "part" else by_state)[name], "points"
    raise AssertionError(f"no way to recompute claim {q}")


def check_findings(key: list[dict], region: pd.DataFrame, states: pd.DataFrame, runs=None) -> set[str]:
    """Every number of every sentence recomputed from the output tables (AssertionError at the first that is
    not what the tables say); returns the kinds of claims seen."""
    labels = set(region["scenario"].unique())
    kinds = set()
    for finding in key:
        text = finding["text"]
        for label in sorted(labels, key=len, reverse=True):            # a scenario name is not a number
            text = text.replace(label, "")
        numbers = [float(n.replace("\u2212", "-")) for n in NUMBER.findall(text)]
        assert len(numbers) == len(finding["claims"]), finding["text"]
        for shown, claim in zip(numbers, finding["claims"]):
            value, unit = expected(claim, region, states, "baseline", runs)
            decimals = len(claim["shown"].rstrip("%").partition(".")[2])
            assert abs(shown - value) <= 0.5 * 10 ** -decimals + 1e-9, (finding["text"], claim, value)
            kinds.add(claim["quantity"])
    return kinds


def test_every_number_in_the_key_findings_comes_from_the_tables(library, tables):
    region, states, _ = tables
    report = library / "report"
    key = json.loads((report / "key_findings.json").read_text())
    markdown = (report / "report.md").read_text()
    bullets = [line[2:] for line in markdown.split("## Key findings")[1].split("\n## ")[0].splitlines()
               if line.startswith("- ")]
    assert [k["text"] for k in key] == bullets                         # the report shows these sentences
    named = [label for finding in key for label in finding["scenario"].split(", ")]
    assert sorted(named) == LIBRARY and named[0] == "baseline"        # every scenario once, the baseline first
    kinds = check_findings(key, region, states)
    # the library exercises changes, leader changes, the attribution and "did not change"
    assert {"abs_median", "p5", "p95", "p_lead", "mc_se", "part", "state_part", "bound"} <= kinds


def test_a_changed_table_changes_the_findings_or_fails_them(library, tables):
    """One point more of China's first channel's influence in every state in china_slowdown's runs in the findings' year
    (so one point more regional influence): the findings of the report no longer match the tables (the check
    fails), and findings written from the changed tables change with them and match them."""
    region, states, _ = tables
    key = json.loads((library / "report" / "key_findings.json").read_text())
    changed = {}
    for name, table in (("region", region), ("states", states)):
        table = table.copy()
        rows = (table["scenario"] == "china_slowdown") & (table["year"] == YEAR)
        columns = ["influence_CHN"] + ([outputs.channel_column(outputs.INFLUENCE_CHANNELS[0], "CHN")] if name == "states" else [])
        table.loc[rows, columns] += 0.01
        changed[name] = table
    with pytest.raises(AssertionError):
        check_findings(key, changed["region"], changed["states"])
    data = stack_outputs([library / "batch"])
    data.update({name: table.assign(label=table["scenario"]) for name, table in changed.items()})
    rewritten = [f.record() for f in explain(data, "baseline", YEAR).findings]
    check_findings(rewritten, changed["region"], changed["states"])
    before = {f["scenario"]: f["text"] for f in key}
    after = {f["scenario"]: f["text"] for f in rewritten}
    assert after["china_slowdown"] != before["china_slowdown"]
    assert {s: t for s, t in after.items() if s != "china_slowdown"} == {s: t for s, t in before.items() if s != "china_slowdown"}


def test_the_baseline_finding_says_where_its_spread_comes_from(tmp_path):
    """With enough runs for a cross-validated fit, the baseline's finding says how much of the spread of the
    China-Russia gap the drawn parameters explain, and which parameter most; with parameters fixed (point), that
    random shocks make all of it. Each number checked against the tables."""
    said = {}
    for mode in ("posterior", "point"):
        assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--replicates", "12", "--years", "2025-2027",
                     "--uncertainty", mode, "--out", str(tmp_path / mode), "--no-plots"]) == 0
        assert main(["compare", str(tmp_path / mode), "--out", str(tmp_path / f"report-{mode}")]) == 0
        key = json.loads((tmp_path / f"report-{mode}" / "key_findings.json").read_text())
        out = load_output(tmp_path / mode)
        said[mode] = (key[0]["text"], check_findings(key, out["region"], out["states"], out["runs"]))
    text, kinds = said["posterior"]
    assert {"parameter_share", "top_share"} <= kinds and "comes from the drawn parameters" in text
    text, kinds = said["point"]
    assert "comes from random shocks alone" in text and "parameter_share" not in kinds


def test_findings_are_ranked_by_the_change_most_pairs_show(library, tables):
    """Scenarios come in order of the largest change that 95% of paired runs show at least (size against
    spread), recomputed from the tables; the largest change of the first scenario opens its bullet."""
    region = tables[0]
    key = json.loads((library / "report" / "key_findings.json").read_text())
    def assured(label):
        return max(max(np.quantile(d, 0.05), -np.quantile(d, 0.95), 0.0)
                   for d in (_paired(region, label, "baseline", p, YEAR) for p in ("CHN", "RUS", "EU", "USA")))

    quiet = key[-1]["scenario"].split(", ") if key[-1]["text"].startswith("Under these scenarios") else []
    ranked = [assured(finding["scenario"]) for finding in key[1:len(key) - bool(quiet)]]
    assert ranked == sorted(ranked, reverse=True) and ranked[0] > findings.MATERIAL
    assert key[0]["scenario"] == "baseline" and key[0]["text"].startswith("In baseline, ")
    assert len(quiet) > 1 and all(assured(label) < findings.MATERIAL for label in quiet)   # one bullet, last


def test_what_did_not_change_is_named():
    """The powers whose 90% paired ranges stay within the threshold are named, with the bound rounded up; the
    scenarios under which no power moved share one bullet, last."""
    differences = pd.DataFrame({
        "scenario": ["calm", "calm", "still", "still", "quiet", "quiet"], "year": 2030,
        "output": ["influence_CHN", "influence_RUS"] * 3, "median": [0.0001, -0.02, 0.0, 0.001, 0.0, 0.0],
        "p5": [-0.0021, -0.03, -0.001, -0.0012, 0.0, 0.0], "p95": [0.00315, -0.01, 0.001, 0.0049, 0.0, 0.0],
        "p_higher": [0.6, 0.0, 0.5, 0.7, 0.0, 0.0], "se_higher": [0.11, 0.0, 0.11, 0.1, 0.0, 0.0],
        "p_lower": [0.4, 1.0, 0.5, 0.3, 0.0, 0.0], "se_lower": [0.11, 0.0, 0.11, 0.1, 0.0, 0.0], "pairs": 20})
    leaders = pd.DataFrame({"scenario": ["base", "base", "calm", "calm", "still", "still", "quiet", "quiet"],
                            "year": 2030, "power": ["CHN", "RUS"] * 4,
                            "p": [0.6, 0.4, 0.55, 0.45, 0.6, 0.4, 0.6, 0.4], "se": 0.11, "runs": 20})
    overtaking = pd.DataFrame({"scenario": ["base"], "first": "CHN", "second": "RUS", "runs": 20,
                               "median_year": 2028.0, "never": 0.25, "never_se": 0.0968, "horizon": 2030})
    wide = pd.DataFrame({"scenario": ["calm"], "year": 2030, "power": "RUS", "trade": -0.015, "fdi": -0.005,
                         "total": -0.02})
    by_state = pd.DataFrame({"scenario": ["calm"], "year": 2030, "power": "RUS", "KAZ": -0.02, "total": -0.02})
    text = [f.text for f in findings.key_findings(differences, leaders, overtaking, wide, by_state, "base", 2030)]
    assert text[0] == ("In base, China leads the region in 2030 in 60% of runs (Monte Carlo standard error 11.0 points), "
                       "Russia in 40%. China's influence overtakes Russia's for good (ahead at every later year end) in "
                       "2028 (median over the runs in which it does); in 25% of runs (Monte Carlo standard error 9.7 "
                       "points) it is not ahead in 2030.")
    assert text[1].startswith("Under calm, Russia's regional influence in 2030 is 2.0 points lower than in base "
                              "(90% of paired runs between \u22123.0 and \u22121.0; lower in 100% of pairs).")
    assert "Why: Russia's mean paired change of \u22122.0 points comes mostly from trade (\u22121.5) and FDI (\u22120.50)" in text[1]
    assert text[1].endswith("China stays within 0.32 points of base in 90% of paired runs.")  # 0.315 rounded up
    assert "Leading" not in text[1]                     # 5 points of probability is no change of leader
    assert text[2:] == ["Under these scenarios no power's regional influence in 2030 moves by 0.50 points or more; "
                        "in 90% of paired runs every power stays within the points given of base: still (0.49), "
                        "quiet (0.00)."]


# ---- events, inputs and the page -----------------------------------------------------------------------------
def test_manifests_list_the_events_with_their_dates(tables, tmp_path):
    details = tables[2]["scenario_details"]
    assert details["russia_rebound"]["events"][0] | {"time": 0} == {
        "step": 5, "year": 2026, "period": 1, "time": 0, "date": "2026-Q1", "label": "war_ends",
        "shock": "war_ends", "sanctions_relief": 0.8}
    assert details["russia_rebound"]["events"][0]["time"] == 2026.0
    assert details["baseline"]["events"] == [] and "Current trends" in details["baseline"]["description"]
    assert main(["run", str(ROOT / "scenarios" / "middle_corridor_push.yaml"), "--replicates", "1", "--years",
                 "2025-2026", "--out", str(tmp_path / "run"), "--no-plots"]) == 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert [e["date"] for e in manifest["events"]] == ["2025-Q1"]
    assert manifest["events"][0]["shock"] == "corridor_investment" and manifest["events"][0]["payer"] == "EU"


def test_the_report_names_inputs_by_scenario_and_manifest_hash(library):
    html = (library / "report" / "report.html").read_text()
    inputs = pd.read_csv(library / "report" / "inputs.csv")
    from model.io import file_hash
    digest = file_hash(library / "batch" / "manifest.json")[:12]
    assert set(inputs["scenario"]) == set(LIBRARY) and set(inputs["output"]) == {"batch"}
    assert set(inputs["manifest"]) == {digest} and digest in html
    assert str(library) not in html and str(library) not in (library / "report" / "report.md").read_text()
    events = pd.read_csv(library / "report" / "events.csv")
    row = events[events["scenario"] == "russia_rebound"].iloc[0]
    assert (row["marker"], row["date"], row["event"]) == ("E1", "2026-Q1", "war_ends")


def test_narrow_bands_are_said_to_be_narrow(library):
    """A panel says its 90% bands are narrow exactly when the widest is under 2% of its axis, with the width."""
    data = stack_outputs([library / "batch"])
    diffs = paired_differences(data["region"], "baseline", ["influence_CHN", "influence_RUS"])
    wide = diffs[diffs["label"] == "china_slowdown"].copy()
    wide["label"] = "noisy"
    wide["influence_CHN"] += np.where(wide["replicate"] % 2 == 0, 0.05, -0.05)      # +-5 points between pairs
    fig = difference_charts(pd.concat([diffs, wide]), "baseline", data["events"])
    said = 0
    for ax in [ax for ax in fig.axes if ax.get_visible()]:
        label = ax.get_title().split(" minus")[0]
        rows = pd.concat([diffs, wide])
        rows = rows[rows["label"] == label]
        widest = max((rows.groupby("step")[c].quantile(0.95) - rows.groupby("step")[c].quantile(0.05)).max()
                     for c in ("influence_CHN", "influence_RUS")) * 100
        low, high = ax.get_ylim()
        notes = [t.get_text() for t in ax.texts if "narrow" in t.get_text()]
        assert bool(notes) == (widest < 0.02 * (high - low)), label
        if notes and widest >= 0.01:
            assert f"at most {widest:.2g} points wide" in notes[0]
        said += bool(notes)
    assert 0 < said < len(LIBRARY)                       # the noisy panel is not narrow; the quiet ones are
    markers = {ax.get_title().split(" minus")[0]: [line.get_xdata()[0] for line in ax.lines if line.get_gid() == "event-1"]
               for ax in fig.axes if ax.get_visible()}
    assert markers["russia_rebound"] == [2026.0] and markers["middle_corridor_push"] == [2025.0]


def test_inputs_are_escaped_in_html_and_markdown(tmp_path):
    """A description with markup and a table pipe is shown as text, in the HTML and in the Markdown; so is a
    scenario label made from a directory name with markup, in the key findings' sentences."""
    scenario = tmp_path / "odd.yaml"
    scenario.write_text("name: odd_one\ndescription: \"<img src=x onerror=alert(1)> | a & b\"\nextends: "
                        f"{ROOT / 'scenarios' / 'baseline.yaml'}\nevents:\n  - {{at: 2025-Q2, shock: protest_wave, "
                        "state: KAZ, power: CHN, label: \"<b>riots</b>\"}\n")
    odd_dir = "<svg onload=alert(2)>"              # the same scenario twice: labelled by directory name
    for name, path in (("base", ROOT / "scenarios" / "baseline.yaml"), ("odd", scenario),
                       (odd_dir, ROOT / "scenarios" / "baseline.yaml")):
        assert main(["run", str(path), "--replicates", "2", "--years", "2025-2026", "--out", str(tmp_path / name),
                     "--no-plots"]) == 0
    assert main(["compare", str(tmp_path / "base"), str(tmp_path / "odd"), str(tmp_path / odd_dir),
                 "--out", str(tmp_path / "r")]) == 0
    key = json.loads((tmp_path / "r" / "key_findings.json").read_text())
    assert any(f"{odd_dir}/baseline" in finding["text"] for finding in key)
    for name in ("report.html", "report.md"):
        text = (tmp_path / "r" / name).read_text()
        assert "<img src=x" not in text and "<b>riots" not in text and "<svg onload" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text and "&lt;b&gt;riots&lt;/b&gt;" in text
        assert "&lt;svg onload=alert(2)&gt;/baseline" in text
    assert "\\| a &amp; b" in (tmp_path / "r" / "report.md").read_text()


def test_generated_html_is_cleaned_by_nh3():
    """Whatever a finding's HTML fragment holds, the page keeps only spans (and em, strong) with a class and a
    title: no other tag, attribute, script or link."""
    fragment = ('<span class="claim" title="p5" onclick="steal()">1.2</span><script>alert(1)</script>'
                '<a href="javascript:alert(1)">here</a><img src=x onerror=alert(1)><strong style="x">3</strong>')
    assert safe_html(fragment) == '<span class="claim" title="p5">1.2</span>here<strong>3</strong>'
    finding = findings.Finding("a<b>", (0.0, 0.0))
    finding.add("Under a<b> & c, ", findings.Claim("p5", ("a<b>", "base", "CHN", 2030), -0.0123), ".")
    assert safe_html(finding.html) == finding.html == (
        'Under a&lt;b&gt; &amp; c, <span class="claim" title="5% quantile of the paired differences in influence, '
        'points; scenario a&lt;b&gt;; baseline base; power CHN; year 2030">\u22121.2</span>.')


@pytest.mark.browser
def test_the_library_report_opens_offline_in_chromium_with_event_markers(library):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is needed for this test (apt-get install chromium)"
    errors, outside, dialogs = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1366, "height": 768}, offline=True)

        context.route("**/*", lambda route: _route(route, outside))
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto((library / "report" / "report.html").resolve().as_uri())
        page.wait_for_load_state("load")
        first = page.eval_on_selector("section", "s => s.querySelector('h2').textContent")
        findings_shown = page.locator("#key-findings ul.findings li").count()
        claims_shown = page.eval_on_selector_all("#key-findings span.claim", "spans => spans.map(s => [s.textContent, s.title])")
        markers = page.locator("#figure-influence_fan g[id^='influence_fan-event-']:not([id$='-tag'])")
        n_markers = markers.count()
        boxes = [markers.nth(k).bounding_box() for k in range(n_markers)]
        tags = page.locator("#figure-influence_fan g[id^='influence_fan-event-'][id$='-tag']").count()
        differences = page.locator("#figure-influence_differences g[id^='influence_differences-event-']"
                                   ":not([id$='-tag'])").count()
        page.locator("#figure-influence_fan").scroll_into_view_if_needed()
        page.screenshot(path=str(library / "report" / "fan.png"))
        # the interactive chart: drawn by the inlined Vega; choosing a scenario shows its events as rules
        rules = "#chart-influence g.mark-rule.role-mark line"
        drawn = page.locator("#chart-influence svg").count(), page.locator("#chart-attribution svg").count()
        page.select_option("#chart-influence select", "baseline")
        no_events = page.locator(rules).count()
        page.select_option("#chart-influence select", "anti_china_protests")
        page.wait_for_timeout(200)
        two_events = page.locator(rules).count()
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        browser.close()
    assert errors == [] and outside == [] and dialogs == []
    claims_by_finding = json.loads((library / "report" / "key_findings.json").read_text())
    assert first == "Key findings" and findings_shown == len(claims_by_finding)
    claims = [claim for finding in json.loads((library / "report" / "key_findings.json").read_text())
              for claim in finding["claims"]]                  # every number says on hover what it is
    assert [text for text, _ in claims_shown] == [claim["shown"] for claim in claims]
    assert all(title.startswith(findings.QUANTITIES[claim["quantity"]][0])
               for (_, title), claim in zip(claims_shown, claims))
    # every scenario's events are marked: one line and one tag per event date
    events = pd.read_csv(library / "report" / "events.csv")
    dates = events.groupby("scenario")["date"].nunique().sum()
    assert n_markers == tags == differences == dates > 0
    assert all(box and box["height"] > 100 and box["width"] < 5 for box in boxes)   # vertical lines across a panel
    assert images and all(w > 0 for w in images)
    assert drawn == (1, 1) and no_events == 0 and two_events == 2 == (events["scenario"] == "anti_china_protests").sum()


def test_interactive_figures_need_the_offline_scripts(library, tmp_path, monkeypatch, capsys):
    """Without the asset cache, --interactive stops at once with what to run; it never fetches the scripts."""
    import casim.viz.assets

    monkeypatch.setattr(casim.viz.assets, "cache_dir", lambda: tmp_path / "empty")
    assert main(["compare", str(library / "batch"), "--interactive", "--out", str(tmp_path / "r")]) == 2
    assert "make setup" in capsys.readouterr().err and not (tmp_path / "r").exists()
    html = (library / "report" / "report.html").read_text()
    assert "vegaEmbed(" in html and "<script src" not in html            # the scripts are in the page


def _route(route, outside):
    if route.request.url.startswith(("file:", "data:")):
        return route.continue_()
    outside.append(route.request.url)
    return route.abort()
