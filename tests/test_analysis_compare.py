"""`casim compare` on real run outputs, the paired differences, and the report in headless Chromium."""
import re
from pathlib import Path

import numpy as np
import pytest

from casim.analysis.compare import end_year_table, paired_differences, stack_outputs
from casim.analysis.tables import load_output
from casim.cli import main
from casim.errors import UserError
from model.errors import InputError
from model.outputs import OutputRef, value_at
from model.run import RunSpec, write_outputs

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    write_outputs(root / "base", RunSpec(scenario="baseline", replicates=4, seed=3, end_year=2027))
    # a calmer war (below every draw of the baseline) frees Russia's security capacity; in model v2 it also ends
    # the war economy's lift to Russia's USD income (russia_war_stimulus), whose loss of trade and remittances
    # can outweigh that in a pair, so the stimulus is pinned to 0 here: the security channel alone, a known sign
    write_outputs(root / "calm", RunSpec(scenario="low_war", replicates=4, seed=3, end_year=2027,
                                         params={"war_intensity": 0.1, "russia_war_stimulus": 0.0}))
    return root


@pytest.fixture(scope="module")
def report(outputs):
    out = outputs / "report"
    assert main(["compare", str(outputs / "base"), str(outputs / "calm"), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory):
    """The report on the reduced balance_sweep batch (three scenarios, paired replicates)."""
    root = tmp_path_factory.mktemp("sweep")
    experiment = Path(__file__).resolve().parent.parent / "experiments" / "balance_sweep_ci.yaml"
    assert main(["batch", str(experiment), "--out", str(root / "batch"), "--quiet"]) == 0
    assert main(["compare", str(root / "batch"), "--baseline", "baseline", "--out", str(root / "report")]) == 0
    return root / "report"


def test_report_files(report):
    html = (report / "report.html").read_text()
    for name in ("influence_fan", "influence_differences", "alignment_by_state", "economics",
                 "attribution_by_channel", "attribution_by_state", "baseline_path_attribution"):
        assert (report / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (report / "figures" / f"{name}.svg").is_file()
        vector = name in ("influence_fan", "influence_differences")  # inline SVG: their event markers are elements
        assert (f"<figure id='figure-{name}' role='img' aria-label='{name}'><svg " in html) == vector
        assert (f"alt='{name}' src='data:image/png;base64," in html) != vector
    # nothing fetched: no address outside the embedded images (whose base64 text may spell "http" by chance)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html).replace("http://www.w3.org", "")
    assert "<nav>" in html and "http" not in text
    markdown = (report / "report.md").read_text()
    assert "## Contents" in markdown and "| p_lead_CHN" not in markdown.split("## End-year")[0]


def test_probabilities_in_the_report(report):
    import pandas as pd
    leaders = pd.read_csv(report / "leader_probabilities_by_year.csv")
    assert list(leaders["year"]) == [2025, 2026, 2027] * 2 and set(leaders["runs"]) == {4}
    first = leaders.iloc[0]
    p = [float(first[f"P(lead) {c}"].split(" ")[0]) for c in ("CHN", "RUS", "EU", "USA")]
    assert sum(p) == pytest.approx(1.0)
    for c, share in zip(("CHN", "RUS", "EU", "USA"), p):  # every share carries its error: ± se, or the 0/1 bound
        bound = f"{1 - 0.05 ** 0.25:.3f}" if share == 0 else f"{0.05 ** 0.25:.3f}"
        expected = f"± {np.sqrt(share * (1 - share) / 4):.3f}" if 0 < share < 1 else bound
        assert expected in first[f"P(lead) {c}"], first[f"P(lead) {c}"]
    overtakes = pd.read_csv(report / "when_china_overtakes_russia.csv").set_index("scenario")
    assert list(overtakes.index) == ["baseline", "low_war"] and set(overtakes["runs"]) == {4}
    columns = ("P(ahead for good by 2027)", "P(never by the horizon)")
    for _, row in overtakes.iterrows():  # ahead for good by the horizon, or never: the two add up to 1
        by_horizon, never = (float(row[c].split(" ")[0]) for c in columns)
        assert by_horizon + never == pytest.approx(1.0)
        expected = {"2024", "2025", "2026", "2027"} if never <= 0.5 else {"after 2027"}  # lower median of 4 runs
        assert str(row["median year"]) in expected
    tops = pd.read_csv(report / "top_alignment_probabilities.csv")  # the horizon's last year: 2027
    assert list(tops["scenario"]) == ["baseline"] * 5 + ["low_war"] * 5 and set(tops["year"]) == {2027}
    assert list(tops["state"][:5]) == ["KAZ", "KGZ", "TJK", "TKM", "UZB"] and set(tops["runs"]) == {4}
    p_top = tops[[f"P(top) {c}" for c in ("CHN", "RUS", "EU", "USA")]].map(lambda v: float(v.split(" ")[0]))
    assert np.allclose(p_top.sum(axis=1), 1.0)  # one top power per run
    signs = pd.read_csv(report / "probability_that_each_paired_difference_is_positive.csv")
    russia = signs[(signs["output"] == "influence_RUS") & (signs["year"] == 2027)].iloc[0]
    assert russia["p_positive"] == 1.0 and russia["pairs"] == 4 and russia["se"] == 0.0  # a calmer war, every pair
    split = pd.read_csv(report / "variance_decomposition.csv")
    assert set(split["scenario"]) == {"baseline", "low_war"} and len(split) == 2 * 5
    assert split["parameter_share"].isna().all()  # 4 runs are too few to split (cross-validation needs 10)
    assert (report / "figures" / "china_overtakes_russia.png").stat().st_size > 10_000
    assert "Where the uncertainty comes from" in (report / "report.md").read_text()


def test_end_year_table_in_the_report(report):
    import pandas as pd
    table = pd.read_csv(report / "end_year_table.csv")
    leads = table[[f"p_lead_{p}" for p in ("CHN", "RUS", "EU", "USA")]].sum(axis=1)
    assert np.allclose(leads, 1.0) and list(table["runs"]) == [4, 4]
    for p in ("CHN", "RUS", "EU", "USA"):
        share = table[f"p_lead_{p}"]
        assert np.allclose(table[f"se_lead_{p}"], np.sqrt(share * (1 - share) / 4))
    differences = pd.read_csv(report / "paired_differences_in_2027.csv")     # the findings' year: the last
    for side in ("higher", "lower"):
        share = differences[f"p_{side}"]
        assert np.allclose(differences[f"se_{side}"], np.sqrt(share * (1 - share) / differences["pairs"]))


def test_end_year_table_probabilities():
    """Lead probabilities, quantiles and run counts on a hand-built table whose leaders are known.

    Step 2 is the last step, so step 1 (where China leads everywhere) must not count. Columns are
    looked up by name, so the table may gain more of them.
    """
    import pandas as pd
    powers = ["CHN", "RUS", "EU", "USA"]

    def rows(label, step, leaders, gaps):
        frame = pd.DataFrame({"label": label, "run": range(len(leaders)), "step": step, "year": 2030 + step,
                              "leader": leaders, "china_russia_gap": gaps,
                              "hhi": np.linspace(0.3, 0.5, len(leaders)), "entropy": 0.7})
        for p in powers:
            frame[f"influence_{p}"] = 0.25
        return frame

    region = pd.concat([rows("calm", 1, ["CHN"] * 4, [0.0] * 4),
                        rows("calm", 2, ["CHN", "RUS", "CHN", "EU"], [0.1, -0.2, 0.3, 0.0]),
                        rows("war", 1, ["CHN"] * 5, [0.0] * 5),
                        rows("war", 2, ["USA", "USA", "USA", "RUS", "USA"], [0.5, 0.4, 0.3, 0.2, 0.1])])
    table = end_year_table(region, ["war", "calm"]).set_index("scenario")
    assert list(table.index) == ["war", "calm"]
    assert table.loc["calm", [f"p_lead_{p}" for p in powers]].tolist() == [0.5, 0.25, 0.25, 0.0]
    assert table.loc["war", [f"p_lead_{p}" for p in powers]].tolist() == [0.0, 0.2, 0.0, 0.8]
    assert table.loc["calm", "runs"] == 4 and table.loc["war", "runs"] == 5
    assert table.loc["calm", "year"] == 2032
    assert table.loc["calm", "china_russia_gap_median"] == pytest.approx(0.05)   # median of -0.2, 0, 0.1, 0.3
    assert table.loc["war", "china_russia_gap_median"] == pytest.approx(0.3)
    # 5% and 95% points of 0.1, 0.2, ..., 0.5 by linear interpolation: 0.2 and 3.8 places in
    assert table.loc["war", "china_russia_gap_p5"] == pytest.approx(0.12)
    assert table.loc["war", "china_russia_gap_p95"] == pytest.approx(0.48)
    assert table.loc["war", "hhi_median"] == pytest.approx(0.4) and table.loc["war", "entropy_median"] == 0.7


def test_paired_differences_use_common_random_numbers(outputs):
    data = stack_outputs([outputs / "base", outputs / "calm"])
    diffs = paired_differences(data["region"], "baseline", ["influence_RUS"])
    last = diffs[diffs["step"] == diffs["step"].max()].sort_values("replicate")
    base = load_output(outputs / "base")["region"]
    calm = load_output(outputs / "calm")["region"]
    expected = value_at(calm, "influence_RUS", 2027).to_numpy() - value_at(base, "influence_RUS", 2027).to_numpy()
    assert np.allclose(last["influence_RUS"].to_numpy(), expected)
    assert (expected > 0).all()  # a calmer war helps Russia in every pair (same parameter draws otherwise)


def test_unpaired_runs_are_refused(outputs, tmp_path):
    write_outputs(tmp_path / "other", RunSpec(scenario="other_seed", replicates=2, seed=99, end_year=2025))
    data = stack_outputs([outputs / "base", tmp_path / "other"])
    with pytest.raises(UserError, match="common random numbers"):
        paired_differences(data["region"], "baseline", ["influence_RUS"])


def test_bad_inputs(outputs, tmp_path, capsys):
    assert main(["compare", str(tmp_path / "missing"), "--out", str(tmp_path / "r")]) == 2
    assert main(["compare", str(outputs / "base"), "--baseline", "nope", "--out", str(tmp_path / "r")]) == 2
    assert "scenarios are baseline" in capsys.readouterr().err
    with pytest.raises(InputError, match="COLUMN@YEAR"):
        OutputRef.parse("influence_CHN")


def test_reads_a_directory_of_parquet_parts(outputs, tmp_path):
    region = load_output(outputs / "base")["region"]
    parts = tmp_path / "batch" / "region.parquet"
    parts.mkdir(parents=True)
    for k, (_, chunk) in enumerate(region.groupby("run")):
        chunk.to_parquet(parts / f"part-{k:04d}.parquet", index=False)
    loaded = load_output(tmp_path / "batch")["region"].sort_values(["run", "step"]).reset_index(drop=True)
    assert loaded.equals(region.sort_values(["run", "step"]).reset_index(drop=True))


@pytest.mark.browser
@pytest.mark.parametrize("which", ["report", "sweep_report"])
def test_report_opens_in_chromium(which, request):
    from playwright.sync_api import sync_playwright

    report = request.getfixturevalue(which)
    assert Path(CHROMIUM).exists(), "Chromium is needed for this test (apt-get install chromium)"
    errors = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((report / "report.html").resolve().as_uri())
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        links = page.eval_on_selector_all("nav a", "links => links.map(a => a.getAttribute('href'))")
        targets = [page.locator(href).count() for href in links]
        browser.close()
    assert len(widths) >= 4 and all(w > 0 for w in widths)
    assert links and all(n == 1 for n in targets)  # every table-of-contents entry has its section
    assert errors == []


def test_a_baseline_alone_gets_its_findings_and_path(outputs, tmp_path):
    assert main(["compare", str(outputs / "base"), "--out", str(tmp_path / "r")]) == 0
    markdown = (tmp_path / "r" / "report.md").read_text()
    bullets = [line for line in markdown.split("## Key findings")[1].split("\n## ")[0].splitlines() if line.startswith("- ")]
    assert len(bullets) == 1 and bullets[0].startswith("- In baseline, ") and "2027" in bullets[0]
    assert "## Why the balance moved" not in markdown and "## The baseline path" in markdown
    assert not (tmp_path / "r" / "attribution.csv").exists()
