"""The model as committed reproduces the regression reference (tests/data/reference/, see tests/reference.py)."""
import numpy as np
import pandas as pd
import pytest

from reference import ATOL, RTOL, TABLES, fresh_tables, stored_tables


@pytest.fixture(scope="module")
def tables():
    return fresh_tables(), stored_tables()


@pytest.mark.parametrize("name", TABLES)
def test_every_column_matches_the_reference(tables, name):
    fresh, stored = tables[0][name], tables[1][name]
    assert list(fresh.columns) == list(stored.columns), "columns changed: regenerate with `make reference`"
    assert len(fresh) == len(stored) == (5 * 13 * (5 if name == "states" else 1))
    for column in fresh.columns:
        a, b = fresh[column].to_numpy(), stored[column].to_numpy()
        if pd.api.types.is_float_dtype(stored[column]):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"{name}.{column}")
        else:
            assert (a == b).all(), f"{name}.{column}"


def test_the_events_fired(tables):
    """The reference covers the shocks' code paths: a disruption and its end, sanctions, a debt crisis."""
    region = tables[1]["region"].set_index(["run", "step"])
    northern = region["ship_time_northern"].unstack()
    np.testing.assert_allclose(northern[3] / northern[2], 1.5, rtol=0.01)      # disrupted in 2025-Q3 (x 1.5) ...
    np.testing.assert_allclose(northern[7] / northern[6], 1 / 1.5, rtol=0.01)  # ... for a year (days fall with investment)
    states = tables[1]["states"]
    eu = states[states["state"] == "KAZ"].set_index(["run", "step"])["market_time_EU"].unstack()
    assert (eu[2] > eu[1] + 2.5).all()          # sanctions on Russia at 0.8 (from 0.5) in 2025-Q2: +3 days on Kazakhstan's northern route
    kgz = states[states["state"] == "KGZ"].set_index(["run", "step"])["debt_to_gdp"].unstack()
    assert (kgz[4] - kgz[3] > 0.15).all()      # the Kyrgyz debt crisis of 2025-Q4: +20% of GDP
    uzb = states[states["state"] == "UZB"].set_index(["run", "step"])["exchange_rate"].unstack()
    assert (uzb[7] / uzb[6] < 0.8).all()       # Uzbekistan devalues by 0.3 (log) in 2026-Q3
    tjk = states[states["state"] == "TJK"].set_index(["run", "step"])["remittances"].unstack()
    assert (tjk[8] / tjk[7] < 0.9).all()       # Russia's migration rules cut Tajik remittances from Russia by 20% in 2026-Q4
