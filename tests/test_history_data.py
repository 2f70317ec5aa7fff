"""Shape checks for the vendored data files model/data/history.yaml and model/data/facts.yaml.

Every annual value must carry a source that covers its year, ids must be unique, years must lie in the
hindcast window and numbers must be finite; every fact must have the fields the original facts have.
A few cross-checks test derived series against the series they are computed from.
"""
import math
import re

import pytest
import yaml

from model.actors import DATA_DIR

YEARS = range(2010, 2027)
CONFIDENCE = {"high", "medium", "low"}
SERIES_KEYS = {"id", "quantity", "unit", "basis", "values", "sources", "confidence"}
SERIES_OPTIONAL = {"note"}
FACT_KEYS = {"id", "quantity", "country", "value", "unit", "year", "source", "confidence", "note"}
EVENT_KEYS = {"date", "event", "ref", "quote", "tags"}


def _load(name):
    # Trusted, vendored data: plain safe_load (year keys are integers, which model.safe_yaml rejects for scenarios).
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def history():
    return _load("history.yaml")


@pytest.fixture(scope="module")
def facts():
    return _load("facts.yaml")


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def test_history_top_level(history):
    assert set(history) == {"series", "events", "gaps"}
    assert len(history["series"]) >= 45 and history["events"] and history["gaps"]
    assert all(isinstance(g, str) and g.strip() for g in history["gaps"])


def test_series_ids_unique_and_well_formed(history):
    ids = [s["id"] for s in history["series"]]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, f"duplicate series ids: {sorted(dupes)}"
    for s in history["series"]:
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", s["id"]), s["id"]
        missing, extra = SERIES_KEYS - set(s), set(s) - SERIES_KEYS - SERIES_OPTIONAL
        assert not missing and not extra, (s["id"], missing, extra)
        assert s["confidence"] in CONFIDENCE, s["id"]
        assert all(isinstance(s[k], str) and s[k].strip() for k in ("quantity", "unit", "basis")), s["id"]


def test_every_value_has_a_year_in_window_a_finite_number_and_a_source(history):
    for s in history["series"]:
        assert s["values"], s["id"]
        covered = set()
        for src in s["sources"]:
            assert isinstance(src["ref"], str) and src["ref"].strip(), s["id"]
            assert isinstance(src["quote"], str) and src["quote"].strip(), s["id"]
            assert src["years"] and all(isinstance(y, int) and y in YEARS for y in src["years"]), s["id"]
            covered |= set(src["years"])
        for year, value in s["values"].items():
            assert isinstance(year, int) and year in YEARS, (s["id"], year)
            assert _is_number(value), (s["id"], year, value)
            assert year in covered, f"{s['id']}: {year} has no source"


def test_events_have_date_source_and_quote(history):
    for e in history["events"]:
        assert EVENT_KEYS <= set(e) <= EVENT_KEYS | {"note"}, e.get("date")
        date = str(e["date"])
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?(-\d{4})?", date), date
        assert int(date[:4]) in YEARS, date
        assert all(isinstance(e[k], str) and e[k].strip() for k in ("event", "ref", "quote")), date
    dates = [str(e["date"]) for e in history["events"]]
    assert dates == sorted(dates), "events are kept in date order"


def test_derived_remittance_shares_match_their_inputs(history):
    by_id = {s["id"]: s["values"] for s in history["series"]}
    for st in ("tjk", "kgz", "uzb"):
        share, remit, gdp = (by_id[f"{st}_remit_pctgdp_wdi"], by_id[f"{st}_remit_usd_wdi"],
                             by_id[f"{st}_gdp_usd_wdi2026"])
        for y, v in share.items():
            assert v == pytest.approx(100 * remit[y] / gdp[y], abs=0.06), (st, y)


