"""Hindcast patterns (calibration/patterns.py): the year split, the error scales, and that held-out data never reach the fit."""
import copy
import math
import textwrap

import numpy as np
import pytest
import yaml

from calibration.patterns import PatternError, basis_scatter, load_patterns, role_of, transform
from model.actors import load_actors
from model.base_year import TRADE_BASIS, trade_series
from model.observed import HISTORY_FILE, HistoryDataError, load_history, parse_history


@pytest.fixture(scope="module")
def raw_history():
    with open(HISTORY_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _series(sid, values, unit="USD bn"):
    return {"id": sid, "quantity": sid, "unit": unit, "basis": "test", "confidence": "high", "values": values}


def _write(tmp_path, text):
    path = tmp_path / "patterns.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


SMALL = """
fit_years: [2014, 2016]
held_out_years: [2017, 2018]
patterns:
  - name: trade
    doc: a test pattern
    transform: log
    error: {floor: 0.05, why: test}
    observations:
      - {series: a_trade, output: KAZ.trade_CHN, alt: a_mirror}
  - name: share
    doc: a share in percent
    transform: level
    factor: 0.01
    error: {floor: 0.02, why: test}
    observations:
      - {series: b_share, output: KGZ.china_debt_share}
"""


def _small_history(**changes):
    e = math.e
    a = {2013: 10.0, 2014: 11.0, 2015: 12.0, 2016: 13.0, 2017: 14.0, 2018: 15.0, 2019: 16.0}
    # log(a / mirror) = 0, 0.1, -0.1, 0 over 2013-2016 (the fit window): mean 0, sd (ddof 1) = sqrt(0.02 / 3)
    mirror = {2013: 10.0, 2014: 11.0 / e ** 0.1, 2015: 12.0 / e ** -0.1, 2016: 13.0, 2017: 1.0, 2018: 99.0}
    share = {2015: 40.0, 2017: 42.0, 2019: 30.0}
    raw = {"series": [_series("a_trade", a), _series("a_mirror", mirror), _series("b_share", share, "%")], "events": []}
    for sid, values in changes.items():
        next(s for s in raw["series"] if s["id"] == sid)["values"].update(values)
    return parse_history(raw, "small.yaml")


def test_roles_follow_the_year_alone(tmp_path):
    patterns = load_patterns(_write(tmp_path, SMALL), _small_history())
    by_role = {r: sorted((o.series, o.year) for o in patterns.of(r)) for r in ("check", "fit", "held_out")}
    assert by_role["check"] == [("a_trade", 2013)]
    assert by_role["fit"] == [("a_trade", 2014), ("a_trade", 2015), ("a_trade", 2016), ("b_share", 2015)]
    assert by_role["held_out"] == [("a_trade", 2017), ("a_trade", 2018), ("b_share", 2017)]   # 2019: outside every window
    assert [role_of(y, (2014, 2019), (2020, 2024)) for y in (2012, 2013, 2014, 2019, 2020, 2024, 2025)] == \
        [None, "check", "fit", "fit", "held_out", "held_out", None]


def test_error_scales_and_transforms_by_hand(tmp_path):
    patterns = load_patterns(_write(tmp_path, SMALL), _small_history())
    trade = patterns.of("fit", "trade")
    assert all(o.sigma == pytest.approx(math.sqrt(0.02 / 3)) for o in trade)   # 0.0816 > floor 0.05
    assert trade[0].y == pytest.approx(math.log(11.0)) and trade[0].ref == "KAZ.trade_CHN@2014"
    share = patterns.of("fit", "share")[0]
    assert share.y == pytest.approx(0.40) and share.sigma == 0.02                # no alt: the floor
    y, sigma = patterns.fit_vector()
    assert list(y) == [o.y for o in patterns.of("fit")] and list(sigma) == [o.sigma for o in patterns.of("fit")]
    np.testing.assert_allclose(transform([2.0, 0.0, -1.0], "log"), [math.log(2.0), np.nan, np.nan])
    np.testing.assert_allclose(transform([40.0], "level", 0.01), [0.4])


def test_years_join_series_score_only_stays_out_of_the_fit_and_scales_follow_the_output(tmp_path):
    """A continuation series (years 2017-2018) takes the output's scale; a score_only pattern is scored
    (its observations keep their roles) but not fitted."""
    text = SMALL.replace("      - {series: a_trade, output: KAZ.trade_CHN, alt: a_mirror}",
                         "      - {series: a_trade, output: KAZ.trade_CHN, alt: a_mirror, years: [2013, 2016]}\n"
                         "      - {series: b_share, output: KAZ.trade_CHN, years: [2017, 2017]}")
    text += ("  - name: mirror\n    doc: the same flow on another basis\n    transform: log\n"
             "    score_only: re-measures trade\n    error: {floor: 0.05, why: test}\n    observations:\n"
             "      - {series: a_mirror, output: KAZ.trade_CHN_mirror, years: [2015, 2018]}\n")
    patterns = load_patterns(_write(tmp_path, text), _small_history())
    continued = [o for o in patterns.of("held_out") if o.output == "KAZ.trade_CHN"]
    assert [(o.series, o.year) for o in continued] == [("b_share", 2017)]
    assert continued[0].sigma == pytest.approx(math.sqrt(0.02 / 3))
    mirror = [(o.year, o.role) for o in patterns.observations if o.pattern == "mirror"]
    assert mirror == [(2015, "fit"), (2016, "fit"), (2017, "held_out"), (2018, "held_out")]
    assert {o.pattern for o in patterns.fitted()} == {"trade", "share"}
    assert len(patterns.fit_vector()[0]) == len(patterns.fitted()) == len(patterns.of("fit")) - 2


def test_fewer_than_three_common_years_leave_the_floor():
    history = _small_history()
    assert basis_scatter(history, "a_trade", "a_mirror", 2014) == 0.0
    assert basis_scatter(history, "a_trade", "a_mirror", 2016) == pytest.approx(math.sqrt(0.02 / 3))


def test_changing_every_held_out_value_leaves_the_fit_data_unchanged(raw_history):
    """Every value of 2020 or later in a copy of history.yaml is replaced: the fit observations (values,
    transformed values, error scales) are identical, the held-out ones all differ."""
    changed = copy.deepcopy(raw_history)
    for series in changed["series"]:
        series["values"] = {y: (v * 3.0 + 1.0 if y >= 2020 else v) for y, v in series["values"].items()}
    original, perturbed = load_patterns(), load_patterns(history=parse_history(changed, "changed.yaml"))
    assert original.of("fit") == perturbed.of("fit") and original.of("check") == perturbed.of("check")
    np.testing.assert_array_equal(original.fit_vector()[1], perturbed.fit_vector()[1])
    pairs = list(zip(original.of("held_out"), perturbed.of("held_out")))
    assert pairs and all(a.value != b.value for a, b in pairs)


def test_a_scale_computed_with_a_held_out_year_would_be_caught():
    """The guard above can fail: the basis scatter through 2020 moves when the 2020 values move."""
    history = _small_history()
    moved = _small_history(a_trade={2017: 50.0})
    assert basis_scatter(history, "a_trade", "a_mirror", 2016) == basis_scatter(moved, "a_trade", "a_mirror", 2016)
    assert basis_scatter(history, "a_trade", "a_mirror", 2017) != basis_scatter(moved, "a_trade", "a_mirror", 2017)


def test_the_packaged_patterns_split_by_year():
    patterns = load_patterns()
    assert patterns.fit_years == (2014, 2019) and patterns.held_out_years == (2020, 2024)
    assert {o.year for o in patterns.of("fit")} <= set(range(2014, 2020))
    assert {o.year for o in patterns.of("held_out")} <= set(range(2020, 2025))
    assert {o.year for o in patterns.of("check")} == {2013}
    # fitted: every pattern but the score-only one and the debt shares, whose fit years are checks
    assert {o.pattern for o in patterns.fitted()} == {s.name for s in patterns.specs if not s.score_only} - {"debt_china_share"}
    assert {o.pattern for o in patterns.of("held_out")} == {s.name for s in patterns.specs}   # every pattern is scored
    assert all(o.sigma > 0 and np.isfinite(o.y) for o in patterns.observations)
    assert patterns.derived[0].of == ["trade_china", "trade_russia"] and patterns.checks


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("series: b_share", "series: b_shares"), r":17: patterns\[1\] \(share\)\.observations\[0\]\.series: "
                                                                 r"unknown series 'b_shares' \(did you mean 'b_share'\?\)"),
    (lambda t: t.replace("alt: a_mirror", "alt: a_miror"), r"observations\[0\]\.alt: unknown series 'a_miror'"),
    (lambda t: t.replace("transform: level", "transform: sqrt"), r":13: patterns\[1\] \(share\)\.transform: Input should be 'log' or 'level'"),
    (lambda t: t.replace("held_out_years: [2017, 2018]", "held_out_years: [2016, 2018]"), r"without overlap"),
    (lambda t: t.replace("output: KGZ.china_debt_share", "output: KAZ.trade_CHN"), r"KAZ.trade_CHN@2015 is already observed by 'a_trade'"),
    (lambda t: t.replace("floor: 0.02", "floor: 0"), r"error\.floor: Input should be greater than 0"),
    (lambda t: t + "derived:\n  - {name: lead, doc: x, kind: leader, of: [trade, shares]}\n", r"derived\[0\] \(lead\)\.of\[1\]: unknown pattern 'shares'"),
    (lambda t: t.replace("doc: a test pattern", "doc: a test pattern\n    colour: red"), r"patterns\[0\] \(trade\)\.colour: Extra inputs"),
])
def test_bad_patterns_files_name_line_pattern_and_field(tmp_path, edit, message):
    path = _write(tmp_path, edit(SMALL))
    with pytest.raises(PatternError, match=message):
        load_patterns(path, _small_history())


