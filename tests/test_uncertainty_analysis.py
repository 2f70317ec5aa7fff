"""Answers as probabilities (`casim.analysis.uncertainty`), by hand on small tables, and the variance decomposition
on toy cases whose split is known."""
import numpy as np
import pandas as pd
import pytest

from casim.analysis import uncertainty as u

POWERS = ("CHN", "RUS", "EU", "USA")


def region_table(paths: dict[int, list[tuple[float, float]]], scenario="s") -> pd.DataFrame:
    """A region table from (CHN, RUS) influence per year end (2024 on, one step per year), EU and USA at 0.1."""
    rows = []
    for run, values in paths.items():
        for k, (chn, rus) in enumerate(values):
            influence = {"CHN": chn, "RUS": rus, "EU": 0.1, "USA": 0.1}
            rows.append({"run": run, "scenario": scenario, "replicate": run, "step": k, "year": 2024 + k, "period": 1,
                         **{f"influence_{p}": v for p, v in influence.items()},
                         "leader": max(influence, key=influence.get)})
    return pd.DataFrame(rows)


def test_mc_standard_error_by_hand():
    assert u.mc_standard_error(0.5, 400) == pytest.approx(0.025)
    assert u.mc_standard_error(0.9, 100) == pytest.approx(0.03)
    assert u.mc_standard_error(0.0, 50) == 0.0


def test_a_share_of_zero_or_one_gives_its_bound_not_a_zero_error():
    # none of n runs: P(none | p) = (1 - p)^n = 0.05 at the bound p = 1 - 0.05^(1/n); n = 400 -> 0.00746
    assert u.zero_bound(400) == pytest.approx(0.007461, abs=1e-6) and u.zero_bound(1) == pytest.approx(0.95)
    assert u.format_share(0.0, 400) == "0% (< 0.7%)" and u.format_share(1.0, 400) == "100% (> 99.3%)"
    assert u.format_share(0.71, 400) == "71% ± 2.3"            # sqrt(0.71 * 0.29 / 400) = 0.0227
    assert u.format_share(3 / 400, 400) == "0.8% ± 0.4"        # below 1%: one decimal, not '1%'
    assert u.format_share(0.5, 4, percent=False) == "0.500 ± 0.250"
    assert u.format_share(0.0, 5, percent=False) == "0.000 (< 0.451)"
    assert u.format_share(float("nan"), 3) == "n/a"


def test_leader_probabilities_at_year_ends_by_hand():
    region = region_table({0: [(0.2, 0.4), (0.5, 0.3)], 1: [(0.2, 0.4), (0.3, 0.5)], 2: [(0.2, 0.4), (0.6, 0.2)],
                           3: [(0.2, 0.4), (0.6, 0.2)]})
    inner = region.assign(step=region["step"] * 2 - 1, year=region["year"])  # an earlier step of the same year
    region = pd.concat([region.assign(step=region["step"] * 2), inner[inner["step"] > 0]]).assign(
        leader=lambda f: np.where(f["step"] % 2 == 1, "EU", f["leader"]))  # mid-year leaders must not count
    table = u.leader_probabilities(region, [2025])
    p = table.set_index("power")["p"]
    assert p["CHN"] == 0.75 and p["RUS"] == 0.25 and p["EU"] == 0.0 and list(table["runs"]) == [4] * 4
    assert table.set_index("power")["se"]["CHN"] == pytest.approx(np.sqrt(0.75 * 0.25 / 4))
    assert u.leader_probabilities(region, [2030]).empty  # a year that is not recorded is left out


def test_top_alignment_probabilities_by_hand():
    rows = []
    for run, (chn, rus) in enumerate([(0.5, 0.3), (0.2, 0.6), (0.45, 0.35)]):
        rows.append({"run": run, "scenario": "s", "step": 4, "year": 2025, "state": "KAZ", "alignment_CHN": chn,
                     "alignment_RUS": rus, "alignment_EU": 0.1, "alignment_USA": 0.1})
    table = u.top_alignment_probabilities(pd.DataFrame(rows))
    assert table.set_index("power")["p"].to_dict() == pytest.approx({"CHN": 2 / 3, "RUS": 1 / 3, "EU": 0, "USA": 0})


def test_overtaking_year_is_the_first_year_china_stays_ahead():
    region = region_table({
        0: [(0.2, 0.4), (0.3, 0.35), (0.4, 0.3), (0.45, 0.3)],   # overtakes in 2026 for good
        1: [(0.2, 0.4), (0.5, 0.3), (0.3, 0.4), (0.5, 0.3)],     # ahead in 2025, behind in 2026, ahead again: 2027
        2: [(0.5, 0.4), (0.5, 0.3), (0.6, 0.3), (0.6, 0.3)],     # ahead from the base year
        3: [(0.2, 0.4), (0.5, 0.3), (0.5, 0.3), (0.2, 0.3)],     # falls back in the last year: never
    })
    years = u.overtaking_years(region).set_index("run")["year"]
    assert years[0] == 2026 and years[1] == 2027 and years[2] == 2024 and np.isnan(years[3])
    dist = u.overtaking_distribution(u.overtaking_years(region))
    assert list(dist["year"]) == ["2024", "2026", "2027", "never"]
    assert dist["share"].tolist() == [0.25] * 4 and dist["share"].sum() == 1.0
    table = u.overtaking_summary(u.overtaking_years(region), [2025, 2026, 2027]).iloc[0]
    assert (table["p_by_2025"], table["p_by_2026"], table["p_by_2027"], table["p_never"]) == (0.25, 0.5, 0.75, 0.25)
    assert table["se_by_2026"] == pytest.approx(0.25) and table["runs"] == 4 and table["horizon"] == 2027
    assert table["median_year"] == 2026  # sorted 2024, 2026, 2027, never: the second of four
    never = [(0.2, 0.4), (0.2, 0.4)]
    mostly_never = region_table({0: never, 1: never, 2: [(0.2, 0.4), (0.5, 0.4)]})  # never, never, 2025
    late = u.overtaking_summary(u.overtaking_years(mostly_never), [2025]).iloc[0]
    assert np.isnan(late["median_year"]) and late["p_never"] == pytest.approx(2 / 3)


