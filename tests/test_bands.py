"""The hindcast figure (calibration/bands.py): the bands drawn are the quantiles of the runs, the points the data."""
import io

import numpy as np
import pandas as pd
import pytest

from calibration.bands import band_frame, hindcast_figure


def test_band_frame_by_hand():
    runs = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])       # three runs, two years
    frame = band_frame({"KAZ.gdp": runs}, [2014, 2015], level=0.5)
    assert list(frame.columns) == ["output", "year", "lo", "median", "hi"]
    np.testing.assert_allclose(frame["lo"], [1.5, 15.0])
    np.testing.assert_allclose(frame["median"], [2.0, 20.0])
    np.testing.assert_allclose(frame["hi"], [2.5, 25.0])


def test_figure_draws_each_band_and_each_observed_point():
    years = np.arange(2013, 2025)
    rng = np.random.default_rng(0)
    values = {out: np.exp(rng.normal(np.log(5.0 + k), 0.1, (50, len(years)))) for k, out in enumerate(["KAZ.gdp", "KGZ.gdp"])}
    bands = band_frame(values, years)
    points = pd.DataFrame({"output": ["KAZ.gdp"] * 3 + ["KGZ.gdp"], "year": [2013, 2015, 2021, 2016],
                           "value": [5.0, 4.0, 7.0, 6.0], "role": ["check", "fit", "held_out", "fit"]})
    fig = hindcast_figure(bands, points, "GDP", "USD bn", log_scale=True, fit_end=2019)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["KAZ.gdp", "KGZ.gdp"]
    kaz = axes[0]
    band_poly = kaz.collections[0].get_paths()[0].vertices
    expected = bands[bands["output"] == "KAZ.gdp"]
    assert band_poly[:, 1].max() == pytest.approx(expected["hi"].max())
    assert band_poly[:, 1][band_poly[:, 1] > 0].min() == pytest.approx(expected["lo"].min())
    np.testing.assert_allclose(kaz.lines[0].get_ydata(), expected["median"])
    drawn = np.vstack([c.get_offsets() for c in kaz.collections[1:]])
    assert sorted(map(tuple, drawn)) == [(2013, 5.0), (2015, 4.0), (2021, 7.0)]
    assert kaz.get_yscale() == "log" and any(line.get_xdata()[0] == 2019.5 for line in kaz.lines[1:])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
