"""The history loader (model/observed.py): values by series and year, events in date order, clear errors."""
import copy
import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from model.observed import HISTORY_FILE, HistoryDataError, load_history, parse_history


@pytest.fixture(scope="module")
def raw():
    with open(HISTORY_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_values_by_series_and_year_as_in_the_file():
    history = load_history()
    kaz = history.get("kaz_gdp_usd_wdi2026")
    assert kaz.unit == "USD bn" and kaz.confidence == "high" and "WDI" in kaz.basis
    assert kaz.at(2016) == pytest.approx(137.28, abs=0.01)        # the tenge float's trough
    assert history.value("tjk_remit_usd_wdi", 2015) == pytest.approx(2.26, abs=0.01)
    assert list(history.get("kgz_rus_trade_dots").between(2014, 2016)) == [2014, 2015, 2016]
    assert kaz.years[0] == 2013


def test_every_series_of_the_file_is_loaded_with_its_values(raw):
    history = load_history()
    assert set(history.series) == {s["id"] for s in raw["series"]}
    for entry in raw["series"]:
        assert dict(history.get(entry["id"]).values) == {y: float(v) for y, v in entry["values"].items()}


def test_events_are_dated_and_in_order():
    history = load_history()
    starts = [e.start for e in history.events]
    assert starts == sorted(starts) and len(starts) >= 30
    csto = [e for e in history.events_tagged("csto")]
    assert csto and csto[0].start == dt.date(2022, 1, 6)
    assert csto[0].fraction == pytest.approx(2022 + 5 / 365)
    spans = [e for e in history.events if e.date == "2014-2016"]
    assert spans and spans[0].start == dt.date(2014, 1, 1)


def test_unknown_series_and_year_name_what_exists():
    history = load_history()
    with pytest.raises(HistoryDataError, match=r"unknown series 'kaz_gdp_usd_wdi2025' \(did you mean 'kaz_gdp_usd_wdi2026'\?\)"):
        history.get("kaz_gdp_usd_wdi2025")
    with pytest.raises(HistoryDataError, match=r"no value for 2022 \(years: 2013-2020\)"):
        history.value("kaz_chn_trade_dots", 2022)


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r["series"][0].pop("unit"), r"series\[0\] \(ca5_chn_trade_gac\)\.unit: missing"),
    (lambda r: r["series"][1]["values"].update({2014: "n/a"}), r"series\[1\] \(ca5_chn_trade_cnybn_gac\)\.values\.2014: 'n/a' is not a finite number"),
    (lambda r: r["series"][2]["values"].update({"2014": 1.0}), r"values: year key '2014' is not a calendar year"),
    (lambda r: r["series"][3].update(confidence="sure"), r"confidence: 'sure' is not one of high, medium, low"),
    (lambda r: r["series"].append(copy.deepcopy(r["series"][0])), r"duplicate series id 'ca5_chn_trade_gac'"),
    (lambda r: r["events"][0].update(date="2014-13-01"), r"events\[0\]\.date: month must be in 1\.\.12"),
    (lambda r: r["events"][1].update(date="spring 2014"), r"events\[1\]\.date: 'spring 2014' is not YYYY"),
])
def test_malformed_files_are_reported_with_entry_and_field(raw, mutate, message):
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(HistoryDataError, match=message):
        parse_history(broken, "h.yaml")


@settings(max_examples=80, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=3),
                    max_leaves=12))
def test_any_parsed_yaml_gives_a_history_or_a_history_error(value):
    event = {"date": "2014", "event": "x"}
    for candidate in (value, {"series": value}, {"series": [value]}, {"series": [], "events": value},
                      {"series": [], "events": [value]}, {"series": [], "events": [{**event, "tags": value}]},
                      {"series": [], "events": [{**event, "date": value}]}):
        try:
            parse_history(candidate, "fuzz.yaml")
        except HistoryDataError:
            pass