def test_probability_that_a_paired_difference_is_positive():
    assert u.probability_positive([0.1, -0.2, 0.3, 0.0, np.nan]) == (0.5, pytest.approx(0.25), 4)
    diffs = pd.DataFrame({"label": "x", "run": range(4), "step": 1, "year": 2025,
                          "influence_RUS": [0.01, 0.02, -0.01, 0.03]})
    row = u.paired_difference_probabilities(diffs, ["influence_RUS"]).iloc[0]
    assert row["p_positive"] == 0.75 and row["pairs"] == 4 and row["median"] == pytest.approx(0.015)


def toy(n=4000, noise=None, nuisance=0, seed=0):
    """y = 2 a + b + noise with a, b ~ U(0, 1): Var(E[y | a, b]) = 5/12, split 4:1 between a and b."""
    rng = np.random.default_rng(seed)
    inputs = pd.DataFrame({"a": rng.uniform(size=n), "b": rng.uniform(size=n),
                           **{f"unused_{k}": rng.uniform(size=n) for k in range(nuisance)}})
    noise = np.sqrt(5 / 12) if noise is None else noise  # by default the stochastic part equals the parameter part
    y = 2 * inputs["a"] + inputs["b"] + rng.normal(0.0, noise, n) if noise else 2 * inputs["a"] + inputs["b"]
    return pd.Series(np.asarray(y), index=inputs.index), inputs


def test_variance_decomposition_recovers_a_known_split():
    values, inputs = toy(nuisance=20)
    split = u.variance_decomposition(values, inputs, "y")
    assert split.parameter_share == pytest.approx(0.5, abs=0.03)
    assert split.stochastic_share == pytest.approx(0.5, abs=0.03)
    top = split.top.set_index("parameter")
    assert list(top.index[:2]) == ["a", "b"] and list(top["direction"][:2]) == [1, 1]
    assert top.loc["a", "share"] == pytest.approx(0.4, abs=0.03)  # (4/12) / (10/12)
    assert top.loc["b", "share"] == pytest.approx(0.1, abs=0.02)  # (1/12) / (10/12)
    assert top["share"].iloc[2:].max() < 0.005  # unused parameters explain nothing


def test_variance_decomposition_at_the_extremes():
    values, inputs = toy(n=500, noise=0.0)
    assert u.variance_decomposition(values, inputs).parameter_share > 0.99  # no noise: all from the parameters
    noise_only = pd.Series(np.random.default_rng(1).normal(size=500))
    split = u.variance_decomposition(noise_only, inputs)
    assert split.parameter_share < 0.02  # cross-validation: fitting noise does not count
    point = u.variance_decomposition(noise_only, inputs.iloc[:, :0])  # no parameter varies (uncertainty point)
    assert (point.parameter_share, point.stochastic_share) == (0.0, 1.0) and point.top.empty
    few = u.variance_decomposition(noise_only.iloc[:6], inputs.iloc[:6])
    assert np.isnan(few.parameter_share)


def test_run_summary_of_a_real_ensemble():
    from model.run import RunSpec, run_ensemble

    _, tables = run_ensemble(RunSpec(replicates=40, seed=3, end_year=2030))
    summary = u.run_summary(tables, "posterior")
    assert summary["years"] == [2030] and summary["runs"] == 40
    leader = summary["leader"]["2030"]
    assert sum(v["p"] for v in leader.values()) == pytest.approx(1.0)
    assert all(v["se"] == pytest.approx(np.sqrt(v["p"] * (1 - v["p"]) / 40)) for v in leader.values())
    assert sum(v["share"] for v in summary["china_overtakes_russia"].values()) == pytest.approx(1.0)
    gap = summary["variance"]["china_russia_gap@2030"]
    assert 0.0 <= gap["parameter_share"] <= 1.0 and summary["parameters_drawn"] > 20
    assert "P(leader) over 40 runs" in u.summary_line(summary) and "2030:" in u.summary_line(summary)
    markdown = u.summary_markdown(summary)
    assert "## When China overtakes Russia for good" in markdown
    cells = [c.strip() for line in markdown.split("## Where")[0].splitlines() if line.startswith("| 20")
             for c in line.split("|")[2:-1] if "%" in c]
    assert cells and all(" ± " in c or " (< " in c or " (> " in c for c in cells)  # every share with its error