def test_regional_china_total_is_the_sum_of_the_states(history):
    by_id = {s["id"]: s["values"] for s in history["series"]}
    states = ("kaz", "kgz", "tjk", "tkm", "uzb")
    for y in range(2013, 2020):
        total = sum(by_id[f"{st}_chn_trade_gac"][y] for st in states)
        assert by_id["ca5_chn_trade_gac"][y] == pytest.approx(total, abs=0.02), y


def test_dots_turnover_is_exports_plus_imports(history):
    by_id = {s["id"]: s["values"] for s in history["series"]}
    for st in ("kaz", "kgz", "tjk", "tkm", "uzb"):
        for p in ("chn", "rus"):
            trade, ex, im = (by_id[f"{st}_{p}_{k}_dots"] for k in ("trade", "exports", "imports"))
            for y, v in trade.items():
                assert v == pytest.approx(ex[y] + im[y], abs=0.002), (st, p, y)


def test_facts_have_the_original_fields_and_unique_ids(facts):
    assert set(facts) == {"meta", "facts", "not_found"}
    ids = [f["id"] for f in facts["facts"]]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, f"duplicate fact ids: {sorted(dupes)}"
    assert len(ids) >= 139
    for f in facts["facts"]:
        assert set(f) == FACT_KEYS, (f["id"], set(f) ^ FACT_KEYS)
        assert f["confidence"] in CONFIDENCE, f["id"]
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", f["id"]), f["id"]
        assert f["value"] is not None and str(f["value"]).strip(), f["id"]
        assert isinstance(f["source"], str) and f["source"].strip(), f["id"]
    assert all(isinstance(n, str) and n.strip() for n in facts["not_found"])


def test_national_statistics_turnover_is_exports_plus_imports(history):
    by_id = {s["id"]: s["values"] for s in history["series"]}
    for st in ("kaz", "kgz", "uzb"):
        for p in ("chn", "rus", "eu", "usa"):
            trade, ex, im = (by_id[f"{st}_{p}_{k}_nso"] for k in ("trade", "exports", "imports"))
            for y in set(ex) & set(im):
                assert trade[y] == pytest.approx(ex[y] + im[y], abs=0.002), (st, p, y)


def test_russian_customs_mirror_agrees_with_dots_mirror(history):
    # Two sources of Russia's own figures (FTS tables, IMF DOTS with Russia as reporter) must tell the same story.
    by_id = {s["id"]: s["values"] for s in history["series"]}
    for st in ("kaz", "kgz", "tjk", "uzb"):
        fcs, dots = by_id[f"{st}_rus_trade_fcs"], by_id[f"{st}_rus_trade_rus_dots"]
        for y in set(fcs) & set(dots):
            assert fcs[y] == pytest.approx(dots[y], rel=0.07), (st, y)


def test_arms_import_shares_are_shares_and_match_sipri_headline(history):
    by_id = {s["id"]: s["values"] for s in history["series"]}
    for st in ("kaz", "kgz", "tjk", "tkm", "uzb", "ca5"):
        shares = [by_id[f"{st}_arms_imp_share_{g}_sipri5y"] for g in ("rus", "chn", "usa", "eu")]
        for window in by_id[f"{st}_arms_imp_tiv_sipri"]:
            vals = [s[window] for s in shares]
            assert all(0 <= v <= 100 for v in vals) and sum(vals) <= 100.2, (st, window, vals)  # shares rounded to 0.1
    # SIPRI's own 2025 fact sheet: 88% of Kazakhstan's 2020-24 imports came from Russia (kaz_arms_imp_share_rus_sipri).
    assert by_id["kaz_arms_imp_share_rus_sipri5y"][2024] == pytest.approx(by_id["kaz_arms_imp_share_rus_sipri"][2024], abs=1.0)


def test_turkmen_gas_value_growth_matches_the_stated_rate(history):
    # 2021 (Reuters) and 2022 (TASS) come from different reports; TASS states +51% for 2022.
    usd = {s["id"]: s["values"] for s in history["series"]}["tkm_chn_gas_exports_usd_gac"]
    assert usd[2022] / usd[2021] == pytest.approx(1.51, abs=0.01)