def test_a_non_positive_value_on_a_log_pattern_is_a_data_error(tmp_path):
    with pytest.raises(HistoryDataError, match="'a_trade' 2015: 0.0 has no log"):
        load_patterns(_write(tmp_path, SMALL), _small_history(a_trade={2015: 0.0}))


def test_hindcast_observes_trade_on_the_basis_the_base_year_table_starts_from():
    """The trade basis per state, partner and year is chosen twice: `model.base_year.TRADE_BASIS` (initial states)
    and the trade patterns of calibration/patterns.yaml (observations). Wherever the table takes a state-reported
    series for a year, the hindcast must observe that year on the same series, or a fitted level would carry a
    basis gap. The sanctioned difference: where the table has no series (Turkmenistan and Tajikistan after DOTS ends
    in 2020), it back-casts from 2024, and the hindcast may observe another basis (China's customs, national tables)."""
    history, patterns = load_history(), load_patterns()
    observed = {(o.output, o.year): o.series for o in patterns.observations
                if o.pattern in ("trade_china", "trade_russia")}
    compared, untied = 0, []
    for state, partners in TRADE_BASIS.items():
        for power in ("CHN", "RUS"):
            for year in range(patterns.base_year, load_actors().base_year):   # the last year is today's table
                table = trade_series(history, state, power, year)
                seen = observed.get((f"{state}.trade_{power}", year))
                if table is None and seen is not None:
                    untied.append((state, power, year, seen))
                elif seen is not None:
                    compared += 1
                    assert seen == table, (state, power, year, table, seen)
    assert compared >= 70, compared
    assert {(s, p) for s, p, _, _ in untied} <= {("TKM", "CHN"), ("TKM", "RUS"), ("TJK", "CHN"), ("TJK", "RUS")}, untied
